"""What a seed gives a point beyond its text and owners — start, checkpoints (节点), co-operating
departments — and the tasks its deliverables become (documents and milestones). On a plan's first
load these are each item's state before any change; a reload records what moved as 'load' entries,
and a value the user changed since stays as the user left it (as a due date does)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from gkplan.ledger.load_versions import ended, keep_versions
from gkplan.ledger.states import add_co
from gkplan.ledger.jsonread import loads
from gkplan.ledger.jsonwrite import dumps
from gkplan.ledger.points import KEY_SEPARATOR

if TYPE_CHECKING:
    from gkplan.seed_model import Deliverable, Point

_LABELS = {"document": "文件", "milestone": "里程碑"}  # the task's 成果形式


def point_loop(point: Point) -> dict[str, Any]:
    """The seed's co-operating departments and checkpoints of a point, as the state stores them."""
    if not point.co_departments and not point.checkpoints:
        return _NO_LOOP  # most points (read, never changed)
    co = KEY_SEPARATOR.join(point.co_departments) or None
    nodes = [[c.date.isoformat(), c.progress] for c in point.checkpoints]
    return {"co": co, "checkpoints": dumps(nodes) if nodes else None}


_NO_LOOP: dict[str, Any] = {"co": None, "checkpoints": None}


def seed_loop(values: dict[str, Any]) -> str | None:
    """The seed's values as last loaded (what a reload compares with), or None when it gave none."""
    if values is _NO_LOOP:
        return None
    return dumps(values, sort_keys=True) if any(v is not None for v in values.values()) else None


def follow_seed(old_seed: str | None, new: dict[str, Any], current: dict[str, Any]) -> dict[str, list[Any]]:
    """The state changes a reload makes: each field whose seed value moved, where the item still has the
    old seed value (one the user changed stays)."""
    before = loads(old_seed) if old_seed else {}
    return {f: [current[f], v] for f, v in new.items() if before.get(f) != v and current[f] == before.get(f) and current[f] != v}


def add_point_co(conn: sqlite3.Connection, key: str, rows: list[tuple[int, str]]) -> None:
    """rows: (point, its co-operating departments) of the points new in this load that have any."""
    for point, co in rows:
        add_co(conn, key, point, co)


def _task_values(point: Point, item: Deliverable) -> dict[str, Any]:
    return {"due": item.due.isoformat() if item.due else None, "co": KEY_SEPARATOR.join(item.co_departments) or None,
            "kind": item.code, "dept": item.department}  # fmt: skip


def load_deliverables(ledger: Any, conn: sqlite3.Connection, key: str, batch: list[Point], fresh: set[int],
                      stamp: tuple[str, str, str]) -> tuple[int, set[int]]:  # fmt: skip
    """Each deliverable the seed names becomes a task of its point, once (a removed one stays removed); the tasks
    added, and the points whose tasks this reload added or changed.
    Tasks of a point new in this load existed from the start; one added by a reload, from that day; a
    task already there takes the seed's new kind and department, and its new due date and co-operating
    departments where it still had the old ones."""
    with_docs = [p for p in batch if p.deliverables]
    if not with_docs:
        return 0, set()
    ids = [p.number for p in with_docs]
    marks = ",".join("?" * len(ids))
    known = {(r["point"], r["title"]): r for r in conn.execute(
        f"SELECT point, seq, title, seed_loop, due, co, removed, kind, dept, deliverable, reseeded FROM tasks"
        f" WHERE plan = ? AND origin = 'seed'"
        f" AND point IN ({marks})", (key, *ids))}  # fmt: skip
    next_seq = dict(conn.execute(
        f"SELECT point, max(seq) FROM tasks WHERE plan = ? AND point IN ({marks}) GROUP BY point", (key, *ids)).fetchall())  # fmt: skip
    by, effective, at = stamp
    rows, later, moved = [], [], []
    for point in with_docs:
        for item in point.items:
            values = _task_values(point, item)
            old = known.get((point.number, item.title))
            if old is not None:
                if old["seed_loop"] != seed_loop(values):
                    moved.append((old, values))
                continue
            seq = next_seq.get(point.number, 0) + 1
            next_seq[point.number] = seq
            timeless = point.number in fresh
            base = (values["due"], values["co"]) if timeless else (None, None)
            rows.append((key, point.number, seq, item.title, _LABELS[item.code], values["kind"], values["dept"],
                         *base, *base, seed_loop(values), at, 0 if timeless else 1, 1 if timeless else 0))  # fmt: skip
            if not timeless:
                later.append((point.number, seq, item.title, values))
    conn.executemany(
        "INSERT INTO tasks (plan, point, seq, title, deliverable, kind, dept, due, co, due_base, co_base, seed_loop,"
        " origin, created_at, removed, timeless) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seed', ?, ?, ?)", rows,
    )  # fmt: skip
    # a point's `late` starts at the earliest due date of the tasks it had from the start (history.first_due,
    # from the rows in hand: one statement per point with such a task, not one per point)
    late: dict[int, str] = {}
    for row in rows:
        if row[-1] and row[7]:  # timeless, with a due date
            late[row[1]] = min(late.get(row[1], row[7]), row[7])
    conn.executemany("UPDATE points SET late = ? WHERE plan = ? AND id = ?", [(d, key, n) for n, d in late.items()])
    touched: dict[int, int] = {}  # point → the load entry whose tasks it derives from again
    for number, seq, title, values in later:
        task = {"point": number, "seq": seq, "title": title, "due": values["due"], "owner": None, "dept": values["dept"],
                "deliverable": _LABELS[values["kind"]], "kind": values["kind"], "co": values["co"], "weight": 1,
                "progress": 0, "status": "not_started", "note": None, "origin": "seed", "created_at": at, "updated_at": at}  # fmt: skip
        entry = ledger.record(conn, "task", (number, seq), "load", {"task": [None, task]}, None, by, effective, at)
        touched.setdefault(number, entry["id"])
    for old, values in moved:
        entry = _reload_task(ledger, conn, key, old, values, stamp)
        if entry is not None:
            touched.setdefault(old["point"], entry["id"])
    for number, cause in touched.items():
        ledger.derive(conn, number, effective, cause, by, at)
    return len(rows), set(touched)


def _reload_task(ledger: Any, conn: sqlite3.Connection, key: str, old: sqlite3.Row, values: dict[str, Any],
                 stamp: tuple[str, str, str]) -> dict[str, Any] | None:  # fmt: skip
    before = loads(old["seed_loop"]) if old["seed_loop"] else {"kind": "document", "dept": None}
    changes = {f: [before.get(f), values[f]] for f in ("kind", "dept") if before.get(f) != values[f]}
    conn.execute("UPDATE tasks SET kind = ?, dept = ?, deliverable = ?, seed_loop = ? WHERE plan = ? AND point = ? AND seq = ?",
                 (values["kind"], values["dept"], _LABELS[values["kind"]], seed_loop(values), key, old["point"], old["seq"]))  # fmt: skip
    if not old["removed"]:  # a task the user removed keeps its state; only its seed values are noted
        changes |= follow_seed(old["seed_loop"], {f: values[f] for f in ("due", "co")}, dict(old))
    if changes:
        by, effective, at = stamp
        entry = ledger.record(conn, "task", (old["point"], old["seq"]), "load", changes, None, by, effective, at)
        kept = (old["kind"], old["dept"], old["deliverable"])
        if kept != (values["kind"], values["dept"], _LABELS[values["kind"]]):  # the words a past day read
            keep_versions(conn, "task", [(key, old["point"], old["seq"], ended(old["reseeded"], effective), entry["id"], *kept)])
        return entry
    return None
