"""Issue 10: dates as offices write them (年底前, 三季度末, 下周五, 国庆节前, 10个工作日) against the official 2022
calendar, and names as people type them (jwb, jiaowubu, lisong, 党办, 教务处).

2022's calendar: National Day off 10-01…10-07, with makeup workdays on Saturday 10-08 and Sunday 10-09;
Spring Festival off 01-31…02-06 with makeup workdays 01-29 and 01-30; 04-02, 04-24 and 05-07 also worked."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkplan.dates import parse_date, parse_period, parse_window, phrase_year, window_days
from gkplan.dates_zh import known_years
from gkplan.errors import InvalidValue

WED = date(2022, 9, 28)  # the Wednesday before National Day

PHRASES = {
    "年底前": "2022-12-31", "年底": "2022-12-31", "今年底": "2022-12-31", "年末": "2022-12-31", "2023年底前": "2023-12-31",
    "明年年底": "2023-12-31", "上半年": "2022-06-30", "下半年": "2022-12-31", "年中": "2022-06-30",
    "一季度末": "2022-03-31", "二季度末": "2022-06-30", "三季度末": "2022-09-30", "四季度末": "2022-12-31",
    "1季度末": "2022-03-31", "第三季度末": "2022-09-30", "Q3末": "2022-09-30", "三季度末前": "2022-09-30",
    "9月底": "2022-09-30", "九月底": "2022-09-30", "9月末": "2022-09-30", "9 月底前": "2022-09-30",
    "十二月底": "2022-12-31", "２月底": "2022-02-28", "6月30日": "2022-06-30", "9月初": "2022-09-01",
    "月底": "2022-09-30", "本月底": "2022-09-30", "下月底": "2022-10-31", "下个月底": "2022-10-31", "月初": "2022-09-01",
    "下周五": "2022-10-07", "本周五": "2022-09-30", "这周五": "2022-09-30", "周五": "2022-09-30",
    "星期五": "2022-09-30", "周一": "2022-10-03", "下周一": "2022-10-03", "周三": "2022-09-28", "上周五": "2022-09-23",
    "下下周一": "2022-10-10", "礼拜天": "2022-10-02",
    "国庆节前": "2022-09-30", "国庆前": "2022-09-30", "十一前": "2022-09-30", "国庆节后": "2022-10-08",
    # a holiday without a year: the coming one, from today on (like 周五); with one: that year's
    "春节前": "2023-01-20", "春节后": "2023-01-28", "五一前": "2023-04-28", "劳动节后": "2023-05-04",
    "2022年春节前": "2022-01-30", "2022年春节后": "2022-02-07", "今年五一前": "2022-04-29", "今年劳动节后": "2022-05-05",
    "元旦前": "2022-12-30", "元旦后": "2023-01-03", "2023年元旦前": "2022-12-30", "2022年元旦后": "2022-01-04",
    # counted from Wednesday 09-28: 09-29, 09-30, 10-08 (Sat), 10-09 (Sun), 10-10 … 10-14, 10-17
    "10个工作日": "2022-10-17", "+10工作日": "2022-10-17", "十个工作日": "2022-10-17", "3个工作日": "2022-10-08",
    "4个工作日内": "2022-10-09", "-3工作日": "2022-09-23",
}  # fmt: skip


@pytest.mark.parametrize("phrase,expected", PHRASES.items())
def test_every_phrase_against_the_2022_calendar(phrase, expected):
    assert parse_date(phrase, WED, 2022).isoformat() == expected


def test_a_holiday_without_a_year_is_the_coming_one_and_a_holidays_days_may_span_new_year():
    """A review found 元旦前 in November 2022 giving 2021-12-31 (before the plan began, the point at once red)
    and 元旦后 the coming one: 2023's New Year holiday begins on 2022-12-31, a day of 2022."""
    assert parse_date("元旦前", date(2022, 11, 15)) == date(2022, 12, 30)
    assert parse_date("元旦后", date(2022, 11, 15)) == date(2023, 1, 3)
    assert parse_date("国庆节前", date(2022, 9, 30)) == date(2022, 9, 30)  # today itself
    assert parse_date("国庆节前", date(2022, 10, 3)) == date(2023, 9, 28)  # during the holiday: the next one
    assert parse_date("国庆节后", date(2022, 10, 3)) == date(2022, 10, 8)
    assert parse_date("国庆节后", date(2022, 10, 8)) == date(2022, 10, 8)  # today, the day after: not next year's
    last = known_years()[1]  # (whichever chinese-calendar is installed)
    with pytest.raises(InvalidValue, match=f"{last} 年之后的这个节日不在其中"):
        parse_date("国庆节前", date(last, 12, 31))


def test_a_bare_weekday_or_holiday_looks_back_for_a_day_gone_by():
    """`--date 周五` on a Wednesday was refused as a future day, and `log --since 国庆节后` in November asked
    about next October and printed 没有记录: for a day looked back to, the last one up to today."""
    wed = date(2022, 11, 23)
    assert parse_date("周五", wed, past=True) == date(2022, 11, 18)
    assert parse_date("周三", wed, past=True) == wed  # today itself
    assert parse_date("周四", wed, past=True) == date(2022, 11, 17)
    assert parse_date("周日", wed, past=True) == date(2022, 11, 20)
    assert parse_date("国庆节后", wed, past=True) == date(2022, 10, 8)
    assert parse_date("国庆节前", wed, past=True) == date(2022, 9, 30)
    assert parse_date("元旦后", wed, past=True) == date(2022, 1, 4)
    assert parse_date("国庆节后", date(2022, 10, 7), past=True) == date(2021, 10, 8)  # during the holiday: the last
    # what names its week, its year or a count says so whichever way the option looks
    for phrase in ("本周五", "上周五", "下周一", "2022年国庆节后", "3个工作日", "-3工作日", "月底", "9月底", "年底前"):
        assert parse_date(phrase, wed, 2022, past=True) == parse_date(phrase, wed, 2022), phrase
    first = known_years()[0]
    with pytest.raises(InvalidValue, match=f"最早只收录到 {first} 年"):
        parse_date("国庆节前", date(first, 2, 1), past=True)


@given(st.dates(date(2005, 1, 1), date(2025, 12, 31)), st.sampled_from(["周一", "周五", "周日", "国庆节前", "春节后", "元旦前"]))
def test_looking_back_gives_the_latest_such_day_up_to_today(today, phrase):
    back, ahead = parse_date(phrase, today, past=True), parse_date(phrase, today)
    assert back <= today <= ahead
    assert back == today or back < today < ahead  # nothing of its kind lies between
    assert parse_date(phrase, back, past=True) == back and parse_date(phrase, ahead) == ahead


def test_makeup_workdays_of_2022_count_and_the_holidays_do_not():
    makeup = ["2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09"]
    for day in makeup:  # the workday before a makeup day, plus one workday, is that day
        d = date.fromisoformat(day)
        assert parse_date("1个工作日", date.fromordinal(d.toordinal() - 1), 2022) == d
    assert parse_date("1个工作日", date(2022, 9, 30), 2022) == date(2022, 10, 8)  # 10-01 … 10-07 off
    assert parse_date("1个工作日", date(2022, 1, 28), 2022) == date(2022, 1, 29)


def test_phrases_without_a_year_take_the_given_year_and_today_relative_ones_do_not():
    assert parse_date("年底前", WED, 2023) == date(2023, 12, 31)
    assert parse_date("三季度末", WED, lambda: 2021) == date(2021, 9, 30)
    assert parse_date("国庆节前", WED, 2023) == date(2022, 9, 30)  # relative to today
    assert parse_date("下周五", WED, 2023) == date(2022, 10, 7)
    assert parse_date("2022-06-30", WED, lambda: 1 / 0) == date(2022, 6, 30)  # asked only for a phrase
    plan = {"year": 2022, "start": "2022-03-31", "end": "2022-12-31"}
    assert phrase_year(plan, date(2022, 6, 30)) == 2022
    assert phrase_year(plan, date(2024, 3, 1)) == 2024
    assert phrase_year({**plan, "start": "2021-12-01"}, date(2021, 12, 15)) == 2022  # the plan is current
    assert phrase_year(None, date(2025, 1, 1)) == 2025


def test_a_year_beyond_the_calendar_is_a_clear_error():
    for text in ("2030年国庆节前", "1999年春节后"):
        with pytest.raises(InvalidValue, match=r"工作日日历只收录了 2004—20\d\d 年.*年不在其中"):
            parse_date(text, WED)
    with pytest.raises(InvalidValue, match="2040 年不在其中"):
        parse_date("10个工作日", date(2040, 1, 1))


def test_periods_as_phrases():
    assert parse_period("上半年", "month", 2022) == (date(2022, 1, 1), date(2022, 6, 30))
    assert parse_period("2022年下半年", "month") == (date(2022, 7, 1), date(2022, 12, 31))
    assert parse_period("2022-H1", "month") == (date(2022, 1, 1), date(2022, 6, 30))
    assert parse_period("三季度", "month", 2022) == parse_period("2022-Q3", "month") == (date(2022, 7, 1), date(2022, 9, 30))
    assert parse_period("9月", "month", 2022) == parse_period("九月份", "month", 2022) == (date(2022, 9, 1), date(2022, 9, 30))
    with pytest.raises(InvalidValue, match="没有写年份"):
        parse_period("上半年", "month")
    with pytest.raises(InvalidValue):
        parse_period("13月", "month", 2022)


def test_windows_in_days_or_workdays():
    assert parse_window("14d") == (14, False) and parse_window("10工作日") == (10, True)
    assert window_days(parse_window("10工作日"), WED) == 19  # 10-17
    assert window_days(parse_window("2w"), WED) == 14
    with pytest.raises(InvalidValue):
        parse_window("十十工作日")


@given(st.text(max_size=24))
def test_any_text_is_a_date_or_an_invalid_value(text):
    try:
        assert isinstance(parse_date(text, WED, 2022), date)
    except InvalidValue:
        pass


@given(st.text(alphabet="0123456789一二三十年月底末初前后上下半季度第周星期本这个工作日国庆春节Qq+- ", max_size=12))
def test_phrase_like_text_is_a_date_or_an_invalid_value(text):
    try:
        assert isinstance(parse_date(text, WED, 2022), date)
    except InvalidValue:
        pass


# -- through the CLI -------------------------------------------------------------------------------


def due_after(run, phrase: str) -> str:  # noqa: ANN001
    run("update", "5", "--due", "2022-04-01")  # (a point without tasks) earlier (after the plan began), so that the phrase postpones it
    changes = run.json("update", "5", "--due", phrase, "--reason", "调整")["changes"]
    return changes["due"][1]


@pytest.mark.parametrize("phrase", ["年底前", "上半年", "下半年", "三季度末", "九月底", "月底", "下周五", "国庆节前", "+10工作日"])
def test_update_due_takes_a_phrase(run, monkeypatch, phrase):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-28")
    assert due_after(run, phrase) == PHRASES[phrase]


def test_phrases_resolve_against_todays_year_once_the_plan_is_over(run, monkeypatch):
    run("depts")
    monkeypatch.setenv("GKPLAN_TODAY", "2024-03-01")
    assert due_after(run, "年底前") == "2024-12-31"
    assert due_after(run, "三季度末") == "2024-09-30"


def test_a_year_beyond_the_calendar_exits_2_and_changes_nothing(run, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2040-06-01")
    r = run("update", "17", "--due", "10个工作日", code=2)
    assert "工作日日历只收录了" in r.stderr and "2040 年不在其中" in r.stderr
    r = run("list", "--as-of", "2040年国庆节前", code=2)


def test_other_date_options_take_phrases(run, ledger, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-28")
    assert run.json("update", "18", "--progress", "40", "--date", "上周五")["effective"] == "2022-09-23"
    assert [e["effective"] for e in run.json("log", "--since", "9月初")] == ["2022-09-23"]
    assert run.json("report", "--overview", "--as-of", "上半年")["as_of"] == "2022-06-30"
    assert run.json("missing", "--period", "上半年")["period"] == "2022-H1"


def test_options_that_look_back_take_the_last_weekday_and_holiday(run, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-10-20")
    run("update", "17", "--progress", "10", "--date", "2022-10-08")
    monkeypatch.setenv("GKPLAN_TODAY", "2022-11-23")  # a Wednesday
    assert run.json("update", "18", "--progress", "40", "--date", "周五")["effective"] == "2022-11-18"
    assert sorted(e["effective"] for e in run.json("log", "--since", "国庆节后")) == ["2022-10-08", "2022-11-18"]
    assert run.json("report", "--overview", "--as-of", "国庆节前")["as_of"] == "2022-09-30"
    assert [c["id"] for c in run.json("diff", "国庆节前", "周五")] == ["17", "18"]
    # a deadline still looks ahead
    run("update", "19", "--due", "2022-04-01")
    assert run.json("update", "19", "--due", "周五", "--reason", "调整")["changes"]["due"][1] == "2022-11-25"


def test_remind_within_workdays(run, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-20")  # a Tuesday; workdays on: 09-21 … 09-30 are 8, then 10-08, 10-09
    run("update", "18", "--due", "2022-10-09")  # 19 days on: the 10th workday
    soon = lambda *a: {i["id"] for n in run.json("remind", *a) for i in n["items"] if "due_soon" in i["reasons"]}  # noqa: E731
    assert "18" in soon("--within", "10工作日") and "18" in soon("--within", "10个工作日")
    assert "18" not in soon("--within", "9工作日")  # up to 10-08
    assert "18" not in soon("--within", "14d")
    run("remind", "--within", "十十工作日", code=2)
    # the notice says the window as it was asked: workdays, and the day they run to (not 19 calendar days)
    notice = run("remind", "--within", "10工作日").stdout
    assert "将在 10 个工作日（至 2022-10-09）内到期" in notice and "将在 19 天内" not in notice
    assert "将在 14 天内到期" in run("remind", "--within", "14d").stdout


# -- names -----------------------------------------------------------------------------------------


def test_departments_and_leaders_by_pinyin_and_abbreviation(run, ledger):
    teaching = run.ids("--dept", "教务部")
    assert run.ids("--dept", "jwb") == run.ids("--dept", "jiaowubu") == run.ids("--dept", "JWB") == teaching
    assert run.ids("--dept", "jiao wu bu") == run.ids("--dept", "jiaowu") == run.ids("--dept", "教务处") == teaching
    assert run.ids("--dept", "党办") == run.ids("--dept", "党委办公室")
    assert run.ids("--dept", "校办") == run.ids("--dept", "校长办公室")
    assert run.ids("--dept", "马院") == run.ids("--dept", "马克思主义学院")
    assert run.ids("--leader", "lisong") == run.ids("--leader", "ls") == run.ids("--leader", "李松")


def test_a_name_that_means_several_lists_them_and_an_unknown_one_exits_3(run, ledger):
    r = run("list", "--leader", "liu", code=3)
    assert "可指多个校领导" in r.stderr and "刘臣" in r.stderr and "刘向虹" in r.stderr
    r = run("list", "--dept", "qwerty", code=3)
    assert "没有名为“qwerty”的部门" in r.stderr
