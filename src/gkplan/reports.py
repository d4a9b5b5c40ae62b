"""Computes the rows the commands show: days left, lights, summaries (filters.py resolves what was typed)."""

from __future__ import annotations

from datetime import date
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from gkplan.config import Lights, Periods
from gkplan.errors import InvalidValue, NotFound
from gkplan.ledger import Ledger, PointQuery
from gkplan.rules import task_mean
from gkplan.targets import target_block, targets
from gkplan.values import STATUS_LABELS

UNASSIGNED = "（未指定）"
GROUPINGS = {"dept": "department", "department": "department", "leader": "leader", "section": "section"}
GROUP_LABELS = {"department": "牵头部门", "leader": "校领导", "section": "部分"}


LIGHTS = {"red": "红", "yellow": "黄", "green": "绿", "done": "完成", "unreported": "未报送", "deferred": "暂缓",
          "review": "待销号"}  # fmt: skip


class Frame(NamedTuple):
    """What every computed row depends on besides the ledger: the as-of date, the plan's start, thresholds."""

    as_of: date
    start: date
    lights: Lights
    periods: Periods = Periods()
    year: int | None = None  # the year a period without one (上半年, 三季度, 6月) is in: dates.phrase_year

    @property
    def clock(self) -> dict[str, Any]:
        """The parameters of the light rule (ledger.light_sql), which runs inside SQLite."""
        from datetime import timedelta

        return {
            "as_of": self.as_of.isoformat(), "start": self.start.isoformat(),
            "start_jd": self.start.toordinal() + 1721424.5,  # SQLite's julianday() of that date
            "elapsed": (self.as_of - self.start).days,
            "soon": (self.as_of + timedelta(days=self.lights.due_soon_days)).isoformat(),
            "behind_by": self.lights.behind_by, "due_soon_progress": self.lights.due_soon_progress,
            "period_start": self.period[0].isoformat(), "report_due": int(self.report_due),
        }  # fmt: skip

    @property
    def period(self) -> tuple[date, date]:
        """The reporting period the as-of day falls in."""
        from gkplan.dates import period_of

        return period_of(self.as_of, self.periods.every)

    @property
    def report_due(self) -> bool:
        """Whether that period's report day has passed (and fell inside the plan): from then on, an item
        that has not reported in it is 未报送."""
        from gkplan.dates import report_day

        day = report_day(self.period[1], self.periods.report_day)
        return self.start <= day < self.as_of


def frame(ledger: Ledger, as_of: date, today: date | None = None) -> Frame:
    """The frame as of a day; with `today`, also the year a period without one resolves against."""
    from gkplan.config import settings
    from gkplan.dates import phrase_year

    if today is not None and as_of < today:
        ledger.plan_then(as_of.isoformat())
    plan = ledger.plan()
    return Frame(as_of, date.fromisoformat(plan["start"]), *settings(), phrase_year(plan, today) if today else None)


def _labelled(item: dict[str, Any]) -> dict[str, Any]:
    # a row edited behind gkplan's back (an unknown status, a due date that is no date) is shown as it is,
    # never a crash: `gkplan check` names it
    item["status_label"] = STATUS_LABELS.get(item["status"]) or str(item["status"])
    item["overdue"] = item.get("light") == "red"
    return item


def iter_points(
    ledger: Ledger, query: PointQuery, fr: Frame, lights: tuple[str, ...] = (), brief: bool = False, order: str = "p.id"
) -> Iterator[dict[str, Any]]:
    rows = ledger.iter_points(query._replace(lights=lights), fr.clock, order=order, brief=brief)
    return rows if brief else map(_labelled, rows)  # a brief row is a table's: it shows the status its own way


def iter_tasks(ledger: Ledger, query: PointQuery, fr: Frame, lights: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    return map(_labelled, ledger.iter_tasks(query._replace(lights=lights), clock=fr.clock))


def list_points(ledger: Ledger, query: PointQuery, fr: Frame, lights: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return list(iter_points(ledger, query, fr, lights))


def list_tasks(ledger: Ledger, query: PointQuery, fr: Frame, lights: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return list(iter_tasks(ledger, query, fr, lights))


def state(ledger: Ledger, point_id: int, fr: Frame) -> dict[str, Any]:
    """A point as `list` shows it, with its tasks as `show` lists them: what a change leaves behind."""
    point = next(iter_points(ledger, PointQuery(ids=(point_id,)), fr), None)
    if point is None:
        raise NotFound(f"没有编号为 {point_id} 的工作要点")
    point["task_list"] = list_tasks(ledger, PointQuery(ids=(point_id,)), fr)
    return point


def show_point(ledger: Ledger, point_id: int, fr: Frame, history: int = 10) -> dict[str, Any]:
    point = next(iter_points(ledger, PointQuery(ids=(point_id,)), fr), None)
    if point is None:
        raise NotFound(f"没有编号为 {point_id} 的工作要点")
    point["task_list"] = list_tasks(ledger, PointQuery(ids=(point_id,)), fr)
    point["tasks"] = len(point["task_list"])
    point["task_progress"] = task_mean((t["weight"], t["progress"], t["status"]) for t in point["task_list"])  # (beside the
    # reported progress: the same once `follows`, but for a point 销号'd)
    point["follows"] = bool(point["follows"])
    from gkplan.ledger.jsonread import loads  # (json's C scanner: `import json` is ~20M instructions of a start)

    point["checkpoints"] = [{"date": d, "progress": v} for d, v in loads(point["checkpoints"] or "[]")]
    point["targets"] = targets(ledger, fr, point=point_id)
    point["history"] = ledger.history(point=point_id, limit=history, until=fr.as_of.isoformat())
    point["extensions"] = [  # every 延期, oldest first, from the whole history up to the day
        {"record": h["id"], "effective": h["effective"], "by": h["by"], "from": h["changes"]["due"][0],
         "to": h["changes"]["due"][1], "reason": h["changes"]["extension"][1]}
        for h in reversed(ledger.history(point=point_id, entity="point", until=fr.as_of.isoformat()))
        if "extension" in h["changes"] and h["action"] != "undo" and h["undone_by"] is None
    ]  # fmt: skip
    # a department's 延期 request the office has not answered, on the point and on each of its tasks
    point["extension_request"] = _request(ledger.pending_request("point", (point_id,)))
    for task in point["task_list"]:
        task["extension_request"] = _request(ledger.pending_request("task", (point_id, task["seq"])))
    return point


def _request(asked: dict[str, Any] | None) -> dict[str, Any] | None:
    if asked is None:
        return None
    wanted = asked["changes"]["request"][1]
    return {"record": asked["id"], "effective": asked["effective"], "by": asked["by"], "due": wanted["due"], "reason": wanted["reason"]}


def overdue(ledger: Ledger, fr: Frame, brief: bool = False) -> Iterator[dict[str, Any]]:
    """Every red point, most overdue first (sorted by SQLite, streamed), each followed by its red tasks;
    then the points that are not red themselves but have a red task, with those tasks."""
    rows = iter_points(ledger, PointQuery(overdue_as_of=fr.as_of), fr, brief=brief, order="p.due, p.id")
    yield from map(_days_overdue, with_red_tasks(ledger, rows, PointQuery(), fr, brief))


def with_red_tasks(ledger: Ledger, rows: Iterator[dict[str, Any]], query: PointQuery, fr: Frame,
                   brief: bool) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Point rows (kind "point"), each followed by its red tasks (kind "task") among those `query` selects;
    a point with a red task that is not among the rows comes at the end, with its tasks."""
    late: dict[int, list[dict[str, Any]]] = {}
    for task in iter_tasks(ledger, query._replace(lights=()), fr, ("red",)):
        late.setdefault(task["point"], []).append(task)
    for row in rows:
        row["kind"] = "point"  # in place: a report of 30,000 overdue points copies no row
        yield row
        if late:
            yield from (_task_row(t, row) for t in late.pop(row["id"], ()))
    for number, tasks in sorted(late.items()):
        point = next(iter_points(ledger, PointQuery(ids=(number,)), fr, brief=brief))
        yield point | {"kind": "point"}
        yield from (_task_row(t, point) for t in tasks)


def listed(ledger: Ledger, query: PointQuery, fr: Frame, lights: tuple[str, ...], brief: bool) -> Iterator[dict[str, Any]]:
    """What `list` shows: the points; with `--light red`, each red task as a row under its point. A table's
    plain listing (brief, no department, no red tasks) comes as the ledger's BriefRows, no dict made of each."""
    if brief and not query.departments and "red" not in lights:
        return ledger.iter_points(query._replace(lights=lights), fr.clock, brief=True, row=True)
    rows = iter_points(ledger, query, fr, lights, brief)
    if query.departments:
        rows = _with_role(rows, set(query.departments))
    return with_red_tasks(ledger, rows, query, fr, brief) if "red" in lights else rows


def _with_role(rows: Iterator[dict[str, Any]], departments: set[str]) -> Iterator[dict[str, Any]]:
    """Each point's role for the departments asked about: 牵头 where one of them leads it, else 协办."""
    for row in rows:
        # in place, as with_red_tasks; isdisjoint takes the list as it is (no set made a row)
        row["role"] = "co" if departments.isdisjoint(row["departments"]) else "lead"
        yield row


def _days_overdue(row: dict[str, Any]) -> dict[str, Any]:
    # a point listed only as the heading of its red tasks (待销号, say) is not itself overdue
    row["days_overdue"] = max(0, -(row["days_left"] or 0)) if row["light"] == "red" else None
    return row


def _task_row(task: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
    """A red task as a row of a point list, under its point."""
    row = dict.fromkeys(point) | {k: task[k] for k in ("plan", "id", "title", "progress", "status", "status_label",
                                                      "light", "days_left", "overdue", "note", "updated_at")}  # fmt: skip
    return row | {"kind": "task", "point": task["point"], "section": point["section"], "due": task["effective_due"],
                  "departments": task["departments"], "leaders": point["leaders"]}  # fmt: skip


def summary(ledger: Ledger, by: str, fr: Frame) -> list[dict[str, Any]]:
    """Per department / leader / section: counts by status and light, overdue, mean progress.
    A point with two departments counts under each; groups in order of first appearance."""
    key = GROUPINGS.get(by.strip().lower())
    if key is None:
        raise InvalidValue(f"未知分组方式：{by!r}；可用：dept / leader / section")
    return _with_extensions(ledger, [_group(row, key == "section") for row in ledger.summary(key, fr.clock)], fr)


def _with_extensions(ledger: Ledger, groups: list[dict[str, Any]], fr: Frame) -> list[dict[str, Any]]:
    """Each group's 延期: `extended`, its points whose due date was moved later with a reason (the
    original kept), and `extensions`, how many times (only those points' entries are read)."""
    ids = sorted({i for g in groups for i in g["extended_ids"]})
    events = ledger.extension_events(ids, fr.as_of.isoformat()) if ids else {}
    for g in groups:
        mine = set(g.pop("extended_ids"))
        g["extended"], g["extensions"] = len(mine), sum(events.get(i, 0) for i in mine)
    return groups


def overview(ledger: Ledger, fr: Frame, goals: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One screen for the leadership: the whole plan, then each section, with lights and mean progress;
    then the quantitative targets with theirs (`goals`: already read by the caller, as of the same day)."""
    plan = ledger.plan()
    total = _with_extensions(ledger, [_group(row, False) for row in ledger.summary(None, fr.clock)], fr)
    return {
        "plan": plan["key"], "title": plan["title"], "document": plan["document"], "as_of": fr.as_of.isoformat(),
        "total": total[0] | {"group": "合计"} if total else None,
        "sections": _with_extensions(ledger, [_group(row, True) for row in ledger.summary("section", fr.clock)], fr),
        "targets": target_block(targets(ledger, fr) if goals is None else goals),
    }  # fmt: skip


SUMMARY_KEYS = ("points", *STATUS_LABELS, "overdue", "red", "yellow", "green", "unreported", "review", "mean_progress")


def _group(row: dict[str, Any], with_section: bool) -> dict[str, Any]:
    out = {"group": row["grp"] or UNASSIGNED, **{k: row[k] if row[k] is not None else 0 for k in SUMMARY_KEYS},
           "extended_ids": row["extended_ids"]}  # fmt: skip
    return out | {"section": row["section"]} if with_section else out


def plans(ledger: Ledger, as_of: date, today: date) -> list[dict[str, Any]]:
    """Every plan with its points, mean progress and overdue count, the current one marked; for a past day,
    the plans as they stood then."""
    from gkplan.config import settings

    lights, periods = settings()

    def clock(plan: dict[str, Any]) -> dict[str, Any]:
        return Frame(as_of, date.fromisoformat(plan["start"]), lights, periods).clock

    return [
        {"plan": p["key"], "title": p["title"], "document": p["document"], "year": p["year"], "points": p["points"],
         "progress": p["progress"], "overdue": p["overdue"], "current": p["current"]}
        for p in ledger.plan_totals(clock, as_of.isoformat() if as_of < today else None)
    ]  # fmt: skip


def diff(ledger: Ledger, start: date, end: date, today: date | None = None) -> Callable[[bool], Iterator[dict[str, Any]]]:
    """What changed between two days (对账): per point, task and target, each field's values on both days; a
    function of `brief` that reads them (once, as they come). Two past days: in the plan of the later one."""
    if end < start:
        raise InvalidValue(f"第二个日期（{end}）早于第一个（{start}）")
    if today is not None and end < today:
        ledger.plan_then(end.isoformat())
    return lambda brief: ledger.diff(start.isoformat(), end.isoformat())
