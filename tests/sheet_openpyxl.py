"""The 填报 workbook as gkplan wrote it with openpyxl up to the zipfile writer (sheet_write.py before it used
xlsx_guard.py): the reference test_sheet_parity.py checks the new workbooks against, kept as it was."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from gkplan.actions import MAX_NOTE
from gkplan.kinds import light_fill
from gkplan.sheet import (
    COLUMNS, FORM, GUIDE, KEY_COLUMN, KEY_HEADER, META, STATUS_CHOICES, TEXT_FIELDS, column_of, fingerprint,
    letter,
)  # fmt: skip
from gkplan.sheet_write import guide_lines
from gkplan.xlsx import PAPER

_YELLOW, _GREY, _HEAD, _HEAD_EDIT = "FFF2CC", "F2F2F2", "D9D9D9", "FFD966"


def book(meta: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
    from openpyxl import Workbook

    book = Workbook()
    book.properties.creator = "gkplan"
    book.properties.title = f"{meta['department']} {meta['period']} 督查填报表"
    guide = book.active
    guide.title = GUIDE
    _guide(guide, meta, rows)
    _form(book.create_sheet(FORM), rows)
    hidden = book.create_sheet(META)
    for name, value in meta.items():
        hidden.append([name, str(value)])
    hidden.sheet_state = "hidden"
    hidden.protection.sheet = True
    return book


def _put(cell: Any, value: Any) -> Any:
    """Write a value as it is: text as text (never a formula, whatever it starts with), characters that
    XML cannot carry as U+FFFD. Returns what was written, which is what the row's fingerprint covers."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return value


def _lines(value: Any, width: int) -> int:
    """How many lines a wrapped cell of `width` characters needs (CJK characters count two)."""
    from gkplan.render.width import cell_width

    if not isinstance(value, str):
        return 1
    return sum(max(1, -(-cell_width(line) // width)) for line in value.split("\n"))


def _form(sheet: Any, rows: list[dict[str, Any]]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    def fill(color: str) -> PatternFill:
        return PatternFill("solid", start_color=color, end_color=color)

    thin = Side(style="thin", color="BFBFBF")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for i, col in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i, value=col.header)
        cell.font, cell.fill, cell.border = Font(bold=True), fill(_HEAD_EDIT if col.editable else _HEAD), box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[letter(i)].width = col.width
    sheet.cell(row=1, column=KEY_COLUMN, value=KEY_HEADER)
    wrapped = (*TEXT_FIELDS, "title", "parent", "remark")
    for r, row in enumerate(rows, start=2):
        written = []
        for i, col in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=r, column=i)
            value = row["cells"][col.key]
            if col.key in ("due", "reported") and value:
                value = date.fromisoformat(value)  # a real date (its fingerprint is the same ISO text)
                cell.number_format = "yyyy-mm-dd"
            written.append(_put(cell, value))
            open_ = col.editable and col.key not in row["locked"]
            cell.protection = Protection(locked=not open_)
            lit = light_fill(value) if col.key == "light" else None
            cell.fill = fill(_YELLOW if open_ else lit or _GREY)
            if col.key in TEXT_FIELDS or (col.editable and col.key == "status"):
                cell.number_format = "@"  # what a clerk types stays text: '=…' is not run, '001' keeps its zeros
            cell.alignment = Alignment(vertical="top", wrap_text=col.key in wrapped)
            cell.border = box
        identity = {"id": row["key"], "kind": row["kind"], "v": row["version"], "h": [fingerprint(v) for v in written],
                    "lock": row["locked"]}  # fmt: skip
        sheet.cell(row=r, column=KEY_COLUMN, value=json.dumps(identity, ensure_ascii=False, separators=(",", ":")))
        # neither Excel nor WPS fits a row to wrapped text when opening a file: a row that holds more than one
        # line is given the height of its longest cell, up to ten lines (the clerk may change it)
        lines = max(_lines(row["cells"][c.key], c.width) for c in COLUMNS if c.key in wrapped)
        if lines > 1:
            sheet.row_dimensions[r].height = 15 * min(lines, 10)
    sheet.column_dimensions[letter(KEY_COLUMN)].hidden = True
    sheet.freeze_panes = "D2"
    _validations(sheet, len(rows) + 1)
    protection = sheet.protection
    protection.sheet = True
    # widths and heights may change, and the filter may narrow the rows: nothing else. (Unhiding 行标识 is then
    # possible, but its cells stay locked, and the import checks them all the same.)
    protection.formatColumns = protection.formatRows = protection.autoFilter = False
    sheet.auto_filter.ref = f"A1:{letter(len(COLUMNS))}{len(rows) + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER["A4"]
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_area = f"A1:{letter(len(COLUMNS) - 1)}{len(rows) + 1}"  # the point's whole text is for the screen


def _validations(sheet: Any, last: int) -> None:
    """Excel and WPS refuse what the import would refuse, as it is typed."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if last < 2:
        return

    def span(key: str) -> str:
        col = column_of(key)[0]
        return f"{col}2:{col}{last}"

    progress = DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True,
                              showErrorMessage=True, errorTitle="本期进度", error="请填 0–100 的整数，不带 %（如 60）",
                              showInputMessage=True, promptTitle="本期进度", prompt="0–100 的整数；100 即报办结，须填办结佐证")  # fmt: skip
    progress.add(span("progress"))
    status = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="状态", error="请从下拉列表中选择",
                            showInputMessage=True, promptTitle="状态", prompt="选“已完成”即报办结，须填办结佐证")  # fmt: skip
    status.add(span("status"))
    text = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_NOTE), allow_blank=True,
                          showErrorMessage=True, errorTitle="文字过长", error=f"最多 {MAX_NOTE} 字")  # fmt: skip
    for key in TEXT_FIELDS:
        text.add(span(key))
    for dv in (progress, status, text):
        sheet.add_data_validation(dv)


def _guide(sheet: Any, meta: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    from openpyxl.styles import Alignment, Font

    lines = guide_lines(meta, rows)  # the wording is the writer's: this copy keeps only how openpyxl drew it
    sheet.column_dimensions["A"].width = 70  # fits a portrait page as it fits a screen
    for kind, text in lines:
        sheet.append([text])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.font = Font(bold=True, size=14) if kind == "title" else Font(bold=True) if kind == "head" else Font()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind != "title" and _lines(text, 70) > 1:
            sheet.row_dimensions[sheet.max_row].height = 15 * _lines(text, 70)
    sheet.protection.sheet = True
