"""A sheet's rows as OOXML text, streamed into the sheet's part of the package (xlsx_book.py).

An element per cell, serialised (openpyxl's way), took about 20 µs a cell: the ledger export at 100,000
points and 300,000 history entries, 5 million cells, took over a minute. The rows are plain text here,
each cell referring to one of the workbook's shared styles by its number (xlsx_styles.py). Strings are
inline (no shared-string table grows with the rows) and never formulas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from gkplan.kinds import AMOUNT, DATE, LIGHT, LIGHT_WORDS, TEXT, TIME, WRAP, light_fill

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# what XML 1.0 cannot carry: openpyxl's ILLEGAL_CHARACTERS_RE (C0 controls), and U+FFFE, U+FFFF and lone surrogates,
# which it let through into files no reader opens (a surrogate could not even be encoded: a traceback)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# a cell's text is an ST_Xstring: "_xHHHH_" in it means the character U+HHHH (Excel and LibreOffice decode it,
# and write a CR as "_x000D_"); text that holds such a sequence itself has its "_" written as "_x005F_"
_XSTRING = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (its 1900 calendar, as openpyxl writes it)
_TEXT_STYLE = "gk 文字"


class RowWriter:
    """Rows of one sheet as XML: `kinds` per column, `style(name)` → the shared style's number, `amount(unit)`
    → the name of the style showing amounts in 万 of that unit; `wrapped`: (index, characters a line holds)
    of the long-text columns a row's height follows, `lines(values, wrapped)` the lines such a row needs.

    `general(n, values)` is row n, cell by cell. `compiled()` is the same function compiled for the sheet: one
    statement block per column, its kind and style already known (at 100,000 rows a loop over the columns
    deciding each cell's kind was most of the export's time; compiling its source takes about a millisecond, so
    a sheet's first rows are written the general way). The usual cells (plain text, an ISO day or time, a
    whole number) are written there; any other goes the general way (`_cell`): the same XML either way."""

    def __init__(self, kinds: Sequence[str], styles: dict[str, str], style: Callable[[str], int],
                 amount: Callable[[str], str], wrapped: Sequence[tuple[int, int]] = (),
                 lines: Callable[[Sequence[Any], Any], int] | None = None) -> None:  # fmt: skip
        self.kinds = [{TEXT: TEXT, WRAP: WRAP}.get(k, k) for k in kinds]  # (the constants themselves: `is` below)
        self.letters = [letter(i) for i in range(1, len(self.kinds) + 1)]
        self.plain = [style(styles[k]) for k in self.kinds]
        self.text = style(_TEXT_STYLE)
        self._style, self._amount, self._ids = style, amount, {}
        self._wrapped, self._lines = list(wrapped), lines

    def general(self, n: int, values: Sequence[Any]) -> str:
        m = self._lines(values, self._wrapped) if self._wrapped and self._lines else 1
        cells = "".join([self._cell(i, n, x) for i, x in zip(range(len(self.kinds)), values) if x is not None])
        return f'<row r="{n}" ht="{15 * m:g}" customHeight="1">{cells}</row>' if m > 1 else f'<row r="{n}">{cells}</row>'

    def compiled(self) -> Callable[[int, Sequence[Any]], str]:
        return _compile(self, self._wrapped, self._lines)

    def _id(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            found = self._ids[name] = self._style(name)
        return found

    def _cell(self, i: int, n: int, value: Any) -> str:
        """Column i's cell of row n, any value (not None)."""
        letter, kind, s = self.letters[i], self.kinds[i], self.plain[i]
        if kind == DATE or kind == TIME:
            value = day(value, kind)
            if not isinstance(value, date):
                s = self.text
        elif kind == LIGHT:
            value = LIGHT_WORDS.get(value, value)
            color = light_fill(value)
            if color:
                s = self._id(f"gk 灯 {color}")
        elif kind == AMOUNT and isinstance(value, tuple):  # (number, unit, in 万)
            number, unit, wan = value
            value = number
            if wan and number is not None:
                value = number / 10_000 if number % 10_000 else number // 10_000
                s = self._id(self._amount(unit))
        return cell(f"{letter}{n}", s, value)


def _compile(w: RowWriter, wrapped: list[tuple[int, int]], lines: Any) -> Callable[[int, Sequence[Any]], str]:
    """`row(n, values)` for the writer's columns, as Python source made for them (see RowWriter)."""
    k = len(w.kinds)
    src = ["def row(n, v):", f"    if len(v) < {k}: v = [*v, *[None] * ({k} - len(v))]", "    m = 1"]
    for i, room in wrapped:  # (no character is wider than two: a shorter one-line text fits, unmeasured)
        src += [f"    x = v[{i}]", f"    if isinstance(x, str) and (len(x) > {room // 2} or '\\n' in x): m = 0"]
    src += ["    if m == 0: m = lines(v, wrapped)",
            "    o = [f'<row r=\"{n}\" ht=\"{15 * m:g}\" customHeight=\"1\">' if m > 1 else f'<row r=\"{n}\">']",
            "    p = o.append"]  # fmt: skip
    for i, (letter, kind, s) in enumerate(zip(w.letters, w.kinds, w.plain)):
        ref = f'<c r="{letter}{{n}}" s="{s}"'
        src += [f"    x = v[{i}]", "    if x is None: pass"]
        if kind is TEXT or kind is WRAP:
            src += ["    elif type(x) is str and x and x.isprintable() and not x[0].isspace() and not x[-1].isspace()"
                    " and len(x) <= 32767 and '&' not in x and '<' not in x and '>' not in x and '_x' not in x:",
                    f"        p(f'{ref} t=\"inlineStr\"><is><t>{{x}}</t></is></c>')"]  # fmt: skip
        elif kind == DATE:
            src += ["    elif type(x) is str and len(x) == 10 and (d := _day(x)) > 60:", f"        p(f'{ref}><v>{{d}}</v></c>')"]
        elif kind == TIME:
            src += ["    elif type(x) is str and (t := _time(x)) is not None:", f"        p(f'{ref}><v>{{t:.16g}}</v></c>')"]
        elif kind == LIGHT:  # a handful of words: each one's cell made once
            src += ["    elif type(x) is str and (c := light.get(x)) is not None:", f"        p(f'<c r=\"{letter}{{n}}\"{{c}}')"]
        if kind not in (DATE, TIME, AMOUNT):
            src += ["    elif type(x) is int:", f"        p(f'{ref}><v>{{x}}</v></c>')"]
        src += ["    else:", f"        p(w._cell({i}, n, x))"]
        if kind == LIGHT:
            src += ["        if type(x) is str and len(light) < 64: light[x] = o[-1][o[-1].index(' s='):]"]
    src += ["    p('</row>')", "    return ''.join(o)"]
    scope: dict[str, Any] = {"w": w, "lines": lines, "wrapped": wrapped, "_day": _day, "_time": _time, "light": {}}
    exec("\n".join(src), scope)  # noqa: S102 (our own source: the columns' kinds and style numbers)
    return scope["row"]


def _day(text: str) -> int:
    """Excel's number of an ISO day; 0 if it is none."""
    try:
        return date.fromisoformat(text).toordinal() - _EPOCH
    except ValueError:
        return 0


def _time(text: str) -> float | None:
    """Excel's number of an ISO date and time after 1900-03-01 (its zone dropped, as `day` drops it), else None."""
    if len(text) < 10:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    days = t.toordinal() - _EPOCH
    if days <= 60:
        return None
    return days + (t.hour * 3600 + t.minute * 60 + t.second) / 86400


def cell(ref: str, s: int, value: Any) -> str:
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}" s="{s}"/>'
        value = _ILLEGAL.sub("\ufffd", value[:32767]).translate(_ESCAPE)
        if "_x" in value:
            value = xstring(value)
        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
        return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{space}>{value}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{s}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" s="{s}"><v>{value:.16g}</v></c>' if isinstance(value, float) else f'<c r="{ref}" s="{s}"><v>{value}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{s}"><v>{serial(value):.16g}</v></c>'
    return cell(ref, s, str(value))


def serial(value: date) -> float:
    """Excel's number for a day (and time)."""
    days = value.toordinal() - _EPOCH
    if 0 < days <= 60:  # before 1900-03-01: one day less (Excel's phantom 29 February 1900), as openpyxl counts
        days -= 1
    if isinstance(value, datetime):
        return days + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return days


def day(value: Any, kind: str) -> Any:
    """An ISO date (or date and time) as a real date; anything else as it is."""
    if not isinstance(value, str) or len(value) < 10:
        return value
    try:
        if kind == DATE:
            return date.fromisoformat(value[:10]) if len(value) == 10 or value[10] in "T " else value
        return datetime.fromisoformat(value).replace(tzinfo=None, microsecond=0)  # Excel knows no time zones
    except ValueError:
        return value


def letter(n: int) -> str:
    """The letters of column n (1: A, 27: AA)."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def xstring(text: str) -> str:
    """Text as a cell holds it literally: each "_xHHHH_" in it escaped (see _XSTRING)."""
    return _XSTRING.sub("_x005F_", text)

