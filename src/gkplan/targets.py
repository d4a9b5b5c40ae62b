"""Quantitative targets as the commands show them: each with its band, whether it is met, and its light
(rules.target_band, rules.target_light); the overview's block of them. Python, not SQL: a plan has a few
dozen targets, and a rule stated once is worth more than a query saved."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from gkplan.rules import target_band, target_light

if TYPE_CHECKING:
    from gkplan.ledger import Ledger
    from gkplan.reports import Frame


def targets(ledger: Ledger, fr: Frame, point: int | None = None, departments: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Targets as they stood on the frame's day, each with its effective bounds (`low`, `high`: a 约数's
    band applied, rules.target_band), `met` (the actual reaches `low`; None without an actual),
    `attainment` (actual ÷ the stated lower bound, in per cent), its `effective_due` (its own, else its
    point's) and its `light` (rules.target_light)."""
    rows = ledger.targets(point=point, departments=departments, clock=fr.clock)
    for t in rows:
        _judge(t, fr)
    return rows


def _judge(t: dict[str, Any], fr: Frame) -> None:
    actual, stated = t["actual"], t["target_min"]
    low, high = target_band(stated, t["target_max"], t["approx"], fr.lights.band)
    t["low"], t["high"] = _whole(low), _whole(high)
    t["attainment"] = None if actual is None else (100.0 if stated == 0 else round(actual * 100 / stated, 1))
    t["met"] = None if actual is None else actual >= low
    # a target without a due date of its own is due with its point, as a task is (`effective_due`)
    point_due = t.pop("point_due")
    t["effective_due"] = t["due"] or point_due
    start = _day(t.pop("point_start")) or fr.start
    t["light"] = target_light(actual, low, _day(t["effective_due"]), as_of=fr.as_of, start=start,
                              status=t.pop("point_status"), behind_by=fr.lights.behind_by,
                              due_soon_days=fr.lights.due_soon_days, due_soon_progress=fr.lights.due_soon_progress)  # fmt: skip


def below(ledger: Ledger, fr: Frame, point: int) -> list[str]:
    """The metrics of `point` not met on the frame's day (no actual counts as below): what keeps it from 销号."""
    return [t["metric"] for t in targets(ledger, fr, point=point) if not t["met"]]


def _whole(value: float | None) -> float | int | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _day(text: Any) -> date | None:
    """A stored day, or None for none (or for one edited into something else: `gkplan check` names it)."""
    try:
        return date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


TARGET_LIGHTS = ("done", "red", "yellow", "green", "unreported", "deferred")  # what rules.target_light gives


def target_block(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The overview's targets: how many there are, how many of each light, and the targets themselves."""
    return {"total": len(rows), "counts": {k: sum(r["light"] == k for r in rows) for k in TARGET_LIGHTS}, "items": rows}
