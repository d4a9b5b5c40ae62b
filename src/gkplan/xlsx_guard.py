"""Guarded worksheets, as the 填报 sheets need them (sheet_write.py), for xlsx_book.Book: cell formats each with
its own font, fill, border, alignment, number format and protection (unnamed, as openpyxl wrote them), a
worksheet's top and bottom (widths, hidden columns, a frozen pane, sheet protection, the autofilter, data
validation, page setup), and cells. The same XML openpyxl wrote for them, without importing it (some 70 ms
of `sheet`'s start-up, and at 100,000 rows an object per cell)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from gkplan.xlsx_book import text
from gkplan.xlsx_rows import _ILLEGAL, letter, serial, xstring

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DEFAULT_FONT = '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
_BUILTIN_FORMATS = {"General": 0, "@": 49}  # Excel's own number formats used here; any other is numbered from 164
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})  # (a cell's text: what ElementTree escapes)
_WRAP = ' wrapText="1"'
PLAIN, BOLD = "<font/>", '<font><b val="1"/></font>'  # no font of its own (Excel's default), bold


def title_font(size: int) -> str:
    return f'<font><b val="1"/><sz val="{size}"/></font>'


def align(*, horizontal: str = "", vertical: str = "", wrap: bool = False) -> str:
    attrs = (f' horizontal="{horizontal}"' if horizontal else "") + (f' vertical="{vertical}"' if vertical else "")
    return f"<alignment{attrs}{_WRAP if wrap else ''}/>"


class Look(NamedTuple):
    """A cell's format: font (XML; "" Excel's default), solid fill (RRGGBB), a thin grey box, alignment (XML),
    number format, and whether the cell is locked when its sheet is protected (Excel's default: it is)."""

    font: str = ""
    fill: str | None = None
    boxed: bool = False
    align: str = ""
    number: str = "General"
    locked: bool = True


class CellStyles:
    """A workbook's cell formats (cellXfs), numbered as cells first need them; `xml()` is xl/styles.xml."""

    def __init__(self) -> None:
        self.fonts = [_DEFAULT_FONT]
        self.fills = ["<fill><patternFill/></fill>", '<fill><patternFill patternType="gray125"/></fill>']
        self.formats: dict[str, int] = {}
        self.looks: dict[Look, int] = {Look(): 0}

    def id(self, look: Look) -> int:
        """The format's number: what a cell's s="…" says."""
        found = self.looks.get(look)
        if found is None:
            found = self.looks[look] = len(self.looks)
            if look.number not in _BUILTIN_FORMATS and look.number not in self.formats:
                self.formats[look.number] = 164 + len(self.formats)
        return found

    def xml(self) -> str:
        fonts, fills = list(self.fonts), list(self.fills)
        xfs = []
        for look in self.looks:
            font = look.font or _DEFAULT_FONT
            if font not in fonts:
                fonts.append(font)
            fill = "<fill><patternFill/></fill>"
            if look.fill:
                fill = (f'<fill><patternFill patternType="solid"><fgColor rgb="00{look.fill}"/>'
                        f'<bgColor rgb="00{look.fill}"/></patternFill></fill>')  # fmt: skip
                if fill not in fills:
                    fills.append(fill)
            number = _BUILTIN_FORMATS.get(look.number) or self.formats.get(look.number, 0)
            attrs = (f'numFmtId="{number}" fontId="{fonts.index(font)}" fillId="{fills.index(fill)}" '
                     f'borderId="{int(look.boxed)}"')  # fmt: skip
            inner = look.align + ("" if look.locked else '<protection locked="0" hidden="0"/>')
            attrs += ' applyAlignment="1"' * bool(look.align) + ' applyProtection="1"' * (not look.locked)
            xfs.append(f'<xf {attrs} xfId="0">{inner}</xf>' if inner else f'<xf {attrs} xfId="0"/>')
        numbers = "".join(f'<numFmt numFmtId="{n}" formatCode="{text(code)}"/>' for code, n in self.formats.items())
        thin = "".join(f'<{side} style="thin"><color rgb="00BFBFBF"/></{side}>' for side in ("left", "right", "top", "bottom"))
        return "".join([
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">',
            f'<numFmts count="{len(self.formats)}">{numbers}</numFmts>' if self.formats else "",
            f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts><fills count="{len(fills)}">{"".join(fills)}</fills>',
            f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>{thin}</border></borders>',
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>',
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>',
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>',
            "</styleSheet>",
        ])  # fmt: skip


def top(dimension: str, widths: Sequence[float | None] = (), *, hidden: Sequence[int] = (), frozen: str | None = None,
        fit: bool = False) -> str:  # fmt: skip
    """A worksheet's XML up to its rows: `widths` of its columns (None: not set), the columns `hidden` (1-based),
    the pane frozen above and left of the cell `frozen` (D2: the first row and three columns), `fit`: printed
    fitted to the page."""
    pane = '<selection activeCell="A1" sqref="A1"/>'
    if frozen:
        column = frozen.rstrip("0123456789")
        x, y = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(column))) - 1, int(frozen[len(column) :]) - 1
        pane = (f'<pane xSplit="{x}" ySplit="{y}" topLeftCell="{frozen}" activePane="bottomRight" state="frozen"/>'
                '<selection pane="topRight"/><selection pane="bottomLeft"/>'
                '<selection pane="bottomRight" activeCell="A1" sqref="A1"/>')  # fmt: skip
    cols = []
    for i, width in enumerate(widths, start=1):
        if width is not None or i in hidden:
            shown = ' hidden="1"' if i in hidden else ""
            cols.append(f'<col min="{i}" max="{i}"{shown} width="{width or 13:g}" customWidth="1"/>')
    return "".join([
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>', '<pageSetUpPr fitToPage="1"/>' if fit else "<pageSetUpPr/>",
        f'</sheetPr><dimension ref="{dimension}"/><sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>',
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>', f"<cols>{''.join(cols)}</cols>" if cols else "",
        "<sheetData>",
    ])  # fmt: skip


# what openpyxl's SheetProtection wrote when a sheet is protected: 1 is "not allowed" (select cells, edit objects
# and scenarios are allowed); `bottom`'s `allowed` sets some of them to 0
_PROTECTED = {"selectLockedCells": 0, "selectUnlockedCells": 0, "sheet": 1, "objects": 0, "insertRows": 1,
              "insertHyperlinks": 1, "autoFilter": 1, "scenarios": 0, "formatColumns": 1, "deleteColumns": 1,
              "insertColumns": 1, "pivotTables": 1, "deleteRows": 1, "formatCells": 1, "formatRows": 1, "sort": 1}  # fmt: skip


def bottom(*, allowed: Sequence[str] = (), filtered: str | None = None, validations: Sequence[str] = (),
           paper: int | None = None) -> str:  # fmt: skip
    """A protected worksheet's XML after its rows: what its users may still do (`allowed`: formatColumns …), its
    autofilter's range, its data validations (`validation`), and, given a `paper`, printed landscape, one page wide."""
    unknown = set(allowed) - set(_PROTECTED)
    if unknown:
        raise ValueError(f"no such protection: {sorted(unknown)}")
    guard = " ".join(f'{k}="{0 if k in allowed else v}"' for k, v in _PROTECTED.items())
    checks = f'<dataValidations count="{len(validations)}">{"".join(validations)}</dataValidations>' if validations else ""
    return "".join([
        f"</sheetData><sheetProtection {guard}/>", f'<autoFilter ref="{filtered}"/>' if filtered else "", checks,
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>',
        f'<pageSetup orientation="landscape" paperSize="{paper}" fitToHeight="0" fitToWidth="1"/>' if paper else "",
        "</worksheet>",
    ])  # fmt: skip


def validation(ranges: Sequence[str], kind: str, formula1: str, formula2: str | None = None, *,
               operator: str | None = None, error: tuple[str, str], prompt: tuple[str, str] | None = None) -> str:  # fmt: skip
    """A data validation of the cells in `ranges` (K2:K40 …): `kind` whole, list, textLength …, its formulas and
    operator; blanks allowed; `error` (title, message) shown when a value is refused, `prompt` when a cell is entered."""
    attrs = [f'sqref="{" ".join(ranges)}" showDropDown="0" showInputMessage="{int(prompt is not None)}" showErrorMessage="1"',
             f'allowBlank="1" errorTitle="{text(error[0])}" error="{text(error[1])}"']  # fmt: skip
    if prompt is not None:
        attrs.append(f'promptTitle="{text(prompt[0])}" prompt="{text(prompt[1])}"')
    attrs.append(f'type="{kind}"' + (f' operator="{operator}"' if operator else ""))
    second = f"<formula2>{text(formula2)}</formula2>" if formula2 is not None else ""
    return f'<dataValidation {" ".join(attrs)}><formula1>{text(formula1)}</formula1>{second}</dataValidation>'


def row(n: int, cells: str, height: float | None = None) -> str:
    return f'<row r="{n}" ht="{height:g}" customHeight="1">{cells}</row>' if height else f'<row r="{n}">{cells}</row>'


def cell(column: int, n: int, s: int, value: Any) -> str:
    """A cell as openpyxl wrote it: text always text (never a formula, whatever it starts with; characters XML
    cannot hold as U+FFFD, the caller's `clean`), a day as Excel's number (its format a date's)."""
    ref = f"{letter(column)}{n}"
    style = f' s="{s}"' if s else ""
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}"{style} t="inlineStr"/>'
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and value != stripped else ""  # (openpyxl's rule)
        value = xstring(value) if "_x" in value else value
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value.translate(_ESCAPE)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (date, datetime)):
        return f'<c r="{ref}"{style}><v>{serial(value):.16g}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return cell(column, n, s, str(value))


def clean(value: Any) -> Any:
    """A value as a cell can hold it: in text, the characters XML cannot carry as U+FFFD, and no more than a cell
    holds (32,767 characters: Excel and LibreOffice cut the rest when they save, and a read-only cell's fingerprint
    must cover what comes back, or a sheet nobody touched would not import)."""
    return _ILLEGAL.sub("\ufffd", value[:32767]) if isinstance(value, str) else value
