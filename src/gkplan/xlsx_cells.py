"""A cell's value as read from a worksheet's XML (xlsx_read.py parses it): numbers, dates and times, shared
and inline strings, booleans, errors, formulas. Each returns what openpyxl's read-only reader (3.1, MIT)
returned for the same cell without data_only, types included, so that `gkplan import` judges a workbook
exactly as it did when it read it with openpyxl: an int stays an int, a date-formatted number is a datetime
(a time below one day, a timedelta under [h]:mm), a formula is its text ('=…'), a shared formula's other
cells the first one's text moved to them.

Anything malformed raises ValueError, KeyError or IndexError (openpyxl raised the same): the file is damaged.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

WINDOWS_EPOCH, MAC_EPOCH = datetime(1899, 12, 30), datetime(1904, 1, 1)
_DIGITS = frozenset("0123456789")
_LETTERS = {ch: n for n, ch in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ", start=1)}
MAX_COLUMN = 18278  # ZZZ: the last column a reference names

# number formats: the built-in ones that are dates or times (openpyxl's BUILTIN_FORMATS), and what in a
# custom one makes it a date (openpyxl's is_date_format) or a duration (is_timedelta_format)
BUILTIN_DATES = {14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm",
                 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0"}  # fmt: skip
DURATION = 46  # [h]:mm:ss, the one built-in duration
# (the patterns are compiled when first used, by re's own cache: most of them never are, and compiling them
# all took 8 million instructions of the import's start-up)
_STRIP = r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]'
_DATE_TOKEN = r"(?<![_\\])[dmhysDMHYS]"
_DURATION = r"(?i)\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?"


def is_date_format(fmt: str | None) -> bool:
    return fmt is not None and re.search(_DATE_TOKEN, re.sub(_STRIP, "", fmt.split(";")[0])) is not None


def is_duration_format(fmt: str | None) -> bool:
    return fmt is not None and re.search(_DURATION, fmt.split(";")[0]) is not None


def column_index(letters: str) -> int:
    """A column's 1-based index from its letters (A … ZZZ, either case)."""
    if not 0 < len(letters) <= 3:
        raise ValueError(f"bad column {letters!r}")
    index = 0
    for ch in letters.upper():
        index = index * 26 + _LETTERS[ch]
    return index


def column_letter(index: int) -> str:
    if not 1 <= index <= MAX_COLUMN:
        raise ValueError(f"bad column {index}")
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


_COLUMN_OF: dict[str, int] = {}  # letters → index, as they are met (a sheet names a few dozen columns)


def coordinate(ref: str) -> tuple[int, int]:
    """(row, column) of a reference such as B7."""
    letters = ref.rstrip("0123456789")
    if letters in _COLUMN_OF and len(letters) < len(ref):  # the usual reference: letters, then digits
        return int(ref[len(letters) :]), _COLUMN_OF[letters]
    split = next((i for i, ch in enumerate(ref) if ch in _DIGITS), len(ref) - 1)
    row, column = int(ref[split:]), column_index(ref[:split])
    if split == len(letters) and len(_COLUMN_OF) < 1000:
        _COLUMN_OF[letters] = column
    return row, column


def number(text: str) -> int | float:
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def from_serial(value: int | float, epoch: datetime, duration: bool) -> datetime | time | timedelta:
    """An Excel serial day as openpyxl's from_excel reads it (day 60 of 1900 is Excel's phantom 29 February)."""
    if duration:
        td = timedelta(days=value)
        if td.microseconds:  # to the millisecond
            td = timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + timedelta(days=day) + diff


_ISO = (r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?"
                  r"(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?")  # fmt: skip
_ISO_DURATION = r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?"


def from_iso(text: str) -> date | datetime | time | timedelta | None:
    """A t="d" cell's ISO 8601 value (openpyxl's from_ISO8601)."""
    if not text:
        return None
    match = re.match(_ISO, text)
    if match and any(match.groups()):
        parts: dict = match.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return datetime(**parts)
    match = re.match(_ISO_DURATION, text)
    if match and any(match.groups()):
        return timedelta(**{k: float(v) if v else 0 for k, v in match.groupdict(0).items()})
    raise ValueError(f"bad ISO 8601 value {text!r}")


# -- formulas ----------------------------------------------------------------------------------------

_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
_ENDERS = ",;}) +-*/^&=><%"
_QUOTED = {'"': '"(?:[^"]|"")*"', "'": "'(?:[^']|'')*'"}
_ROWS = r"(\$?[1-9][0-9]{0,6}):(\$?[1-9][0-9]{0,6})$"
_COLUMNS = r"(\$?[A-Za-z]{1,3}):(\$?[A-Za-z]{1,3})$"
_CELL = r"(\$?[A-Za-z]{1,3})(\$?[1-9][0-9]{0,6})$"


def shared_formula(formula: str, origin: str, target: str | None) -> str:
    """A shared formula's text in another of its cells: its relative references moved by the distance
    from `origin` to `target` (openpyxl's Translator over its tokenizer, which also keeps one character of
    each run of spaces)."""
    (row, col) = coordinate(origin)
    to_row, to_col = coordinate(target) if target else (row, col)
    dr, dc = to_row - row, to_col - col
    body, out, token, i = formula[1:], ["="], [], 0
    if not body:
        return ""

    def save() -> None:
        if token:
            out.append(_operand("".join(token), dr, dc))
            token.clear()

    while i < len(body):
        ch = body[i]
        if ch in _ENDERS:
            save()
        if ch in _QUOTED:
            match = re.compile(_QUOTED[ch]).match(body, i)
            if match is None:
                raise ValueError("unterminated string in a formula")
            (out if ch == '"' else token).append(match.group())
            i = match.end()
        elif ch == "[":
            depth, j, bracket = 0, i, re.compile(r"[\[\]]").search  # the next of either: finding each of the two
            while True:  # to the end was quadratic in a run of one kind (a 50 KB file: 14 minutes)
                found = bracket(body, j)
                if found is None:
                    raise ValueError("unmatched [ in a formula")
                j = found.start()
                depth += 1 if body[j] == "[" else -1
                j += 1
                if depth == 0:
                    break
            token.append(body[i:j])
            i = j
        elif ch == "#":
            err = next((e for e in _ERRORS if body.startswith(e, i)), None)
            if err is None:
                raise ValueError("bad error literal in a formula")
            out.append(_operand("".join(token) + err, dr, dc))
            token.clear()
            i += len(err)
        elif ch in " \n":
            out.append(ch)
            while i < len(body) and body[i] in " \n":
                i += 1
        elif ch in "{(":
            out.append("".join(token) + ch)
            token.clear()
            i += 1
        elif ch in "+-*/^&=><%),;}":
            two = body[i : i + 2]
            step = 2 if two in (">=", "<=", "<>") else 1
            out.append(body[i : i + step])
            i += step
        else:
            token.append(ch)
            i += 1
    save()
    return "".join(out)


def _operand(value: str, dr: int, dc: int) -> str:
    if value.startswith(('"', "#")) or value in ("TRUE", "FALSE"):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return _range(value, dr, dc)


def _range(text: str, dr: int, dc: int) -> str:
    sheet, ref = text.rsplit("!", 1) if "!" in text else ("", text)
    sheet += "!" if "!" in text else ""
    if (m := re.match(_ROWS, ref)) is not None:
        return sheet + _row(m.group(1), dr) + ":" + _row(m.group(2), dr)
    if (m := re.match(_COLUMNS, ref)) is not None:
        return sheet + _col(m.group(1), dc) + ":" + _col(m.group(2), dc)
    if ":" in ref:
        return sheet + ":".join(_range(piece, dr, dc) for piece in ref.split(":"))
    if (m := re.match(_CELL, ref)) is None:
        return text  # a name
    return sheet + _col(m.group(1), dc) + _row(m.group(2), dr)


def _row(text: str, delta: int) -> str:
    if text.startswith("$"):
        return text
    if int(text) + delta <= 0:
        raise ValueError("a shared formula moved off the sheet")
    return str(int(text) + delta)


def _col(text: str, delta: int) -> str:
    return text if text.startswith("$") else column_letter(column_index(text) + delta)
