"""The rules stated once in Python, and their SQL mirrors: they must agree on every input."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.config import Lights, Periods
from gkplan.reports import Frame
from gkplan.rules import ROLLUP_SQL, expected_progress, light, light_sql, rollup

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 31))
statuses = st.sampled_from(["not_started", "in_progress", "done", "blocked", "deferred"])
CONN = sqlite3.connect(":memory:")


maybe_days = st.none() | days
checkpoint_lists = st.lists(st.tuples(days, st.integers(0, 100)), max_size=4, unique_by=lambda c: c[0]).map(sorted)
STATUSES = ["not_started", "in_progress", "done", "blocked", "deferred", "pending_review"]


@settings(max_examples=600, deadline=None)
@given(due=days, as_of=days, start=days, own_start=maybe_days, progress=st.integers(0, 100),
       status=st.sampled_from(STATUSES), behind_by=st.integers(0, 100), soon_days=st.integers(0, 400),
       soon_progress=st.integers(0, 101), reported=maybe_days, closed=maybe_days, late=maybe_days,
       checkpoints=checkpoint_lists, every=st.sampled_from(["month", "quarter"]), report_day=st.integers(1, 31))  # fmt: skip
def test_the_light_rule_in_sql_agrees_with_python(due, as_of, start, own_start, progress, status, behind_by, soon_days,
                                                  soon_progress, reported, closed, late, checkpoints, every, report_day):  # fmt: skip
    frame = Frame(as_of, start, Lights(behind_by, soon_days, soon_progress), Periods(every, report_day))
    iso = lambda d: d and d.isoformat()  # noqa: E731
    values = {"due": iso(due), "progress": progress, "status": status, "reported": iso(reported), "closed": iso(closed),
              "start": iso(own_start), "late": iso(late),
              "checkpoints": json.dumps([[d.isoformat(), v] for d, v in checkpoints]) if checkpoints else None}  # fmt: skip
    columns = {k: f":v_{k}" for k in values}  # (the item's own start is not the plan's :start)
    in_sql = CONN.execute(f"SELECT {light_sql(columns)}", frame.clock | {f"v_{k}": v for k, v in values.items()}).fetchone()[0]
    in_python = light(due, progress, status, as_of=as_of, start=own_start or start, behind_by=behind_by,
                      due_soon_days=soon_days, due_soon_progress=soon_progress, reported=reported, closed=closed,
                      checkpoints=checkpoints, late=late, period_start=frame.period[0], report_due=frame.report_due)  # fmt: skip
    assert in_sql == in_python


def test_checkpoints_set_the_expected_progress_between_them():
    start, due = date(2022, 3, 31), date(2022, 12, 31)
    nodes = [(date(2022, 6, 30), 40)]
    assert expected_progress(due, date(2022, 6, 30), start, nodes) == 40
    assert expected_progress(due, date(2022, 5, 15), start, nodes) == 0 + (40 - 0) * (45 / 91)
    assert expected_progress(due, date(2023, 1, 5), start, nodes) == 100
    assert expected_progress(due, date(2022, 3, 1), start, nodes) == 0


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
    assert (progress == 100) == (state in ("done", "pending_review"))
    assert state != "done" or status == "done"  # only the office accepts: a roll-up to 100 is a 办结 report
    if progress < 100 and status in ("blocked", "deferred"):
        assert state == status


def test_a_point_due_on_the_plans_first_day_is_expected_done():
    start = date(2022, 3, 31)
    assert light(start, 50, "in_progress", as_of=start - timedelta(days=1), start=start, behind_by=20,
                 due_soon_days=0, due_soon_progress=0) == "yellow"  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(tasks=st.lists(st.tuples(st.integers(1, 1000), st.integers(0, 100)), max_size=12))
def test_the_rollup_in_sql_agrees_with_python(tasks):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (weight INTEGER, progress INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", tasks)
    in_sql = conn.execute(f"SELECT {ROLLUP_SQL} FROM t").fetchone()[0]
    in_python = rollup(((w, p, "in_progress") for w, p in tasks), "in_progress")
    assert in_sql == (in_python[0] if in_python else None)
