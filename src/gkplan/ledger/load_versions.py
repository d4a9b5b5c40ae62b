"""What a reload replaces of the seed's words — a point's title, text, owners, section, start and due date, a task's
kind and department, a target's unit, bounds, due date and source (one it adds did not exist before), a section's
title — kept as versions, each with the day it ended, so that a past day reads them as they stood (ledger/asof.py)."""

from __future__ import annotations

import sqlite3

from gkplan.ledger.states import _TABLES

# the seed's words each item's version keeps, in the order the loaders give them (a target's `present` first: 0 for
# one the reload added); the readers of a past day (ledger/asof.py) take the same columns from the versions
WORDS = {
    "point": ("section", "title", "text", "leads", "due_seed", "department_key", "leader_key", "start"),
    "task": ("kind", "dept", "deliverable"),
    "target": ("present", "unit", "target_min", "target_max", "due", "source", "ord", "approx"),
    "section": ("title",),
}  # fmt: skip
# an item's table and key columns (a version names a point `point`, as every other table does)
ITEMS = {**_TABLES, "section": ("sections", ("id",))}


def version_key(entity: str) -> tuple[str, ...]:
    """The key columns of an item's versions."""
    return tuple("point" if k == "id" and entity == "point" else k for k in ITEMS[entity][1])


def ended(reseeded: str | None, effective: str) -> str:
    """The day a version ends: the reload's, or its item's latest version's when a reload is dated before it (a clock
    set back), so that an item's versions end in the order they were made."""
    return max(reseeded or "", effective)


def keep_versions(conn: sqlite3.Connection, entity: str, rows: list[tuple]) -> None:
    """The seed's words that a reload replaced (rows: key, ended, entry, the words), and the day on the item."""
    if not rows:
        return
    table, keys = ITEMS[entity]
    columns = ("plan", *version_key(entity), "ended", "hid", *WORDS[entity])
    conn.executemany(f"INSERT INTO {entity}_seeds ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    match = " AND ".join(f"{k} = ?" for k in keys)
    conn.executemany(f"UPDATE {table} SET reseeded = ? WHERE plan = ? AND {match}",
                     [(r[len(keys) + 1], r[0], *r[1:len(keys) + 1]) for r in rows])  # fmt: skip
