"""Every change, kept: its effective day, when it was recorded, who made it, what it changed.

The history is append-only and chained by hash. An item's state on day D is what applying, in order of
(effective day, record number), every entry of that item effective on or before D gives; today's
tables are that state for the last day, and `*_states` hold the state after each entry so that any
day reads as fast as an index lookup. A change to an earlier day than the item's latest rebuilds that
item's states from its entries. Derived changes (a point's progress moved by its tasks, an undo of
them) are entries too, linked to the change that caused them, so replaying the history gives the ledger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from gkplan.errors import Conflict, NotFound
from gkplan.rules import rollup

# the supervision loop's fields, after the first ones (whose order version 4 ledgers share)
LOOP_FIELDS = ("problem", "next", "evidence", "reported", "closed", "due_original", "co")
STATE_FIELDS = {
    "point": ("progress", "status", "note", "due", *LOOP_FIELDS, "follows", "checkpoints", "late"),
    "task": ("present", "due", "owner", "weight", "progress", "status", "note", *LOOP_FIELDS),
    "target": ("actual", "actual_as_of", "note"),
}
_LOOP_BASE = dict.fromkeys(LOOP_FIELDS)
_OPEN = ("not_started", "in_progress", "blocked")  # a task that is past due in one of these is late
_KEYS = {"point": ("point",), "task": ("point", "seq"), "target": ("point", "metric")}
_TABLES = {"point": ("points", ("id",)), "task": ("tasks", ("point", "seq")), "target": ("targets", ("point", "metric"))}
HISTORY_COLUMNS = (
    "h.id, h.plan, h.point, h.entity, h.ref, h.effective, h.at, h.by, h.action, h.changes, h.note, h.cause, h.undoes,"
    " h.source, (SELECT u.id FROM history u WHERE u.undoes = h.id) AS undone_by"
)
GENESIS = "0" * 64
_CHANGED = "coalesce(changed, '')"


def first_due(conn: sqlite3.Connection, plan: str, point: int) -> str | None:
    """A point's `late` before any change: the earliest due date of the tasks its seed gave it from the start."""
    return conn.execute("SELECT min(due_base) FROM tasks WHERE plan = ? AND point = ? AND timeless = 1",
                        (plan, point)).fetchone()[0]  # fmt: skip


def add_co(conn: sqlite3.Connection, plan: str, point: int, co: str) -> None:
    """point_co holds every department a point's `co` has ever named (so that a listing as of any day
    finds it through the index); the listing then reads the state to see whether it still co-operates."""
    conn.executemany("INSERT INTO point_co (plan, point, department) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                     [(plan, point, name) for name in co.split("\x1f")])


def send(conn: Any, sql: str, params: tuple) -> None:
    """A write whose answer is not read: on a server it waits for the next statement (one round trip less)."""
    getattr(conn, "send", conn.execute)(sql, params)


def ref_of(entity: str, key: tuple) -> str | None:
    return None if entity == "point" else str(key[1])


def key_of(entity: str, point: int, ref: str | None) -> tuple:
    return (point,) if entity == "point" else (point, int(ref) if entity == "task" else ref)


def apply(state: dict[str, Any], changes: dict[str, list[Any]]) -> dict[str, Any]:
    """One entry applied to an item's state: each field it names takes its new value; a task's
    `task` change adds it (with the fields it carries) or removes it."""
    out = dict(state)
    for field, (_, new) in changes.items():
        if field == "task":
            out["present"] = 1 if new else 0
            if new:
                out.update((k, new[k]) for k in STATE_FIELDS["task"] if k in new)
        elif field in out:
            out[field] = new
    return out


def entry_hash(previous: str, entry: dict[str, Any]) -> str:
    """The chain: each entry's hash covers the one before it and everything it records.

    That includes `source` (the file an import read), which is provenance as much as the author is; it is
    covered only where set, so that every entry recorded before version 7 keeps the hash it was chained with."""
    fields = [entry[k] for k in ("id", "plan", "point", "entity", "ref", "action", "effective", "at", "by", "changes",
                                 "note", "cause", "undoes")]  # fmt: skip
    if entry.get("source") is not None:
        fields.append(entry["source"])
    from gkplan.ledger.jsonwrite import dumps  # (json's C encoder: `import json` costs a write ~10M instructions)

    text = dumps(fields, separators=(",", ":"), sort_keys=True)
    return _sha256()((previous + text).encode("utf-8")).hexdigest()


def _sha256() -> Any:
    """SHA-256 from CPython's own module where there is one: `hashlib` first loads OpenSSL, ~2.5 ms of every
    write's start. The digest is the same; hashlib stays the fallback (another interpreter, a FIPS build)."""
    try:
        from _sha256 import sha256  # CPython 3.11

        return sha256
    except ImportError:
        pass
    try:
        from _sha2 import sha256  # CPython 3.12 and later

        return sha256
    except ImportError:
        from hashlib import sha256

        return sha256


class HistoryMixin:
    # -- states --------------------------------------------------------------------------------

    def _where(self, entity: str, key: tuple, alias: str = "") -> tuple[str, tuple]:
        columns = _KEYS[entity]
        return " AND ".join(f"{alias}{c} = ?" for c in ("plan", *columns)), (self.plan_key, *key)

    def base_state(self, conn: sqlite3.Connection, entity: str, key: tuple) -> dict[str, Any]:
        """An item's state before any change: a point due on its first seed date; a task of the plan's
        first load present, any other absent until added; targets without actual values."""
        table, columns = _TABLES[entity]
        where = " AND ".join(f"{c} = ?" for c in ("plan", *columns))
        # what the seed gave an item of the plan's first load is its state before any change
        extra = {"point": "due_base, co_base, checkpoints_base", "task": "timeless, due_base, co_base", "target": "1"}[entity]
        row = conn.execute(f"SELECT {extra} FROM {table} WHERE {where}", (self.plan_key, *key)).fetchone()
        if row is None:
            raise NotFound(_missing(entity, key))
        if entity == "point":
            return {"progress": 0, "status": "not_started", "note": None, "due": row[0], **_LOOP_BASE, "co": row[1],
                    "follows": 0, "checkpoints": row[2], "late": first_due(conn, self.plan_key, key[0])}  # fmt: skip
        if entity == "task":
            return {"present": row[0], "due": row[1], "owner": None, "weight": 1, "progress": 0, "status": "not_started",
                    "note": None, **_LOOP_BASE, "co": row[2]}  # fmt: skip
        return {"actual": None, "actual_as_of": None, "note": None}

    def state_at(self, conn: sqlite3.Connection, entity: str, key: tuple, day: str) -> dict[str, Any]:
        where, params = self._where(entity, key)
        fields = STATE_FIELDS[entity]
        row = conn.execute(
            f"SELECT {', '.join(fields)} FROM {entity}_states WHERE {where} AND effective <= ?"
            " ORDER BY effective DESC, hid DESC LIMIT 1", (*params, day),
        ).fetchone()  # fmt: skip
        return dict(zip(fields, row)) if row else self.base_state(conn, entity, key)

    def item_state(self, conn: sqlite3.Connection, entity: str, key: tuple, day: str) -> dict[str, Any]:
        """An item's stored row with its state on `day` over it: what a change on that day starts from."""
        return self._item(conn, entity, key, day)[0]

    def _item(self, conn: sqlite3.Connection, entity: str, key: tuple, day: str) -> tuple[dict, tuple[dict, dict]]:
        """item_state, and what it read (the state, the row): what `record` would read again (a round trip each
        on a server), the same while the writers' lock is held and nothing of the item was written."""
        table, columns = _TABLES[entity]
        if entity != "point":
            self.item_state(conn, "point", key[:1], day)
        row = conn.execute(
            f"SELECT * FROM {table} WHERE {' AND '.join(f'{c} = ?' for c in ('plan', *columns))}", (self.plan_key, *key)
        ).fetchone()  # fmt: skip
        if row is None:
            raise NotFound(_missing(entity, key))
        read = (self.state_at(conn, entity, key, day), dict(row))
        item = read[1] | read[0]
        if entity == "task" and not item["present"]:
            raise NotFound(f"任务 {key[0]}.{key[1]} 在 {day} 不存在（尚未添加或已删除）")
        if entity == "point":  # its tasks on that day
            seqs = [r[0] for r in conn.execute("SELECT seq FROM tasks WHERE plan = ? AND point = ?", (self.plan_key, key[0]))]
            item["tasks"] = sum(self.state_at(conn, "task", (key[0], seq), day)["present"] for seq in seqs)
            item["follows_tasks"] = bool(item["tasks"]) and bool(item["follows"])
        return {k: _number(v) for k, v in item.items()}, read

    def _settle(self, conn: sqlite3.Connection, entity: str, key: tuple, entry: dict[str, Any], read: tuple | None = None) -> None:
        """Bring the item's states and today's row up to date with a new entry: appended when it is the
        item's latest day, else the item's states rebuilt from its entries. `read`: _item's, on the entry's day."""
        where, params = self._where(entity, key)
        later = conn.execute(f"SELECT 1 FROM {entity}_states WHERE {where} AND effective > ? LIMIT 1",
                             (*params, entry["effective"])).fetchone()  # fmt: skip
        if later is None:
            state = apply(read[0] if read else self.state_at(conn, entity, key, entry["effective"]), entry["changes"])
            self._add_state(conn, entity, key, entry, state)
        else:
            import json

            conn.execute(f"DELETE FROM {entity}_states WHERE {where}", params)
            state = self.base_state(conn, entity, key)
            rows = conn.execute(
                "SELECT id, effective, at, changes FROM history WHERE plan = ? AND point = ? AND entity = ? AND ref IS NOT DISTINCT FROM ?"
                " ORDER BY effective, id", (self.plan_key, key[0], entity, ref_of(entity, key)),
            ).fetchall()  # fmt: skip
            for row in rows:
                state = apply(state, json.loads(row["changes"]))
                self._add_state(conn, entity, key, {"id": row["id"], "effective": row["effective"], "at": row["at"]}, state)
        self._set_today(conn, entity, key, state, entry, read[1] if read else None)

    def _add_state(self, conn: sqlite3.Connection, entity: str, key: tuple, entry: dict[str, Any], state: dict[str, Any]) -> None:
        fields = STATE_FIELDS[entity]
        columns = ("plan", *_KEYS[entity], "effective", "hid", *fields, "at")
        values = (self.plan_key, *key, entry["effective"], entry["id"], *(state[f] for f in fields), entry["at"])
        send(conn, f"INSERT INTO {entity}_states ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values)

    def _set_today(self, conn: sqlite3.Connection, entity: str, key: tuple, state: dict[str, Any], entry: dict[str, Any],
                   row: dict | None = None) -> None:  # fmt: skip
        table, columns = _TABLES[entity]
        values = {k: v for k, v in state.items() if k != "present"}
        if entity == "task":
            values["removed"] = 0 if state["present"] else 1
        values["updated_at"] = entry["at"]
        if entity == "point" and values.get("co"):
            add_co(conn, self.plan_key, key[0], values["co"])
        where = " AND ".join(f"{c} = ?" for c in ("plan", *columns))
        # only what changed: on a shared ledger a department may write its reporting columns and no other
        if row is None:
            row = dict(conn.execute(f"SELECT {', '.join(values)} FROM {table} WHERE {where}", (self.plan_key, *key)).fetchone())
        stored = [row[k] for k in values]
        values = {k: v for (k, v), old in zip(values.items(), stored) if k == "updated_at" or _number(old) != v}
        assignments = ", ".join(f"{k} = ?" for k in values)
        send(
            conn, f"UPDATE {table} SET {assignments}, changed = {self.dialect.greatest(_CHANGED, '?')} WHERE {where}",
            (*values.values(), entry["effective"], self.plan_key, *key),
        )

    # -- recording -----------------------------------------------------------------------------

    def record(
        self, conn: sqlite3.Connection, entity: str, key: tuple, action: str, changes: dict, note: str | None, by: str,
        effective: str, at: str, *, cause: int | None = None, undoes: int | None = None, source: str | None = None,
        read: tuple | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Append one entry to the chain and apply it. `source`: the file it was imported from; `read`: see _settle."""
        from gkplan.ledger.jsonwrite import dumps

        by = self.author(by)
        last = conn.execute("SELECT id, hash FROM history ORDER BY id DESC LIMIT 1").fetchone()
        entry = {
            "id": (last[0] + 1) if last else 1, "plan": self.plan_key, "point": key[0], "entity": entity,
            "ref": ref_of(entity, key), "action": action, "effective": effective, "at": at, "by": by,
            "changes": dumps(changes), "note": note, "cause": cause, "undoes": undoes,
            "source": source,
        }  # fmt: skip
        entry["hash"] = entry_hash(last[1] if last else GENESIS, entry)
        send(conn, f"INSERT INTO history ({', '.join(entry)}) VALUES ({', '.join('?' * len(entry))})", tuple(entry.values()))
        entry["changes"] = changes
        self._settle(conn, entity, key, entry, read)
        self._latest = False  # the plan's latest effective day may have moved
        return {k: v for k, v in entry.items() if k != "hash"} | {"undone_by": None}

    def change(
        self, entity: str, key: tuple, decide: Callable[[dict[str, Any]], dict[str, Any]], *, note: str | None, by: str,
        effective: str, at: str, action: str = "update", source: str | None = None,
    ) -> dict[str, Any] | None:  # fmt: skip
        """Read one item as it stood on `effective`, let `decide` compute its new values, write them and
        the entry. Read and write are one transaction. None when nothing would change."""
        with self._write() as conn:
            current, read = self._item(conn, entity, key, effective)
            wanted = decide(current)
            if note is not None:
                wanted["note"] = note
            changes = {k: [current.get(k), v] for k, v in wanted.items() if current.get(k) != v}
            if not changes and note is None:
                return None
            if {"progress", "status"} & set(changes):
                self._in_date_order(conn, entity, key, effective)
            entry = self.record(conn, entity, key, action, changes, note, by, effective, at, source=source, read=read)
            self.derive(conn, key[0], effective, entry["id"], by, at)
            return entry

    def _in_date_order(self, conn: sqlite3.Connection, entity: str, key: tuple, day: str) -> None:
        """Progress and status go together (100 is 已完成): a report of them for a day before one already
        recorded would be replayed under it half-way. Late reports are entered in date order."""
        for row in conn.execute(
            f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.plan = ? AND h.point = ? AND h.entity = ? AND h.ref IS NOT DISTINCT FROM ?"
            " AND h.effective > ? ORDER BY h.effective", (self.plan_key, key[0], entity, ref_of(entity, key), day),
        ):  # fmt: skip
            later = entry_of(row)
            if {"progress", "status", "task"} & set(later["changes"]):
                what = _missing(entity, key).split("没有")[0] if entity != "point" else f"第 {key[0]} 项"
                raise Conflict(
                    f"{what}在 {later['effective']} 已有进度或状态的记录 #{later['id']}（{later['by']}）；"
                    f"不能再补记更早日期 {day} 的进度或状态：请按日期顺序补录，或先撤销 #{later['id']}"
                )

    def derive(self, conn: sqlite3.Connection, point: int, effective: str, cause: int, by: str, at: str) -> None:
        """What a point takes from its tasks, on the day it or a task changed and on every later day one of
        them changed, each derivation an entry of its own: the day of its latest report (a task's report is
        the point's), the earliest due date of its open tasks (`late`: one past due makes it yellow), and,
        once its task list is declared complete (`follows`), progress and status (rules.rollup)."""
        seqs = [r[0] for r in conn.execute("SELECT seq FROM tasks WHERE plan = ? AND point = ?", (self.plan_key, point))]
        if not seqs:
            return  # a point that never had a task reports its own progress
        days = [effective] + [r[0] for r in conn.execute(
            "SELECT DISTINCT effective FROM history WHERE plan = ? AND point = ? AND entity IN ('point', 'task')"
            " AND effective > ? ORDER BY effective", (self.plan_key, point, effective))]  # fmt: skip
        for day in days:
            state = self.state_at(conn, "point", (point,), day)
            tasks = [t for t in (self.state_at(conn, "task", (point, seq), day) for seq in seqs) if t["present"]]
            open_dues = [t["due"] for t in tasks if t["due"] and t["status"] in _OPEN]
            reports = [t["reported"] for t in tasks if t["reported"]] + ([state["reported"]] if state["reported"] else [])
            wanted = {"late": min(open_dues) if open_dues else None, "reported": max(reports) if reports else None}
            result = rollup(((t["weight"], t["progress"], t["status"]) for t in tasks), state["status"]) if state["follows"] else None
            if result is not None:
                wanted |= {"progress": result[0], "status": result[1]}
                if result[1] == "pending_review" and state["status"] != "pending_review":
                    wanted["closed"] = day  # its tasks' 办结 reports are the point's
                elif result[1] not in ("pending_review", "done"):
                    wanted["closed"] = None
            changes = {k: [state[k], v] for k, v in wanted.items() if state[k] != v}
            if changes:
                self.record(conn, "point", (point,), "derive", changes, None, by, day, at, cause=cause)

    def progress_before_closing(self, entity: str, key: tuple, day: str) -> int:
        """The latest progress below 100 an item had on or before `day`: where a 退办 takes it back to."""
        where, params = self._where(entity, key)
        with self._errors():
            row = self.conn.execute(f"SELECT progress FROM {entity}_states WHERE {where} AND effective <= ? AND progress < 100"
                                    " ORDER BY effective DESC, hid DESC LIMIT 1", (*params, day)).fetchone()  # fmt: skip
        return row[0] if row else 0


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _shown(field: str, value: Any) -> Any:
    return bool(value) if field == "present" else _number(value)


def _missing(entity: str, key: tuple) -> str:
    if entity == "point":
        return f"没有编号为 {key[0]} 的工作要点"
    if entity == "task":
        return f"第 {key[0]} 项没有任务 {key[0]}.{key[1]}；用 gkplan task list --point {key[0]} 查看"
    return f"第 {key[0]} 项没有指标“{key[1]}”；用 gkplan target list --point {key[0]} 查看"


def entry_of(row: sqlite3.Row) -> dict[str, Any]:
    from gkplan.ledger.jsonread import loads  # (a brief reads the period's entries; json's import costs its start)

    entry = dict(row)
    entry["changes"] = loads(entry["changes"])
    return entry
