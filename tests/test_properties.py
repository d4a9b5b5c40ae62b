"""Free-form input, generated: dates in every accepted form, progress values, and arbitrary text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dump
from gkplan.dates import parse_date
from gkplan.errors import GkplanError, InvalidValue
from gkplan.values import parse_progress

TODAY = date(2022, 6, 30)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))


@given(dates, st.sampled_from(["{y}-{m:02}-{d:02}", "{y}-{m}-{d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日", "{y}{m:02}{d:02}", " {y}/{m:02}/{d:02} "]))
def test_every_written_form_of_a_date_parses_back(day, form):
    assert parse_date(form.format(y=day.year, m=day.month, d=day.day), TODAY) == day


@given(st.integers(min_value=-3000, max_value=3000), st.sampled_from(["d", "天", "w", "周"]))
def test_relative_days_and_weeks(n, unit):
    step = 7 if unit in ("w", "周") else 1
    assert parse_date(f"{n:+d}{unit}", TODAY) == TODAY + timedelta(days=n * step)


@given(st.integers(min_value=1, max_value=31), st.sampled_from(["{}月", "{}日", "{}号", "{}月份", "{}年"]))
def test_a_month_day_or_year_on_its_own_is_no_count_from_today(n, form):
    """A review found `--due 12月` giving today + 12 months and `--due 30日` today + 30 days (and 2022年 "out of
    range", read as +2022 years): what names a month or a day is refused, with what to write instead."""
    with pytest.raises(InvalidValue, match="只写了|无法识别"):
        parse_date(form.format(n), TODAY)
    if form[2:] in ("月", "日", "年"):
        assert parse_date(f"+{n}{form[2:]}", TODAY) > TODAY  # with its sign it is a count


@given(dates, st.sampled_from(["{y}", "{y}-{m}", "{y}/{m}", "{y}{m:02}", "{mon} {y}", "{yy:02}{m:02}{d:02}"]))
def test_a_date_with_a_part_missing_is_refused_not_completed(day, form):
    """dateutil filled what a text left out: 220630 became 2030-06-22, 2206 the year 2206, 2022-6 June 1st."""
    text = form.format(y=day.year, m=day.month, d=day.day, yy=day.year % 100, mon=day.strftime("%B"))
    with pytest.raises(InvalidValue):
        parse_date(text, TODAY)


@given(dates)
def test_a_whole_date_in_words_is_read(day):
    assert parse_date(day.strftime("%B %d, %Y"), TODAY) == day == parse_date(day.strftime("%d %B %Y"), TODAY)


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_readable_error(text):
    try:
        assert isinstance(parse_date(text, TODAY), date)
    except InvalidValue as exc:
        assert "日期" in str(exc)


@given(st.integers(min_value=0, max_value=100), st.sampled_from(["{}", "{}%", " {} ", "{} %"]))
def test_progress_in_range_parses(n, form):
    assert parse_progress(form.format(n)) == n


@given(st.one_of(st.integers().filter(lambda n: not 0 <= n <= 100).map(str), st.text(max_size=12)))
def test_progress_outside_range_or_not_a_number_is_refused(text):
    try:
        value = parse_progress(text)
    except InvalidValue:
        return
    assert 0 <= value <= 100 and text.strip().removesuffix("%").strip().isdigit() or "%" in text


options = st.sampled_from(["--progress", "--status", "--due", "--note", "--by"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(options, st.text(max_size=20).filter(lambda s: not s.startswith("-"))), min_size=1, max_size=3))
def test_generated_updates_never_crash_and_failures_change_nothing(run, ledger, pairs):
    before = dump(ledger)
    args = [x for pair in pairs for x in pair]
    result = run("update", "18", *args, code=None)
    assert result.exit_code in (0, 2, 3, 6), (args, result.stderr)
    if result.exit_code != 0:
        assert result.stderr.startswith("错误：")
        assert dump(ledger) == before


@pytest.mark.parametrize("fn", [parse_date])
def test_errors_are_the_one_error_family(fn):
    with pytest.raises(GkplanError):
        fn("2022-13-45", TODAY)


COMMANDS = [
    ["list"], ["show"], ["update"], ["report"], ["log"], ["depts"], ["leaders"], ["task", "add"], ["task", "update"],
    ["task", "list"], ["task", "rm"], ["target", "list"], ["target", "set"], ["remind"], ["stale"], ["undo"], ["check"],
]  # fmt: skip
OPTIONS = [
    "--dept", "--leader", "--section", "--status", "--light", "--overdue", "--due-before", "--search", "--as-of",
    "--format", "--progress", "--note", "--due", "--by", "--by", "--limit", "--since", "--point", "--owner",
    "--weight", "--actual", "--within", "--days", "--overview",
]  # fmt: skip
values = st.one_of(
    st.text(max_size=12), st.integers(-10**12, 10**12).map(str), st.sampled_from(["17", "17.1", "18", "教务部", "李松", "2022-06-30", "+3d", "json", "csv", "red", "已完成", "-", "--", "%", "'"]),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(COMMANDS), st.lists(st.one_of(st.sampled_from(OPTIONS), values), max_size=6))
def test_generated_invocations_of_every_command_never_show_a_traceback(run, ledger, command, args):
    result = run(*command, *args, code=None)  # `run` re-raises any exception that is not a clean exit
    assert result.exit_code in (0, 1, 2, 3, 4, 5, 6, 7), (command, args, result.exit_code)
    if result.exit_code not in (0, 2):
        assert result.stderr.startswith("错误："), (command, args, result.stderr)
