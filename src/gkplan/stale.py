"""What nobody has updated for long (`stale`): points and tasks not done with no recorded report for some days."""

from __future__ import annotations

from datetime import date, timedelta
from collections.abc import Iterator
from collections import namedtuple
from itertools import repeat
from typing import Any

from gkplan.jsonfields import STALE as STALE_FIELDS
from gkplan.ledger import Ledger, PointQuery
from gkplan.ledger.points import KEY_SEPARATOR
from gkplan.reports import Frame


StaleRow = namedtuple("StaleRow", STALE_FIELDS)


def stale(ledger: Ledger, fr: Frame, days: int, brief: bool = False) -> Iterator[Any]:
    """Points and tasks not done with no recorded update for `days` days (or never): where nobody reported.
    A point counts as reported when the point itself, one of its tasks or one of its targets was updated.
    Never updated first, then the longest without; points before tasks on the same day. Each listing comes
    sorted by the database, and the two are merged as they stream. `brief` (a table's): each row a StaleRow
    without its light (None), else a dict of STALE_FIELDS."""
    from heapq import merge

    day = fr.as_of.isoformat()
    since = (day, (fr.as_of - timedelta(days=days)).isoformat())
    # a table shows no light: it is left unworked there (JSON, CSV and a sheet carry it)
    points = ledger.iter_points(PointQuery(), fr.clock, brief=True, quiet_since=since, row=True, unlit=brief)
    tasks = ledger.iter_tasks(PointQuery(), clock=fr.clock, quiet_since=since, unlit=brief)
    ago: dict[str, int] = {}  # days since each day an update was last recorded on (few: shared by many items)
    rows = merge(_stale_points(points, fr.as_of, ago), _stale_tasks(tasks, fr.as_of, ago),
                 key=lambda r: (r.last_update is not None, r.last_update or ""))  # fmt: skip
    return rows if brief else map(dict, map(zip, repeat(STALE_FIELDS), rows))


def _days_since(at: str | None, as_of: date, ago: dict[str, int]) -> int | None:
    days = None if at is None else ago.get(at)
    if days is None and at is not None:
        days = (as_of - date.fromisoformat(at)).days
        if len(ago) < 10_000:
            ago[at] = days
    return days


def _stale_points(rows: Iterator[Any], as_of: date, ago: dict[str, int]) -> Iterator[StaleRow]:
    """`stale`'s rows of the points (ledger QuietRows), as they come (a point's id as text, as a task's is)."""
    make = tuple.__new__
    for p in rows:
        at, key = p.last_update, p.department_key
        yield make(StaleRow, ("point", str(p.id), p.title, key.split(KEY_SEPARATOR) if key else [], at,
                              _days_since(at, as_of, ago), p.progress, p.status, p.light))  # fmt: skip


def _stale_tasks(rows: Iterator[dict[str, Any]], as_of: date, ago: dict[str, int]) -> Iterator[StaleRow]:
    for t in rows:
        at = t["last_update"]
        yield StaleRow("task", t["id"], t["title"], t["departments"], at, _days_since(at, as_of, ago), t["progress"],
                       t["status"], t["light"])  # fmt: skip
