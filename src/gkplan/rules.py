"""The ledger's business rules, each stated once: the warning light (in Python, and mirrored in SQL
for speed — tests/test_rules.py proves the two agree) and the task roll-up. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

LIGHTS = ("done", "red", "yellow", "green")


def expected_progress(due: date, as_of: date, start: date) -> float:
    """Progress due by `as_of` on the straight line from the plan's start to `due`."""
    if due <= start:
        return 100.0
    return min(100.0, max(0.0, (as_of - start).days * 100.0 / (due - start).days))


def light(due: date, progress: int, status: str, *, as_of: date, start: date, behind_by: int, due_soon_days: int,
          due_soon_progress: int) -> str:  # fmt: skip
    """红: past due and not done. 黄: due within `due_soon_days` and below `due_soon_progress`, or more than
    `behind_by` points below the expected progress. 绿: otherwise. Done items have no light."""
    if status == "done":
        return "done"
    if due < as_of:
        return "red"
    if ((due - as_of).days <= due_soon_days and progress < due_soon_progress) or (
        progress < expected_progress(due, as_of, start) - behind_by
    ):
        return "yellow"
    return "green"


def light_sql(due: str, progress: str, status: str, labels: tuple[str, ...] = ("'done'", "'red'", "'yellow'", "'green'")) -> str:
    """`light` as an SQL expression over the named columns, so that filters and per-group counts run
    inside the database. Parameters: :as_of, :start and :start_jd (julianday of the start), :elapsed
    (days from start to as-of), :soon (as-of + due_soon_days), :behind_by, :due_soon_progress."""
    done, red, yellow, green = labels
    expected = (
        f"(CASE WHEN {due} <= :start THEN 100.0"
        f" ELSE min(100.0, max(0.0, :elapsed * 100.0 / (julianday({due}) - :start_jd))) END)"
    )
    return (
        f"(CASE WHEN {status} = 'done' THEN {done} WHEN {due} < :as_of THEN {red}"
        f" WHEN ({due} <= :soon AND {progress} < :due_soon_progress) OR {progress} < {expected} - :behind_by"
        f" THEN {yellow} ELSE {green} END)"
    )


def rollup(tasks: Iterable[tuple[int, int, str]], status: str) -> tuple[int, str] | None:
    """A point with tasks takes its progress from them — the weighted mean (weight, progress, status),
    rounded half up — and its status with it: 100 is 已完成, nothing started is 未启动, anything else
    进行中; a point someone marked 受阻 or 暂缓 keeps that until they change it. None: no tasks."""
    weighted = weights = started = 0
    for weight, progress, state in tasks:
        weighted += weight * progress
        weights += weight
        started += state != "not_started"
    if not weights:
        return None
    progress = (2 * weighted + weights) // (2 * weights)  # half up, in integers: no float rounding surprises
    if progress == 100:
        return 100, "done"
    if status in ("blocked", "deferred"):
        return progress, status
    return progress, "in_progress" if started or progress else "not_started"
