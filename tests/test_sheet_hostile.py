"""The Excel 填报 round trip against hostile files and places (the review of issue 9 §2): a workbook of a
million rows, a cell of a whole page, a file nobody may read, a file name that would drive the terminal,
a period before the plan, a folder that cannot be made."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import db_env, dump
from test_sheet import FORM, fill, make


def _form_rewritten(source: Path, target: Path, rows) -> None:  # noqa: ANN001 - rows(out): writes XML rows
    """The workbook with rows added at the end of the 填报 sheet's XML, written as a stream by `rows`."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename != "xl/worksheets/sheet2.xml":
                zout.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with zout.open(item.filename, "w", force_zip64=True) as out:
                out.write(head)
                rows(out)
                out.write(b"</sheetData>" + tail)


def _rows_appended(source: Path, target: Path, rows: int, last: str) -> None:
    """`rows` rows that hold only formatting (as when a clerk formats whole columns), then one row with
    `last` in column A."""

    def write(out) -> None:  # noqa: ANN001
        for r in range(100, 100 + rows):
            out.write(f'<row r="{r}"><c r="A{r}" s="1"/></row>'.encode())
        r = 100 + rows
        out.write(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{last}</t></is></c></row>'.encode())

    _form_rewritten(source, target, write)


def test_a_million_rows_are_all_read_and_end_in_one_answer(run, ledger, tmp_path):
    # (memory and time are the benchmark's to measure, not a test's to assert: the timer only stops a hang)
    import signal
    import threading

    path = make(run, tmp_path)
    big = tmp_path / "big.xlsx"
    _rows_appended(path, big, 1_000_000, "最后一行")
    env = os.environ | {"GKPLAN_DB": db_env(ledger)}
    with open(tmp_path / "stderr", "w+", encoding="utf-8") as err:
        child = subprocess.Popen([sys.executable, "-m", "gkplan", "import", str(big)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
        timer = threading.Timer(180, lambda: os.kill(child.pid, signal.SIGKILL))  # (before the fix: hours)
        timer.start()
        try:
            _, status, _usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        said = err.read()
    assert child.returncode == 2, (child.returncode, said)
    assert f"工作表“{FORM}”第 1000100 行 S 列（行标识（勿改））：这一行不是生成的填报行" in said, said  # every row was read


def test_a_workbook_that_is_nothing_but_problems_is_told_by_its_first_thousand(run, ledger, tmp_path):
    path = make(run, tmp_path)
    junk = tmp_path / "junk.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(junk, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                head, tail = data.decode().split("</sheetData>")
                rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(100, 5100))
                data = (head + rows + "</sheetData>" + tail).encode()
            zout.writestr(item, data)
    lines = run("import", str(junk), code=2).stderr.splitlines()
    assert lines[:3] == ["错误：junk.xlsx：1001 处问题，没有导入任何内容", "工作表“填报”：问题或行数过多，只检查到第 1099 行，以下的行没有检查",
                         "工作表“填报”第 100 行 S 列（行标识（勿改））：这一行不是生成的填报行（没有行标识）；请不要增加行"]  # fmt: skip
    assert lines[-1] == "……另有 951 处问题未列出"


def test_a_page_of_text_where_a_number_or_a_status_goes_is_quoted_short(run, ledger, tmp_path):
    path = make(run, tmp_path)
    page = "长" * 32_767  # as much as a cell holds
    fill(path, {("21", "本期进度"): page, ("7", "状态"): page, ("7", "本期进度"): 1e300})
    lines = run("import", str(path), code=2).stderr.splitlines()
    assert len(lines) == 4 and all(len(line) < 200 for line in lines), [len(line) for line in lines]
    assert "第 5 行 K 列（本期进度）：应为 0–100 的整数，收到“长长长" in lines[3] and "…”" in lines[3]


def test_a_chart_sheet_in_place_of_a_sheet_is_no_sheet(run, ledger, tmp_path):
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart

    path = make(run, tmp_path)
    book = load_workbook(path)
    del book["_gkplan"]
    book.create_chartsheet("_gkplan").add_chart(BarChart())
    book.save(path)
    err = run("import", str(path), code=2).stderr
    assert "工作表“_gkplan”：没有这张工作表" in err


def test_a_file_nobody_may_read_is_said_in_one_chinese_line(run, ledger, tmp_path, monkeypatch):
    path = make(run, tmp_path)
    real = os.access
    # (the tests may run as root, whom no mode keeps out: what the system says to anyone else is simulated)
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **kw: False if str(p) == str(path) else real(p, mode, *a, **kw))
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **kw: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    err = run("import", str(path), code=2).stderr
    assert err == f"错误：{path}: 无法读取：没有读权限\n"


def test_a_file_name_cannot_drive_the_terminal(run, ledger, tmp_path):
    path = make(run, tmp_path)
    fill(path, {("21", "本期进度"): 30})
    evil = path.rename(tmp_path / "a\x1b[2Jb.xlsx")
    for args in ((), ("--apply",)):
        out = run("import", str(evil), *args).stdout
        assert "\x1b" not in out and "a\\x1b[2Jb.xlsx" in out


def test_a_period_before_the_plan_gets_no_sheet(run, ledger, tmp_path):
    target = tmp_path / "2021.xlsx"
    err = run("sheet", "--dept", "教务部", "--period", "2021-06", "-o", str(target), code=2).stderr
    assert err == "错误：填报期 2021-06 早于计划的开始日期 2022-03-31；请换一个填报期\n"
    assert not target.exists()


def test_a_folder_that_cannot_be_made_is_said_in_chinese(run, ledger, tmp_path):
    (tmp_path / "file").write_text("", encoding="utf-8")
    err = run("sheet", "--all", "--period", "2022-06", "-o", str(tmp_path / "file" / "sub"), code=5).stderr
    assert err == f"错误：{tmp_path / 'file' / 'sub'}: 无法创建目录：所在目录不存在\n"


def _with_row(source: Path, target: Path, row: bytes | None = None, cell_of: int = 0) -> None:
    """One more row: `row` as given, or a cell of `cell_of` bytes of text."""

    def write(out) -> None:  # noqa: ANN001
        if row:
            out.write(row)
            return
        out.write(b'<row r="100"><c r="A100" t="inlineStr"><is><t>')
        for _ in range(cell_of >> 20):
            out.write(b"x" * (1 << 20))
        out.write(b"</t></is></c></row>")

    _form_rewritten(source, target, write)


def test_a_sheet_past_the_file_size_limit_is_one_line_and_leaves_nothing(run, ledger, tmp_path):
    """The sheet streams into its file (xlsx_guard.py): a full disk can strike in any part, and is one Chinese line,
    the old file kept (--force), nothing half-written left, the ledger untouched."""
    import resource
    import signal

    words = "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(4000))  # text zlib cannot shrink much
    for item in ("7", "21"):
        run("update", item, "--note", words, "--problem", words[::-1], "--next", words[1::2] + words[::2])
    target = tmp_path / "表.xlsx"
    target.write_text("旧内容", encoding="utf-8")
    before = dump(ledger)

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))  # (the ledger's 32 KiB -shm still fits)

    out = subprocess.run([sys.executable, "-m", "gkplan", "sheet", "--dept", "教务部", "-o", str(target), "--force"],
                         env=os.environ | {"GKPLAN_DB": db_env(ledger)}, capture_output=True, text=True,
                         preexec_fn=limited)  # fmt: skip
    assert (out.returncode, out.stderr.count("\n")) == (5, 1), out.stderr
    assert str(target) in out.stderr and "无法写入" in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert target.read_text(encoding="utf-8") == "旧内容" and sorted(p.name for p in tmp_path.glob("*.xlsx*")) == ["表.xlsx"]
    assert dump(ledger) == before
    run("sheet", "--dept", "教务部", "-o", str(target), "--force")
    assert target.stat().st_size > 40_000  # (the limit was below the sheet)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(run, ledger, tmp_path):
    path = make(run, tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    _with_row(path, bomb, cell_of=200 << 20)  # 200 MB of text in a cell, 200 KB as a file
    assert bomb.stat().st_size < 1 << 20
    err = run("import", str(bomb), code=2).stderr
    assert err == f"错误：{bomb}: 解压后超过 100 MB，不是 gkplan sheet 生成的填报表\n"


def test_a_sheet_broken_inside_is_a_damaged_file_however_it_is_read(run, ledger, tmp_path):
    path = make(run, tmp_path)
    for name, row in (("coordinate", b'<row r="100"><c r="ZZZZZ100" t="inlineStr"><is><t>x</t></is></c></row>'),
                      ("xml", b'<row r="100"><c r="A100"><v>1</v></row>')):  # fmt: skip
        broken = tmp_path / f"{name}.xlsx"
        _with_row(path, broken, row)
        err = run("import", str(broken), code=2).stderr
        assert err == f"错误：{broken}: 不是 .xlsx 工作簿，或文件已损坏；请在 Excel 或 WPS 中另存为 .xlsx 后再导入\n", name


def test_the_import_says_how_to_undo_it_and_that_works(run, ledger, tmp_path):
    path = make(run, tmp_path)
    before = {p["id"]: p["progress"] for p in run.json("list")}
    fill(path, {("21", "本期进度"): 50, ("7", "本期进度"): 20})
    caption = run("import", str(path), "--apply").stdout
    assert "撤销：gkplan undo --by 教务部（每次撤销一项，共 2 项）" in caption  # the office's own undo would find nothing
    for _ in range(2):
        run("undo", "--by", "教务部")
    assert {p["id"]: p["progress"] for p in run.json("list")} == before


def test_a_sheet_saved_by_libreoffice_imports(run, ledger, tmp_path):
    import shutil

    import pytest

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    run("update", "7", "--done", "见附件_x000D_第二段", "--problem", "x005F_y")  # (text that looks like an escape)
    path = make(run, tmp_path, name="填报.xlsx")
    fill(path, {("21", "本期进度"): 35, ("21", "进展情况"): "LibreOffice 里填的"})
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)  # fmt: skip
    assert [(c["id"], c["field"]) for c in run.json("import", str(out / "填报.xlsx"))] == [("21", "progress"), ("21", "status"), ("21", "note")]
    run("import", str(out / "填报.xlsx"), "--apply")
    shown = run.json("show", "21")
    assert (shown["progress"], shown["note"]) == (35, "LibreOffice 里填的")


def test_text_that_looks_like_an_excel_escape_is_written_as_excel_reads_it_back(run, ledger, tmp_path):
    """"_x000D_" in a cell's text is a CR to Excel and LibreOffice: the sheet held a note's literal "_x000D_" as
    written, so a sheet re-saved untouched came back with a line break (and "x005F_y" as "y"), a change to import."""
    import re

    run("update", "7", "--done", "见附件_x000D_第二段", "--problem", "x005F_y")
    path = make(run, tmp_path)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode()
    texts = [re.sub("_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), t) for t in re.findall("<t[^>]*>([^<]*)</t>", xml)]
    assert "见附件_x000D_第二段" in texts and "x005F_y" in texts
    assert run.json("import", str(path)) == []


def test_a_sheet_emptied_of_everything_or_with_merged_cells_is_refused(run, ledger, tmp_path):
    from openpyxl import load_workbook

    path = make(run, tmp_path)
    book = load_workbook(path)
    book[FORM].merge_cells("K5:L5")  # 21's progress and status in one cell
    book.save(path)
    assert "第 5 行 L 列（状态）：已有的内容不能清空" in run("import", str(path), code=2).stderr
    book = load_workbook(path)
    book[FORM].delete_rows(1, book[FORM].max_row)
    book.save(path)
    lines = run("import", str(path), code=2).stderr.splitlines()
    assert lines[1] == "工作表“填报”第 1 行 A 列：表头应为“编号”；请不要修改表头"


def test_text_longer_than_a_cell_holds_is_cut_where_excel_cuts_it_and_the_sheet_still_imports(run, tmp_path):
    """A seed's text may run to 100,000 characters; a cell holds 32,767, and Excel, WPS and LibreOffice cut the
    rest when they save. The sheet writes what a cell holds, and fingerprints that: a file nobody touched imports
    without a word (it was refused: 要点原文 “modified”, a read-only column)."""
    import json

    import yaml
    from openpyxl import load_workbook

    seed = yaml.safe_load((Path(__file__).parents[1] / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8"))
    for point in seed["points"]:
        point["text"] = "长" * 40_000
    (tmp_path / "seed.json").write_text(json.dumps(seed, ensure_ascii=False, default=str), encoding="utf-8")
    run("load", str(tmp_path / "seed.json"))
    path = make(run, tmp_path)
    sheet = load_workbook(path)[FORM]
    texts = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value.startswith("长长")]
    assert texts and all(len(t) == 32_767 for t in texts)
    assert "没有需要导入的修改" in run("import", str(path)).stdout


def test_characters_xml_cannot_carry_in_the_ledger_make_a_sheet_that_opens(run, isolated, tmp_path):
    """A title edited behind gkplan's back (the ledger's checks refuse U+FFFE and U+FFFF) was written as it was:
    a file neither Excel, openpyxl nor the import could open. It goes out as U+FFFD, and imports untouched."""
    import sqlite3

    from openpyxl import load_workbook

    run("depts")  # the bundled plan, in a SQLite file: edited behind gkplan's back
    with sqlite3.connect(isolated) as conn:
        conn.execute("UPDATE points SET title = title || char(65534) || char(65535)")
    path = make(run, tmp_path)
    titles = [c.value for row in load_workbook(path)[FORM].iter_rows(min_row=2) for c in row if isinstance(c.value, str) and "\ufffd\ufffd" in c.value]
    assert titles
    assert "没有需要导入的修改" in run("import", str(path)).stdout


def test_rows_reaching_far_right_cost_what_they_spell_out(run, ledger, tmp_path):
    """A row is as wide as its last cell: an empty cell at XFD (the last column) in each row made 16,384 cells a
    row, each normalised (100,000 such rows, a 0.5 MB file: 4 minutes). The import reads the columns it knows and
    the cells the file holds past them; a word typed far right is still found. (The timer only stops a hang.)"""
    import signal
    import threading

    path = make(run, tmp_path)
    wide = tmp_path / "wide.xlsx"

    def write(out) -> None:  # noqa: ANN001
        for r in range(100, 200_100):
            out.write(f'<row r="{r}"><c r="XFD{r}" t="inlineStr"/></row>'.encode())
        out.write(b'<row r="200100"><c r="ZZ200100" t="inlineStr"><is><t>\xe5\xa4\x87\xe6\xb3\xa8</t></is></c></row>')

    _form_rewritten(path, wide, write)
    env = os.environ | {"GKPLAN_DB": db_env(ledger)}
    child = subprocess.Popen([sys.executable, "-m", "gkplan", "import", str(wide)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    timer = threading.Timer(90, lambda: os.kill(child.pid, signal.SIGKILL))  # (before the fix: some 4 minutes)
    timer.start()
    try:
        said = child.communicate()[1]
    finally:
        timer.cancel()
    assert child.returncode == 2, (child.returncode, said)
    assert f"工作表“{FORM}”第 200100 行 ZZ 列：这一列不属于填报表" in said, said


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({"id": st.text(), "kind": st.text(), "v": st.integers(), "h": st.lists(st.text()),
                              "lock": st.lists(st.text())}),  # fmt: skip
       st.text(st.characters(blacklist_categories=("Cs",))))  # (a lone surrogate is no UTF-8 for either)
def test_the_row_identity_and_its_fingerprints_are_json_and_sha256_as_ever(identity, value):
    """sheet writes a row's 行标识 and its fingerprints without importing json or hashlib (start-up): byte for
    byte what json.dumps and hashlib.sha256 gave, so that every sheet made before still reads back."""
    import hashlib
    import json

    from gkplan.sheet import fingerprint, identity_text, normal

    assert identity_text(identity) == json.dumps(identity, ensure_ascii=False, separators=(",", ":"))
    assert fingerprint(value) == hashlib.sha256(normal(value).encode("utf-8")).hexdigest()[:12]
