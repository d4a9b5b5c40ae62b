"""Points as the supervision views read them (reminders.iter_items: remind, missing, brief, bulletin): only the
columns those views use, as plain rows, without the sections, task counts and roll-ups a listing shows; and the
distinct owner lines, which say who leads what anywhere in the plan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gkplan.ledger.points import POINT_LIGHT, _owners_of
from gkplan.ledger.query import Params
from gkplan.rules import light_sql

# what a point row holds, in this order, then its light and days left on the clock's day
ITEM_COLUMNS = ("id", "title", "leads", "due", "status", "progress", "due_original", "reported", "closed", "note",
                "problem", "next", "start", "checkpoints", "co")  # fmt: skip
owners_of = _owners_of  # an owner line (leads JSON) → (leads, leaders, departments), decoded once per line


class ItemsMixin:
    def iter_point_rows(self, clock: dict[str, Any], named: tuple[int, bool, str, str] | None = None) -> Iterator[Any]:
        """Every point as it stood on the clock's day, in id order, one row at a time: ITEM_COLUMNS, light,
        days_left (rules.light_sql, as PointsMixin.iter_points gives them). `named` (within, chase, since, report
        day): only the points a reminder may name (named_sql) and those with tasks."""
        prm = Params(clock | {"plan": self.plan_key})
        source = self.point_source(clock, ("title", "leads", "start", "co"))
        columns = ", ".join(f"p.{c}" for c in ITEM_COLUMNS)
        light, days = light_sql(POINT_LIGHT, self.dialect), self.dialect.days("p.due", ":as_of")
        where = "p.plan = :plan"
        if named is not None:
            within, chase, since, report_day = named
            rule = named_sql({"status": "p.status", "start": "p.start", "reported": "p.reported", "light": light,
                              "days_left": days}, chase, prm.one(within), prm.one(since), prm.one(report_day))  # fmt: skip
            where += f" AND ({rule} OR EXISTS (SELECT 1 FROM tasks t WHERE t.plan = p.plan AND t.point = p.id))"
        sql = f"SELECT {columns}, {light} AS light, {days} AS days_left FROM {source} p WHERE {where} ORDER BY p.id"
        with self._errors():
            yield from self.rows(sql, prm.values)

    def owner_lines(self, as_of: str) -> list[str]:
        """The distinct owner lines of the points that exist on `as_of`, in the order of the first point with
        each (as they stood that day: ledger/asof.py). A plan has a few hundred."""
        if self.today_tables(as_of):
            sql, params = "SELECT leads FROM points WHERE plan = :plan GROUP BY leads ORDER BY min(id)", {"plan": self.plan_key}
        else:
            from gkplan.ledger.asof import worded

            sql = (f"SELECT leads FROM (SELECT x.id, {worded('point', 'leads')} AS leads FROM points x WHERE x.plan = :plan"
                   " AND (x.since IS NULL OR x.since <= :as_of)) o GROUP BY leads ORDER BY min(id)")  # fmt: skip
            params = {"plan": self.plan_key, "as_of": as_of}
        with self._errors():
            return [r[0] for r in self.conn.execute(sql, params)]


def named_sql(c: dict[str, str], chase: bool, within: str, since: str, report_day: str) -> str:
    """SQL true for an item notices.reasons_for names for something, over the columns `c` (status, start:
    NULL for the plan's :start, reported, light: as if no report were due, days_left). A property test holds
    the two together."""
    rule = f"{c['light']} IN ('red', 'yellow') OR {c['days_left']} <= {within}"
    if chase:  # reminders.owes_report
        rule += (f" OR ({c['status']} IN ('not_started', 'in_progress', 'blocked') AND coalesce({c['start']}, :start)"
                 f" <= {report_day} AND ({c['reported']} IS NULL OR {c['reported']} < {since}))")  # fmt: skip
    return f"({c['status']} NOT IN ('done', 'pending_review', 'deferred') AND ({rule}))"
