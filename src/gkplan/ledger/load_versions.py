"""What a reload replaces of the seed's words — a point's title, text, owners, section, start and due date, a task's
kind and department, a target's unit, bounds, due date and source (one it adds did not exist before), a section's
title — kept as versions, each with the day it ended, so that a past day reads them as they stood (ledger/asof.py)."""

from __future__ import annotations

import sqlite3

# what each item's version keeps (its key, the day it ended, the reload's entry, the seed's words then)
_VERSIONS = {
    "point": "point_seeds (plan, point, ended, hid, section, title, text, leads, due_seed, department_key, leader_key, start)",
    "task": "task_seeds (plan, point, seq, ended, hid, kind, dept, deliverable)",
    "target": "target_seeds (plan, point, metric, ended, hid, present, unit, target_min, target_max, due, source, ord, approx)",
    "section": "section_seeds (plan, id, ended, hid, title)",
}  # fmt: skip
_ITEM = {"point": ("points", ("id",)), "task": ("tasks", ("point", "seq")), "target": ("targets", ("point", "metric")),
         "section": ("sections", ("id",))}  # fmt: skip


def ended(reseeded: str | None, effective: str) -> str:
    """The day a version ends: the reload's, or its item's latest version's when a reload is dated before it (a clock
    set back), so that an item's versions end in the order they were made."""
    return max(reseeded or "", effective)


def keep_versions(conn: sqlite3.Connection, entity: str, rows: list[tuple]) -> None:
    """The seed's words that a reload replaced (rows: key, ended, entry, the words), and the day on the item."""
    if not rows:
        return
    table, keys = _ITEM[entity]
    conn.executemany(f"INSERT INTO {_VERSIONS[entity]} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    match = " AND ".join(f"{k} = ?" for k in keys)
    conn.executemany(f"UPDATE {table} SET reseeded = ? WHERE plan = ? AND {match}",
                     [(r[len(keys) + 1], r[0], *r[1:len(keys) + 1]) for r in rows])  # fmt: skip
