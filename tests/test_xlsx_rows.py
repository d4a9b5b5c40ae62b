"""The ledger export's rows, written as XML text by a writer compiled for each sheet's columns: what a reader
finds in each kind of cell (text to escape, several lines, a light, a day, a time, a number) is what the
ledger holds, with the sheets' styles, whichever way (the usual one or the general one) the cell was written."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime

import pytest


def _compiled_from_the_first_row(monkeypatch) -> None:
    """A long sheet's rows: the row writer compiled for its columns from the first row on (39 points are
    otherwise all written the general way)."""
    monkeypatch.setattr("gkplan.xlsx._SAMPLE", 1)
    monkeypatch.setattr("gkplan.xlsx._GENERAL", 0)


@pytest.mark.parametrize("compiled", [False, True], ids=["general", "compiled"])
def test_export_cells_read_back_as_the_ledger_holds_them(run, ledger, tmp_path, monkeypatch, compiled):
    from openpyxl import load_workbook

    if compiled:
        _compiled_from_the_first_row(monkeypatch)

    note = "甲&乙 <丙> “丁”\n第二行 a<b"
    long = "进展" * 60  # wider than its column: the row grows (a height), text as it is
    run("update", "3", "--progress", "40", "--note", note)
    run("update", "5", "--status", "受阻", "--note", long)
    path = tmp_path / "台账.xlsx"
    run("export", "-o", str(path), "--as-of", "2022-06-30")
    book = load_workbook(path)
    points = book["要点"]
    headers = [c.value for c in points[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    rows = {points.cell(row=r, column=1).value: r for r in range(2, points.max_row + 1)}
    three, five = rows[3], rows[5]
    assert points.cell(row=three, column=col["进展情况"]).value == note
    assert points.cell(row=five, column=col["进展情况"]).value == long
    assert points.row_dimensions[five].height and points.row_dimensions[five].height > 15
    progress = points.cell(row=three, column=col["进度"])
    assert (progress.value, progress.number_format) == (40, '0"%"')
    due = points.cell(row=three, column=col["截止日期"])
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    updated = points.cell(row=three, column=col["更新时间"])
    assert isinstance(updated.value, datetime) and updated.number_format == "yyyy-mm-dd hh:mm"
    assert points.cell(row=five, column=col["状态"]).value == "受阻"
    light = points.cell(row=three, column=col["灯色"])
    assert light.value and light.fill.fill_type == "solid"
    history = book["历史"]
    headers = [c.value for c in history[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    notes = [history.cell(row=r, column=col["说明"]).value for r in range(2, history.max_row + 1)]
    assert note in notes and long in notes
    at = history.cell(row=2, column=col["记录时间"])
    assert isinstance(at.value, datetime) and at.number_format == "yyyy-mm-dd hh:mm"
    assert history.cell(row=2, column=col["生效日期"]).is_date


def test_the_compiled_rows_are_the_general_rows(run, ledger, tmp_path, monkeypatch):
    """Both ways of writing a row give the same XML, byte for byte (the long-text columns' widths are fixed,
    so a row's height does not depend on the rows sampled)."""
    run("update", "3", "--progress", "40", "--note", "甲&乙 <丙>\n第二行 a<b  ")
    run("update", "5", "--status", "受阻", "--note", "进展" * 60)
    run("target", "set", "7", "招生", "--actual", "159万")
    run("update", "8", "--note", "代码_x0041_说明")  # (escaped either way: Excel reads "_x0041_" as "A")
    run("export", "-o", str(tmp_path / "general.xlsx"), "--as-of", "2022-06-30")
    _compiled_from_the_first_row(monkeypatch)
    run("export", "-o", str(tmp_path / "compiled.xlsx"), "--as-of", "2022-06-30")

    def rows(name):
        with zipfile.ZipFile(tmp_path / name) as z:
            return [re.search(rb"<sheetData>.*</sheetData>", z.read(n), re.S).group() for n in z.namelist()
                    if n.startswith("xl/worksheets/")]  # fmt: skip

    assert rows("general.xlsx") == rows("compiled.xlsx")
    assert b"<t>\xe4\xbb\xa3\xe7\xa0\x81_x005F_x0041_" in b"".join(rows("compiled.xlsx"))
