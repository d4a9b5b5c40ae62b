"""Every change, kept: its effective day, when it was recorded, who made it, what it changed.

The history is append-only and chained by hash. An item's state on day D is what applying, in order of
(effective day, record number), every entry of that item effective on or before D gives; today's
tables are that state for the last day, and `*_states` hold the state after each entry so that any
day reads as fast as an index lookup. A change to an earlier day than the item's latest rebuilds that
item's states from its entries. Derived changes (a point's progress moved by its tasks, an undo of
them) are entries too, linked to the change that caused them, so replaying the history gives the ledger.

Here: appending an entry and what it causes. The states it settles are states.py's; the hash, chain.py's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from gkplan.errors import Conflict
from gkplan.ledger.states import StatesMixin, named, ref_of, send
from gkplan.rules import rollup

_OPEN = ("not_started", "in_progress", "blocked")  # a task that is past due in one of these is late
HISTORY_COLUMNS = (
    "h.id, h.plan, h.point, h.entity, h.ref, h.effective, h.at, h.by, h.action, h.changes, h.note, h.cause, h.undoes,"
    " h.source, (SELECT u.id FROM history u WHERE u.undoes = h.id) AS undone_by"
)
# the same as the history stood on a day (its one parameter): an undo effective later has not undone the entry yet
HISTORY_COLUMNS_THEN = HISTORY_COLUMNS.replace("u.undoes = h.id)", "u.undoes = h.id AND u.effective <= ?)")
assert HISTORY_COLUMNS_THEN != HISTORY_COLUMNS


class HistoryMixin(StatesMixin):
    def record(
        self, conn: sqlite3.Connection, entity: str, key: tuple, action: str, changes: dict, note: str | None, by: str,
        effective: str, at: str, *, cause: int | None = None, undoes: int | None = None, source: str | None = None,
        read: tuple | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Append one entry to the chain and apply it. `source`: the file it was imported from; `read`: see _settle."""
        from gkplan.ledger.chain import GENESIS, entry_hash
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
        effective: str, at: str, action: str = "update", source: str | None = None, reported: bool = True,
    ) -> dict[str, Any] | None:  # fmt: skip
        """Read one item as it stood on `effective`, let `decide` compute its new values, write them and
        the entry. Read and write are one transaction. None when nothing would change. The note is the item's
        进展 when `reported`; else (the office's opinion on it) the entry's alone."""
        with self._write() as conn:
            current, read = self._item(conn, entity, key, effective)
            wanted = decide(current)
            if note is not None and reported:
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
                raise Conflict(
                    f"{named(entity, key)}{' ' if entity == 'task' else ''}在 {later['effective']} 已有进度或状态的记录 #{later['id']}（{later['by']}）；"
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


def entry_of(row: sqlite3.Row) -> dict[str, Any]:
    from gkplan.ledger.jsonread import loads  # (a brief reads the period's entries; json's import costs its start)

    entry = dict(row)
    entry["changes"] = loads(entry["changes"])
    return entry
