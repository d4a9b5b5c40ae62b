"""Dates as the users write them. Pure: every function takes `today` instead of reading the clock."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from gkplan.errors import InvalidValue

FORMATS_HINT = "2022-06-30、2022/6/30、2022年6月30日、+14d、+2w、+1m、today"
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # a work plan's dates; beyond, date arithmetic overflows

_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_RELATIVE = re.compile(r"([+-]?)\s*(\d{1,6})\s*(d|day|days|天|日|w|wk|week|weeks|周|星期|m|mo|month|months|个月|月|y|yr|year|years|年)")
_WORDS = {"today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1}


def parse_date(text: str, today: date) -> date:
    day = _parse(text, today)
    if not EARLIEST <= day <= LATEST:
        raise InvalidValue(f"日期超出范围：{text!r}；应在 {EARLIEST.year}—{LATEST.year} 年之间")
    return day


def _parse(text: str, today: date) -> date:
    """Parse ISO, 2022/6/30, 2022.6.30, 20220630, 2022年6月30日, relative (+14d, -1w, +2m, +1y) and today/明天.

    Anything else that names a four-digit year is handed to python-dateutil (e.g. "June 30, 2022").
    """
    raw = text
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if not s:
        raise InvalidValue("日期不能为空；可用格式：" + FORMATS_HINT)
    try:
        if s in _WORDS:
            return today + timedelta(days=_WORDS[s])
        if m := _YMD.fullmatch(s) or _COMPACT.fullmatch(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _RELATIVE.fullmatch(s):
            return _shift(today, -int(m[2]) if m[1] == "-" else int(m[2]), m[3])
        if re.search(r"\d{4}", s):
            return _dateutil_parse(s, today)
    except (ValueError, OverflowError):
        pass
    raise InvalidValue(f"无法识别的日期：{raw!r}；可用格式：{FORMATS_HINT}")


def parse_duration_days(text: str) -> int:
    """'14d', '2w', '30' (days), '1m' (30 days) → number of days; for windows such as --within."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if s.isdigit() and len(s) <= 6:
        return int(s)
    m = _RELATIVE.fullmatch(s)
    if m and m[1] != "-":
        n, unit = int(m[2]), m[3]
        return n * {"w": 7, "m": 30, "y": 365}.get(_unit(unit), 1)
    raise InvalidValue(f"无法识别的天数：{text!r}；例如 14d、2w、30")


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


def _dateutil_parse(s: str, today: date) -> date:
    from datetime import datetime

    from dateutil import parser  # ~40 ms to import: only for the uncommon formats

    try:  # the default fills what the text leaves out ("June 2022" → 1 June), never the clock
        return parser.parse(s, default=datetime(today.year, 1, 1)).date()
    except (parser.ParserError, TypeError) as exc:
        raise ValueError(str(exc)) from exc


def period_of(day: date, every: str) -> tuple[date, date]:
    """The reporting period (a month or a quarter) that `day` falls in: its first and last day."""
    first_month = day.month if every == "month" else day.month - (day.month - 1) % 3
    last_month = first_month if every == "month" else first_month + 2
    start = date(day.year, first_month, 1)
    end = (date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)) - timedelta(days=1)
    return start, end


def report_day(period_end: date, day_of_month: int) -> date:
    """The day a period's reports are due: that day of its last month (its last day in a shorter month)."""
    return period_end.replace(day=min(day_of_month, period_end.day))


def parse_period(text: str, every: str) -> tuple[date, date]:
    """'2022-06', '2022年6月', '2022-Q2', '2022年第二季度' → the period's first and last day."""
    s = unicodedata.normalize("NFKC", text).strip().upper().replace("年", "-").replace("月", "").replace("第", "")
    quarters = {"一": 1, "二": 2, "三": 3, "四": 4}
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])|(\d{4})-?([一二三四1-4])季度", s):
        year = int(m[1] or m[3])
        q = int(m[2]) if m[2] else quarters.get(m[4]) or int(m[4])
        return period_of(date(year, 3 * q, 1), "quarter")
    if m := re.fullmatch(r"(\d{4})[-/.]?(\d{1,2})", s):
        if 1 <= int(m[2]) <= 12 and EARLIEST.year <= int(m[1]) <= LATEST.year:
            return period_of(date(int(m[1]), int(m[2]), 1), every)
    raise InvalidValue(f"无法识别的填报期：{text!r}；可用格式：2022-06、2022年6月、2022-Q2")


def period_key(period: tuple[date, date]) -> str:
    """A period as users write it: '2022-06' for a month, '2022-Q2' for a quarter."""
    start, end = period
    if start.month == end.month:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def previous_period(period: tuple[date, date]) -> tuple[date, date]:
    """The period of the same kind (month or quarter) just before `period`."""
    start, end = period
    return period_of(start - timedelta(days=1), "month" if start.month == end.month else "quarter")
