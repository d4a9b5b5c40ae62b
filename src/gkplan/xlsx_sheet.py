"""The expat handlers that read a worksheet's rows and the shared-string table (xlsx_read.py feeds them).

What openpyxl's reader took from the same XML is taken here, the same way: every child element of a <row>
is a cell; a cell's first <v>, <f> and <is> (in the main namespace) count, and an element's text is what
comes before its first child; a row or cell without its r attribute follows the one before; a string is its
<t> and then each run's <t> (phonetic <rPh> left out), its "_xHHHH_" escapes decoded as Excel does (not as openpyxl did: _XSTRING).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NamedTuple

from gkplan.xlsx_cells import MAX_COLUMN, coordinate, from_iso, from_serial, number, shared_formula

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_ROW, _V, _F, _IS, _SI = MAIN + "row", MAIN + "v", MAIN + "f", MAIN + "is", MAIN + "si"
MAX_ROW_ELEMENTS = 2 << 20  # <row> elements in a sheet: twice Excel's rows
MAX_DEPTH = 64  # elements open at once: a sheet needs 6; expat keeps every open one (15M nested in a 200 KB file: 2 GB)


# "_xHHHH_" in a string is the character U+HHHH, as Excel and LibreOffice read it (xlsx_rows.xstring writes it);
# openpyxl only took "x005F_" out of shared strings, wherever it stood, which turned a clerk's "x005F_y" into "y"
_XSTRING = re.compile("_x([0-9A-Fa-f]{4})_")


def _decoded(m: re.Match[str]) -> str:
    code = int(m[1], 16)
    return m[0] if 0xD800 <= code <= 0xDFFF else chr(code)  # (half a pair: left as written, never a lone surrogate)


class Refused(ValueError):
    """A part that is hostile or too large."""


class Cell(NamedTuple):
    value: Any
    data_type: str  # openpyxl's: n (a number, or empty), s, b, e, d (a date or time), f (a formula: value is its text)


EMPTY = Cell(None, "n")


class _Text:
    """An <si>'s or <is>'s text being read: its <t> (the last, if several) and each <r>'s <t>."""

    __slots__ = ("depth", "plain", "runs", "run_depth", "open")

    def __init__(self, depth: int) -> None:
        self.depth, self.plain, self.runs, self.run_depth, self.open = depth, None, [], 0, True

    def content(self) -> str:
        text = "".join(s for s in [self.plain, *self.runs] if s is not None)
        return _XSTRING.sub(_decoded, text) if "_x" in text else text


class _Reader:
    """The text-gathering part both parsers share: `buf` gathers an element's text until its first child."""

    def __init__(self) -> None:
        self.depth = 0
        self.buf: list[str] | None = None
        self.buf_depth = 0
        self.gathering = False
        self.into = ""  # what the text gathered is: v, f, plain, run
        self.string: _Text | None = None

    def text(self, data: str) -> None:
        if self.gathering:
            self.buf.append(data)

    def _gather(self, into: str) -> None:
        self.buf, self.buf_depth, self.into, self.gathering = [], self.depth, into, True

    def _string_start(self, tag: str) -> None:
        s, depth = self.string, self.depth
        local = tag.rpartition(" ")[2]
        if depth == s.depth + 1:
            if local == "t":
                s.plain = None
                self._gather("plain")
            elif local == "r":
                s.runs.append(None)
                s.run_depth = depth
        elif depth == s.run_depth + 1 and s.run_depth and local == "t":
            s.runs[-1] = None
            self._gather("run")

    def _string_end(self, depth: int) -> None:
        s = self.string
        if depth == s.depth:
            s.open = False
        elif depth == s.run_depth:
            s.run_depth = 0

    def _gathered(self) -> str | None:
        text = "".join(self.buf) or None
        self.buf, self.gathering = None, False
        return text


class Strings(_Reader):
    """The shared-string table."""

    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused(f"elements nested more than {MAX_DEPTH} deep")
        self.gathering = False
        if self.string is not None:
            self._string_start(tag)
        elif tag == _SI:
            self.string = _Text(self.depth)

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.buf is not None and depth == self.buf_depth:
            text = self._gathered()
            if self.into == "plain":
                self.string.plain = text
            else:
                self.string.runs[-1] = text
        self.gathering = False
        if self.string is not None:
            if depth == self.string.depth:
                self.strings.append(self.string.content())
                self.string = None
            else:
                self._string_end(depth)


class SheetParser(_Reader):
    """A worksheet's rows: each finished row lands in `done` as (its number, [(column, value, data_type) …])."""

    def __init__(self, strings: list[str], dates: set[int], durations: set[int], epoch: datetime) -> None:
        super().__init__()
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch
        self.done: list[tuple[int, list[tuple[int, Any, str]]]] = []
        self.row_depth = self.cell_depth = 0
        self.row_number = self.column = self.rows = 0
        self.cells: list[tuple[int, Any, str]] = []
        self.attrs: dict[str, str] = {}
        self.value: str | None = None
        self.formula: tuple[dict[str, str], str | None] | None = None
        self.seen_v = False
        self.shared: dict[str | None, tuple[str, str]] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        depth = self.depth
        if depth > MAX_DEPTH:
            raise Refused(f"elements nested more than {MAX_DEPTH} deep")
        self.gathering = False
        if not self.row_depth:
            if tag == _ROW:
                self._row(attrs)
        elif depth == self.row_depth + 1:
            self.cell_depth, self.attrs, self.value, self.formula, self.seen_v, self.string = depth, attrs, None, None, False, None
        elif depth == self.cell_depth + 1:
            if tag == _V and not self.seen_v:
                self.seen_v = True
                self._gather("v")
            elif tag == _F and self.formula is None:
                self.formula = (attrs, None)
                self._gather("f")
            elif tag == _IS and self.string is None:
                self.string = _Text(depth)
        elif self.string is not None and self.string.open and self.string.depth < depth:
            self._string_start(tag)

    def _row(self, attrs: dict[str, str]) -> None:
        self.rows += 1
        if self.rows > MAX_ROW_ELEMENTS:
            raise Refused(f"more than {MAX_ROW_ELEMENTS} rows")
        r = attrs.get("r")
        if r is None:
            self.row_number += 1
        else:
            try:
                self.row_number = int(r)
            except ValueError:
                value = float(r)
                if not value.is_integer():
                    raise ValueError(f"{r} is not a row number") from None
                self.row_number = int(value)
        self.row_depth, self.column, self.cells = self.depth, 0, []

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.buf is not None and depth == self.buf_depth:
            text = self._gathered()
            if self.into == "v":
                self.value = text
            elif self.into == "f":
                self.formula = (self.formula[0], text)
            elif self.into == "plain":
                self.string.plain = text
            else:
                self.string.runs[-1] = text
        self.gathering = False
        if depth == self.cell_depth:
            self.cells.append(self._cell())
            self.cell_depth = 0
            self.string = None
        elif depth == self.row_depth:
            self.done.append((self.row_number, self.cells))
            self.row_depth = 0
        elif self.string is not None and self.string.open and self.string.depth <= depth:
            self._string_end(depth)

    def _cell(self) -> tuple[int, Any, str]:
        attrs = self.attrs
        data_type = attrs.get("t", "n")
        ref = attrs.get("r")
        style: Any = attrs.get("s", 0)
        if style:
            style = int(style)
        value: Any = None if data_type == "inlineStr" else self.value
        if ref:
            self.column = coordinate(ref)[1]
        else:
            self.column += 1
            if self.column > MAX_COLUMN:
                raise Refused(f"more than {MAX_COLUMN} cells in a row")
        if self.formula is not None:
            return self.column, self._formula(ref), "f"
        if value is not None:
            if data_type == "n":
                value = number(value)
                if style in self.dates:
                    try:
                        return self.column, from_serial(value, self.epoch, style in self.durations), "d"
                    except (OverflowError, ValueError):
                        return self.column, "#VALUE!", "e"  # (a date out of every calendar, as openpyxl had it)
            elif data_type == "s":
                index = int(value)
                if index < 0:  # (a list would read -1 as its last string: openpyxl did)
                    raise IndexError(f"shared string {index}")
                value = self.strings[index]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "str":
                data_type = "s"
            elif data_type == "d":
                value = from_iso(value)
        elif data_type == "inlineStr" and self.string is not None:
            return self.column, self.string.content(), "s"
        return self.column, value, data_type

    def _formula(self, ref: str | None) -> str:
        """A formula cell's text: '=…'; a shared formula's other cells the first cell's moved to them."""
        attrs, text = self.formula
        value = "=" + (text or "")
        kind = attrs.get("t")
        if kind == "shared":
            si = attrs.get("si")
            if si in self.shared:
                return shared_formula(*self.shared[si], ref)
            if value != "=":
                coordinate(ref)  # (the first cell must say where it is)
                self.shared[si] = (value, ref)
        elif kind == "dataTable":  # a what-if table: shown as Excel shows it
            return "{=TABLE(" + ",".join(attrs.get(k, "") for k in ("r1", "r2") if k in attrs) + ")}"
        return value
