"""Deadlines as offices write them: 年底前, 上半年, 三季度末, 9月底, 月底, 下周五, 国庆节前, 10个工作日.

Pure, like dates.py: `today` and the year a phrase without one resolves against are arguments (the year
may be a function, called only when a phrase needs it: finding the plan's year reads the ledger).
Workdays follow the official calendar with its 调休 (chinese-calendar), imported only for such a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Union

from gkplan.errors import InvalidValue

Year = Union[int, Callable[[], int]]

_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"两": 2}
_WEEKDAYS = {c: i for i, c in enumerate("一二三四五六日", start=1)} | {"天": 7, "末": 6} | {str(i): i for i in range(1, 8)}
# The holidays a 节前 / 节后 may name, as chinese-calendar names them
HOLIDAYS = {
    "国庆": "National Day", "十一": "National Day", "春节": "Spring Festival", "过年": "Spring Festival",
    "元旦": "New Year's Day", "清明": "Tomb-sweeping Day", "五一": "Labour Day", "劳动": "Labour Day",
    "端午": "Dragon Boat Festival", "中秋": "Mid-autumn Festival",
}  # fmt: skip

_NUM = r"(\d{1,3}|[〇一二两三四五六七八九十]{1,3})"
_YEAR = r"(?:(\d{4})年?|(今年|本年|明年|去年))?"
_BEFORE = r"(?:前|之前|以前|内|为止)?"
_YEAR_END = re.compile(_YEAR + r"(?:年底|年末|年内|全年|(?<=年)[底末])" + _BEFORE)
_YEAR_START = re.compile(_YEAR + r"(?:年初)")
_HALF = re.compile(_YEAR + r"([上下])半年(?:底|末)?" + _BEFORE)
_MID = re.compile(_YEAR + r"年中" + _BEFORE)
_QUARTER = re.compile(_YEAR + r"(?:第)?(?:([一二三四1-4])季度|q([1-4]))(?:末|底)?" + _BEFORE)
_MONTH_END = re.compile(_YEAR + _NUM + r"月(?:份)?(底|末|初)" + _BEFORE)
_MONTH_DAY = re.compile(_YEAR + _NUM + r"月" + _NUM + r"[日号]" + _BEFORE)
_THIS_MONTH = re.compile(r"(?:(本月|这个月|当月|下个?月|上个?月)月?|月)(底|末|初)" + _BEFORE)
_WEEKDAY = re.compile(r"(本|这|这个|下|下个|下下|下下个|上|上个)?(?:周|星期|礼拜)([一二三四五六日天末1-7])" + _BEFORE)
_HOLIDAY = re.compile(_YEAR + r"(" + "|".join(HOLIDAYS) + r")(?:节|假期|假|长假|小长假)?(前|之前|以前|后|之后|以后)")
_WORKDAYS = re.compile(r"([+-]?)" + _NUM + r"个?工作日(?:内|后|以内|之内)?")


def number(text: str) -> int:
    """'12', '十二', '三十五', '二〇' (digits read one by one) → int."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1 or "十" in ones:
            raise ValueError(text)
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return int("".join(str(_DIGITS[c]) for c in text))


def parse_phrase(s: str, today: date, year: Year, past: bool = False) -> date | None:
    """The day a phrase names, or None when `s` (NFKC-normalised, lower case, no spaces) is no phrase.
    A bare 周五 or 国庆节后 is the next one from today on, or with `past` (a date a record or a question looks
    back to: --date, --as-of, --since) the last one up to today.
    A bad number (13月底) raises ValueError; a year beyond the workday calendar raises InvalidValue."""
    if m := _WORKDAYS.fullmatch(s):
        return add_workdays(today, -number(m[2]) if m[1] == "-" else number(m[2]))
    if m := _WEEKDAY.fullmatch(s):
        return weekday(today, m[1] or "", _WEEKDAYS[m[2]], past)
    if m := _HOLIDAY.fullmatch(s):  # relative to today, whatever the plan's year
        return around_holiday(HOLIDAYS[m[3]], after=m[4].endswith("后"), today=today, year=_year(m, today, None), past=past)
    if m := _THIS_MONTH.fullmatch(s):
        first = today.replace(day=1)
        if (m[1] or "").startswith("下"):
            first = (first + timedelta(days=32)).replace(day=1)
        elif (m[1] or "").startswith("上"):
            first = (first - timedelta(days=1)).replace(day=1)
        return first if m[2].endswith("初") else month_end(first.year, first.month)
    if m := _YEAR_END.fullmatch(s):
        return date(_year(m, today, year), 12, 31)
    if m := _YEAR_START.fullmatch(s):
        return date(_year(m, today, year), 1, 1)
    if m := _HALF.fullmatch(s):
        return date(_year(m, today, year), 6, 30) if m[3] == "上" else date(_year(m, today, year), 12, 31)
    if m := _MID.fullmatch(s):
        return date(_year(m, today, year), 6, 30)
    if m := _QUARTER.fullmatch(s):
        q = _DIGITS.get(m[3]) or int(m[3] or m[4])
        return month_end(_year(m, today, year), 3 * q)
    if m := _MONTH_END.fullmatch(s):
        y, month = _year(m, today, year), number(m[3])
        return date(y, month, 1) if m[4] == "初" else month_end(y, month)
    if m := _MONTH_DAY.fullmatch(s):
        return date(_year(m, today, year), number(m[3]), number(m[4]))
    return None


def _year(m: re.Match, today: date, year: Year | None) -> int | None:
    """The year a phrase names (2022年底, 明年年底), else the one it resolves against."""
    if m[1]:
        return int(m[1])
    if m[2]:
        return today.year + {"明年": 1, "去年": -1}.get(m[2], 0)
    return year() if callable(year) else year


def month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError(month)
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)


def weekday(today: date, which: str, day: int, past: bool = False) -> date:
    """本周五 (this week's, Monday to Sunday), 下周五 (next week's), 上周五; a bare 周五: the next one from today on
    (with `past`, the last one up to today)."""
    monday = today - timedelta(days=today.weekday())
    if not which and past:
        return today - timedelta(days=(today.weekday() - day + 1) % 7)
    if not which:
        return today + timedelta(days=(day - 1 - today.weekday()) % 7)
    weeks = {"下": 1, "下个": 1, "下下": 2, "下下个": 2, "上": -1, "上个": -1}.get(which, 0)
    return monday + timedelta(days=7 * weeks + day - 1)


def calendar():  # noqa: ANN201 - the chinese_calendar module
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        from gkplan.errors import Unavailable

        raise Unavailable("计算工作日需要 chinese-calendar：pip install chinese-calendar") from None
    return chinese_calendar


def known_years() -> tuple[int, int]:
    """The years the official calendar (holidays and 调休) is known for."""
    days = calendar().holidays
    return min(days).year, max(days).year


def is_workday(day: date) -> bool:
    try:
        return calendar().is_workday(day)
    except NotImplementedError:
        first, last = known_years()
        raise InvalidValue(
            f"工作日日历只收录了 {first}—{last} 年的节假日和调休安排，{day.year} 年不在其中；"
            "请升级 chinese-calendar（pip install -U chinese-calendar），或写出具体日期"
        ) from None


def add_workdays(start: date, n: int) -> date:
    """The n-th workday after `start` (before it, for a negative n), counting 调休 makeup days as workdays."""
    if abs(n) > 2000:
        raise InvalidValue(f"工作日数过大：{n}；最多 2000 个工作日")
    day, step, left = start, 1 if n >= 0 else -1, abs(n)
    while left:
        day += timedelta(days=step)
        left -= is_workday(day)
    return day


def workdays_span(start: date, n: int) -> int:
    """How many calendar days from `start` to its n-th workday after: `remind --within 10工作日`."""
    return (add_workdays(start, n) - start).days


def around_holiday(name: str, after: bool, today: date, year: int | None = None, past: bool = False) -> date:
    """The last workday before the holiday `name` (its official days off, 调休 included), or the first workday
    after it: of the holiday of `year` (the one whose days off end in it: 2023年元旦 is 2022-12-31…2023-01-02),
    else the first such day from today on (元旦前 in November is the coming one, like 周五), or with `past` the
    last such day up to today (国庆节后 written in November for --since is this October's)."""
    if year is not None:
        is_workday(date(year, 1, 1))  # a year beyond the calendar fails here with the years it knows
        runs = [r for r in _holiday_runs(name) if r[-1].year == year]
        if not runs:
            raise InvalidValue(f"{year} 年的日历中没有这个节日的放假安排")
        return _beside(runs[0], after)
    is_workday(today)  # today beyond the calendar: the same error
    if past:
        for run in reversed(_holiday_runs(name)):
            if (day := _beside(run, after)) <= today:
                return day
        raise InvalidValue(f"工作日日历最早只收录到 {known_years()[0]} 年，其中没有 {today.isoformat()} 以前的这个节日；请写出具体日期")
    for run in _holiday_runs(name):  # (the first test only skips runs whose day beside is surely past)
        if (run[-1] + timedelta(days=14) if after else run[0]) >= today and (day := _beside(run, after)) >= today:
            return day
    first, last = known_years()
    raise InvalidValue(f"工作日日历只收录了 {first}—{last} 年的节假日和调休安排，{today.year} 年之后的这个节日不在其中；"
                       "请升级 chinese-calendar（pip install -U chinese-calendar），或写出具体日期")  # fmt: skip


def _beside(run: list[date], after: bool) -> date:
    step = timedelta(days=1 if after else -1)
    day = (run[-1] if after else run[0]) + step
    while not is_workday(day):
        day += step
    return day


def _holiday_runs(name: str) -> list[list[date]]:
    """The holiday's days off in the calendar, one list each time it comes round (days a week or less apart)."""
    runs: list[list[date]] = []
    for day in sorted(d for d, what in calendar().holidays.items() if what == name):
        if runs and (day - runs[-1][-1]).days <= 7:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs
