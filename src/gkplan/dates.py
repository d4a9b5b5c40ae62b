"""Dates as the users write them. Pure: every function takes `today` instead of reading the clock."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Union

from gkplan.errors import InvalidValue

FORMATS_HINT = "2022-06-30、2022/6/30、2022年6月30日、+14d、+2w、+1m、today，或 年底前、上半年、三季度末、9月底、月底、下周五、国庆节前、10个工作日"
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # a work plan's dates; beyond, date arithmetic overflows

# patterns, not compiled: re compiles (and caches) each when a date is first parsed, never at start-up
_YMD = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_COMPACT = r"(\d{4})(\d{2})(\d{2})"
_RELATIVE = r"([+-]?)\s*(\d{1,6})\s*(d|day|days|天|日|w|wk|week|weeks|周|星期|m|mo|month|months|个月|月|y|yr|year|years|年)"
_WORDS = {"today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1}


def phrase_year(plan: dict[str, Any] | None, today: date) -> int:
    """The year 年底前, 上半年, 9月底 … resolve against: the plan's while today falls within it, else today's."""
    if plan and plan["start"] <= today.isoformat() <= (plan.get("end") or f"{plan['year']}-12-31"):
        return int(plan["year"])
    return today.year


def parse_date(text: str, today: date, year: Union[int, Callable[[], int], None] = None, past: bool = False) -> date:
    """A date as written (see _parse). `year` is the one a phrase without a year resolves against (default
    today's), or a function giving it, called only when a phrase needs it (see phrase_year). With `past`, a
    bare 周五 or 国庆节后 looks back from today instead of ahead (the options that name a day gone by)."""
    day = _parse(text, today, today.year if year is None else year, past)
    if not EARLIEST <= day <= LATEST:
        raise InvalidValue(f"日期超出范围：{text!r}；应在 {EARLIEST.year}—{LATEST.year} 年之间")
    return day


def _parse(text: str, today: date, year: Union[int, Callable[[], int]], past: bool = False) -> date:
    """Parse ISO, 2022/6/30, 2022.6.30, 20220630, 2022年6月30日, relative (+14d, -1w, +2m, +1y), today/明天,
    and the phrases of dates_zh (年底前, 三季度末, 9月底, 下周五, 国庆节前, 10个工作日).

    Anything else that names a four-digit year is handed to python-dateutil (e.g. "June 30, 2022").
    """
    raw = text
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if not s:
        raise InvalidValue("日期不能为空；可用格式：" + FORMATS_HINT)
    try:
        if s in _WORDS:
            return today + timedelta(days=_WORDS[s])
        if len(s) == 10 and s[4] == s[7] == "-" and s[:4].isdigit() and s[5:7].isdigit() and s[8:].isdigit():
            return date(int(s[:4]), int(s[5:7]), int(s[8:]))  # ISO, the usual case: _YMD without compiling it (~1 ms)
        if m := re.fullmatch(_YMD, s) or re.fullmatch(_COMPACT, s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        # 12月, 30日, 2022年 name a month, a day, a year: a count of them needs its sign (+1月) or 个月 / 天
        if (m := re.fullmatch(_RELATIVE, s)) and (m[1] or m[3] not in ("月", "日", "年")):
            return _shift(today, -int(m[2]) if m[1] == "-" else int(m[2]), m[3])
        if not s.isascii() or "q" in s:
            from gkplan.dates_zh import parse_phrase

            if (day := parse_phrase(re.sub(r"\s+", "", s), today, year, past)) is not None:
                return day
        if re.search(r"(?<!\d)\d{4}(?!\d)", s):  # a year of its own: not 220630
            return _dateutil_parse(s)
    except (ValueError, OverflowError):
        pass
    if re.fullmatch(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月份?|\d{1,2}[日号]", s):
        if s[-1] in "日号":
            raise InvalidValue(f"日期 {raw!r} 只写了日：请连同月份写，如 6月30日 或 2022-06-30")
        raise InvalidValue(f"日期 {raw!r} 只写了月份：请写成 12月底、12月初 或 12月31日")
    raise InvalidValue(f"无法识别的日期：{raw!r}；可用格式：{FORMATS_HINT}")


def parse_window(text: str) -> tuple[int, bool]:
    """'14d', '2w', '30' (days), '1m' (30 days), '10工作日' / '10个工作日' → (count, whether workdays);
    for windows such as --within. window_days turns it into days from a given start."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())
    if s.isdigit() and len(s) <= 6:
        return int(s), False
    m = re.fullmatch(_RELATIVE, s)
    if m and m[1] != "-":
        n, unit = int(m[2]), m[3]
        return n * {"w": 7, "m": 30, "y": 365}.get(_unit(unit), 1), False
    if m := re.fullmatch(r"\+?(\d{1,4}|[一二两三四五六七八九十]{1,3})个?工作日(?:内|以内|之内)?", s):
        from gkplan.dates_zh import number

        try:
            return number(m[1]), True
        except ValueError:
            pass
    raise InvalidValue(f"无法识别的天数：{text!r}；例如 14d、2w、30、10工作日")


def window_days(window: tuple[int, bool], start: date) -> int:
    """The calendar days a window spans from `start`: n days, or up to the n-th workday after `start`."""
    n, workdays = window
    if not workdays:
        return n
    from gkplan.dates_zh import workdays_span

    return workdays_span(start, n)


def window_words(window: tuple[int, bool], start: date) -> str:
    """A window as a notice says it: 14 天, or 10 个工作日（至 2022-07-15）, the workdays counted as offices count them."""
    n, workdays = window
    if not workdays:
        return f"{n} 天"
    return f"{n} 个工作日（至 {(start + timedelta(days=window_days(window, start))).isoformat()}）"


def _unit(u: str) -> str:
    if u in ("d", "day", "days", "天", "日"):
        return "d"
    if u in ("w", "wk", "week", "weeks", "周", "星期"):
        return "w"
    if u in ("m", "mo", "month", "months", "个月", "月"):
        return "m"
    return "y"


def _shift(today: date, n: int, unit: str) -> date:
    u = _unit(unit)
    if u in ("d", "w"):
        return today + timedelta(days=n * (7 if u == "w" else 1))
    from dateutil.relativedelta import relativedelta  # months/years need calendar arithmetic

    return today + (relativedelta(months=n) if u == "m" else relativedelta(years=n))


def _dateutil_parse(s: str) -> date:
    """A whole date in another form ("June 30, 2022"): year, month and day all written. What dateutil would
    fill in from its default ("June 2022" → 1 June, "2022-6" → 1 June, "2206" → 1 January) is no date."""
    from datetime import datetime

    from dateutil import parser  # ~40 ms to import: only for the uncommon formats

    try:  # read against two defaults that differ in every part: a part taken from the default shows
        one, two = (parser.parse(s, default=datetime(y, m, d)).date() for y, m, d in ((2000, 1, 1), (2001, 2, 2)))
    except (parser.ParserError, TypeError) as exc:
        raise ValueError(str(exc)) from exc
    if one != two:
        raise ValueError(s)
    return one


def period_of(day: date, every: str) -> tuple[date, date]:
    """The reporting period (a month, a quarter or a half-year) that `day` falls in: its first and last day."""
    months = {"month": 1, "quarter": 3, "half": 6}[every]
    first_month = day.month - (day.month - 1) % months
    last_month = first_month + months - 1
    start = date(day.year, first_month, 1)
    end = (date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)) - timedelta(days=1)
    return start, end


def report_day(period_end: date, day_of_month: int) -> date:
    """The day a period's reports are due: that day of its last month (its last day in a shorter month)."""
    return period_end.replace(day=min(day_of_month, period_end.day))


_PERIOD_YEAR = r"(?:(\d{4})(?:年|[-/.])?)?"
_QUARTER = _PERIOD_YEAR + r"(?:Q([1-4])|([一二三四1-4])季度[末底]?)"
_HALF = _PERIOD_YEAR + r"(?:H([12])|([上下])半年)"
_MONTH = r"(\d{4})[-/.]?(\d{1,2})|" + _PERIOD_YEAR + r"(\d{1,2}|[一二三四五六七八九十]{1,3})月份?"


def parse_period(text: str, every: str, year: Union[int, Callable[[], int], None] = None) -> tuple[date, date]:
    """'2022-06', '2022年6月', '2022-Q2', '2022年第二季度', '2022-H1', '2022年上半年' → the period's first and
    last day; without a year (6月, 三季度, 上半年) in `year` (or what a function `year` gives)."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper().replace("第", "")

    def in_year(written: str | None) -> int:
        if written:
            return int(written)
        if year is None:
            raise InvalidValue(f"填报期 {text!r} 没有写年份；请写成 2022-06、2022-Q2 或 2022年上半年")
        return year() if callable(year) else year

    if m := re.fullmatch(_QUARTER, s):
        q = {"一": 1, "二": 2, "三": 3, "四": 4}.get(m[3]) or int(m[2] or m[3])
        found = in_year(m[1]), 3 * q, "quarter"
    elif m := re.fullmatch(_HALF, s):
        found = in_year(m[1]), 6 if (m[2] == "1" or m[3] == "上") else 12, "half"
    elif m := re.fullmatch(_MONTH, s):
        from gkplan.dates_zh import number

        try:
            found = in_year(m[1] or m[3]), number(m[2] or m[4]), every
        except ValueError:
            found = 0, 0, every
    else:
        found = 0, 0, every
    y, month, kind = found
    if 1 <= month <= 12 and EARLIEST.year <= y <= LATEST.year:
        return period_of(date(y, month, 1), kind)
    raise InvalidValue(f"无法识别的填报期：{text!r}；可用格式：2022-06、2022年6月、2022-Q2、2022年上半年，或 6月、三季度、上半年")


def period_key(period: tuple[date, date]) -> str:
    """A period as users write it: '2022-06' for a month, '2022-Q2' for a quarter, '2022-H1' for a half-year."""
    start, end = period
    if start.month == end.month:
        return f"{start.year}-{start.month:02d}"
    if end.month - start.month == 5:
        return f"{start.year}-H{start.month // 6 + 1}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def previous_period(period: tuple[date, date]) -> tuple[date, date]:
    """The period of the same kind (month, quarter or half-year) just before `period`."""
    start, end = period
    kind = {0: "month", 2: "quarter", 5: "half"}[end.month - start.month]
    return period_of(start - timedelta(days=1), kind)
