"""The rules stated once in Python, and their SQL mirrors: they must agree on every input."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.config import Lights
from gkplan.reports import Frame
from gkplan.rules import light, light_sql, rollup

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 31))
statuses = st.sampled_from(["not_started", "in_progress", "done", "blocked", "deferred"])
CONN = sqlite3.connect(":memory:")


@settings(max_examples=400, deadline=None)
@given(due=days, as_of=days, start=days, progress=st.integers(0, 100), status=statuses,
       behind_by=st.integers(0, 100), soon_days=st.integers(0, 400), soon_progress=st.integers(0, 101))  # fmt: skip
def test_the_light_rule_in_sql_agrees_with_python(due, as_of, start, progress, status, behind_by, soon_days, soon_progress):
    settings_ = Lights(behind_by, soon_days, soon_progress)
    clock = Frame(as_of, start, settings_).clock
    in_sql = CONN.execute(f"SELECT {light_sql(':due', ':progress', ':status')}",
                          clock | {"due": due.isoformat(), "progress": progress, "status": status}).fetchone()[0]  # fmt: skip
    in_python = light(due, progress, status, as_of=as_of, start=start, behind_by=behind_by, due_soon_days=soon_days,
                      due_soon_progress=soon_progress)  # fmt: skip
    assert in_sql == in_python


@given(st.lists(st.tuples(st.integers(1, 1000), st.integers(0, 100), statuses), max_size=30), statuses)
def test_the_rollup_is_the_weighted_mean_rounded_half_up(tasks, status):
    result = rollup(tasks, status)
    if not tasks:
        assert result is None
        return
    weights = sum(w for w, _, _ in tasks)
    exact = sum(w * p for w, p, _ in tasks) / weights
    progress, state = result
    assert progress - 0.5 <= exact < progress + 0.5
    assert (progress == 100) == (state == "done")
    if progress < 100 and status in ("blocked", "deferred"):
        assert state == status


def test_a_point_due_on_the_plans_first_day_is_expected_done():
    start = date(2022, 3, 31)
    assert light(start, 50, "in_progress", as_of=start - timedelta(days=1), start=start, behind_by=20,
                 due_soon_days=0, due_soon_progress=0) == "yellow"  # fmt: skip
