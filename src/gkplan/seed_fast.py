"""The common point, checked in one straight pass: a generated seed's 100,000 points are mostly number,
section, title, text, one lead and a due date, each already of its type (a JSON string date, a YAML date).

`point(raw)` returns the point when everything in it is of that plain kind and right, else None, and then
seed_check's full checker reads the record again and says what is wrong (or accepts what is written
loosely). So this pass may refuse more than the checker, never less, and builds the same values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gkplan.seed_model import Lead, Point
from gkplan.seed_values import as_is as _name

_PLAIN = frozenset(("number", "section", "title", "text", "leads", "start", "due"))  # (a point with checkpoints,
_LEAD = frozenset(Lead._fields)  # co_departments, deliverables or targets is checked in full)
_iso = date.fromisoformat
_new = tuple.__new__
MAX_NUMBER = 10_000_000


def _when(value: Any) -> Any:
    """A date between 1900 and 2999 as a date or its ISO text; False when anything else."""
    if type(value) is str:
        if len(value) != 10 or value[4] != "-" or value[7] != "-" or not value.isascii():
            return False  # (what else fromisoformat reads at this length, 2022-W01-1, has no "-" at 7)
        try:
            value = _iso(value)
        except ValueError:
            return False
    elif type(value) is not date:
        return False
    return value if 1900 <= value.year <= 2999 else False


def _lead(raw: Any) -> Lead | None:
    if type(raw) is not dict or not raw.keys() <= _LEAD:
        return None
    get = raw.get
    leader, departments, scope, note = get("leader"), get("departments"), get("scope"), get("note")
    if leader is None and note is None:
        return None
    if (leader is not None and not _name(leader) or scope is not None and not _name(scope)
            or note is not None and not _name(note)):  # fmt: skip
        return None
    if departments is None:
        if "departments" in raw:
            return None
        departments = []
    elif type(departments) is not list or len(departments) > 100:
        return None
    else:
        for name in departments:
            if not _name(name):
                return None
        if len(departments) > 1 and len(set(departments)) != len(departments):
            return None
        departments = list(departments)
    return _new(Lead, (leader, departments, scope, note))


def point(raw: Any) -> Point | None:
    if type(raw) is not dict or not raw.keys() <= _PLAIN:
        return None
    get = raw.get
    number, section, title, text, leads = get("number"), get("section"), get("title"), get("text"), get("leads")
    if type(number) is not int or type(section) is not int or not (1 <= number <= MAX_NUMBER and 1 <= section <= MAX_NUMBER):
        return None
    if not (type(title) is str and title.isprintable() and 0 < len(title) <= 200 and title.strip() is title) and not _name(title):
        return None  # (the common case inline, as_is for the rest: this runs once per point)
    if not _name(text, 100_000):
        return None
    if type(leads) is not list or not 0 < len(leads) <= 100:
        return None
    owners = []
    for raw_lead in leads:
        lead = _lead(raw_lead)
        if lead is None:
            return None
        owners.append(lead)
    start, due = get("start"), get("due")
    if start is not None and (start := _when(start)) is False or due is not None and (due := _when(due)) is False:
        return None
    if start is not None and due is not None and start >= due:
        return None
    return _new(Point, (number, section, title, text, owners, start, due, [], [], [], []))
