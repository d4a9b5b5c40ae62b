"""Quantitative targets of points, with their actual values as they stood on any day."""

from __future__ import annotations

import sqlite3
from typing import Any

from gkplan.ledger.asof import as_of

TARGET_COLUMNS = (
    "g.plan, g.point, p.title AS point_title, g.metric, g.unit, g.target_min, g.target_max, g.actual, g.actual_as_of,"
    " g.due, g.source, g.note, g.updated_at"
)


class TargetsMixin:
    def targets(self, point: int | None = None, departments: tuple[str, ...] = (), clock: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        where, params = ["g.plan = :plan"], {"plan": self.plan_key} | (clock or {})
        if point is not None:
            where.append("g.point = :point")
            params["point"] = point
        if departments:
            names = ",".join(f":d{i}" for i in range(len(departments)))
            where.append(f"g.point IN (SELECT point FROM point_departments WHERE plan = :plan AND department IN ({names}))")
            params |= {f"d{i}": d for i, d in enumerate(departments)}
        today = clock is None or self.today_tables(clock["as_of"])
        source = "targets" if today else as_of("target", ("unit", "target_min", "target_max", "due", "source", "ord"))
        if not today:
            where.append("(p.since IS NULL OR p.since <= :as_of)")
        sql = (f"SELECT {TARGET_COLUMNS} FROM {source} g JOIN points p ON p.plan = g.plan AND p.id = g.point"
               f" WHERE {' AND '.join(where)} ORDER BY g.point, g.ord")  # fmt: skip
        with self._errors():
            return [_target(row) for row in self.conn.execute(sql, params)]


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _target(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in ("target_min", "target_max", "actual"):
        out[key] = _number(out[key])
    return out
