"""What the office chases (催报、催办): who has not reported in a period (`missing`), and what the chasing views share
(remind in notices.py; missing, brief and bulletin): the items, who leads them, and the reporting period.

Each of them reads `items`: every point and task as of one day in one shape, with the departments that
answer for it (a point's lead departments; a task's own department, else its point's) and, for each of
those, the leader of that department's part of the point (the lead in the point's `leads` that names it).
"""

from __future__ import annotations

from datetime import date
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from gkplan.errors import InvalidValue
from gkplan.ledger import Ledger, PointQuery
from gkplan.ledger.points import KEY_SEPARATOR
from gkplan.filters import resolve_department
from gkplan.reports import UNASSIGNED, Frame

OPEN = ("not_started", "in_progress", "blocked")  # what owes a progress report each period
MISSING_FIELDS = ("kind", "id", "point", "title", "status", "progress", "light", "due", "reported", "leaders")  # missing's


def iter_items(ledger: Ledger, fr: Frame, *, plain_lights: bool = False,
               named: tuple[int, bool, str, str] | None = None) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Every point followed by its tasks, as they stood on the frame's day, one at a time from two cursors read
    side by side (both in point order). `plain_lights`: the lights as if no report were due yet (red, yellow,
    green …, never `unreported`), for telling yellow apart. `named` (within, chase, since, report day): only the
    points notices.reasons_for may name, and those with tasks (the database leaves the others out)."""
    from gkplan.ledger.items import owners_of

    clock = fr.clock | ({"report_due": 0} if plain_lights else {})
    start = fr.start.isoformat()
    heads = _Heads(ledger, clock["as_of"])
    tasks = groupby(ledger.iter_tasks(PointQuery(), clock=clock), key=itemgetter("point"))
    pending = next(tasks, None)
    for (number, title, line, due, status, progress, due_original, reported, closed, note, problem, next_step, begun,
         checkpoints, co, light, days_left) in ledger.iter_point_rows(clock, named):  # fmt: skip
        leads, leaders, depts = owners_of(line)
        yield {
            "kind": "point", "id": str(number), "point": number, "seq": 0, "title": title,
            "departments": depts[:] or [UNASSIGNED], "leads": leads, "point_leaders": leaders[:], "status": status,
            "progress": progress, "light": light, "due": due, "due_original": due_original or due, "days_left": days_left,
            "reported": reported, "closed": closed, "note": note, "problem": problem, "next": next_step, "owner": None,
            "start": begun or start, "checkpoints": checkpoints, "expected": None, "heads": heads,
            "co": co.split(KEY_SEPARATOR) if co else [],
        }  # fmt: skip
        while pending is not None and pending[0] < number:  # tasks of a point not listed: not shown, as before
            pending = next(tasks, None)
        if pending is not None and pending[0] == number:
            for t in pending[1]:
                yield (_item("task", t["id"], t, t["effective_due"], t["departments"], leads, leaders[:], start)
                       | {"seq": t["seq"], "owner": t["owner"], "start": begun or start, "heads": heads})  # fmt: skip
            pending = next(tasks, None)


class _Heads(dict):
    """Department → the leaders of its parts anywhere in the plan (leaders_for's second choice), read from the
    plan's owner lines when first asked: most items never ask (a lead names its own department's leader)."""

    def __init__(self, ledger: Ledger, as_of: str) -> None:
        super().__init__()
        self.source: tuple[Ledger, str] | None = (ledger, as_of)
        self.answers: dict[tuple[int, str], tuple[Any, list[str]]] = {}  # leaders_for's, by owner line and department

    def get(self, key: str, default: Any = None) -> Any:
        if self.source is not None:
            from gkplan.ledger.items import owners_of

            ledger, as_of = self.source
            self.source = None
            for line in ledger.owner_lines(as_of):  # each owner line once, in the order points first name it
                for lead in owners_of(line)[0]:
                    for dept in lead.get("departments") or []:
                        if lead.get("leader") and lead["leader"] not in self.setdefault(dept, []):
                            self[dept].append(lead["leader"])
        return super().get(key, default)


def _item(kind: str, ident: str, row: dict[str, Any], due: str, departments: list[str], leads: list[dict[str, Any]],
          leaders: list[str], plan_start: str) -> dict[str, Any]:  # fmt: skip
    return {
        "kind": kind, "id": ident, "point": row["point"] if kind == "task" else row["id"], "seq": 0,
        "title": row["title"], "departments": departments or [UNASSIGNED], "leads": leads, "point_leaders": leaders,
        "status": row["status"], "progress": row["progress"], "light": row["light"], "due": due,
        "due_original": row["due_original"] or due, "days_left": row["days_left"], "reported": row["reported"],
        "closed": row["closed"], "note": row["note"], "problem": row["problem"], "next": row["next"],
        "owner": None, "start": row.get("start") or plan_start, "checkpoints": row.get("checkpoints"), "expected": None,
        "heads": {}, "co": row.get("co") or [],
    }  # fmt: skip


def leaders_for(item: dict[str, Any], department: str) -> list[str]:
    """The leader(s) of `department`'s part of the item's point (the point's lead that names it); when no
    lead of the point names it (a task given to another department), the leaders of that department's
    parts elsewhere in the plan; failing that, the point's leaders. Worked out once per owner line and
    department: the list is shared, to be read and never changed."""
    answers = getattr(item["heads"], "answers", None)  # (a view's: kept by its _Heads, gone with it)
    if answers is None:
        return _leaders_of(item, department)
    leads = item["leads"]
    key = (id(leads), department)  # the items of one owner line share its leads (ledger.items.owners_of)
    found = answers.get(key)
    if found is None or found[0] is not leads:
        if len(answers) >= 4096:
            answers.clear()
        found = answers[key] = (leads, _leaders_of(item, department))  # (holding leads: its id is not reused)
    return found[1]


def _leaders_of(item: dict[str, Any], department: str) -> list[str]:
    own = [lead["leader"] for lead in item["leads"] if lead.get("leader") and department in (lead.get("departments") or [])]
    return list(dict.fromkeys(own)) or list(item["heads"].get(department, [])) or list(item["point_leaders"])


def reported_in(item: dict[str, Any], start: date) -> bool:
    return reported_since(item, start.isoformat())


def reported_since(item: dict[str, Any], since: str) -> bool:
    return item["reported"] is not None and item["reported"] >= since


def departments(ledger: Ledger, given: list[str]) -> tuple[str, ...]:
    """The departments the user named, resolved to exact names (unknown ones fail here)."""
    if not given:
        return ()
    return tuple(resolve_department(ledger, d) for d in given)


def period(text: str | None, fr: Frame, later: str = "请用 --as-of 指定更晚的日期") -> tuple[date, date]:
    """The reporting period the user named (2022-06, 2022-Q2, 2022-H1, 上半年 …), else the one containing the
    as-of day. A period without a year is in the frame's year (dates.phrase_year), else the as-of day's.
    `later`: what to do about a period not begun (a command without --as-of says its own)."""
    from gkplan.dates import parse_period, period_key

    found = fr.period if text is None else parse_period(text, fr.periods.every, fr.year or fr.as_of.year)
    if found[1] < fr.start:  # nothing owed yet: a sheet, a 催报 or a 通报 of it would say all is well
        named = f"填报期 {period_key(found)}" if text else f"{fr.as_of.isoformat()} 所在的填报期 {period_key(found)}"
        raise InvalidValue(f"{named} 早于计划的开始日期 {fr.start.isoformat()}；请换一个填报期")
    if found[0] > fr.as_of:
        raise InvalidValue(f"填报期 {period_key(found)} 在 {fr.as_of.isoformat()} 时尚未开始；{later}")
    return found


def owes_report(item: dict[str, Any], period_range: tuple[date, date], report_day: date) -> bool:
    """Whether an item owes a report for the period and has not made one: open, started by the period's
    report day, and no progress report effective since the period began (for a point: nor a task's)."""
    return owes(item, period_range[0].isoformat(), report_day.isoformat())


def owes(item: dict[str, Any], since: str, report_day: str) -> bool:
    """owes_report with the period's first day and report day as ISO text (what a loop over items computes once)."""
    return item["status"] in OPEN and item["start"] <= report_day and not reported_since(item, since)


def missing(ledger: Ledger, fr: Frame, period_text: str | None, depts: list[str]) -> dict[str, Any]:
    """Per responsible department, the points and tasks not reported in the period (未报送), as of the
    period's end or the as-of day if earlier. Each department's `items` is a Replay of a spool on disk
    (ledger.Spool): read as often as a view needs, held by nobody."""
    from gkplan.dates import period_key, report_day
    from gkplan.ledger.spool import Replay, Spool

    span = period(period_text, fr)
    wanted = departments(ledger, depts)
    day = min(span[1], fr.as_of)
    due_day = report_day(span[1], fr.periods.report_day)
    groups: dict[str, dict[str, Any]] = {}
    spool = Spool(1, MISSING_FIELDS)
    since, due_text = span[0].isoformat(), due_day.isoformat()
    for item in iter_items(ledger, fr._replace(as_of=day)):
        if not owes(item, since, due_text):
            continue
        for dept in item["departments"]:
            if wanted and dept not in wanted:
                continue
            g = groups.get(dept)
            if g is None:
                g = groups[dept] = {"department": dept, "leaders": [], "points": 0, "tasks": 0, "items": len(groups)}
            leaders = leaders_for(item, dept)
            g["leaders"] += [name for name in leaders if name not in g["leaders"]]
            g["points" if item["kind"] == "point" else "tasks"] += 1
            spool.add((g["items"],), {k: item[k] for k in MISSING_FIELDS[:-1]} | {"leaders": leaders})
    for g in groups.values():  # (`items` held the department's place until here)
        g["items"] = Replay(spool, g["points"] + g["tasks"], part=g["items"])
    return {"period": period_key(span), "start": span[0].isoformat(), "end": span[1].isoformat(),
            "report_day": due_day.isoformat(), "as_of": day.isoformat(), "departments": list(groups.values())}  # fmt: skip
