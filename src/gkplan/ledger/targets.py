"""Quantitative targets of points, with their actual values as they stood on any day."""

from __future__ import annotations

import sqlite3
from typing import Any

from gkplan.ledger.asof import as_of
from gkplan.ledger.points import BRIEF
from gkplan.ledger.query import Params, led_by

TARGET_COLUMNS = (
    "g.plan, g.point, p.title AS point_title, g.metric, g.unit, g.target_min, g.target_max, g.actual, g.actual_as_of,"
    " g.due, g.source, g.note, g.updated_at, g.approx"
)
# what a target's light needs of its point, as the point stood on the day (gkplan.targets reads and drops them)
POINT_STATE = ", p.due AS point_due, p.start AS point_start, p.status AS point_status"


class TargetsMixin:
    def targets(self, point: int | None = None, departments: tuple[str, ...] = (), clock: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        where, prm = ["g.plan = :plan"], Params({"plan": self.plan_key} | (clock or {}))
        today = clock is None or self.today_tables(clock["as_of"])
        if point is not None:
            where.append(f"g.point = {prm.one(point)}")
        if departments:
            where.append(led_by(prm, "department", departments, "g.point", None if today else self.versions_after(clock["as_of"])))
        columns = ("unit", "target_min", "target_max", "due", "source", "ord", "approx")
        source = "targets" if today else as_of(self.dialect, "target", columns)
        # only the points that have targets are looked up as of the day (a point a reload added later is absent)
        points = self.point_source(clock, BRIEF, "x.id IN (SELECT t.point FROM targets t WHERE t.plan = :plan)")
        sql = (f"SELECT {TARGET_COLUMNS}{POINT_STATE if clock else ''} FROM {source} g"
               f" JOIN {points} p ON p.plan = g.plan AND p.id = g.point"
               f" WHERE {' AND '.join(where)} ORDER BY g.point, g.ord")  # fmt: skip
        with self._errors():
            return [_target(row) for row in self.conn.execute(sql, prm.values)]


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _target(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in ("target_min", "target_max", "actual"):
        out[key] = _number(out[key])
    out["approx"] = bool(out["approx"])
    return out
