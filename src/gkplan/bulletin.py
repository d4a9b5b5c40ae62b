"""The period's progress bulletin (通报); a leader's page is brief.py.

A bulletin is computed from the history as of its period's end (or the as-of day, if earlier), never
from today's tables or clock, so that one issued in July and one reissued in January say the same.
Its rules, stated once:

- 超 / 达 / 欠序时进度 (rules.pace): a point within ±on_track points of its expected progress (along its
  checkpoints, else the straight line from its start to its due date) is on track, above ahead, below
  behind; 暂缓 points are none of them.
- 未报送: an open point or task that has not reported since the period began (reminders.owes_report), as
  `gkplan missing` lists them; overdue (逾期): a point or task with the red light.
- 延期: entries moving a due date later with a reason (an undo takes one back); `extended`: the items
  with any.
- 按期办结率 of a department: its points and tasks whose 办结 report was effective on or before their
  original due date ÷ those whose original due date has passed or that reported 办结.
- Ranking: by on-time rate (a department with nothing due yet counts as 100 %), then by mean
  (progress − expected) over its points; equal on both, equal rank.
- `change`: each count now minus the same count at the previous period's end (rank: a negative change
  is a move up); null for the plan's first period.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from gkplan.ledger import Ledger
from gkplan.reminders import UNASSIGNED, iter_items, leaders_for, period
from gkplan.reports import Frame

DEPARTMENT_COUNTS = ("points", "ahead", "on_track", "behind", "unreported", "overdue", "extensions", "extended")
TOTAL_COUNTS = ("points", "done", "pending_review", "deferred", "red", "yellow", "green", "unreported", "overdue",
                "extensions", "extended", "ahead", "on_track", "behind")  # fmt: skip
ITEM_FIELDS = ("kind", "id", "point", "title", "departments", "leaders", "light", "status", "progress", "expected",
               "due", "due_original", "days_left", "reported", "note", "problem", "next")  # fmt: skip
TARGET_FIELDS = ("point", "point_title", "metric", "unit", "target_min", "target_max", "approx", "low", "high", "due",
                 "effective_due", "actual", "actual_as_of", "attainment", "met", "light")  # fmt: skip
FILE_FORMATS = {".md": "md", ".markdown": "md", ".xlsx": "xlsx", ".json": "json", ".csv": "csv"}


def bulletin(ledger: Ledger, fr: Frame, period_text: str | None) -> dict[str, Any]:
    from gkplan.dates import period_key, previous_period, report_day

    span = period(period_text, fr)
    day = min(span[1], fr.as_of)
    with ledger.snapshot():
        now = _state(ledger, fr, span, day)
        before = previous_period(span)
        then = _state(ledger, fr, before, before[1], detail=False) if before[1] >= fr.start else None
    plan = ledger.plan()
    totals = now["totals"] | {"change": _change(now["totals"], then["totals"]) if then else None}
    departments = [
        d | {"change": _change(d, then["departments"].get(d["department"])) if then else None}
        for d in now["departments"].values()
    ]
    return {
        "plan": {"key": plan["key"], "title": plan["title"], "document": plan["document"]},
        "period": {"key": period_key(span), "start": span[0].isoformat(), "end": span[1].isoformat(),
                   "report_day": report_day(span[1], fr.periods.report_day).isoformat(), "previous": period_key(before)},
        "as_of": day.isoformat(), "totals": totals, "departments": departments, "items": now["items"],
        "targets": now["targets"],
    }  # fmt: skip


def _state(ledger: Ledger, fr: Frame, span: tuple[date, date], day: date, detail: bool = True) -> dict[str, Any]:
    """Everything a bulletin counts, as the ledger stood on `day`, for the period `span`; with `detail`, also
    the red and yellow items and the targets it lists (the previous period's state is only compared). The items
    come one at a time; the red and yellow ones listed go to a spool on disk (ledger.Spool), read back as a Replay."""
    from gkplan.dates import report_day
    from gkplan.ledger.spool import Replay, Spool
    from gkplan.reports import targets

    from gkplan.reminders import owes
    from gkplan.rules import pace

    at = fr._replace(as_of=day)
    due_day, on_track = report_day(span[1], fr.periods.report_day), fr.lights.on_track
    since, due_text, day_text = span[0].isoformat(), due_day.isoformat(), day.isoformat()  # once, not per item
    events = _extensions(ledger, day)
    totals: dict[str, Any] = dict.fromkeys(TOTAL_COUNTS, 0)
    depts: dict[str, dict[str, Any]] = {}
    closing, shown, progress_sum = [0, 0], Spool(1), 0
    listed = [0, 0]  # red, yellow
    for item in iter_items(ledger, at):
        point = item["kind"] == "point"
        moved = events.get((item["point"], item["seq"]), 0) if events else 0
        unreported = owes(item, since, due_text)  # owes_report, its dates worked out once
        counted, on_time = _on_time(item, day_text)
        pace_of = None
        status, light = item["status"], item["light"]
        if point:
            item["expected"] = round(expected(item, day), 1)
            # a progress edited to text behind gkplan's back has no pace and adds nothing (gkplan check names it)
            number = isinstance(item["progress"], int | float)
            if status != "deferred" and number:
                pace_of = pace(item["progress"], item["expected"], on_track)
            totals["points"] += 1
            progress_sum += item["progress"] if number else 0
            if status in ("done", "pending_review", "deferred"):
                totals[status] += 1
            if light in ("red", "yellow", "green"):
                totals[light] += 1
        else:
            item["expected"] = None
        overdue = light == "red"
        totals["unreported"] += unreported
        totals["overdue"] += overdue
        totals["extensions"] += moved
        totals["extended"] += moved > 0
        if pace_of:
            totals[pace_of] += 1
        closing[0] += on_time
        closing[1] += counted
        for name in item["departments"]:
            d = depts.get(name)
            if d is None:
                d = depts[name] = {"department": name, **dict.fromkeys(DEPARTMENT_COUNTS, 0), "on_time_rate": None,
                                   "deviation": None, "rank": None, "_closing": [0, 0], "_deviations": [0, 0.0]}  # fmt: skip
            d["unreported"] += unreported
            d["overdue"] += overdue
            d["extensions"] += moved
            d["extended"] += moved > 0
            d["_closing"][0] += on_time
            d["_closing"][1] += counted
            if point:
                d["points"] += 1
                if pace_of:
                    d[pace_of] += 1
                    d["_deviations"][0] += 1  # a count and a sum, not the list: a million floats at 1M points
                    d["_deviations"][1] += item["progress"] - item["expected"]
        if detail and light in ("red", "yellow"):
            names = [n for dept in item["departments"] for n in leaders_for(item, dept)]
            record = {k: item[k] for k in ITEM_FIELDS if k != "leaders"} | {"leaders": list(dict.fromkeys(names))}
            shown.add((light != "red",), record)  # red first, each in the plan's order
            listed[light != "red"] += 1
    totals["on_time_rate"] = _rate(*closing)
    totals["mean_progress"] = round(progress_sum / totals["points"], 1) if totals["points"] else 0.0
    for d in depts.values():
        d["on_time_rate"] = _rate(*d.pop("_closing"))
        count, total = d.pop("_deviations")
        d["deviation"] = round(total / count, 1) if count else None
    goals = [{k: t[k] for k in TARGET_FIELDS} for t in targets(ledger, at)] if detail else []
    return {"totals": totals, "departments": _ranked(depts), "items": Replay(shown, sum(listed), counts=listed), "targets": goals}


def expected(item: dict[str, Any], day: date) -> float:
    from gkplan.rules import expected_progress

    from gkplan.ledger.jsonread import loads

    nodes = [(date.fromisoformat(d), v) for d, v in loads(item["checkpoints"])] if item["checkpoints"] else []
    return expected_progress(date.fromisoformat(item["due"]), day, date.fromisoformat(item["start"]), nodes)


def _on_time(item: dict[str, Any], day: str) -> tuple[bool, bool]:
    """(counted, on time) for the on-time rate: counted once its original due date has passed or it
    reported 办结; on time when that report was effective by the original due date."""
    finished = item["status"] in ("done", "pending_review")
    original = item["due_original"]
    if finished and item["closed"]:
        return True, item["closed"] <= original
    if original < day:
        return True, finished  # (done before 办结 reports were dated: taken as on time)
    return False, False


def _rate(on_time: int, counted: int) -> float | None:
    return round(on_time * 100 / counted, 1) if counted else None


def _extensions(ledger: Ledger, day: date) -> dict[tuple[int, int], int]:
    """(point, task seq or 0) → 延期 events effective by `day`, less those undone by then."""
    from gkplan.ledger.stream import extension_entries

    out: dict[tuple[int, int], int] = {}
    for entity, point, ref, changes in extension_entries(ledger, day.isoformat()):  # oldest first
        old, new = changes.get("extension") or (None, None)
        step = 1 if new and not old else -1 if old and not new else 0
        if step and entity in ("point", "task"):
            key = (point, int(ref) if entity == "task" else 0)
            out[key] = max(0, out.get(key, 0) + step)
    return out


def _ranked(depts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Departments in rank order (see the module's rules); the unassigned group last, without a rank."""

    def key(d: dict[str, Any]) -> tuple[float, float]:
        rate = d["on_time_rate"] if d["on_time_rate"] is not None else 100.0
        return -rate, -(d["deviation"] or 0.0)

    named = sorted((d for d in depts.values() if d["department"] != UNASSIGNED), key=key)
    for i, d in enumerate(named):
        d["rank"] = named[i - 1]["rank"] if i and key(named[i - 1]) == key(d) else i + 1
    rest = [d for d in depts.values() if d["department"] == UNASSIGNED]
    return {d["department"]: d for d in named + rest}


def _change(now: dict[str, Any], then: dict[str, Any] | None) -> dict[str, Any] | None:
    """Each number now minus the same number then (null where either is missing)."""
    if then is None:
        return None
    out = {}
    for key, value in now.items():
        if key == "change" or isinstance(value, (str, bool)) or not isinstance(value, (int, float, type(None))):
            continue
        old = then.get(key)
        if value is None or old is None:
            out[key] = None
        else:
            out[key] = round(value - old, 1) if isinstance(value, float) or isinstance(old, float) else value - old
    return out


def save(data: dict[str, Any], target: Path, fmt: str | None, *, force: bool, protect: Path) -> Path:
    """Write the bulletin to a file (Markdown, Excel, JSON or CSV: `fmt`, else the file's extension),
    whole or not at all (files.replace_atomically)."""
    from gkplan import render
    from gkplan.errors import InvalidValue
    from gkplan.files import replace_atomically, text_writer

    kind = fmt if fmt in ("md", "xlsx", "json", "csv") else FILE_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise InvalidValue(f"无法从文件名 {target.name} 判断格式；请用 .md、.xlsx、.json 或 .csv，或加 --format md/json/csv")
    with replace_atomically(target, force=force, protect=protect) as f:
        if kind == "xlsx":
            from gkplan.export import write_xlsx

            write_xlsx(render.bulletin_sheets(data), f)
        else:
            with text_writer(f, "utf-8-sig" if kind == "csv" else "utf-8") as out:
                render.bulletin_file(data, kind, out.write)
    return target
