"""What a query of points or tasks selects: the filters the user gave, as SQL with parameters."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from gkplan.ledger.schema import REPORTED


class PointQuery(NamedTuple):
    """Filters for `iter_points` and `iter_tasks`. Every value reaches SQL as a parameter."""

    ids: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    sections: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    due_before: date | None = None
    overdue_as_of: date | None = None
    search: str | None = None
    lights: tuple[str, ...] = ()
    role: str | None = None  # with departments: "lead" (牵头) or "co" (协办) only; None: either


class Params:
    """Named query parameters: every value reaches SQL as a parameter, never as text."""

    def __init__(self, base: dict[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = dict(base or {})

    def one(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def many(self, values: Any) -> str:
        return ",".join(self.one(v) for v in values)


_SEP = "'\x1f'"  # the separator of `co` and of the owner keys, as a literal: both engines take it in a string


def scope_filters(prm: Params, query: PointQuery, alias: str, co: bool = False, versions: Any = None) -> list[str]:
    """`versions`: the dialect, when the day read is before a reload that replaced some point's owners (led_by)."""
    scope = []
    if query.ids:
        scope.append(f"{alias}.id IN ({prm.many(query.ids)})")
    for kind, names in (("department", query.departments), ("leader", query.leaders)):
        if not names:
            continue
        lead = led_by(prm, kind, names, f"{alias}.id", versions)
        if kind == "department" and query.role == "co" and not co:
            scope.append("1 = 0")  # nobody of these ever co-operated
        elif kind == "department" and co:  # every point whose `co` ever named one: the day's `co` decides
            named = f"{alias}.id IN (SELECT point FROM point_co WHERE department IN ({prm.many(names)}) AND plan = :plan)"
            scope.append(named if query.role == "co" else f"({lead} OR {named})")
        else:
            scope.append(lead)
    return scope


def led_by(prm: Params, kind: str, names: tuple[str, ...], point: str, versions: Any = None) -> str:
    """Whether one of the departments (kind "department") or leaders leads the point (SQL for its number). IN
    (subquery): SQLite walks the (name, plan, point) index instead of every point. With `versions` (the dialect: the
    day read is before a reload that replaced some point's owners), such a point is led by whom its first version
    after the day names; the others by whom they name today."""
    listed = prm.many(names)
    if versions is None:
        return f"{point} IN (SELECT point FROM point_{kind}s WHERE {kind} IN ({listed}) AND plan = :plan)"
    later = "SELECT 1 FROM point_seeds e WHERE e.plan = :plan AND e.point = {p} AND e.ended > :as_of"
    sep = _SEP
    named = " OR ".join(versions.contains(f"{sep} || coalesce(w.{kind}_key, '') || {sep}", f"{sep} || {prm.one(n)} || {sep}")
                        for n in names)  # fmt: skip
    return (f"({point} IN (SELECT d.point FROM point_{kind}s d WHERE d.{kind} IN ({listed}) AND d.plan = :plan"
            f" AND NOT EXISTS ({later.format(p='d.point')})) OR {point} IN (SELECT w.point FROM point_seeds w"
            f" WHERE w.plan = :plan AND w.ended > :as_of AND ({named}) AND NOT EXISTS ({later.format(p='w.point')}"
            " AND (e.ended < w.ended OR e.ended = w.ended AND e.hid < w.hid))))")


def co_filter(prm: Params, query: PointQuery, d, versions: Any = None) -> str:  # noqa: ANN001 - d: dialect
    """The day's test: one of the departments co-operates on the point (or, role aside, leads it)."""
    sep = _SEP
    match = " OR ".join(d.contains(f"{sep} || coalesce(p.co, '') || {sep}", f"{sep} || {prm.one(n)} || {sep}")
                        for n in query.departments)  # fmt: skip
    if query.role == "co":
        return f"({match})"
    return f"({led_by(prm, 'department', query.departments, 'p.id', versions)} OR {match})"


def state_filters(prm: Params, query: PointQuery, status: str, due: str, texts: tuple[str, ...], light: str | None) -> list[str]:
    """The filters points and tasks share: section, status, due date, overdue, text search. `light`: the
    light's expression, with a clock (PostgreSQL has no select aliases in WHERE)."""
    where = []
    if query.sections:
        where.append(f"p.section IN ({prm.many(query.sections)})")
    if query.statuses:
        where.append(f"{status} IN ({prm.many(query.statuses)})")
    if query.due_before:
        where.append(f"{due} < {prm.one(query.due_before.isoformat())}")
    if query.overdue_as_of:  # overdue is the red light (rules.light), which the query computes with its clock
        # red implies past due (a late 办结 report was made after the due date), so the range on the due date
        # (an index range) comes first and the light decides
        where.append(f"{due} < :as_of AND {light} = 'red'")
    if query.search:
        pattern = prm.one(like(query.search))
        where.append("(" + " OR ".join(f"{column} LIKE {pattern} ESCAPE '\\'" for column in texts) + ")")
    return where


def like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"



def last_report(prm: Params, d, alias: str, point: str, ref: str | None, day: str) -> str:  # noqa: ANN001 - d: dialect
    """The day of a task's latest report (update or add) up to `day` (`ref`: its number as text); `ref` None: of a
    point, whose reports are its own, its tasks' and its targets'."""
    # through the reports' index (plan, point, entity, ref, effective, action WHERE REPORTED), which both engines take
    # only for a query stating its condition as written: the task's reports without a visit to the table. On the day's
    # range (+, unindexed) or for max() of a bare column (its min/max shortcut) SQLite would take the (plan, effective)
    # index and read the plan's whole history for every row
    task = "" if ref is None else f" AND h.entity = 'task' AND h.ref = {ref}"
    return (f"(SELECT max(h.effective || '') FROM history h WHERE h.plan = {alias}.plan AND h.point = {point}{task}"
            f" AND {d.unindexed}h.effective <= {prm.one(day)} AND h.{REPORTED}) AS last_update")  # fmt: skip


def quiet_points(prm: Params, d, since: tuple[str, str], grouped: bool) -> tuple[str, str, str | None, str | None]:  # noqa: ANN001 - d: dialect
    """For a listing of points (alias p): those not done and not reported between `since`'s cutoff and day (what
    `quiet` keeps of a task's listing), never reported first, then the longest unreported, then by number. As
    (column, join, condition, order): `last_update`, the join to add after FROM, the WHERE's condition, the ORDER BY;
    condition and order None: the caller wraps the listing in `quiet` (its `last_update` is a column, not a join's).
    A point's reports are its own, its tasks' and its targets' (updates and additions) up to the day."""
    if not grouped:
        # on the points as of a day (a subquery) SQLite does not index the grouped reports for the join and scans
        # them whole for every point (at 100,000 points, minutes): one lookup per point through the reports' index
        return last_report(prm, d, "p", "p.id", None, since[0]), "", None, None
    # today's tables: every point's latest report at once, in one pass over the reports' index (plan, point …) in point
    # order, then joined (SQLite indexes the grouped rows for it): on both engines cheaper than a lookup per point,
    # and a plain column the query filters and sorts on without a subquery around it. On the day's range (+,
    # unindexed) SQLite would take the (plan, effective) index instead
    join = (f" LEFT JOIN (SELECT h.point, max(h.effective) AS last_update FROM history h WHERE h.plan = :plan"
            f" AND {d.unindexed}h.effective <= {prm.one(since[0])} AND h.{REPORTED} GROUP BY h.point) r ON r.point = p.id")
    where, order = _unreported(prm, "p", "r", since[1])
    return "r.last_update", join, where, f"{order}, p.id"


def quiet(prm: Params, d, sql: str, key: str, cutoff: str) -> str:  # noqa: ANN001 - d: dialect
    """The rows of `sql` (a listing with `last_update`) not done and not reported since `cutoff`: never reported
    first, then the longest unreported, then by `key`. The database sorts, so the rows stream."""
    where, order = _unreported(prm, "q", "q", cutoff)
    return f"SELECT * FROM ({sql} {d.fence}) q WHERE {where} ORDER BY {order}, {key}"


def _unreported(prm: Params, item: str, last: str, cutoff: str) -> tuple[str, str]:
    """What `stale` keeps (not done, not reported since `cutoff`) and its order (never reported first, then the
    longest unreported), over an item's status (alias `item`) and its latest report (alias `last`)."""
    at = f"{last}.last_update"
    return (f"{item}.status != 'done' AND ({at} IS NULL OR {at} <= {prm.one(cutoff)})", f"{at} IS NOT NULL, {at}")
