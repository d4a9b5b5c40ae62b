"""The plans a ledger holds (2022, 2023 …) and the one a command works on."""

from __future__ import annotations

from typing import Any

from gkplan.errors import NotFound
from gkplan.ledger.points import BRIEF, POINT_LIGHT
from gkplan.rules import light_sql

PLAN_COLUMNS = 'key, title, document, year, issued, start, "end", loaded'
ALL_PLANS = f"SELECT {PLAN_COLUMNS} FROM plans ORDER BY year, loaded"


def latest_sql(d: Any, key: str) -> str:
    """The latest day any change of the plan `key` (SQL) is effective on, '' for none."""
    return d.greatest(f"coalesce((SELECT max(effective) FROM history WHERE plan = {key}), '')",
                      f"coalesce((SELECT grown FROM plans WHERE key = {key}), '')")  # fmt: skip


class PlansMixin:
    def all_plans(self, then: str | None = None) -> list[dict[str, Any]]:
        """Every plan, the current (default) one marked: the latest year, then the latest loaded. As they stood
        on a past day `then`: the plans issued by that day (the earliest plan for a day before them all)."""
        with self._errors():
            rows = [dict(r) for r in self.prefetched_plans() or self.conn.execute(ALL_PLANS)]
        if then is not None:
            rows = [r for r in rows if str(r["issued"]) <= then] or rows[:1]
        for r in rows:
            r["current"] = r is rows[-1]
        return rows

    def plan_then(self, day: str) -> None:
        """A command reading a past day works, unless told which, on the plan that was the default then."""
        if self.wanted_plan is None:
            plans = self.all_plans(day)
            if plans:
                self._plan = plans[-1]

    def plan(self) -> dict[str, Any]:
        """The plan this command works on: --plan / GKPLAN_PLAN, else the current one."""
        if self._plan is None:
            plans = self.all_plans()
            if not plans:
                raise NotFound(f"{self.path}: 台账中还没有任何计划；请先 gkplan load 种子文件")
            wanted = self.wanted_plan
            if wanted is None:
                self._plan = plans[-1]
            else:
                found = [p for p in plans if p["key"] == wanted.strip()]
                if not found:
                    keys = "、".join(p["key"] for p in plans)
                    raise NotFound(f"台账中没有计划“{wanted}”；现有：{keys}（用 gkplan plans 查看）")
                self._plan = found[0]
        return self._plan

    def identity(self) -> str | None:
        """The ledger's identity (meta `ledger_id`): a copy or backup shares it, another ledger does not."""
        with self._errors():
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'ledger_id'").fetchone()
        return row[0] if row else None

    @property
    def plan_key(self) -> str:
        return self.plan()["key"]

    def latest_effective(self) -> str | None:
        """The latest day any change of this plan is effective on: reading as of any later day is reading today's tables."""
        known = self.prefetched_latest(self.plan_key)
        if known is not None:
            return known or None
        with self._errors():
            return self.conn.execute(f"SELECT {latest_sql(self.dialect, ':p')}", {"p": self.plan_key}).fetchone()[0] or None

    def plan_totals(self, clock_for, then: str | None = None) -> list[dict[str, Any]]:  # noqa: ANN001 - clock_for(plan) → light parameters
        """Per plan (as they stood on a past day `then`, see all_plans): its points, mean progress and overdue
        count (as of each plan's clock)."""
        out = []
        saved = self._plan
        try:
            for plan in self.all_plans(then):
                self._plan = plan
                clock = clock_for(plan)
                source = self.point_source(clock, BRIEF)
                with self._errors():
                    row = self.conn.execute(
                        f"SELECT count(*), avg(p.progress), sum(CASE WHEN {light_sql(POINT_LIGHT, self.dialect)} = 'red' THEN 1 ELSE 0 END)"
                        f" FROM {source} p WHERE p.plan = :plan", clock | {"plan": plan["key"]},
                    ).fetchone()  # fmt: skip
                out.append(plan | {"points": row[0], "progress": round(row[1] or 0, 1), "overdue": row[2] or 0})
        finally:
            self._plan = saved
        return out
