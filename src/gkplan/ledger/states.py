"""An item's state on any day, and the tables that keep it: `*_states` (the state after each entry) and today's rows.

Separate from the history's entries (history.py) because everything that reads an item as of a day needs
this and nothing of the chain; history.py appends entries and calls `_settle` to bring these tables in step.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from gkplan.errors import NotFound

# the supervision loop's fields, after the first ones (whose order version 4 ledgers share)
LOOP_FIELDS = ("problem", "next", "evidence", "reported", "closed", "due_original", "co")
STATE_FIELDS = {
    "point": ("progress", "status", "note", "due", *LOOP_FIELDS, "follows", "checkpoints", "late"),
    "task": ("present", "due", "owner", "weight", "progress", "status", "note", *LOOP_FIELDS),
    "target": ("actual", "actual_as_of", "note"),
}
_LOOP_BASE = dict.fromkeys(LOOP_FIELDS)
_KEYS = {"point": ("point",), "task": ("point", "seq"), "target": ("point", "metric")}
_TABLES = {"point": ("points", ("id",)), "task": ("tasks", ("point", "seq")), "target": ("targets", ("point", "metric"))}
_CHANGED = "coalesce(changed, '')"


def first_due_sql(plan: str, point: str) -> str:
    """A point's `late` before any change, as SQL over the point's `plan` and `point` (SQL too): the earliest
    due date of the tasks its seed gave it from the start. The replay (first_due) and every as-of read use it."""
    return f"(SELECT min(t.due_base) FROM tasks t WHERE t.plan = {plan} AND t.point = {point} AND t.timeless = 1)"


def first_due(conn: sqlite3.Connection, plan: str, point: int) -> str | None:
    return conn.execute(f"SELECT {first_due_sql('?', '?')}", (plan, point)).fetchone()[0]


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



class StatesMixin:
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
        return {f: _number(v) for f, v in zip(fields, row)} if row else self.base_state(conn, entity, key)

    def state_before(self, conn: sqlite3.Connection, entity: str, key: tuple, day: str, hid: int) -> dict[str, Any]:
        """An item's state just before entry `hid` of `day` in its timeline (entries in day order, then recorded)."""
        where, params = self._where(entity, key)
        fields = STATE_FIELDS[entity]
        row = conn.execute(
            f"SELECT {', '.join(fields)} FROM {entity}_states WHERE {where} AND (effective < ? OR (effective = ? AND hid < ?))"
            " ORDER BY effective DESC, hid DESC LIMIT 1", (*params, day, day, hid),
        ).fetchone()  # fmt: skip
        return {f: _number(v) for f, v in zip(fields, row)} if row else self.base_state(conn, entity, key)

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
        if entity == "point" and row["since"] is not None and day < row["since"]:  # a reload added it on that day
            raise NotFound(f"第 {key[0]} 项在 {day} 还没有（{row['since']} 重新载入种子时才加入）")
        if entity == "target":  # likewise a target a reload added to a point the plan had (its `load` entry adds it)
            for effective, changes in conn.execute(
                "SELECT effective, changes FROM history WHERE plan = ? AND point = ? AND entity = 'target' AND ref = ?"
                " AND action = 'load' AND effective > ?", (self.plan_key, key[0], key[1], day),
            ):  # fmt: skip
                if '"target"' in changes:
                    raise NotFound(f"{named(entity, key)}在 {day} 还没有（{effective} 重新载入种子时才加入）")
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
        where = " AND ".join(f"{c} = ?" for c in ("plan", *columns))
        # only what changed: on a shared ledger a department may write its reporting columns and no other
        if row is None:
            row = dict(conn.execute(f"SELECT {', '.join(values)} FROM {table} WHERE {where}", (self.plan_key, *key)).fetchone())
        if entity == "point" and values.get("co"):
            # the stored `co`'s names are in point_co already: only a new one is written, so that a report on a
            # point with 协办 needs no right to point_co (a department's role has none; changing `co` is the office's)
            new = set(values["co"].split("\x1f")) - set((row["co"] or "").split("\x1f"))
            if new:
                add_co(conn, self.plan_key, key[0], "\x1f".join(sorted(new)))
        stored = [row[k] for k in values]
        values = {k: v for (k, v), old in zip(values.items(), stored) if k == "updated_at" or _number(old) != v}
        assignments = ", ".join(f"{k} = ?" for k in values)
        send(
            conn, f"UPDATE {table} SET {assignments}, changed = {self.dialect.greatest(_CHANGED, '?')} WHERE {where}",
            (*values.values(), entry["effective"], self.plan_key, *key),
        )

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


def named(entity: str, key: tuple) -> str:
    """An item as a message names it."""
    return f"第 {key[0]} 项" if entity == "point" else f"任务 {key[0]}.{key[1]}" if entity == "task" else f"第 {key[0]} 项的指标“{key[1]}”"


def _missing(entity: str, key: tuple) -> str:
    if entity == "point":
        return f"没有编号为 {key[0]} 的工作要点"
    if entity == "task":
        return f"第 {key[0]} 项没有任务 {key[0]}.{key[1]}；用 gkplan task list --point {key[0]} 查看"
    return f"第 {key[0]} 项没有指标“{key[1]}”；用 gkplan target list --point {key[0]} 查看"
