"""A sheet's data rows as OOXML text, written into the stream openpyxl's write-only sheet opened.

openpyxl builds an element per cell and serialises it (about 20 µs a cell: the ledger export at
100,000 points and 300,000 history entries, 5 million cells, took over a minute). The rows are plain
text here, each cell referring to one of the workbook's shared styles by its number; openpyxl still
writes everything else (styles, the sheet's setup, print titles, the filter). Strings are inline (no
shared-string table grows with the rows) and never formulas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from gkplan.kinds import AMOUNT, DATE, LIGHT, LIGHT_WORDS, TEXT, TIME, WRAP, light_fill

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # openpyxl's ILLEGAL_CHARACTERS_RE
_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (its 1900 calendar, as openpyxl writes it)
_TEXT_STYLE = "gk 文字"


class RowWriter:
    """Rows of one sheet as XML: `kinds` per column, `style(name)` → the shared style's number, `amount(unit)`
    → the name of the style showing amounts in 万 of that unit."""

    def __init__(self, kinds: Sequence[str], styles: dict[str, str], style: Callable[[str], int],
                 amount: Callable[[str], str]) -> None:  # fmt: skip
        from openpyxl.utils import get_column_letter

        self.kinds = [{TEXT: TEXT, WRAP: WRAP}.get(k, k) for k in kinds]  # (the constants themselves: `is` below)
        self.letters = [get_column_letter(i) for i in range(1, len(self.kinds) + 1)]
        self.plain = [style(styles[k]) for k in self.kinds]
        self.text = style(_TEXT_STYLE)
        self._style, self._amount, self._ids = style, amount, {}

    def _id(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            found = self._ids[name] = self._style(name)
        return found

    def row(self, n: int, values: Sequence[Any], height: float | None = None) -> str:
        parts = [f'<row r="{n}" ht="{height:g}" customHeight="1">' if height else f'<row r="{n}">']
        for letter, kind, s, value in zip(self.letters, self.kinds, self.plain, values):
            if value is None:
                continue
            if kind is TEXT or kind is WRAP:  # (the commonest first: text as it is)
                pass
            elif kind == DATE and type(value) is str and len(value) == 10:  # an ISO day, the usual date
                try:
                    days = date.fromisoformat(value).toordinal() - _EPOCH
                except ValueError:
                    s = self.text
                else:
                    if days > 60:
                        parts.append(f'<c r="{letter}{n}" s="{s}"><v>{days}</v></c>')
                        continue
                    value = date.fromisoformat(value)
            elif kind == DATE or kind == TIME:
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
            if type(value) is str and value and value.isprintable() and not value[0].isspace() and not value[-1].isspace():
                if len(value) > 32767 or "&" in value or "<" in value or ">" in value:
                    value = value[:32767].translate(_ESCAPE)
                parts.append(f'<c r="{letter}{n}" s="{s}" t="inlineStr"><is><t>{value}</t></is></c>')
            elif type(value) is int:
                parts.append(f'<c r="{letter}{n}" s="{s}"><v>{value}</v></c>')
            else:
                parts.append(cell(f"{letter}{n}", s, value))
        parts.append("</row>")
        return "".join(parts)


def cell(ref: str, s: int, value: Any) -> str:
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}" s="{s}"/>'
        value = _ILLEGAL.sub("\ufffd", value[:32767]).translate(_ESCAPE)
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
    if days <= 60:  # before 1900-03-01: Excel's phantom 29 February, as openpyxl counts it
        from openpyxl.utils.datetime import to_excel

        return to_excel(value)
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


def raw(ws: Any) -> None:
    """From now on `ws.append((xml,))` writes `xml` (rows of RowWriter) into the sheet as it is. The sheet's
    first row must be appended before (that opens the stream)."""
    ws._values_to_row = lambda row, _: row
    ws._writer.write_row = lambda xf, row, _: _send(xf, row[0])


def _send(xf: Any, text: str) -> None:
    write = getattr(xf, "_file", None)  # et_xmlfile's writer: its output function
    if write is not None:
        write(text)
        return
    from lxml import etree  # openpyxl chose lxml (imported before OPENPYXL_LXML was set): whole elements

    for element in etree.fromstring(f'<d xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{text}</d>'):
        xf.write(element)
