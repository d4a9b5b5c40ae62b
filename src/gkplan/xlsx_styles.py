"""The styles every workbook gkplan writes shares: named once per workbook, referred to by name or number from
each cell (never a style object per cell), and a styled write-only cell made of a value and its column's kind."""

from __future__ import annotations

from datetime import date
from typing import Any

from gkplan.kinds import AMOUNT, DATE, LIGHT, LIGHT_FILLS, LIGHT_WORDS, NUMBER, PERCENT, TEXT, TIME, WRAP, light_fill


class Styles:
    """Named styles, registered once per workbook; a cell refers to one by name (shared, not copied)."""

    def __init__(self, book: Any) -> None:
        from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

        self.book, self.names, self._arrays = book, set(), {}
        self._make = lambda name, **kw: self._add(NamedStyle(name=name, **kw))
        top = Alignment(vertical="top")
        thin = Side(style="thin", color="BFBFBF")
        self._make("gk 表头", font=Font(bold=True), fill=PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2"),
                   alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
                   border=Border(left=thin, right=thin, top=thin, bottom=thin))  # fmt: skip
        self._make("gk 文字", alignment=top)
        self._make("gk 换行", alignment=Alignment(vertical="top", wrap_text=True))
        self._make("gk 日期", alignment=top, number_format="yyyy-mm-dd")
        self._make("gk 时间", alignment=top, number_format="yyyy-mm-dd hh:mm")
        self._make("gk 进度", alignment=top, number_format='0"%"')
        self._make("gk 数值", alignment=top, number_format="General")
        self._make("gk 右", alignment=Alignment(horizontal="right", vertical="top"))
        self._make("gk 标题", font=Font(bold=True, size=16))
        self._make("gk 粗体", font=Font(bold=True))
        for color in sorted(set(LIGHT_FILLS.values())):
            self._make(f"gk 灯 {color}", alignment=Alignment(horizontal="center", vertical="top"),
                       fill=PatternFill("solid", start_color=color, end_color=color))  # fmt: skip

    def _add(self, style: Any) -> None:
        self.book.add_named_style(style)
        self.names.add(style.name)

    def array(self, name: str) -> Any:
        """A copy of the named style's array: what `cell.style = name` sets, without its lookup per cell."""
        from copy import copy

        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = self.book._named_styles[name].as_tuple()
        return copy(found)

    def id(self, name: str) -> int:
        """The workbook's number (cellXfs) of the named style: what a raw row's cells refer to."""
        return self.book._cell_styles.add(self.array(name))

    def amount(self, unit: str) -> str:
        """The style of an amount in 万 of `unit` (1500 shown as 1500万元)."""
        name = f"gk 万{unit}"
        if name not in self.names:
            from openpyxl.styles import Alignment, NamedStyle

            shown = unit.replace('"', "").replace("\\", "")
            self._add(NamedStyle(name=name, alignment=Alignment(vertical="top"), number_format=f'General"万{shown}"'))
        return name


_STYLE_OF = {TEXT: "gk 文字", WRAP: "gk 换行", DATE: "gk 日期", TIME: "gk 时间", PERCENT: "gk 进度", NUMBER: "gk 数值",
             AMOUNT: "gk 数值", LIGHT: "gk 文字"}  # fmt: skip


def _clean(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def _cell(ws: Any, styles: Styles, kind: str, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    from gkplan.xlsx_rows import day

    style = _STYLE_OF[kind]
    if kind in (DATE, TIME):
        value = day(value, kind)
        if not isinstance(value, date):
            style = "gk 文字"
    elif kind == LIGHT:
        value = LIGHT_WORDS.get(value, value)
        color = light_fill(value)
        style = f"gk 灯 {color}" if color else style
    elif kind == AMOUNT and isinstance(value, tuple):  # (number, unit, in 万)
        number, unit, wan = value
        value = number
        if wan and number is not None:
            value, style = (number / 10_000 if number % 10_000 else number // 10_000), styles.amount(unit)
    cell = WriteOnlyCell(ws, value=_clean(value))
    if cell.data_type == "f":
        cell.data_type = "s"  # text, never a formula
    cell._style = styles.array(style)
    return cell
