"""The SQLite ledger: the only module that speaks SQL.

Reads use the plain sqlite3 connection (fast to import); schema creation and seed loading go
through sqlite-utils. Every write is one `BEGIN IMMEDIATE` transaction, so a failure anywhere
leaves the ledger exactly as it was and concurrent writers queue instead of losing updates.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from gkplan.errors import LedgerError, NotFound

if TYPE_CHECKING:
    from gkplan.models import Point
    from gkplan.seed import SeedSource

SCHEMA_VERSION = 3


def _names_key(kind: str, point: str) -> str:
    """SQL for a point's departments or leaders in document order, joined by U+001F."""
    return (f"(SELECT group_concat({kind}, char(31)) FROM"
            f" (SELECT {kind} FROM point_{kind}s x WHERE x.point = {point} ORDER BY x.ord))")  # fmt: skip


# Each step takes a ledger from version N-1 to N. A new ledger gets version 1's tables and then every step,
# so fresh and migrated ledgers are built by the same code.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        # list --dept / report by department: department → its points, due dates next to them
        "CREATE INDEX IF NOT EXISTS idx_points_due_status ON points (due, status)",
        "CREATE INDEX IF NOT EXISTS idx_points_section ON points (section)",
        "CREATE INDEX IF NOT EXISTS idx_tasks_dept ON tasks (dept)",
        "CREATE INDEX IF NOT EXISTS idx_history_entity ON history (entity, point, ref, at)",
    ),
    3: (
        # each point's departments and leaders in document order, joined by U+001F: the per-department
        # report groups on these without joining 100,000 points to their names
        "ALTER TABLE points ADD COLUMN department_key TEXT",
        "ALTER TABLE points ADD COLUMN leader_key TEXT",
        f"UPDATE points SET department_key = {_names_key('department', 'points.id')},"
        f" leader_key = {_names_key('leader', 'points.id')}",
        # what a table of points shows, in due-date order: the overdue report reads it without the table
        "CREATE INDEX IF NOT EXISTS idx_points_brief ON points (due, status, progress, section, title, department_key, leader_key)",
    ),
}
BUSY_TIMEOUT_MS = 10_000
LOAD_BATCH = 2000  # points written at a time while a seed streams in

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

POINT_COLUMNS = (
    "p.id, p.section, s.title AS section_title, p.title, p.text, p.leads, p.due, p.due_seed, p.progress, p.status,"
    " p.note, p.updated_at, (SELECT count(*) FROM tasks t WHERE t.point = p.id) AS tasks"
)
POINT_SELECT = f"SELECT {POINT_COLUMNS} FROM points p JOIN sections s ON s.id = p.section"
BRIEF_SELECT = "SELECT p.id, p.section, p.title, p.due, p.progress, p.status, p.department_key, p.leader_key FROM points p"
TASK_COLUMNS = (
    "t.point, t.seq, t.title, t.due, t.owner, t.dept, t.deliverable, t.weight, t.progress, t.status, t.note,"
    " t.origin, t.created_at, t.updated_at, p.title AS point_title, p.due AS point_due,"
    " (SELECT group_concat(department, char(31)) FROM (SELECT department FROM point_departments x"
    " WHERE x.point = t.point ORDER BY x.ord)) AS point_departments"
)
TARGET_COLUMNS = (
    "g.point, p.title AS point_title, g.metric, g.unit, g.target_min, g.target_max, g.actual, g.actual_as_of,"
    " g.due, g.source, g.note, g.updated_at"
)
HISTORY_COLUMNS = "id, point, entity, ref, at, by, action, changes, note, undone_by"


class PointQuery(NamedTuple):
    """Filters for `points()`. Every value reaches SQL as a parameter."""

    ids: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    sections: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    due_before: date | None = None
    overdue_as_of: date | None = None
    search: str | None = None
    lights: tuple[str, ...] = ()


class LoadResult:
    """Counts, so that a 100,000-point load keeps no list of ids; the ids of changed points are named."""

    def __init__(self) -> None:
        self.added = self.changed = self.unchanged = 0
        self.changed_ids: list[int] = []
        self.not_in_seed: list[int] = []
        self.tasks_added = self.targets_added = self.targets_changed = 0


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
            conn = self._open(path, exists)
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
        if not self.is_new and version < SCHEMA_VERSION:
            self.conn = conn
            self._migrate(version)
        if not self.is_new and os.access(path, os.W_OK):
            with self._errors():
                conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @staticmethod
    def _open(path: Path, exists: bool) -> sqlite3.Connection:
        """A writable ledger opens normally. One we may only read (no write access to it or to its folder,
        where WAL keeps its -shm file) opens read-only, so reading still works and writing is refused."""
        if not exists or (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        else:
            from urllib.parse import quote

            uri = f"file:{quote(str(path.resolve()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                conn.execute("PRAGMA user_version").fetchone()
            except sqlite3.OperationalError:  # WAL without a writable -shm: read it as a snapshot
                conn.close()
                conn = sqlite3.connect(uri + "&immutable=1", uri=True)
        conn.row_factory = sqlite3.Row
        return conn

    def _migrate(self, version: int) -> None:
        """Bring an older ledger up to SCHEMA_VERSION in one transaction: all steps or none."""
        try:
            with self._write() as conn:
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[step]:
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except LedgerError as exc:
            self.conn.close()
            raise LedgerError(f"{exc}（台账需要从结构版本 {version} 升级到 {SCHEMA_VERSION}）") from None

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
        db["tasks"].create(
            {
                "point": int, "seq": int, "title": str, "due": str, "owner": str, "dept": str,
                "deliverable": str, "weight": int, "progress": int, "status": str, "note": str,
                "origin": str, "created_at": str, "updated_at": str,
            },
            pk=("point", "seq"),
            not_null={"title", "weight", "progress", "status", "origin"},
            defaults={"weight": 1, "progress": 0, "status": "not_started", "origin": "user"},
            foreign_keys=[("point", "points", "id")],
        )  # fmt: skip
        db["targets"].create(
            {
                "point": int, "metric": str, "unit": str, "target_min": float, "target_max": float, "due": str,
                "source": str, "actual": float, "actual_as_of": str, "note": str, "updated_at": str,
            },
            pk=("point", "metric"),
            not_null={"unit", "target_min"},
            foreign_keys=[("point", "points", "id")],
        )  # fmt: skip
        db["history"].create(
            {
                "id": int, "at": str, "by": str, "point": int, "entity": str, "ref": str, "action": str,
                "changes": str, "note": str, "undone_by": int,
            },
            pk="id",
            not_null={"at", "by", "point", "entity", "action", "changes"},
        )  # fmt: skip
        db["history"].create_index(["point", "id"])
        for step in range(2, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                self.conn.execute(statement)
        self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- loading the seed -------------------------------------------------------------------

    def load(self, seed: SeedSource, at: str = "") -> LoadResult:
        """Add or refresh the seed's own fields; progress, status, notes, actuals and history are never touched.

        Points arrive one at a time from `seed` and are written in batches inside one transaction; if the
        seed has any problem, anywhere, the transaction is rolled back and every problem is reported."""
        import sqlite_utils

        result = LoadResult()
        if self.is_new:
            with self._errors():  # WAL: readers never wait for a writer; set outside any transaction
                self.conn.execute("PRAGMA journal_mode = WAL")
        with self._write() as conn:
            if self.is_new:
                self._create_schema()
            plan = seed.plan
            if plan is not None and seed.ok:
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
            end = plan.end_date.isoformat() if plan else ""
            batch: list[Point] = []
            for point in seed.points():
                batch.append(point)
                if len(batch) == LOAD_BATCH:
                    self._load_batch(conn, batch, end, at, result, write=seed.ok)
                    batch = []
            self._load_batch(conn, batch, end, at, result, write=seed.ok)
            seed.finish()  # any problem: raises, and the transaction is rolled back
            result.not_in_seed = [r[0] for r in conn.execute("SELECT id FROM points ORDER BY id") if r[0] not in seed.numbers]
        self.is_new = False
        return result

    def _load_batch(
        self, conn: sqlite3.Connection, batch: list[Point], end: str, at: str, result: LoadResult, *, write: bool
    ) -> None:
        if not batch or not write:
            return
        import json

        ids = [p.number for p in batch]
        marks = ",".join("?" * len(ids))
        existing = {
            row["id"]: row
            for row in conn.execute(f"SELECT id, section, title, text, leads, due_seed, due FROM points WHERE id IN ({marks})", ids)
        }
        new_rows, changed_rows, people = [], [], []
        for point in batch:
            leads = [
                {"leader": lead.leader, "departments": list(lead.departments), "scope": lead.scope, "note": lead.note}
                for lead in point.leads
            ]
            depts, leaders = _names(leads, "departments"), _names(leads, "leader")
            row = {
                "id": point.number,
                "section": point.section,
                "title": point.title,
                "text": point.text,
                "leads": json.dumps(leads, ensure_ascii=False),
                "due_seed": point.due.isoformat() if point.due else end,
                "department_key": KEY_SEPARATOR.join(depts) or None,
                "leader_key": KEY_SEPARATOR.join(leaders) or None,
            }
            old = existing.get(point.number)
            if old is None:
                new_rows.append(row | {"due": row["due_seed"]})
                result.added += 1
            elif any(old[k] != row[k] for k in ("section", "title", "text", "leads", "due_seed")):
                # a due date the user moved (due != the old seed's) stays; one that followed the seed follows it
                row["due"] = row["due_seed"] if old["due"] == old["due_seed"] else old["due"]
                changed_rows.append(row)
                result.changed += 1
                result.changed_ids.append(point.number)
            else:
                result.unchanged += 1
                continue
            people.append((point.number, depts, leaders))
        conn.executemany(
            "INSERT INTO points (id, section, title, text, leads, due_seed, due, department_key, leader_key)"
            " VALUES (:id, :section, :title, :text, :leads, :due_seed, :due, :department_key, :leader_key)",
            new_rows,
        )
        conn.executemany(
            "UPDATE points SET section=:section, title=:title, text=:text, leads=:leads, due_seed=:due_seed,"
            " due=:due, department_key=:department_key, leader_key=:leader_key WHERE id=:id",
            changed_rows,
        )
        self._index_people(conn, people, fresh={row["id"] for row in new_rows})
        added_tasks = self._load_deliverables(conn, batch, at)
        result.tasks_added += len(added_tasks)
        added, changed = self._load_targets(conn, batch)
        result.targets_added += added
        result.targets_changed += changed
        self._rollup(conn, {pid for pid, _ in added_tasks})

    @staticmethod
    def _load_deliverables(conn: sqlite3.Connection, batch: list[Point], at: str) -> list[tuple[int, int]]:
        """Each deliverable the seed names becomes a task of its point, once; tasks keep their progress."""
        with_docs = [p for p in batch if p.deliverables]
        if not with_docs:
            return []
        ids = [p.number for p in with_docs]
        marks = ",".join("?" * len(ids))
        known = {(r[0], r[1]) for r in conn.execute(
            f"SELECT point, title FROM tasks WHERE origin = 'seed' AND point IN ({marks})", ids)}  # fmt: skip
        next_seq = dict(conn.execute(f"SELECT point, max(seq) FROM tasks WHERE point IN ({marks}) GROUP BY point", ids).fetchall())
        added, rows = [], []
        for point in with_docs:
            for title in point.deliverables:
                if (point.number, title) in known:
                    continue
                seq = next_seq.get(point.number, 0) + 1
                next_seq[point.number] = seq
                rows.append((point.number, seq, title, at or None))
                added.append((point.number, seq))
        conn.executemany(
            "INSERT INTO tasks (point, seq, title, deliverable, origin, created_at) VALUES (?, ?, ?, '文件', 'seed', ?)", rows
        )
        return added

    @staticmethod
    def _load_targets(conn: sqlite3.Connection, batch: list[Point]) -> tuple[int, int]:
        with_targets = [p for p in batch if p.targets]
        if not with_targets:
            return 0, 0
        ids = [p.number for p in with_targets]
        marks = ",".join("?" * len(ids))
        old = {
            (r["point"], r["metric"]): tuple(r)[2:]
            for r in conn.execute(
                f"SELECT point, metric, unit, target_min, target_max, due, source FROM targets WHERE point IN ({marks})", ids
            )
        }
        added = changed = 0
        rows = []
        for point in with_targets:
            for t in point.targets:
                values = (t.unit, t.min, t.max, t.due.isoformat() if t.due else None, t.source)
                key = (point.number, t.metric)
                if key not in old:
                    added += 1
                elif old[key] != values:
                    changed += 1
                else:
                    continue
                rows.append((*key, *values))
        conn.executemany(
            "INSERT INTO targets (point, metric, unit, target_min, target_max, due, source) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (point, metric) DO UPDATE SET unit = excluded.unit, target_min = excluded.target_min,"
            " target_max = excluded.target_max, due = excluded.due, source = excluded.source",
            rows,
        )
        return added, changed

    @staticmethod
    def _index_people(conn: sqlite3.Connection, people: list[tuple[int, list[str], list[str]]], fresh: set[int]) -> None:
        """Flat (point, name) rows for filtering: names in document order, each once."""
        ids = [(pid,) for pid, _, _ in people if pid not in fresh]
        conn.executemany("DELETE FROM point_departments WHERE point = ?", ids)
        conn.executemany("DELETE FROM point_leaders WHERE point = ?", ids)
        conn.executemany(
            "INSERT INTO point_departments (point, ord, department) VALUES (?, ?, ?)",
            [(pid, i, name) for pid, depts, _ in people for i, name in enumerate(depts)],
        )
        conn.executemany(
            "INSERT INTO point_leaders (point, ord, leader) VALUES (?, ?, ?)",
            [(pid, i, name) for pid, _, leaders in people for i, name in enumerate(leaders)],
        )

    # -- reading -----------------------------------------------------------------------------

    def plan(self) -> dict[str, str]:
        with self._errors():
            return {row["key"]: row["value"] for row in self.conn.execute("SELECT key, value FROM meta")}

    def sections(self) -> list[dict[str, Any]]:
        with self._errors():
            return [dict(row) for row in self.conn.execute("SELECT id, title FROM sections ORDER BY id")]

    def points(self, query: PointQuery = PointQuery()) -> list[dict[str, Any]]:
        return list(self.iter_points(query))

    def iter_points(
        self, query: PointQuery = PointQuery(), clock: dict[str, Any] | None = None, order: str = "p.id",
        brief: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Points one at a time from the cursor, so that a 100,000-point listing never sits in memory whole.
        With a `clock` (see `light_sql`) each comes with its days left and warning light. `brief` rows
        carry what a table shows (no text, no leads), which is half the cost of a long listing."""
        prm = _Params(clock)
        where = []
        if query.ids:
            where.append(f"p.id IN ({prm.many(query.ids)})")
        for kind, names in (("department", query.departments), ("leader", query.leaders)):
            if names:  # IN (subquery): SQLite walks the (name, point) index instead of every point
                where.append(f"p.id IN (SELECT point FROM point_{kind}s WHERE {kind} IN ({prm.many(names)}))")
        if query.sections:
            where.append(f"p.section IN ({prm.many(query.sections)})")
        if query.statuses:
            where.append(f"p.status IN ({prm.many(query.statuses)})")
        if query.due_before:
            where.append(f"p.due < {prm.one(query.due_before.isoformat())}")
        if query.overdue_as_of:
            where.append(f"p.due < {prm.one(query.overdue_as_of.isoformat())} AND p.status != 'done'")
        if query.search:
            pattern = prm.one(_like(query.search))
            where.append(f"(p.title LIKE {pattern} ESCAPE '\\' OR p.text LIKE {pattern} ESCAPE '\\')")
        sql = BRIEF_SELECT if brief else POINT_SELECT
        if clock:
            sql = sql.replace(" FROM points p", f", {light_sql('p.due', 'p.progress', 'p.status')} AS light,"
                              f" CAST(julianday(p.due) - julianday(:as_of) AS INTEGER) AS days_left FROM points p", 1)
            if query.lights:
                where.append(f"light IN ({prm.many(query.lights)})")
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors():
            yield from map(_brief if brief else _point, self.conn.execute(f"{sql} ORDER BY {order}", prm.values))

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

    def summary(self, by: str | None, clock: dict[str, Any]) -> list[dict[str, Any]]:
        """Per department / leader / section (or the whole plan when `by` is None): counts by status and
        light, overdue, mean progress. A point with two departments counts under each; groups come in
        order of first appearance. SQLite groups by (group, status × light) with two aggregates, which is
        what keeps 100,000 points to about a tenth of a second; Python folds the few rows that come back."""
        if by == "section":
            key, join = "s.title", "JOIN sections s ON s.id = p.section"
        else:
            key, join = ("NULL" if by is None else f"p.{by}_key"), ""
        status_code = "(CASE status " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(_STATUS_CODES)) + " END)"
        light_code = light_sql("due", "progress", "status", ("0", "1", "2", "3"))
        sql = f"""
            SELECT {key} AS grp, min(p.id) AS first_seen, min(p.section) AS section, p.code, count(*) AS n,
                   sum(p.progress) AS progress
            FROM (SELECT id, section, progress, department_key, leader_key,
                         {status_code} * 4 + {light_code} AS code FROM points) p {join}
            GROUP BY grp, p.code"""
        groups: dict[Any, dict[str, Any]] = {}
        with self._errors():
            for row in self.conn.execute(sql, clock):
                status, light = _STATUS_CODES[row["code"] // 4], _LIGHT_CODES[row["code"] % 4]
                # a key names every department of its points: each counts them (two departments, twice)
                names = row["grp"].split(KEY_SEPARATOR) if by not in (None, "section") and row["grp"] else [row["grp"]]
                for order, name in enumerate(names):
                    first = row["first_seen"] * 100_000 + order
                    g = groups.get(name)
                    if g is None:
                        g = groups[name] = {
                            "grp": name, "first_seen": first, "section": row["section"] if by == "section" else None,
                            "points": 0, **dict.fromkeys(_STATUS_CODES, 0), "overdue": 0, "red": 0, "yellow": 0,
                            "green": 0, "sum": 0,
                        }  # fmt: skip
                    g["first_seen"] = min(g["first_seen"], first)
                    g["points"] += row["n"]
                    g[status] += row["n"]
                    g["sum"] += row["progress"]
                    if light != "done":
                        g[light] += row["n"]
                    if light == "red":
                        g["overdue"] += row["n"]
        out = sorted(groups.values(), key=lambda g: g["first_seen"])
        for g in out:
            g["mean_progress"] = round(g.pop("sum") / g["points"], 1) if g["points"] else 0.0
        if by is None and not out:
            out = [{"grp": None, "section": None, "points": 0, **dict.fromkeys(_STATUS_CODES, 0), "overdue": 0,
                    "red": 0, "yellow": 0, "green": 0, "mean_progress": 0.0}]  # fmt: skip
        return out

    def history(
        self, point: int | None = None, since: date | None = None, limit: int | None = None, entity: str | None = None,
        ref: str | None = None,
    ) -> list[dict]:  # fmt: skip
        where, params = [], []
        for column, value in (("point", point), ("entity", entity), ("ref", ref)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("substr(at, 1, 10) >= ?")
            params.append(since.isoformat())
        sql = f"SELECT {HISTORY_COLUMNS} FROM history"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self._errors():
            return [_history(row) for row in self.conn.execute(sql, params)]

    def last_updates(self) -> dict[tuple[str, int, str | None], str]:
        """(entity, point, ref) → time of its latest recorded change, for finding what nobody reported on."""
        sql = "SELECT entity, point, ref, max(at) AS at FROM history WHERE action != 'undo' GROUP BY entity, point, ref"
        with self._errors():
            return {(r["entity"], r["point"], r["ref"]): r["at"] for r in self.conn.execute(sql)}

    def tasks(self, query: PointQuery = PointQuery(), seq: int | None = None) -> list[dict[str, Any]]:
        return list(self.iter_tasks(query, seq))

    def iter_tasks(
        self, query: PointQuery = PointQuery(), seq: int | None = None, clock: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Tasks of the points that `query` selects; a task's own department and due date win over its point's."""
        prm = _Params(clock)
        where = []
        if query.ids:
            where.append(f"t.point IN ({prm.many(query.ids)})")
        if seq is not None:
            where.append(f"t.seq = {prm.one(seq)}")
        if query.departments:
            names = prm.many(query.departments)
            where.append(
                f"(t.dept IN ({names}) OR (t.dept IS NULL AND t.point IN"
                f" (SELECT point FROM point_departments WHERE department IN ({names}))))"
            )
        if query.leaders:
            where.append(f"t.point IN (SELECT point FROM point_leaders WHERE leader IN ({prm.many(query.leaders)}))")
        if query.sections:
            where.append(f"p.section IN ({prm.many(query.sections)})")
        if query.statuses:
            where.append(f"t.status IN ({prm.many(query.statuses)})")
        if query.due_before:
            where.append(f"coalesce(t.due, p.due) < {prm.one(query.due_before.isoformat())}")
        if query.overdue_as_of:
            where.append(f"coalesce(t.due, p.due) < {prm.one(query.overdue_as_of.isoformat())} AND t.status != 'done'")
        if query.search:
            pattern = prm.one(_like(query.search))
            where.append(
                f"(t.title LIKE {pattern} ESCAPE '\\' OR t.deliverable LIKE {pattern} ESCAPE '\\'"
                f" OR t.note LIKE {pattern} ESCAPE '\\')"
            )
        columns = TASK_COLUMNS
        if clock:
            due = "coalesce(t.due, p.due)"
            columns += (f", {light_sql(due, 't.progress', 't.status')} AS light,"
                        f" CAST(julianday({due}) - julianday(:as_of) AS INTEGER) AS days_left")  # fmt: skip
            if query.lights:
                where.append(f"light IN ({prm.many(query.lights)})")
        sql = f"SELECT {columns} FROM tasks t JOIN points p ON p.id = t.point"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors():
            yield from (_task(row) for row in self.conn.execute(sql + " ORDER BY t.point, t.seq", prm.values))

    def task(self, point_id: int, seq: int) -> dict[str, Any]:
        rows = self.tasks(PointQuery(ids=(point_id,)), seq=seq)
        if not rows:
            self.point(point_id)
            raise NotFound(f"第 {point_id} 项没有任务 {point_id}.{seq}；用 gkplan task list --point {point_id} 查看")
        return rows[0]

    def targets(self, point: int | None = None, departments: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        where, params = [], []
        if point is not None:
            where.append("g.point = ?")
            params.append(point)
        if departments:
            where.append(
                f"EXISTS (SELECT 1 FROM point_departments x WHERE x.point = g.point AND x.department IN ({','.join('?' * len(departments))}))"
            )
            params += departments
        sql = f"SELECT {TARGET_COLUMNS} FROM targets g JOIN points p ON p.id = g.point"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors():
            return [_target(row) for row in self.conn.execute(sql + " ORDER BY g.point, g.rowid", params)]

    # -- changing ----------------------------------------------------------------------------

    def change(
        self,
        entity: str,
        key: tuple,
        decide: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        note: str | None,
        by: str,
        at: str,
    ) -> dict[str, Any] | None:
        """Read one point, task or target, let `decide` compute its new field values, write them and the
        history entry. Read and write are one transaction, so two people updating at once lose nothing.
        Returns the history entry, or None when nothing would change."""
        with self._write() as conn:
            current = self._current(conn, entity, key)
            wanted = decide(current)
            if note is not None:
                wanted["note"] = note
            changes = {k: [current[k], v] for k, v in wanted.items() if current[k] != v}
            if not changes and note is None:
                return None
            self._set(conn, entity, key, {k: v for k, (_, v) in changes.items()} | {"updated_at": at})
            if entity == "task":
                self._rollup(conn, {key[0]})
            return self._record(conn, entity, key, "update", changes, note, by, at)

    def add_task(self, point_id: int, fields: dict[str, Any], *, by: str, at: str) -> dict[str, Any]:
        with self._write() as conn:
            self._current(conn, "point", (point_id,))
            seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM tasks WHERE point = ?", (point_id,)).fetchone()[0]
            row = {"point": point_id, "seq": seq, "origin": "user", "created_at": at, "updated_at": at} | fields
            self._insert_task(conn, row)
            self._rollup(conn, {point_id})
            stored = self._current(conn, "task", (point_id, seq))
            return self._record(conn, "task", (point_id, seq), "add", {"task": [None, _task_row(stored)]}, None, by, at)

    def remove_task(self, point_id: int, seq: int, *, by: str, at: str) -> dict[str, Any]:
        with self._write() as conn:
            stored = self._current(conn, "task", (point_id, seq))
            conn.execute("DELETE FROM tasks WHERE point = ? AND seq = ?", (point_id, seq))
            self._rollup(conn, {point_id})
            return self._record(conn, "task", (point_id, seq), "remove", {"task": [_task_row(stored), None]}, None, by, at)

    def undo(self, *, by: str, at: str) -> dict[str, Any] | None:
        """Revert the latest change not yet undone, as a change of its own: history stays append-only."""
        with self._write() as conn:
            row = conn.execute(
                f"SELECT {HISTORY_COLUMNS} FROM history WHERE action != 'undo' AND undone_by IS NULL ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            entry = _history(row)
            key = (entry["point"],) if entry["entity"] == "point" else (entry["point"], _ref(entry["entity"], entry["ref"]))
            back = {k: [new, old] for k, (old, new) in entry["changes"].items()}
            if entry["action"] == "add":
                conn.execute("DELETE FROM tasks WHERE point = ? AND seq = ?", key)
            elif entry["action"] == "remove":
                self._insert_task(conn, entry["changes"]["task"][0])
            else:
                self._set(conn, entry["entity"], key, {k: old for k, (_, old) in back.items()} | {"updated_at": at})
            if entry["entity"] == "task":
                self._rollup(conn, {entry["point"]})
            undo = self._record(conn, entry["entity"], key, "undo", back, f"撤销记录 #{entry['id']}", by, at)
            conn.execute("UPDATE history SET undone_by = ? WHERE id = ?", (undo["id"], entry["id"]))
            return undo | {"undoes": entry}

    def backup(self, target: Path, *, force: bool) -> Path:
        """A consistent copy through SQLite's online backup API, safe while another process writes."""
        from gkplan.files import backup_database

        return backup_database(self.conn, self.path, target, force=force)

    def check(self) -> list[dict[str, Any]]:
        """Everything a doubtful user wants to know about the file, each as {check, ok, detail}."""
        out: list[dict[str, Any]] = []

        def add(name: str, problems: list[str], fine: str) -> None:
            out.append({"check": name, "ok": not problems, "detail": "；".join(problems[:10]) + (
                f"……共 {len(problems)} 处" if len(problems) > 10 else "") if problems else fine})

        with self._errors():
            q = self.conn.execute
            result = [r[0] for r in q("PRAGMA integrity_check")]
            add("文件完整性", [] if result == ["ok"] else result, "SQLite integrity_check 通过")
            keys = [f"{r[0]} 第 {r[1]} 行" for r in q("PRAGMA foreign_key_check")]
            add("引用完整", keys, "任务、指标、部门都指向存在的要点")
            version = q("PRAGMA user_version").fetchone()[0]
            add("结构版本", [] if version == SCHEMA_VERSION else [f"版本 {version}，应为 {SCHEMA_VERSION}"], f"版本 {version}")
            orphans = [
                f"第 {r[0]} 项" for r in q(
                    "SELECT id FROM points p WHERE NOT EXISTS (SELECT 1 FROM point_departments d WHERE d.point = p.id)"
                    " AND NOT EXISTS (SELECT 1 FROM json_each(p.leads) WHERE json_extract(value, '$.note') IS NOT NULL)"
                )
            ]  # fmt: skip
            add("牵头部门", orphans, "每项要点都有牵头部门或分工说明")
            stale_keys = [f"第 {r[0]} 项" for r in q(
                f"SELECT id FROM points p WHERE coalesce(department_key, '') != coalesce({_names_key('department', 'p.id')}, '')"
                f" OR coalesce(leader_key, '') != coalesce({_names_key('leader', 'p.id')}, '')"
            )]  # fmt: skip
            add("汇总索引", stale_keys, "按部门、校领导汇总所用的名称与牵头信息一致")
            inconsistent = (
                f"progress NOT BETWEEN 0 AND 100 OR status NOT IN ({','.join(repr(k) for k in _STATUS_CODES)})"
                " OR (progress = 100) != (status = 'done')"
            )
            bad = [f"第 {r[0]} 项" for r in q(f"SELECT id FROM points WHERE {inconsistent}")] + [
                f"任务 {r[0]}.{r[1]}" for r in q(f"SELECT point, seq FROM tasks WHERE {inconsistent}")
            ]
            add("进度与状态一致", bad, "进度在 0–100 之间，进度 100 与“已完成”一一对应")
            rollup = [f"第 {r[0]} 项（{r[1]}%，任务计算为 {r[2]}%）" for r in q(
                "SELECT p.id, p.progress, CAST(sum(t.weight * t.progress) * 1.0 / sum(t.weight) + 0.5 AS INTEGER) AS calc"
                " FROM points p JOIN tasks t ON t.point = p.id GROUP BY p.id HAVING p.progress != calc"
            )]  # fmt: skip
            add("任务汇总", rollup, "有任务的要点，进度等于任务的加权平均")
            unrecorded = [f"第 {r[0]} 项" for r in q(
                "SELECT id FROM points p WHERE (progress != 0 OR status != 'not_started' OR note IS NOT NULL)"
                " AND NOT EXISTS (SELECT 1 FROM history h WHERE h.point = p.id)"
            )] + [f"任务 {r[0]}.{r[1]}" for r in q(
                "SELECT point, seq FROM tasks t WHERE (progress != 0 OR status != 'not_started' OR note IS NOT NULL)"
                " AND NOT EXISTS (SELECT 1 FROM history h WHERE h.point = t.point AND h.entity = 'task' AND h.ref = CAST(t.seq AS TEXT))"
            )]  # fmt: skip
            broken = [f"记录 #{r[0]}" for r in q(
                "SELECT id FROM history WHERE json_valid(changes) = 0 OR entity NOT IN ('point','task','target')"
                " OR point NOT IN (SELECT id FROM points)"
            )]  # fmt: skip
            add("历史完整", unrecorded + broken, "每一处进展都有历史记录，记录都可读")
        return out

    # -- helpers for writers -----------------------------------------------------------------

    def _current(self, conn: sqlite3.Connection, entity: str, key: tuple) -> dict[str, Any]:
        if entity == "point":
            row = conn.execute(f"{POINT_SELECT} WHERE p.id = ?", key).fetchone()
            if row is None:
                raise NotFound(f"没有编号为 {key[0]} 的工作要点")
            return _point(row)
        if entity == "task":
            row = conn.execute(f"SELECT {TASK_COLUMNS} FROM tasks t JOIN points p ON p.id = t.point WHERE t.point = ? AND t.seq = ?", key).fetchone()
            if row is None:
                self._current(conn, "point", key[:1])
                raise NotFound(f"第 {key[0]} 项没有任务 {key[0]}.{key[1]}；用 gkplan task list --point {key[0]} 查看")
            return _task(row)
        row = conn.execute(f"SELECT {TARGET_COLUMNS} FROM targets g JOIN points p ON p.id = g.point WHERE g.point = ? AND g.metric = ?", key).fetchone()
        if row is None:
            self._current(conn, "point", key[:1])
            raise NotFound(f"第 {key[0]} 项没有指标“{key[1]}”；用 gkplan target list --point {key[0]} 查看")
        return _target(row)

    @staticmethod
    def _set(conn: sqlite3.Connection, entity: str, key: tuple, values: dict[str, Any]) -> None:
        table, where = {"point": ("points", "id = ?"), "task": ("tasks", "point = ? AND seq = ?"),
                        "target": ("targets", "point = ? AND metric = ?")}[entity]  # fmt: skip
        assignments = ", ".join(f"{k} = ?" for k in values)
        conn.execute(f"UPDATE {table} SET {assignments} WHERE {where}", (*values.values(), *key))

    @staticmethod
    def _insert_task(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
        conn.execute(
            f"INSERT INTO tasks ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )

    @staticmethod
    def _record(
        conn: sqlite3.Connection, entity: str, key: tuple, action: str, changes: dict, note: str | None, by: str, at: str
    ) -> dict[str, Any]:
        import json

        ref = None if entity == "point" else str(key[1])
        cursor = conn.execute(
            "INSERT INTO history (at, by, point, entity, ref, action, changes, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (at, by, key[0], entity, ref, action, json.dumps(changes, ensure_ascii=False), note),
        )
        return {"id": cursor.lastrowid, "point": key[0], "entity": entity, "ref": ref, "at": at, "by": by,
                "action": action, "changes": changes, "note": note, "undone_by": None}  # fmt: skip

    @staticmethod
    def _rollup(conn: sqlite3.Connection, point_ids: set[int]) -> None:
        """A point with tasks takes its progress from them (the weighted mean, rounded half up) and its
        status with it: 100 is 已完成, nothing started is 未启动, anything else 进行中 — unless someone
        marked the point 受阻 or 暂缓, which stays until they change it."""
        for pid in point_ids:
            weighted, weights, started = conn.execute(
                "SELECT sum(weight * progress), sum(weight), sum(status != 'not_started') FROM tasks WHERE point = ?",
                (pid,),
            ).fetchone()
            if not weights:
                continue
            progress = int(weighted / weights + 0.5)
            status = conn.execute("SELECT status FROM points WHERE id = ?", (pid,)).fetchone()[0]
            if progress == 100:
                status = "done"
            elif status not in ("blocked", "deferred"):
                status = "in_progress" if started or progress else "not_started"
            conn.execute("UPDATE points SET progress = ?, status = ? WHERE id = ?", (progress, status, pid))


KEY_SEPARATOR = "\x1f"


def _names(leads: list[dict], kind: str) -> list[str]:
    """Departments or leaders of a point's leads, in document order, each once."""
    names: list[str] = []
    for lead in leads:
        value = lead[kind]
        for name in value if isinstance(value, list) else [value]:
            if name and name not in names:
                names.append(name)
    return names


def light_sql(due: str, progress: str, status: str, labels: tuple[str, ...] = ("'done'", "'red'", "'yellow'", "'green'")) -> str:
    """The warning light as SQL, so that filters and per-group counts run inside SQLite. The clock's
    parameters (reports.Frame.clock): :as_of, :start and :start_jd (the plan's start), :elapsed (days
    from start to as-of), :soon (as-of + due_soon_days), :behind_by, :due_soon_progress.
    红: past due, not done. 黄: due by :soon and below :due_soon_progress, or more than :behind_by
    points below the straight line from the plan's start to the due date. 绿: otherwise."""
    done, red, yellow, green = labels
    expected = (
        f"(CASE WHEN {due} <= :start THEN 100.0"
        f" ELSE min(100.0, max(0.0, :elapsed * 100.0 / (julianday({due}) - :start_jd))) END)"
    )
    return (
        f"(CASE WHEN {status} = 'done' THEN {done} WHEN {due} < :as_of THEN {red}"
        f" WHEN ({due} <= :soon AND {progress} < :due_soon_progress) OR {progress} < {expected} - :behind_by"
        f" THEN {yellow} ELSE {green} END)"
    )


_STATUS_CODES = ("done", "in_progress", "not_started", "blocked", "deferred")
_LIGHT_CODES = ("done", "red", "yellow", "green")


class _Params:
    """Named query parameters: every value reaches SQL as a parameter, never as text."""

    def __init__(self, base: dict[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = dict(base or {})

    def one(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def many(self, values: Any) -> str:
        return ",".join(self.one(v) for v in values)


_owners: dict[str, tuple[list[dict], list[str], list[str]]] = {}  # leads JSON → (leads, leaders, departments)


def _owners_of(text: str) -> tuple[list[dict], list[str], list[str]]:
    """Decoded once per distinct owner line: a plan has few, however many points share them."""
    found = _owners.get(text)
    if found is None:
        import json  # not at start-up: the table of a listing never decodes owners

        leads = json.loads(text)
        leaders: list[str] = []
        departments: list[str] = []
        for lead in leads:
            if lead["leader"] and lead["leader"] not in leaders:
                leaders.append(lead["leader"])
            departments.extend(d for d in lead["departments"] if d not in departments)
        found = (leads, leaders, departments)
        if len(_owners) < 10_000:
            _owners[text] = found
    return found


def _point(row: sqlite3.Row) -> dict[str, Any]:
    point = dict(row)  # every selected column, by name (light and days_left when the query had a clock)
    leads, leaders, departments = _owners_of(point["leads"])
    point["leads"] = leads  # shared between points with the same owners: read, never changed
    point["leaders"], point["departments"] = leaders[:], departments[:]
    return point


def _brief(row: sqlite3.Row) -> dict[str, Any]:
    point = dict(row)
    departments, leaders = point.pop("department_key"), point.pop("leader_key")
    point["departments"] = departments.split(KEY_SEPARATOR) if departments else []
    point["leaders"] = leaders.split(KEY_SEPARATOR) if leaders else []
    return point


def _history(row: sqlite3.Row) -> dict[str, Any]:
    import json

    return {
        "id": row["id"],
        "point": row["point"],
        "entity": row["entity"],
        "ref": row["ref"],
        "at": row["at"],
        "by": row["by"],
        "action": row["action"],
        "changes": json.loads(row["changes"]),
        "note": row["note"],
        "undone_by": row["undone_by"],
    }


def _ref(entity: str, ref: str) -> Any:
    return int(ref) if entity == "task" else ref


TASK_FIELDS = ("point", "seq", "title", "due", "owner", "dept", "deliverable", "weight", "progress", "status",
               "note", "origin", "created_at", "updated_at")  # fmt: skip


def _task_row(task: dict[str, Any]) -> dict[str, Any]:
    """The stored columns of a task (what `remove` keeps in history so that undo can restore it)."""
    return {k: task[k] for k in TASK_FIELDS}


def _task(row: sqlite3.Row) -> dict[str, Any]:
    task = {k: row[k] for k in TASK_FIELDS}
    task["id"] = f"{row['point']}.{row['seq']}"
    task["point_title"] = row["point_title"]
    task["point_due"] = row["point_due"]
    task["effective_due"] = row["due"] or row["point_due"]
    task["departments"] = [row["dept"]] if row["dept"] else [d for d in row["point_departments"].split("\x1f") if d] if row["point_departments"] else []
    if "light" in row.keys():
        task["light"], task["days_left"] = row["light"], row["days_left"]
    return task


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _target(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "point": row["point"],
        "point_title": row["point_title"],
        "metric": row["metric"],
        "unit": row["unit"],
        "target_min": _number(row["target_min"]),
        "target_max": _number(row["target_max"]),
        "actual": _number(row["actual"]),
        "actual_as_of": row["actual_as_of"],
        "due": row["due"],
        "source": row["source"],
        "note": row["note"],
        "updated_at": row["updated_at"],
    }


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
