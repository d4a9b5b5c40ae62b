"""Excel-ready everywhere: `-o FILE` of every listing (.csv with a BOM, Chinese headers and the formula guard;
.xlsx as a meeting-ready sheet; .json), the formula guard on stdout CSV, and the page set-up of every
workbook gkplan writes (the ledger export, the bulletin, the 填报 sheet), checked with openpyxl."""

from __future__ import annotations

import csv
import io
import json

import pytest

LISTINGS = [
    ("list",), ("list", "--dept", "教务部"), ("task", "list"), ("target", "list"), ("report",), ("report", "--overdue"),
    ("report", "--overview"), ("log",), ("diff", "2022-01-01", "2022-06-30"), ("remind",), ("stale",), ("missing",),
    ("brief", "--leader", "李松"), ("depts",), ("leaders",), ("plans",), ("show", "3"), ("check",),
]  # fmt: skip


def _csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _light(cell):
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None


def _setup(sheet, paper=9):
    ps = sheet.page_setup
    assert (ps.orientation, int(ps.paperSize), int(ps.fitToWidth), int(ps.fitToHeight)) == ("landscape", paper, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.freeze_panes in ("A2", "B2")
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=sheet.max_column).column_letter}{sheet.max_row}"


@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: " ".join(a))
def test_every_listing_writes_csv_xlsx_and_json(run, isolated, tmp_path, args):
    from openpyxl import load_workbook

    run("update", "3", "--progress", "40", "--note", "=1+1")
    for suffix in ("csv", "xlsx", "json"):
        path = tmp_path / f"out.{suffix}"
        result = run(*args, "-o", str(path))
        assert result.stdout == "" and "已写出" in result.stderr
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == run.json(*args)
    rows = _csv(tmp_path / "out.csv")
    assert rows[0] and all(not h.isascii() for h in rows[0])  # every header in Chinese
    assert all(not c.startswith("=") for r in rows for c in r)
    book = load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["out"]
    sheet = book["out"]
    assert sheet.max_row == len(rows)
    if sheet.max_row > 1:
        _setup(sheet)


def test_report_to_csv_for_the_meeting(run, ledger, tmp_path):
    path = tmp_path / "汇总.csv"
    run("report", "-o", str(path))
    rows = _csv(path)
    assert rows[0][:4] == ["分组", "要点数", "已完成", "进行中"] and rows[1][0] == "宣传部"
    assert "已存在" in run("report", "-o", str(path), code=6).stderr
    run("report", "--by", "leader", "-o", str(path), "--force")
    assert _csv(path)[1][0] == "曹国永"


def test_csv_file_values_in_words_and_guarded(run, ledger, tmp_path):
    run("update", "3", "--progress", "40", "--note", "=cmd|' /C calc'!A0")
    run("update", "4", "--note", "@SUM(A1)")
    run("list", "-o", str(tmp_path / "l.csv"))
    rows = _csv(tmp_path / "l.csv")
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert table[2]["进展情况"] == "'=cmd|' /C calc'!A0" and table[3]["进展情况"] == "'@SUM(A1)"
    assert (table[2]["状态"], table[2]["灯色"], table[2]["进度"], table[2]["逾期"]) == ("进行中", "绿灯", "40", "否")


def test_stdout_csv_keeps_keys_without_bom_and_guards_formulas(run, ledger):
    run("update", "3", "--note", "=HYPERLINK(\"http://x\")")
    run("update", "4", "--note", "-1 项待办")
    out = run("list", "--format", "csv").stdout
    assert out.startswith("plan,id,section,")  # scripts read the keys; no BOM
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["3"]["note"] == "'=HYPERLINK(\"http://x\")" and rows["4"]["note"] == "'-1 项待办"
    overdue = list(csv.DictReader(io.StringIO(run("report", "--overdue", "--as-of", "2023-01-05", "--format", "csv").stdout)))
    assert overdue and overdue[0]["days_left"].startswith("-")  # numbers stay numbers


def test_output_file_refusals(run, ledger, tmp_path):
    assert "无法从文件名" in run("list", "-o", str(tmp_path / "a.txt"), code=2).stderr
    assert "不一致" in run("list", "-o", str(tmp_path / "a.csv"), "--format", "json", code=2).stderr
    run("list", "-o", str(tmp_path / "a.csv"), "--format", "csv")
    assert not (tmp_path / "a.txt").exists()


def test_list_xlsx_is_meeting_ready(run, ledger, tmp_path):
    from openpyxl import load_workbook

    run("update", "3", "--progress", "40")
    run("update", "5", "--status", "受阻", "--note", "等待批复")
    path = tmp_path / "要点.xlsx"
    run("list", "-o", str(path), "--as-of", "2023-01-05")
    sheet = load_workbook(path)["要点"]
    _setup(sheet)
    headers = [c.value for c in sheet[1]]
    assert "计划" not in headers and headers[-1] == "全文"  # the whole text last, off the printed page
    assert sheet.print_area == f"'要点'!$A$1:${sheet.cell(row=1, column=len(headers) - 1).column_letter}$40"
    col = {h: i + 1 for i, h in enumerate(headers)}
    due = sheet.cell(row=2, column=col["截止日期"])
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    light = sheet.cell(row=2, column=col["灯色"])
    assert light.value == "红灯" and _light(light) == "FFC7CE"
    progress = sheet.cell(row=4, column=col["进度"])
    assert progress.value == 40 and progress.number_format == '0"%"'


def test_the_ledger_export_prints_on_a3_with_a_cover(run, ledger, tmp_path):
    from openpyxl import load_workbook

    run("target", "set", "7", "招生", "--actual", "159万")
    run("update", "3", "--progress", "40")
    path = tmp_path / "台账.xlsx"
    run("export", "-o", str(path), "--as-of", "2022-06-30")
    book = load_workbook(path)
    cover = [c.value for row in book["概况"].iter_rows() for c in row if c.value]
    assert cover[0] == "国家开放大学 2022 年工作要点 督查台账" and cover[1].startswith("截至 2022-06-30")
    assert any(str(v).startswith("共 39 项工作要点") for v in cover) and "部分" in cover
    for name in ("要点", "任务", "指标", "历史"):
        _setup(book[name], paper=8)
    points = book["要点"]
    headers = [c.value for c in points[1]]
    assert points.cell(row=4, column=headers.index("灯色") + 1).fill.fgColor.rgb.endswith("C6EFCE")  # 3: green
    assert points.cell(row=2, column=headers.index("截止日期") + 1).is_date
    goals = book["指标"]
    headers = [c.value for c in goals[1]]
    row = {h: c for h, c in zip(headers, goals[2])}
    assert row["指标"].value == "总招生数"
    assert (row["实际值"].value, row["实际值"].number_format) == (159, 'General"万人"')  # 159万人, not 1590000
    assert row["统计日期"].is_date and _light(row["灯色"]) == "D9D9D9"  # 达成


def test_bulletin_and_fill_in_sheets_print_the_same_way(run, ledger, tmp_path):
    from openpyxl import load_workbook

    run("bulletin", "--period", "2022-06", "-o", str(tmp_path / "通报.xlsx"))
    book = load_workbook(tmp_path / "通报.xlsx")
    for name in ("各部门", "量化指标"):
        _setup(book[name])
    run("sheet", "--dept", "教务部", "--period", "2022-06", "-o", str(tmp_path / "填报.xlsx"))
    form = load_workbook(tmp_path / "填报.xlsx")["填报"]
    ps = form.page_setup
    assert (ps.orientation, int(ps.paperSize), int(ps.fitToWidth), int(ps.fitToHeight)) == ("landscape", 9, 1, 0)
    assert form.print_title_rows == "$1:$1" and form.auto_filter.ref
    assert form["H2"].is_date  # 截止日期


def test_a_workbook_s_parts_are_well_formed_and_every_style_defined(run, ledger, tmp_path):
    """The package is written by hand (xlsx_book.py): a plain zip, every part parses, every part the content types
    name is there, and every style a cell refers to (by number) is one styles.xml defines."""
    import re
    import zipfile
    from xml.etree import ElementTree

    run("target", "set", "7", "招生", "--actual", "159万")
    path = tmp_path / "台账.xlsx"
    run("export", "-o", str(path))
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert {i.extract_version for i in z.infolist()} == {20}  # no ZIP64 fields: Excel refuses them in a small part
        parts = {n: z.read(n) for n in z.namelist()}
    xml = {name: ElementTree.fromstring(raw) for name, raw in parts.items()}
    named = [o.get("PartName").lstrip("/") for o in xml["[Content_Types].xml"] if o.get("PartName")]
    assert set(named) <= set(parts) and "xl/worksheets/sheet5.xml" in named
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    styles = xml["xl/styles.xml"]
    used = {int(s) for name, raw in parts.items() if name.startswith("xl/worksheets/") for s in re.findall(rb' s="(\d+)"', raw)}
    assert used and max(used) < len(styles.find(f"{main}cellXfs"))
    assert "gk 万人" in [s.get("name") for s in styles.find(f"{main}cellStyles")]


def test_a_sheet_named_with_quotes_and_ampersands(run, ledger, tmp_path):
    """The sheet's name in the print titles and area is quoted, its quote doubled; the page header's & is doubled."""
    from openpyxl import load_workbook

    name = "甲'乙 & <丙>"
    run("list", "-o", str(tmp_path / f"{name}.xlsx"))
    book = load_workbook(tmp_path / f"{name}.xlsx")
    assert book.sheetnames == [name] and book.properties.title == name
    sheet = book[name]
    _setup(sheet)
    assert sheet.print_area == "'甲''乙 & <丙>'!$A$1:$M$40"
    assert sheet.oddHeader.center.text == "甲'乙 && <丙>"
