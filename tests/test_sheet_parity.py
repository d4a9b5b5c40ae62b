"""`gkplan sheet` writes its workbook with zipfile (sheet_write.py, xlsx_guard.py), no longer with openpyxl: what
openpyxl reads from it is what it read from the workbook openpyxl wrote (sheet_openpyxl.py, the old writer kept
as the reference), for every department's sheet of the bundled plan and for rows of generated text. Values,
types, number formats, fonts, fills, borders, alignment, each cell's protection, the sheets' protection, data
validation, widths and hidden columns, row heights, panes, the autofilter, print setup, defined names."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sheet_openpyxl
from gkplan import sheet_write
from gkplan.sheet import COLUMNS, EDITABLE, STATUS_CHOICES

_SHEET_PROTECTION = ("sheet", "objects", "scenarios", "formatCells", "formatRows", "formatColumns", "insertColumns",
                     "insertRows", "insertHyperlinks", "deleteColumns", "deleteRows", "selectLockedCells",
                     "selectUnlockedCells", "sort", "autoFilter", "pivotTables", "password", "algorithmName",
                     "hashValue", "saltValue", "spinCount")  # fmt: skip
_VALIDATION = ("type", "operator", "formula1", "formula2", "allow_blank", "showErrorMessage", "showInputMessage",
               "showDropDown", "errorTitle", "error", "errorStyle", "promptTitle", "prompt")  # fmt: skip


def xml(part: Any) -> Any:
    """An openpyxl object as the XML it stands for (its repr names nested objects by their address)."""
    from openpyxl.xml.functions import tostring

    return None if part is None else tostring(part.to_tree()).decode()


def read(source: Any) -> dict[str, Any]:
    """What openpyxl reads from a workbook: everything a reader of the 填报 sheet sees or is held to."""
    from openpyxl import load_workbook

    book = load_workbook(source)
    out: dict[str, Any] = {
        "sheets": book.sheetnames, "active": book.index(book.active), "title": book.properties.title,
        "creator": book.properties.creator, "names": sorted((n, d.attr_text) for n, d in book.defined_names.items()),
        "locked": bool(book.security and (book.security.lockStructure or book.security.lockWindows)),
    }  # fmt: skip
    for sheet in book.worksheets:
        view = sheet.sheet_view
        s: dict[str, Any] = {
            "state": sheet.sheet_state, "dimensions": sheet.dimensions, "freeze": sheet.freeze_panes,
            "view": xml(view),
            "protection": {k: getattr(sheet.protection, k) for k in _SHEET_PROTECTION},
            "names": sorted((n, d.attr_text) for n, d in sheet.defined_names.items()),
            "filter": sheet.auto_filter.ref, "print_titles": (sheet.print_title_rows, sheet.print_title_cols),
            "print_area": sheet.print_area, "page": xml(sheet.page_setup), "margins": xml(sheet.page_margins),
            "print_options": xml(sheet.print_options), "fit": xml(sheet.sheet_properties.pageSetUpPr),
            "header_footer": xml(sheet.HeaderFooter),
            "columns": {k: (d.width, d.hidden, d.customWidth) for k, d in sheet.column_dimensions.items()},
            "rows": {k: (d.height, d.hidden) for k, d in sheet.row_dimensions.items() if d.height or d.hidden},
            "validations": sorted(
                (tuple(getattr(dv, k) for k in _VALIDATION), tuple(sorted(str(r) for r in dv.sqref.ranges)))
                for dv in sheet.data_validations.dataValidation
            ),
        }  # fmt: skip
        s["cells"] = [
            (c.coordinate, c.value, c.data_type, c.number_format, xml(c.font), xml(c.fill), xml(c.border),
             xml(c.alignment), c.protection.locked, c.protection.hidden)
            for line in sheet.iter_rows() for c in line
        ]  # fmt: skip
        out[sheet.title] = s
    return out


def assert_same(old: Any, new: Any) -> None:
    a, b = read(old), read(new)
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], dict):
            for part in a[key]:
                assert a[key][part] == b[key][part], (key, part)
        else:
            assert a[key] == b[key], key


@pytest.fixture
def both(monkeypatch):
    """Every sheet the CLI writes is written by openpyxl too, beside it (NAME.openpyxl.xlsx): the pairs written."""
    pairs: list[tuple[Path, Path]] = []
    write = sheet_write._write

    def twice(ledger, meta, rows, target, force):  # noqa: ANN001, ANN202
        done = write(ledger, meta, rows, target, force)
        old = target.with_name(target.stem + ".openpyxl.xlsx")
        sheet_openpyxl.book(meta, rows).save(old)
        pairs.append((old, target))
        return done

    monkeypatch.setattr(sheet_write, "_write", twice)
    return pairs


def test_every_departments_sheet_reads_as_openpyxls(run, ledger, tmp_path, both):
    """The bundled plan's sheets, every department's, with a point whose progress its tasks make (locked), a
    report waiting for review, a point signed off, a postponed task, text that looks like a formula, text
    with surrounding space and several lines, and every light."""
    run("update", "21", "--progress", "30", "--problem", "=SUM(A1:A3)", "--note", "  前后有空格  ")
    run("update", "7", "--next", "\n".join(["第一步：" + "很长的一句话" * 8] * 14))
    run("task", "complete", "7")
    run("task", "update", "7.1", "--progress", "100", "--evidence", "文件已印发")
    run("review", "7.1", "--accept")
    for period in ("2022-06", "2022-Q2"):
        run("sheet", "--all", "--period", period, "-o", str(tmp_path / period), "--force")
    assert len(both) > 20
    for old, new in both:
        assert_same(old, new)


def test_a_sheet_of_a_late_year_shows_its_lights_as_openpyxl_wrote_them(run, ledger, tmp_path, both, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-12-20")
    run("sheet", "--dept", "教务部", "--period", "2022-12", "-o", str(tmp_path / "late.xlsx"))
    (old, new), = both
    assert_same(old, new)
    assert {c[4] for c in read(new)["填报"]["cells"] if c[0].startswith("I")} - {"灯色"}, "no light was tested"


# -- rows of generated values ----------------------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # XML-illegal characters too
_value = st.one_of(st.none(), _text, st.integers(-5, 200), st.sampled_from(["  ", "=1+1", "a\r\nb", "x\ny\n", "\t"]))


def _row(draw: Any, n: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["point", "task"]))
    cells = {c.key: draw(_value) for c in COLUMNS}
    cells["id"] = f"{n}" if kind == "point" else f"{n}.1"
    for key in ("due", "reported"):
        cells[key] = draw(st.one_of(st.none(), st.dates(date(1900, 3, 1), date(2100, 1, 1)).map(date.isoformat)))
    cells["light"] = draw(st.one_of(st.none(), st.sampled_from(["红灯", "黄灯", "绿灯", "完成", "待销号", "未报送"]), _text))
    cells["status"] = draw(st.one_of(st.sampled_from(STATUS_CHOICES), _value))
    locked = draw(st.lists(st.sampled_from(EDITABLE), unique=True, max_size=2))
    return {"kind": kind, "key": cells["id"], "version": draw(st.integers(0, 10**6)), "locked": locked, "cells": cells}


@st.composite
def _rows(draw: Any) -> list[dict[str, Any]]:
    return [_row(draw, n) for n in range(1, draw(st.integers(1, 4)) + 1)]


_META = {"format": "gkplan-sheet/1", "plan": "2022", "plan_title": "国家开放大学 2022 年工作要点", "ledger": "0" * 32,
         "period": "2022-06", "period_start": "2022-06-01", "period_end": "2022-06-30", "report_day": "2022-06-25",
         "made_at": "2022-06-30T08:00:00+00:00"}  # fmt: skip


# (a department named "=…" was written into _gkplan by openpyxl as a formula: it is text now)
_department = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(lambda d: d[0] != "=")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows(), department=_department)
def test_generated_rows_read_as_openpyxls(rows, department):
    meta = _META | {"department": department, "rows": len(rows)}
    old, new = io.BytesIO(), io.BytesIO()
    sheet_openpyxl.book(meta, rows).save(old)
    sheet_write.save(meta, rows, new)
    assert_same(old, new)


def test_the_comparison_sees_a_difference():
    """A parity check that cannot fail proves nothing: one cell unlocked, one width, one message changed."""
    rows = [{"kind": "point", "key": "1", "version": 0, "locked": ["progress"],
             "cells": {c.key: None for c in COLUMNS} | {"id": "1", "status": "进行中"}}]  # fmt: skip
    meta = _META | {"department": "教务部", "rows": 1}
    new = io.BytesIO()
    sheet_write.save(meta, rows, new)
    for change in ("unlocked", "width", "message"):
        from openpyxl.styles import Protection

        book = sheet_openpyxl.book(meta, rows)
        form = book["填报"]
        if change == "unlocked":
            form["K2"].protection = Protection(locked=False)
        elif change == "width":
            form.column_dimensions["C"].width = 35
        else:
            form.data_validations.dataValidation[0].error = "请填整数"
        old = io.BytesIO()
        book.save(old)
        with pytest.raises(AssertionError):
            assert_same(old, io.BytesIO(new.getvalue()))
