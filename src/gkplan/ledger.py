"""The SQLite ledger: the only module that speaks SQL.

Reads use the plain sqlite3 connection (fast to import); schema creation and seed loading go
through sqlite-utils. Every write is one `BEGIN IMMEDIATE` transaction, so a failure anywhere
leaves the ledger exactly as it was and concurrent writers queue instead of losing updates.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gkplan.errors import LedgerError, NotFound

if TYPE_CHECKING:
    from gkplan.models import Seed

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000

# SQLite errors that come from the file or its surroundings, not from a bug in this module.
_ENVIRONMENT_ERRORS = (
    ("not a database", "不是 gkplan 台账（不是 SQLite 数据库文件）"),
    ("malformed", "台账文件已损坏；请从备份恢复"),
    ("readonly", "台账文件只读，无法写入；请检查文件权限"),
    ("read-only", "台账文件只读，无法写入；请检查文件权限"),
    ("disk is full", "磁盘空间不足，未写入任何内容"),
    ("database or disk is full", "磁盘空间不足，未写入任何内容"),
    ("disk i/o error", "读写台账文件时出错（磁盘 I/O）"),
    ("unable to open", "无法打开台账文件"),
    ("locked", "台账正被其他进程占用，请稍后再试"),
    ("busy", "台账正被其他进程占用，请稍后再试"),
)

POINT_COLUMNS = "p.id, p.section, s.title AS section_title, p.title, p.text, p.leads, p.due, p.due_seed, p.progress, p.status, p.note, p.updated_at"


@dataclass(frozen=True)
class PointQuery:
    """Filters for `points()`. Every value reaches SQL as a parameter."""

    ids: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    sections: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    due_before: date | None = None
    overdue_as_of: date | None = None
    search: str | None = None


@dataclass
class LoadResult:
    added: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    not_in_seed: list[int] = field(default_factory=list)


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        self.is_new = False
        self.conn = self._connect()

    # -- opening -----------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise LedgerError(f"{path}: 是一个目录，不是台账文件")
        exists = path.exists()
        if not exists and not path.parent.is_dir():
            raise LedgerError(f"{path}: 所在目录不存在")
        if not exists and not os.access(path.parent, os.W_OK):
            raise LedgerError(f"{path}: 无法在该目录创建台账（没有写权限）")
        if exists and not os.access(path, os.R_OK):
            raise LedgerError(f"{path}: 没有读取权限")
        with self._errors():
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            raise LedgerError(
                f"{path}: 台账由更新版本的 gkplan 创建（结构版本 {version}，本程序支持 {SCHEMA_VERSION}）；请升级 gkplan"
            )
        if version == 0 and tables:
            conn.close()
            raise LedgerError(f"{path}: 是 SQLite 数据库，但不是 gkplan 台账；请用 --db 指定其他文件")
        self.is_new = version == 0
        if not self.is_new and os.access(path, os.W_OK):
            with self._errors():
                conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite's complaints about the file into one readable LedgerError; let bugs through."""
        try:
            yield
        except sqlite3.Error as exc:
            text = str(exc).lower()
            for needle, message in _ENVIRONMENT_ERRORS:
                if needle in text:
                    raise LedgerError(f"{self.path}: {message}") from None
            raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: all of it lands, or none of it does."""
        with self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise

    # -- schema ------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        import sqlite_utils

        db = sqlite_utils.Database(self.conn, execute_plugins=False, recursive_triggers=False)
        db["meta"].create({"key": str, "value": str}, pk="key")
        db["sections"].create({"id": int, "title": str}, pk="id", not_null={"title"})
        db["points"].create(
            {
                "id": int,
                "section": int,
                "title": str,
                "text": str,
                "leads": str,  # JSON: [{leader, departments, scope, note}], in document order
                "due_seed": str,
                "due": str,
                "progress": int,
                "status": str,
                "note": str,
                "updated_at": str,
            },
            pk="id",
            not_null={"section", "title", "text", "leads", "due_seed", "due", "progress", "status"},
            defaults={"progress": 0, "status": "not_started"},
            foreign_keys=[("section", "sections", "id")],
        )
        for kind in ("department", "leader"):
            table = db[f"point_{kind}s"]
            table.create(
                {"point": int, "ord": int, kind: str},
                pk=("point", "ord"),
                foreign_keys=[("point", "points", "id")],
            )
            table.create_index([kind, "point"])
        db["history"].create(
            {"id": int, "at": str, "by": str, "point": int, "action": str, "changes": str, "note": str},
            pk="id",
            not_null={"at", "by", "point", "action", "changes"},
        )
        db["history"].create_index(["point", "id"])
        self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- loading the seed -------------------------------------------------------------------

    def load(self, seed: Seed) -> LoadResult:
        """Add or refresh the seed's own fields; progress, status, notes and history are never touched."""
        import sqlite_utils

        result = LoadResult()
        plan = seed.plan
        if self.is_new:
            with self._errors():  # WAL: readers never wait for a writer; set outside any transaction
                self.conn.execute("PRAGMA journal_mode = WAL")
        with self._write() as conn:
            if self.is_new:
                self._create_schema()
            db = sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
            db["meta"].upsert_all(
                [
                    {"key": "title", "value": plan.title},
                    {"key": "document", "value": plan.document or ""},
                    {"key": "issued", "value": plan.issued.isoformat()},
                    {"key": "year", "value": str(plan.year)},
                    {"key": "start", "value": plan.start_date.isoformat()},
                    {"key": "end", "value": plan.end_date.isoformat()},
                ],
                pk="key",
            )
            db["sections"].upsert_all([{"id": s.number, "title": s.title} for s in seed.sections], pk="id")
            existing = {
                row["id"]: row
                for row in conn.execute("SELECT id, section, title, text, leads, due_seed, due FROM points")
            }
            end = plan.end_date.isoformat()
            new_rows, changed_rows, people = [], [], []
            for point in seed.points:
                leads = [
                    {"leader": lead.leader, "departments": list(lead.departments), "scope": lead.scope, "note": lead.note}
                    for lead in point.leads
                ]
                row = {
                    "id": point.number,
                    "section": point.section,
                    "title": point.title,
                    "text": point.text,
                    "leads": json.dumps(leads, ensure_ascii=False),
                    "due_seed": point.due.isoformat() if point.due else end,
                }
                old = existing.pop(point.number, None)
                if old is None:
                    new_rows.append(row | {"due": row["due_seed"], "progress": 0, "status": "not_started"})
                    result.added.append(point.number)
                elif any(old[k] != row[k] for k in ("section", "title", "text", "leads", "due_seed")):
                    # a due date the user moved (due != the old seed's) stays; one that followed the seed follows it
                    row["due"] = row["due_seed"] if old["due"] == old["due_seed"] else old["due"]
                    changed_rows.append(row)
                    result.changed.append(point.number)
                else:
                    result.unchanged.append(point.number)
                    continue
                people.append((point.number, leads))
            result.not_in_seed = sorted(existing)
            if new_rows:
                db["points"].insert_all(new_rows, batch_size=500)
            if changed_rows:
                conn.executemany(
                    "UPDATE points SET section=:section, title=:title, text=:text, leads=:leads,"
                    " due_seed=:due_seed, due=:due WHERE id=:id",
                    changed_rows,
                )
            self._index_people(conn, people)
        self.is_new = False
        return result

    @staticmethod
    def _index_people(conn: sqlite3.Connection, people: list[tuple[int, list[dict]]]) -> None:
        """Flat (point, name) rows for filtering and grouping: names in document order, each once."""
        ids = [(pid,) for pid, _ in people]
        conn.executemany("DELETE FROM point_departments WHERE point = ?", ids)
        conn.executemany("DELETE FROM point_leaders WHERE point = ?", ids)
        depts, leaders = [], []
        for pid, leads in people:
            for kind, out in (("departments", depts), ("leader", leaders)):
                names: list[str] = []
                for lead in leads:
                    value = lead[kind]
                    for name in value if isinstance(value, list) else [value]:
                        if name and name not in names:
                            names.append(name)
                out.extend((pid, i, name) for i, name in enumerate(names))
        conn.executemany("INSERT INTO point_departments (point, ord, department) VALUES (?, ?, ?)", depts)
        conn.executemany("INSERT INTO point_leaders (point, ord, leader) VALUES (?, ?, ?)", leaders)

    # -- reading -----------------------------------------------------------------------------

    def plan(self) -> dict[str, str]:
        with self._errors():
            return {row["key"]: row["value"] for row in self.conn.execute("SELECT key, value FROM meta")}

    def sections(self) -> list[dict[str, Any]]:
        with self._errors():
            return [dict(row) for row in self.conn.execute("SELECT id, title FROM sections ORDER BY id")]

    def points(self, query: PointQuery = PointQuery()) -> list[dict[str, Any]]:
        where, params = [], []
        if query.ids:
            where.append(f"p.id IN ({','.join('?' * len(query.ids))})")
            params += query.ids
        for kind, names in (("department", query.departments), ("leader", query.leaders)):
            if names:
                where.append(
                    f"EXISTS (SELECT 1 FROM point_{kind}s x WHERE x.point = p.id"
                    f" AND x.{kind} IN ({','.join('?' * len(names))}))"
                )
                params += names
        if query.sections:
            where.append(f"p.section IN ({','.join('?' * len(query.sections))})")
            params += query.sections
        if query.statuses:
            where.append(f"p.status IN ({','.join('?' * len(query.statuses))})")
            params += query.statuses
        if query.due_before:
            where.append("p.due < ?")
            params.append(query.due_before.isoformat())
        if query.overdue_as_of:
            where.append("p.due < ? AND p.status != 'done'")
            params.append(query.overdue_as_of.isoformat())
        if query.search:
            pattern = "%" + query.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(p.title LIKE ? ESCAPE '\\' OR p.text LIKE ? ESCAPE '\\')")
            params += [pattern, pattern]
        sql = f"SELECT {POINT_COLUMNS} FROM points p JOIN sections s ON s.id = p.section"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors():
            return [_point(row) for row in self.conn.execute(sql + " ORDER BY p.id", params)]

    def point(self, point_id: int) -> dict[str, Any]:
        rows = self.points(PointQuery(ids=(point_id,)))
        if not rows:
            raise NotFound(f"没有编号为 {point_id} 的工作要点")
        return rows[0]

    def names(self, kind: str) -> list[dict[str, Any]]:
        """Known departments or leaders with the points they own, in order of first appearance."""
        assert kind in ("department", "leader")
        sql = (
            f"SELECT {kind} AS name, group_concat(point) AS points, min(point) AS first"
            f" FROM (SELECT {kind}, point FROM point_{kind}s ORDER BY point) GROUP BY {kind} ORDER BY first"
        )
        with self._errors():
            return [
                {"name": row["name"], "count": len(ids := [int(i) for i in row["points"].split(",")]), "points": ids}
                for row in self.conn.execute(sql)
            ]

    def summary(self, by: str, as_of: date) -> list[dict[str, Any]]:
        """Per department / leader / section: counts by status, overdue, mean progress."""
        if by == "section":
            key, join, order = "s.title", "JOIN sections s ON s.id = p.section", "min(s.id)"
        else:  # a point with two departments counts under each; groups in order of first appearance
            key, join = f"x.{by}", f"LEFT JOIN point_{by}s x ON x.point = p.id"
            order = "min(p.id * 1000 + coalesce(x.ord, 0))"
        sql = f"""
            SELECT {key} AS grp, {order} AS first_seen, count(*) AS points,
                   sum(p.status = 'done') AS done, sum(p.status = 'in_progress') AS in_progress,
                   sum(p.status = 'not_started') AS not_started, sum(p.status = 'blocked') AS blocked,
                   sum(p.status = 'deferred') AS deferred,
                   sum(p.due < :as_of AND p.status != 'done') AS overdue,
                   avg(p.progress) AS mean_progress
            FROM points p {join} GROUP BY grp ORDER BY first_seen"""
        with self._errors():
            return [dict(row) for row in self.conn.execute(sql, {"as_of": as_of.isoformat()})]

    def history(self, point: int | None = None, since: date | None = None, limit: int | None = None) -> list[dict]:
        where, params = [], []
        if point is not None:
            where.append("point = ?")
            params.append(point)
        if since is not None:
            where.append("substr(at, 1, 10) >= ?")
            params.append(since.isoformat())
        sql = "SELECT id, point, at, by, action, changes, note FROM history"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self._errors():
            return [_history(row) for row in self.conn.execute(sql, params)]

    # -- changing ----------------------------------------------------------------------------

    def update_point(
        self, point_id: int, decide: Callable[[dict[str, Any]], dict[str, Any]], *, note: str | None, by: str, at: str
    ) -> dict[str, Any] | None:
        """Read the point, let `decide` compute the new field values, write them and the history entry.

        The read and the write are one transaction, so two people updating at once never lose a change.
        Returns the history entry, or None when nothing would change.
        """
        with self._write() as conn:
            row = conn.execute(f"SELECT {POINT_COLUMNS} FROM points p JOIN sections s ON s.id = p.section WHERE p.id = ?", (point_id,)).fetchone()
            if row is None:
                raise NotFound(f"没有编号为 {point_id} 的工作要点")
            current = _point(row)
            wanted = decide(current)
            changes = {k: [current[k], v] for k, v in wanted.items() if current[k] != v}
            if not changes and note is None:
                return None
            sets = {k: v for k, (_, v) in changes.items()}
            if note is not None:
                sets["note"] = note
            sets["updated_at"] = at
            conn.execute(
                f"UPDATE points SET {', '.join(f'{k} = :{k}' for k in sets)} WHERE id = :id", sets | {"id": point_id}
            )
            cursor = conn.execute(
                "INSERT INTO history (at, by, point, action, changes, note) VALUES (?, ?, ?, 'update', ?, ?)",
                (at, by, point_id, json.dumps(changes, ensure_ascii=False), note),
            )
            return {"id": cursor.lastrowid, "point": point_id, "at": at, "by": by, "action": "update", "changes": changes, "note": note}


def _point(row: sqlite3.Row) -> dict[str, Any]:
    leads = json.loads(row["leads"])
    leaders: list[str] = []
    departments: list[str] = []
    for lead in leads:
        if lead["leader"] and lead["leader"] not in leaders:
            leaders.append(lead["leader"])
        departments.extend(d for d in lead["departments"] if d not in departments)
    return {
        "id": row["id"],
        "section": row["section"],
        "section_title": row["section_title"],
        "title": row["title"],
        "text": row["text"],
        "leads": leads,
        "leaders": leaders,
        "departments": departments,
        "status": row["status"],
        "progress": row["progress"],
        "due": row["due"],
        "due_seed": row["due_seed"],
        "note": row["note"],
        "updated_at": row["updated_at"],
    }


def _history(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "point": row["point"],
        "at": row["at"],
        "by": row["by"],
        "action": row["action"],
        "changes": json.loads(row["changes"]),
        "note": row["note"],
    }
