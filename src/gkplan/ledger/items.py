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
    def iter_point_rows(self, clock: dict[str, Any]) -> Iterator[Any]:
        """Every point as it stood on the clock's day, in id order, one row at a time: ITEM_COLUMNS, light,
        days_left (rules.light_sql, as PointsMixin.iter_points gives them)."""
        prm = Params(clock | {"plan": self.plan_key})
        source = self.point_source(clock, ("title", "leads", "start", "co"))
        columns = ", ".join(f"p.{c}" for c in ITEM_COLUMNS)
        sql = (f"SELECT {columns}, {light_sql(POINT_LIGHT, self.dialect)} AS light,"
               f" {self.dialect.days('p.due', ':as_of')} AS days_left FROM {source} p WHERE p.plan = :plan ORDER BY p.id")  # fmt: skip
        with self._errors():
            yield from self.rows(sql, prm.values)

    def owner_lines(self, as_of: str) -> list[str]:
        """The distinct owner lines of the points that exist on `as_of`, in the order of the first point with
        each (a point's leads are not dated: as of any day they are today's). A plan has a few hundred."""
        since = "" if self.today_tables(as_of) else " AND (since IS NULL OR since <= :as_of)"
        sql = f"SELECT leads FROM points WHERE plan = :plan{since} GROUP BY leads ORDER BY min(id)"
        with self._errors():
            return [r[0] for r in self.conn.execute(sql, {"plan": self.plan_key} | ({"as_of": as_of} if since else {}))]
