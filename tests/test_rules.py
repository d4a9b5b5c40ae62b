"""The rules stated once in Python, and their SQL mirrors: they must agree on every input."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkplan.config import Lights, Periods
from gkplan.reports import Frame
from gkplan.ledger.dialect import POSTGRES, SQLITE
from gkplan.rules import expected_progress, light, light_sql, rollup, rollup_sql, task_mean

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 31))
statuses = st.sampled_from(["not_started", "in_progress", "done", "blocked", "deferred"])
CONN = sqlite3.connect(":memory:")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest):
    """(dialect, run(sql, params) → first row's first value): each rule's SQL runs on both engines."""
    if request.param == "sqlite":
        yield SQLITE, lambda sql, params=(): CONN.execute(sql, params).fetchone()[0]
        return
    import psycopg

    from gkplan.ledger.pg_connection import translate

    with psycopg.connect(request.getfixturevalue("pg"), autocommit=True) as conn:
        yield POSTGRES, lambda sql, params=(): conn.execute(translate(sql), params).fetchone()[0]


maybe_days = st.none() | days
checkpoint_lists = st.lists(st.tuples(days, st.integers(0, 100)), max_size=4, unique_by=lambda c: c[0]).map(sorted)
STATUSES = ["not_started", "in_progress", "done", "blocked", "deferred", "pending_review"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(due=days, as_of=days, start=days, own_start=maybe_days, progress=st.integers(0, 100),
       status=st.sampled_from(STATUSES), behind_by=st.integers(0, 100), soon_days=st.integers(0, 400),
       soon_progress=st.integers(0, 101), reported=maybe_days, closed=maybe_days, late=maybe_days,
       checkpoints=checkpoint_lists, every=st.sampled_from(["month", "quarter"]), report_day=st.integers(1, 31))  # fmt: skip
def test_the_light_rule_in_sql_agrees_with_python(engine, due, as_of, start, own_start, progress, status, behind_by, soon_days,
                                                  soon_progress, reported, closed, late, checkpoints, every, report_day):  # fmt: skip
    frame = Frame(as_of, start, Lights(behind_by, soon_days, soon_progress), Periods(every, report_day))
    iso = lambda d: d and d.isoformat()  # noqa: E731
    values = {"due": iso(due), "progress": progress, "status": status, "reported": iso(reported), "closed": iso(closed),
              "start": iso(own_start), "late": iso(late),
              "checkpoints": json.dumps([[d.isoformat(), v] for d, v in checkpoints]) if checkpoints else None}  # fmt: skip
    columns = {k: f":v_{k}" for k in values}  # (the item's own start is not the plan's :start)
    dialect, run = engine
    if dialect is POSTGRES:  # the server is told each value's type, as the ledger's columns tell it
        columns = {k: f"CAST(:v_{k} AS {'integer' if k == 'progress' else 'text'})" for k in values}
    in_sql = run(f"SELECT {light_sql(columns, dialect)}", frame.clock | {f"v_{k}": v for k, v in values.items()})
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
    if not tasks or status == "done":  # (销号 is the office's: a task's later report does not reopen the point)
        assert result is None and (task_mean(tasks) is None) == (not tasks)
        return
    weights = sum(w for w, _, _ in tasks)
    exact = sum(w * p for w, p, _ in tasks) / weights
    progress, state = result
    assert progress == task_mean(tasks) and progress - 0.5 <= exact < progress + 0.5
    assert (progress == 100) == (state == "pending_review")  # only the office accepts: a roll-up to 100 is a 办结 report
    if progress < 100 and status in ("blocked", "deferred"):
        assert state == status


def test_a_point_due_on_the_plans_first_day_is_expected_done():
    start = date(2022, 3, 31)
    assert light(start, 50, "in_progress", as_of=start - timedelta(days=1), start=start, behind_by=20,
                 due_soon_days=0, due_soon_progress=0) == "yellow"  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tasks=st.lists(st.tuples(st.integers(1, 1000), st.integers(0, 100)), max_size=12))
def test_the_rollup_in_sql_agrees_with_python(engine, tasks):
    dialect, run = engine
    rows = " UNION ALL ".join(f"SELECT {int(w)} AS weight, {int(p)} AS progress" for w, p in tasks) or \
        "SELECT 1 AS weight, 1 AS progress WHERE 1 = 0"
    in_sql = run(f"SELECT {rollup_sql(dialect)} FROM ({rows}) t")
    in_python = rollup(((w, p, "in_progress") for w, p in tasks), "in_progress")
    assert in_sql == (in_python[0] if in_python else None)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=days, b=days, progress=st.integers(0, 100), status=statuses, checkpoints=checkpoint_lists)
def test_each_spelling_of_the_dialects_gives_what_sqlite_gives(engine, a, b, progress, status, checkpoints):
    """ledger/dialect.py: the same value from both engines for each expression they spell differently."""
    dialect, run = engine
    x, y = (f"CAST('{d.isoformat()}' AS text)" for d in (a, b))
    assert run(f"SELECT {dialect.jd(x)}") == a.toordinal() + 1721424.5  # what Frame.clock's start_jd assumes
    assert run(f"SELECT {dialect.days(x, y)}") == (a - b).days
    assert run(f"SELECT {dialect.least('1.5', str(progress))}") == min(1.5, progress)
    assert run(f"SELECT {dialect.greatest(x, y)}") == max(a, b).isoformat()
    assert run(f"SELECT {dialect.int_div(str(progress * 7), '3')}") == progress * 7 // 3
    assert run(f"SELECT {dialect.contains(x, repr(str(b.year)))}") == (str(b.year) in a.isoformat())
    packed = (("CAST(" + str(progress) + " AS integer)", 3), (f"'{status}'", 14), (x, 10), ("'rest'", 0))
    assert run(f"SELECT {dialect.pack(packed)}") == f"{progress:03d}{status:<14}{a.isoformat()}rest"
    array = "'" + json.dumps([[d.isoformat(), v] for d, v in checkpoints]) + "'"
    pairs = run(f"SELECT {dialect.concat('p.d', order='p.d')} || '|' || {dialect.concat('p.v', order='p.d')}"
                f" FROM ({dialect.pairs(array)}) p") if checkpoints else None  # fmt: skip
    if checkpoints:
        assert pairs == ",".join(d.isoformat() for d, _ in checkpoints) + "|" + ",".join(str(v) for _, v in checkpoints)


LIGHTS_WITHOUT_REPORTS = ["done", "red", "yellow", "green", "deferred", "review"]  # what a reminder reads (plain lights)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.sampled_from(STATUSES), light=st.sampled_from(LIGHTS_WITHOUT_REPORTS), days_left=st.none() | st.integers(-400, 400),
       within=st.integers(0, 400), chase=st.booleans(), own_start=maybe_days, plan_start=days, reported=maybe_days,
       since=days, report_day=days)  # fmt: skip
def test_the_points_a_reminder_reads_in_sql_are_those_it_names(engine, status, light, days_left, within, chase, own_start,
                                                               plan_start, reported, since, report_day):  # fmt: skip
    """remind reads only the points notices.reasons_for names (ledger.items.named_sql): the two agree."""
    from gkplan.ledger.items import named_sql
    from gkplan.notices import reasons_for

    iso = lambda d: d and d.isoformat()  # noqa: E731
    values = {"status": status, "light": light, "days_left": days_left, "start": iso(own_start), "reported": iso(reported)}
    dialect, run = engine
    cast = (lambda k: f"CAST(:v_{k} AS {'integer' if k == 'days_left' else 'text'})") if dialect is POSTGRES else (lambda k: f":v_{k}")
    sql = named_sql({k: cast(k) for k in values}, chase, ":within", ":since", ":report_day")
    params = {f"v_{k}": v for k, v in values.items()} | {"within": within, "since": iso(since), "report_day": iso(report_day),
                                                          "start": iso(plan_start)}  # fmt: skip
    in_sql = bool(run(f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END", params))
    item = values | {"start": iso(own_start) or iso(plan_start)}
    assert in_sql == bool(reasons_for(item, within, chase, iso(since), iso(report_day)))
