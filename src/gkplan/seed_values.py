"""One seed value checked and converted: text, integers, numbers, dates, booleans, keys.

Each function takes what a YAML or JSON reader gave and returns the converted value, or raises `Bad`
with the problem's kind (seed_messages.MESSAGES turns the kind into the Chinese message). The conversions are
the lenient ones the seed always allowed (pydantic's lax mode, which checked seeds until issue 11, pinned
by tests/test_seed_parity.py): "3" and 3.0 are the integer 3, "2022-03-01" and a datetime at midnight
are dates, "yes" is true. The common case — a value already of its type — is tried first and cheaply:
a 100,000-point seed comes through here about a million times.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any


class Bad(Exception):
    """A value refused: `kind` as seed_messages.MESSAGES knows it, `ctx` its parameters, `msg` the English
    sentence shown for the kinds that have no Chinese one (as they were shown before)."""

    def __init__(self, kind: str, ctx: dict[str, Any] | None = None, msg: str = "") -> None:
        super().__init__(kind)
        self.kind, self.ctx, self.msg = kind, ctx, msg


# White_Space as Unicode defines it, which is what was stripped (not str.strip()'s: it strips U+001C–U+001F too)
SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_UNSEEN = "\x7f-\x9f\u202a-\u202e\u2066-\u2069"
NAME_BAD = f"[\x00-\x1f{_UNSEEN}]"
TEXT_BAD = f"[\x00-\x08\x0b-\x1f{_UNSEEN}]"


# name_bad and text_bad: the patterns' `search`, compiled on first use (each ~2.5M instructions: a class past
# U+00FF makes re build its 65,536-point map), which a plan whose every name and text is printable, but for
# the text's tabs and line breaks, never needs (as_is)
def name_bad(value: str) -> Any:
    global name_bad
    name_bad = re.compile(NAME_BAD).search
    return name_bad(value)


def text_bad(value: str) -> Any:
    global text_bad
    text_bad = re.compile(TEXT_BAD).search
    return text_bad(value)


def as_is(value: Any, limit: int = 200) -> bool:
    """Whether `name` would return this value unchanged, found cheaply (most names and texts): a str of
    1–`limit` characters that str.strip() leaves alone (it strips all that SPACE holds, and more) and
    that is printable (no control, format or separator character but the space) or holds nothing unseen.
    (Every character the patterns refuse is unprintable: a text printable once its tabs and line breaks
    are spaces holds none of them.)"""
    return (type(value) is str and 0 < len(value) <= limit and value.strip() is value
            and (value.isprintable() or (limit != 200 and value.replace("\n", " ").replace("\t", " ").isprintable())
                 or not (name_bad if limit == 200 else text_bad)(value)))  # fmt: skip


def text(value: Any) -> str:
    """Text as given: a str, or UTF-8 bytes (YAML's !!binary)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise Bad("string_unicode", msg="Input should be a valid string, unable to parse raw data as a unicode string") from None
    raise Bad("string_type")


def name(value: Any, long: bool = False) -> str:
    """A name (one line, 1–200 characters) or, `long`, a text (up to 100,000, tabs and newlines kept);
    stripped of white space at both ends."""
    if as_is(value, 100_000 if long else 200):
        return value
    s = text(value).strip(SPACE)
    if not s:
        raise Bad("string_too_short", {"min_length": 1})
    limit = 100_000 if long else 200
    if len(s) > limit:
        raise Bad("string_too_long", {"max_length": limit})
    if (text_bad if long else name_bad)(s):
        from gkplan.seed_model import NAME_PATTERN, TEXT_PATTERN

        pattern = TEXT_PATTERN if long else NAME_PATTERN
        raise Bad("string_pattern_mismatch", {"pattern": pattern}, f"String should match pattern '{pattern}'")
    return s


# (the patterns of the rarer forms are compiled when first met, by re's own cache: start-up is a feature)
_INT = r"[+-]?(?:[0-9]+(?:_[0-9]+)*)(?:\.0+)?"


def integer(value: Any) -> int:
    """An integer: an int, a bool, a float without fraction, or text that reads as one ("3", " 3 ", "3.00", "1_000")."""
    kind = type(value)
    if kind is int:
        return value
    if kind is bool:
        return int(value)
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise Bad("finite_number")
        if value != int(value):
            raise Bad("int_from_float")
        if not -(2**63) <= value < 2**63:
            raise Bad("int_parsing_size")
        return int(value)
    if isinstance(value, str | bytes | bytearray):
        try:
            s = text(value).strip(SPACE)
        except Bad:
            raise Bad("int_parsing") from None
        if not re.fullmatch(_INT, s):
            raise Bad("int_parsing")
        digits = s.split(".")[0].replace("_", "").lstrip("+-").lstrip("0")
        if len(digits) > 4300:
            raise Bad("int_parsing_size")
        return int(s.split(".")[0].replace("_", ""))
    if isinstance(value, int):
        return int(value)
    raise Bad("int_type")


def real(value: Any) -> float:
    """A number that is not an integer's text: a float, or text that reads as one (" 2.5 ", "1e3", "inf")."""
    if type(value) is float:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, str | bytes | bytearray):
        try:
            s = text(value).strip(SPACE)
        except Bad:
            raise Bad("float_parsing") from None
        if s and s.isascii() and not s[0].isspace() and not s[-1].isspace():
            try:
                return float(s)
            except ValueError:
                pass
        raise Bad("float_parsing")
    raise Bad("float_type")


def bounded(value: Any, ge: Any, le: Any) -> Any:
    if not value >= ge:
        raise Bad("greater_than_equal", {"ge": ge})
    if not value <= le:
        raise Bad("less_than_equal", {"le": le})
    return value


_BOOLS = {"0": False, "off": False, "f": False, "false": False, "n": False, "no": False,
          "1": True, "on": True, "t": True, "true": True, "y": True, "yes": True}  # fmt: skip


def boolean(value: Any) -> bool:
    kind = type(value)
    if kind is bool:
        return value
    if kind is int:
        if value in (0, 1):
            return bool(value)
        if not -(2**63) <= value < 2**63:
            raise Bad("bool_type", msg="Input should be a valid boolean")
        raise Bad("bool_parsing", msg="Input should be a valid boolean, unable to interpret input")
    if kind is float:
        if value in (0.0, 1.0):
            return bool(value)
        if value == value and value not in (float("inf"), float("-inf")) and value == int(value) and abs(value) < 2**63:
            raise Bad("bool_parsing", msg="Input should be a valid boolean, unable to interpret input")
        raise Bad("bool_type", msg="Input should be a valid boolean")
    if isinstance(value, str | bytes | bytearray):
        try:
            s = text(value)
        except Bad:
            s = ""
        if s.lower() in _BOOLS:
            return _BOOLS[s.lower()]
        raise Bad("bool_parsing", msg="Input should be a valid boolean, unable to interpret input")
    raise Bad("bool_type", msg="Input should be a valid boolean")


_KEY = r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}"


def key(value: Any) -> str:
    """A plan's key (2023-autumn): ASCII letters, digits, - and _, not stripped."""
    s = text(value)
    if not re.fullmatch(_KEY, s):
        raise Bad("value_error", {"error": "应为 1–40 个英文字母、数字、- 或 _，并以字母或数字开头"})
    return s


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = (r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt_ ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?"
           r"(?:[Zz]|[+-]([0-9]{2}):?([0-9]{2}))?")  # fmt: skip
_STAMP = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)"
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
_EPOCH = date(1970, 1, 1)


def day(value: Any) -> date:
    """A date between 1900-01-01 and 2999-12-31: a date, a datetime at midnight, text "2022-03-01" (or a
    date and time at midnight), or a Unix timestamp of a midnight (in seconds, or milliseconds when large)."""
    if type(value) is str and len(value) == 10 and _DAY.fullmatch(value):
        d = _iso(value)
    elif type(value) is date:
        d = value
    else:
        d = _day(value)
    if d < FIRST_DAY:
        raise Bad("greater_than_equal", {"ge": "1900-01-01"})
    if d > LAST_DAY:
        raise Bad("less_than_equal", {"le": "2999-12-31"})
    return d


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        if value.hour or value.minute or value.second or value.microsecond:
            raise Bad("date_from_datetime_inexact")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise Bad("date_type")
    if isinstance(value, int | float):
        return _stamp(value)
    if not isinstance(value, str | bytes | bytearray):
        raise Bad("date_type")
    try:
        s = text(value)
    except Bad:
        raise Bad("date_parsing") from None
    if len(s) == 10 and _DAY.fullmatch(s):
        return _iso(s)
    if m := re.fullmatch(_MOMENT, s):  # a date and time, which must be midnight
        hour, minute, second = int(m[2]), int(m[3]), int(m[4] or 0)
        zone = (int(m[6]), int(m[7])) if m[6] else (0, 0)
        if hour > 23 or minute > 59 or second > 59 or zone[0] > 23 or zone[1] > 59 or not _valid(m[1], True):
            raise Bad("date_from_datetime_parsing")
        if hour or minute or second or (m[5] or "0")[:6].strip("0"):  # (beyond microseconds: dropped)
            raise Bad("date_from_datetime_inexact")
        return _iso(m[1])
    if re.fullmatch(_STAMP, s):
        return _stamp(float(s) if "." in s else int(s))
    raise Bad("date_from_datetime_parsing")


def _iso(s: str) -> date:
    """YYYY-MM-DD; the year 0 (which `date` cannot hold) is before 1900, not a mistake of form."""
    try:
        return date.fromisoformat(s)
    except ValueError:
        if _valid(s, True):  # the year 0
            raise Bad("greater_than_equal", {"ge": "1900-01-01"}) from None
        raise Bad("date_from_datetime_parsing") from None


def _valid(s: str, year0: bool = False) -> bool:
    """Whether YYYY-MM-DD is a day (`year0`: the year 0 is one, as a leap year)."""
    try:
        date.fromisoformat("2000" + s[4:] if year0 and s.startswith("0000") else s)
    except ValueError:
        return False
    return True


def _stamp(value: float) -> date:
    """A Unix timestamp that falls on a midnight (UTC); beyond ±2×10¹⁰ it counts milliseconds."""
    if value != value or value in (float("inf"), float("-inf")):
        raise Bad("date_from_datetime_parsing")
    if abs(value) > 20_000_000_000:
        if isinstance(value, int):
            seconds, fraction = int(value / 1000) if abs(value) < 2**53 else value // 1000, value % 1000
        else:
            seconds, fraction = int(value / 1000), round(value % 1000 * 1000)
    else:
        seconds, fraction = int(value), round(abs(value - int(value)) * 1_000_000)
    if not -62_167_219_200 <= seconds <= 253_402_300_799:  # before the year 0, after 9999
        raise Bad("date_from_datetime_parsing")
    if seconds % 86400 or fraction:
        raise Bad("date_from_datetime_inexact")
    if seconds < -2_208_988_800:  # before 1900 (and maybe before the year 1, which `date` cannot hold)
        raise Bad("greater_than_equal", {"ge": "1900-01-01"})
    return _EPOCH + timedelta(days=seconds // 86400)
