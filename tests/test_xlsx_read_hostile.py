"""The workbook reader `gkplan import` uses (xlsx_read.py) against hostile files, which users mail around: a
DOCTYPE or entity declaration in any part, a part or a sheet too large, a part whose bytes were changed, a
file that is not a workbook by its name; and `import` itself, which must not load openpyxl."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from gkplan.xlsx_read import Book
from test_xlsx_read import _NS, package

# -- hostile files --------------------------------------------------------------------------------------

_LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'


@pytest.mark.parametrize("where", ["sheet", "strings", "workbook"])
def test_a_doctype_or_an_entity_is_refused_wherever_it_is(tmp_path, where):
    from gkplan.xlsx_sheet import Refused

    sheet = f"<worksheet {_NS}><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>"
    strings = ["<si><t>x</t></si>"]
    if where == "sheet":
        sheet = _LAUGHS + sheet.replace("<v>1</v>", "<v>&lol2;</v>")
    path = package(tmp_path / "laughs.xlsx", {"填报": sheet}, strings)
    if where != "sheet":
        part = "xl/sharedStrings.xml" if where == "strings" else "xl/workbook.xml"
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts[part] = _LAUGHS.encode() + parts[part].split(b"?>", 1)[-1]
        with zipfile.ZipFile(path, "w") as z:
            for n, data in parts.items():
                z.writestr(n, data)
    with pytest.raises(Refused):
        list(Book(path).rows("填报"))


def test_a_part_is_read_only_up_to_its_cap(tmp_path, monkeypatch):
    from gkplan import xlsx_read
    from gkplan.xlsx_sheet import Refused

    path = package(tmp_path / "big.xlsx", {"填报": "<row><c><v>1</v></c></row>" * 5000})
    assert len(list(Book(path).rows("填报"))) == 5000
    monkeypatch.setattr(xlsx_read, "MAX_PART", 50_000)
    with pytest.raises(Refused):
        list(Book(path).rows("填报"))


def test_only_a_workbooks_name_is_read_as_one(tmp_path):
    """As openpyxl did: a workbook renamed .xls or .zip is refused by its name (the import says: save it as .xlsx)."""
    from gkplan.xlsx_sheet import Refused

    path = package(tmp_path / "book.XLSX", {"填报": "<row><c><v>1</v></c></row>"})
    assert [[c.value for c in row] for row in Book(path).rows("填报")] == [[1]]
    for suffix in (".xls", ".zip", ".xlsx.bak"):
        other = tmp_path / f"book{suffix}"
        shutil.copy(path, other)
        with pytest.raises(Refused):
            Book(other)


# -- through the command ------------------------------------------------------------------------------


def test_import_reads_the_workbook_without_openpyxl(run, ledger, tmp_path):
    """Importing openpyxl took some 130 ms of `import`'s start-up (issue 11): the preview must not load it."""
    import os
    import subprocess
    import sys

    from conftest import db_env
    from test_sheet import fill, make

    path = make(run, tmp_path)
    fill(path, {("21", "本期进度"): 45})
    probe = (f"import sys\nsys.argv = ['gkplan', 'import', {str(path)!r}, '--format', 'json']\nfrom gkplan.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('openpyxl', 'et_xmlfile', 'lxml', 'xml.etree') if m in sys.modules), file=sys.stderr)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], env=os.environ | {"GKPLAN_DB": db_env(ledger)}, capture_output=True, text=True, check=True)
    assert '"new": 45' in out.stdout, out.stdout + out.stderr
    assert out.stderr.rsplit("LOADED ", 1)[1].strip() == "[]"


def test_a_workbook_declaring_entities_is_a_damaged_file_and_changes_nothing(run, ledger, tmp_path):
    from conftest import fingerprint
    from test_sheet import fill, make

    path = make(run, tmp_path)
    fill(path, {("21", "本期进度"): 45})
    evil = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(evil, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = _LAUGHS.encode() + data.split(b"?>", 1)[-1]
            zout.writestr(item, data)
    before = fingerprint(ledger)
    err = run("import", str(evil), "--apply", code=2).stderr
    assert err == f"错误：{evil}: 不是 .xlsx 工作簿，或文件已损坏；请在 Excel 或 WPS 中另存为 .xlsx 后再导入\n"
    assert fingerprint(ledger) == before


def test_a_sheet_is_read_only_up_to_its_rows_cap(tmp_path, monkeypatch):
    from gkplan import xlsx_sheet
    from gkplan.xlsx_sheet import Refused

    path = package(tmp_path / "rows.xlsx", {"填报": '<row r="1"><c><v>1</v></c></row>' * 50})  # the same row, over and over
    assert len(list(Book(path).rows("填报"))) == 1
    monkeypatch.setattr(xlsx_sheet, "MAX_ROW_ELEMENTS", 49)
    with pytest.raises(Refused):
        list(Book(path).rows("填报"))


def test_a_part_whose_bytes_do_not_match_is_a_damaged_file(run, ledger, tmp_path):
    from test_sheet import make

    path = make(run, tmp_path)
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename))
    data = stored.read_bytes()
    at = data.index("行标识".encode())  # in 填报's header row, stored as it is: one byte changed, its CRC no longer matches
    stored.write_bytes(data[:at] + b"X" + data[at + 1 :])
    err = run("import", str(stored), code=2).stderr
    assert err == f"错误：{stored}: 不是 .xlsx 工作簿，或文件已损坏；请在 Excel 或 WPS 中另存为 .xlsx 后再导入\n"


@pytest.mark.parametrize("where", ["cell", "strings", "workbook"])
def test_elements_nested_past_the_bound_are_refused(tmp_path, where):
    """expat keeps every open element: 15 million nested ones (100 MB of XML in a 200 KB file) took 2 GB before
    the file was found damaged. A worksheet needs six levels; past 64 the part is refused at once."""
    from gkplan.xlsx_sheet import MAX_DEPTH, Refused

    deep = "<x>" * (MAX_DEPTH + 1) + "</x>" * (MAX_DEPTH + 1)
    shallow = "<x>" * 40 + "</x>" * 40  # (what nests within the bound is read as ever)
    sheet, strings, extra = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["<si><t>x</t></si>"], ""
    for nested, refused in ((shallow, False), (deep, True)):
        if where == "cell":
            sheet = f'<row r="1"><c r="A1" t="s"><v>0</v>{nested}</c></row>'
        elif where == "strings":
            strings = [f"<si><t>x</t>{nested}</si>"]
        else:
            extra = nested
        path = package(tmp_path / f"{where}{refused}.xlsx", {"填报": sheet}, strings, extra=extra)
        if refused:
            with pytest.raises(Refused):
                list(Book(path).rows("填报"))
        else:
            assert [[c.value for c in row] for row in Book(path).rows("填报")] == [["x"]]


def test_a_shared_formula_of_brackets_ends(tmp_path):
    """Each bracket of a shared formula was found by searching for both kinds to the end of the text: quadratic
    in a run of one kind (three million '[' in a 15 KB file: 86 s; the 100 MB part cap allowed days).
    Guarded by an alarm far above the linear time, so that the run ends either way."""
    import signal

    from gkplan.xlsx_sheet import Refused

    brackets = "[" * 4_000_000
    path = package(tmp_path / "brackets.xlsx", {"填报": f'<row r="1"><c r="A1"><f t="shared" si="0" ref="A1:A2">{brackets}</f></c></row>'
                                                       '<row r="2"><c r="A2"><f t="shared" si="0"/></c></row>'})  # fmt: skip

    def hung(*_):  # noqa: ANN002
        raise TimeoutError("the shared formula's brackets are still being matched after 30 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        with pytest.raises((ValueError, Refused)):
            list(Book(path).rows("填报"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_zip_directory_past_its_cap_is_refused_before_it_is_read(run, ledger, tmp_path, monkeypatch):
    """zipfile reads a zip's whole central directory, an object per member: 300,000 empty members took 348 MB
    before anything else was looked at. A directory over MAX_DIRECTORY (1 MiB: some 20,000 members; a workbook
    has tens) is refused first, as a damaged file; a real workbook is read as ever, and refused under a lower cap."""
    from conftest import fingerprint
    from test_sheet import make

    from gkplan import xlsx_read

    crowded = tmp_path / "crowded.xlsx"
    with zipfile.ZipFile(crowded, "w") as z:
        for i in range(24_000):
            z.writestr(f"m{i:05d}", b"")
    with zipfile.ZipFile(crowded) as z:
        assert z.start_dir and crowded.stat().st_size - z.start_dir > xlsx_read.MAX_DIRECTORY
    import tracemalloc

    from gkplan import sheet_read
    from gkplan.errors import InvalidValue

    for opening, refusal in ((Book, xlsx_read.Refused), (sheet_read._open, InvalidValue)):  # the reader; import's way to it
        tracemalloc.start()
        with pytest.raises(refusal):
            opening(crowded)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 2 << 20, opening  # the directory was never read into objects (read, it takes some 12 MB)
    before = fingerprint(ledger)
    err = run("import", str(crowded), "--apply", code=2).stderr
    assert err == f"错误：{crowded}: 不是 .xlsx 工作簿，或文件已损坏；请在 Excel 或 WPS 中另存为 .xlsx 后再导入\n"
    assert fingerprint(ledger) == before
    real = make(run, tmp_path)
    assert Book(real).worksheets
    monkeypatch.setattr(xlsx_read, "MAX_DIRECTORY", 200)
    with pytest.raises(xlsx_read.Refused):
        Book(real)


def test_one_token_past_its_cap_is_refused_and_long_text_is_not(tmp_path):
    """expat 2.5 scans a token that a chunk cuts again from its start at every later chunk: one 100 MB attribute
    held the import 87 s (quadratic). A tag past MAX_TOKEN unparsed is refused; text is parsed as it comes, so a
    run of text longer than the cap (here in a cell of inline text) is read whole."""
    from gkplan import xlsx_read

    big = "甲" * (xlsx_read.MAX_TOKEN // 2)  # 1.5 MiB in UTF-8
    tag = package(tmp_path / "tag.xlsx", {"填报": f'<row r="1"><c r="A1" x="{big}"><v>1</v></c></row>'})
    with pytest.raises(xlsx_read.Refused):
        list(Book(tag).rows("填报"))
    text = package(tmp_path / "text.xlsx", {"填报": f'<row r="1"><c r="A1" t="inlineStr"><is><t>{big}</t></is></c></row>'})
    assert list(Book(text).rows("填报", values_only=True)) == [(big,)]


def test_a_negative_shared_string_index_is_damage_not_the_last_string(tmp_path):
    """openpyxl read index -1 as a Python list does: the last shared string. A workbook never holds one."""
    strings = ["<si><t>甲</t></si>", "<si><t>乙</t></si>"]
    good = package(tmp_path / "good.xlsx", {"填报": '<row r="1"><c r="A1" t="s"><v>1</v></c></row>'}, strings)
    assert list(Book(good).rows("填报", values_only=True)) == [("乙",)]
    bad = package(tmp_path / "bad.xlsx", {"填报": '<row r="1"><c r="A1" t="s"><v>-1</v></c></row>'}, strings)
    with pytest.raises(IndexError):
        list(Book(bad).rows("填报"))
