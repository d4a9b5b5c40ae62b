"""The workbook reader `gkplan import` uses (xlsx_read.py) against openpyxl's read-only reader, which it
replaced: for any workbook both read, every cell's value and type are the same (openpyxl as sheet_read.py
used it: data_only=False, the sheet's <dimension> ignored). Workbooks written by openpyxl, by LibreOffice
(tests/data/), by gkplan's own writer (inline strings) and by hand (the XML's optional parts left out)."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkplan.xlsx_read import Book

DATA = Path(__file__).parent / "data"


def _openpyxl_rows(path: Path) -> dict[str, tuple[list, list]]:
    """Each worksheet: its rows as sheet_read read 填报 (cells), and as it read _gkplan (values)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    out = {}
    for sheet in book.worksheets:
        sheet.reset_dimensions()
        cells = [tuple(_typed(c.value, c.data_type) for c in row) for row in sheet.iter_rows(min_row=1, max_row=1_048_576)]
        values = list(sheet.iter_rows(min_col=1, max_col=2, max_row=100, values_only=True))
        out.setdefault(sheet.title, (cells, [tuple(_typed(v, None)[:2] for v in row) for row in values]))
    book.close()
    return out


def _typed(value, data_type):  # noqa: ANN001, ANN202
    if type(value).__name__ == "ArrayFormula":
        value = value.text
    elif type(value).__name__ == "DataTableFormula":  # openpyxl's object said only its address in a message: ours shows Excel's text
        value = "{=TABLE(" + ",".join(v for v in (value.r1, value.r2) if v is not None) + ")}"
    return value, type(value).__name__, data_type


def _our_rows(path: Path) -> dict[str, tuple[list, list]]:
    book = Book(path)
    try:
        out = {}
        for name in book.worksheets:
            cells = [tuple(_typed(c.value, c.data_type) for c in row) for row in book.rows(name, max_row=1_048_576)]
            values = [tuple(_typed(v, None)[:2] for v in row) for row in book.rows(name, min_col=1, max_col=2, max_row=100, values_only=True)]
            out.setdefault(name, (cells, values))
        return out
    finally:
        book.close()


def same(path: Path) -> dict[str, tuple[list, list]] | None:
    """Both readers read the file alike, or both refuse it (None)."""
    from openpyxl import load_workbook

    try:
        theirs = _openpyxl_rows(path)
    except Exception:  # noqa: BLE001 - whatever openpyxl raised: the file is damaged to both
        with pytest.raises(Exception):  # noqa: B017, PT011
            _our_rows(path)
        return None
    ours = _our_rows(path)
    assert list(ours) == list(theirs)
    for name in theirs:
        assert ours[name][1] == theirs[name][1], name
        for n, (a, b) in enumerate(zip(ours[name][0], theirs[name][0], strict=True), start=1):
            assert a == b, (name, n)
    assert [s.title for s in load_workbook(path, read_only=True).worksheets] == Book(path).worksheets
    return ours


# -- workbooks written by openpyxl, generated -----------------------------------------------------------

_ILLEGAL = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32)]))  # openpyxl refuses to write these
_ESCAPED = re.compile("_x[0-9A-Fa-f]{4}_")
# (text with an "_xHHHH_" escape in it reads as Excel reads it, not as openpyxl did: test_escapes_read_as_excel_reads_them)
texts = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_ILLEGAL), max_size=12).filter(lambda t: "x005F_" not in t and not _ESCAPED.search(t)),
    st.sampled_from(["  前后有空格  ", "第一行\n第二行", "a\r\nb", "\t缩进", "_x000", "x005_x", "60", "=不是公式", "'60", "Ｆａｌｓｅ"]),
)
formats = st.sampled_from(["General", "0", "0.00", "yyyy-mm-dd", "mm-dd-yy", "h:mm", "[h]:mm:ss", "yyyy\"年\"m\"月\"d\"日\"", "@",
                           '"day"0', "[Red]0.0", "d-mmm-yy", "mm:ss", "0%", "[$-804]yyyy/m/d"])  # fmt: skip
numbers = st.one_of(st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False, width=64),
                    st.sampled_from([0, 1, 0.5, 59, 60, 61, 44743.25, -1, 2958465.999]))  # fmt: skip
moments = st.one_of(st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)).map(lambda d: d.replace(microsecond=0)),
                    st.dates(min_value=date(1900, 3, 1)), st.times().map(lambda t: t.replace(microsecond=0)),
                    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900)).map(lambda t: timedelta(seconds=int(t.total_seconds()))))  # fmt: skip
formulas = st.sampled_from(["=A1+1", "=SUM(A1:B3)", '=IF(B2>0,"是","否")', "=NOW()", "=1/0", "=Sheet1!A1&\"x\"", "=  A1  +  2", "="])
values = st.one_of(st.none(), texts, numbers, st.booleans(), moments, formulas, st.sampled_from(["#N/A", "rich"]))
cells = st.tuples(values, formats, st.booleans())
sheets = st.lists(st.lists(st.lists(cells, max_size=6), max_size=6), min_size=1, max_size=3)


def _write(path: Path, book_cells, epoch1904: bool) -> None:  # noqa: ANN001
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    if epoch1904:
        book.epoch = CALENDAR_MAC_1904
    book.remove(book.active)
    for n, rows in enumerate(book_cells):
        sheet = book.create_sheet(["填报", "_gkplan", "Sheet 3"][n])
        for r, row in enumerate(rows, start=1):
            for c, (value, fmt, skip) in enumerate(row, start=1):
                if skip and value is None:
                    continue  # a cell the file does not have at all
                cell = sheet.cell(row=r, column=c)
                if value == "#N/A":
                    cell.value, cell.data_type = value, "e"
                elif value == "rich":
                    cell.value = CellRichText([TextBlock(InlineFont(b=True), "粗体 "), "正文", TextBlock(InlineFont(i=True), " 斜体 ")])
                else:
                    cell.value = value
                cell.number_format = fmt
    book.save(path)


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date", "ignore:Workbook contains no default style")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(book_cells=sheets, epoch1904=st.booleans())
def test_any_workbook_openpyxl_writes_reads_the_same(tmp_path, book_cells, epoch1904):
    path = tmp_path / "random.xlsx"
    _write(path, book_cells, epoch1904)
    same(path)


# -- workbooks written by hand: what other programs write, and what they leave out ---------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_STYLES = (f'<styleSheet {_NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
           '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/>'
           '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/><xf numFmtId="31"/></cellXfs>'
           '<dxfs count="1"><dxf><numFmt numFmtId="166" formatCode="yyyy"/></dxf></dxfs></styleSheet>')  # fmt: skip


def package(path: Path, sheets: dict[str, str], strings: list[str] | None = None, *, date1904: bool = False,
            styles: str | None = _STYLES, extra: str = "") -> Path:  # fmt: skip
    """A workbook of the given sheets' <sheetData> (or whole part, when it starts with '<?xml' or '<worksheet')."""
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        overrides = "".join(f'<Override PartName="/xl/worksheets/s{n}.xml" ContentType="{ct}.worksheet+xml"/>' for n in range(len(sheets)))
        if strings is not None:
            overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {_NS}>{"".join(strings)}</sst>')
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>{overrides}</Types>')  # fmt: skip
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
        listed = "".join(f'<sheet name="{name}" sheetId="{n + 1}" r:id="rId{n + 1}"/>' for n, name in enumerate(sheets))
        z.writestr("xl/workbook.xml", f'<workbook {_NS}><workbookPr date1904="{int(date1904)}"/><sheets>{listed}</sheets>{extra}</workbook>')
        rels = "".join(f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                       f'Target="{"/xl/" if n % 2 else ""}worksheets/s{n}.xml"/>' for n in range(len(sheets)))  # fmt: skip
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
        for n, data in enumerate(sheets.values()):
            whole = data.startswith(("<?xml", "<worksheet", "<x:worksheet"))
            z.writestr(f"xl/worksheets/s{n}.xml", data if whole else f"<worksheet {_NS}><sheetData>{data}</sheetData></worksheet>")
    return path


_STRINGS = ['<si><t xml:space="preserve">  前后空格  </t></si>', "<si><r><rPr><b/></rPr><t>粗</t></r><r><t xml:space=\"preserve\"> 细</t></r>"
            "<rPh sb=\"0\" eb=\"1\"><t>ふりがな</t></rPh><phoneticPr fontId=\"1\"/></si>", "<si><t/></si>", "<si><t>a_x000 x005_x</t></si>",
            "<si><t>甲</t><r><t>乙</t></r></si>", "<si><t>第一行&#10;第二行&#13;</t></si>"]  # fmt: skip
_VALUES = {
    "n": ["1", "1.0", "-3", "1E3", "2.5e-3", "44743", "44743.5", "0.25", "60", "59", " 7", ""],
    "s": ["0", "1", "2", "3", "4", "5"], "str": ["文本", "  ", ""], "b": ["0", "1"], "e": ["#N/A", "#DIV/0!", "#REF!"],
    "d": ["2022-06-30", "2022-06-30T08:15:00", "08:15:30", "2022-06-30T08:15:00.5Z"], "inlineStr": [""],
}  # fmt: skip
_INLINE = ["<is><t>行内</t></is>", '<is><t xml:space="preserve"> 行内 </t></is>', "<is><r><t>富</t></r><r><rPr><i/></rPr><t>文本</t></r></is>",
           "<is><t>甲</t><rPh sb=\"0\" eb=\"1\"><t>こう</t></rPh></is>", "<is/>", ""]  # fmt: skip
_FORMULAS = ["", "<f>A1+1</f>", "<f>SUM(A1:B2)</f>", '<f t="array" ref="A1:A2">A1:A2*2</f>', "<f/>",
             # Excel writes a formula filled down once, and its other cells as references to it
             '<f t="shared" ref="A1:H40" si="0">A1+$B$1*SUM(A1:B$2)+Sheet2!C3+\'My sheet\'!$D4 +  1:1  +A:$B&amp;"A1"&amp;LOG10(A1)+1E+3+#REF!</f>',
             '<f t="shared" si="0"/>', '<f t="shared" ref="B2:C9" si="1">IF(C1&gt;=0,[1]Sheet1!A1,{1,2;3,4})</f>', '<f t="shared" si="1"/>',
             '<f t="shared" si="1">ignored</f>', '<f t="dataTable" ref="A1:B2" dt2D="1" r1="A1" r2="B1"/>']  # fmt: skip


@st.composite
def raw_cell(draw, row: int, column: int) -> str:  # noqa: ANN001
    kind = draw(st.sampled_from(["", *_VALUES]))
    ref = f' r="{chr(64 + column)}{row}"' if draw(st.booleans()) else ""
    style = draw(st.sampled_from(["", ' s="0"', ' s="1"', ' s="2"', ' s="3"', ' s="4"', ' s="5"']))
    t = f' t="{kind}"' if kind else ""
    formula = draw(st.sampled_from(_FORMULAS)) if kind != "d" else ""
    if kind == "inlineStr":
        inner = formula + draw(st.sampled_from(_INLINE))
    else:
        value = draw(st.sampled_from(_VALUES[kind or "n"]))
        inner = formula + (f"<v>{value}</v>" if value or draw(st.booleans()) else "")
    return f"<c{ref}{style}{t}>{inner}</c>" if inner or draw(st.booleans()) else f"<c{ref}{style}{t}/>"


@st.composite
def raw_sheet(draw) -> str:  # noqa: ANN001
    rows, number = [], 0
    for _ in range(draw(st.integers(0, 6))):
        number += draw(st.sampled_from([1, 1, 1, 2, 5]))
        columns = sorted(draw(st.sets(st.integers(1, 8), max_size=5)))
        cells = "".join(draw(raw_cell(number, c)) for c in columns)
        attrs = f' r="{number}"' if draw(st.booleans()) or number > len(rows) + 1 else ""
        rows.append(f'<row{attrs} spans="1:8">{cells}</row>')
    return "".join(rows)


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date", "ignore:Workbook contains no default style")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=raw_sheet(), second=raw_sheet(), date1904=st.booleans())
def test_any_sheet_xml_reads_as_openpyxl_read_it(tmp_path, first, second, date1904):
    same(package(tmp_path / "raw.xlsx", {"填报": first, "_gkplan": second}, _STRINGS, date1904=date1904))


def test_escapes_read_as_excel_reads_them(tmp_path):
    """"_xHHHH_" is the character U+HHHH in shared and inline strings alike, "_x005F_" its literal "_" (how Excel and
    LibreOffice write a CR, and text that holds such a sequence). openpyxl took every "x005F_" out of shared strings
    only: a clerk's "x005F_y" came back "y", and text a re-save escaped came back changed."""
    strings = ["<si><t>见附件_x000D_第二段</t></si>", "<si><t>x005F_y</t></si>", "<si><t>_x005F_x000D_</t></si>",
               "<si><r><t>_xD83D_</t></r><r><t>_x0041_</t></r></si>"]  # fmt: skip
    cells = "".join(f'<c r="{c}1" t="s"><v>{n}</v></c>' for n, c in enumerate("ABCD"))
    rows = f'<row r="1">{cells}</row><row r="2"><c r="A2" t="inlineStr"><is><t>_x0041__x005F_x0042_</t></is></c></row>'
    book = Book(package(tmp_path / "e.xlsx", {"填报": rows}, strings))
    assert list(book.rows("填报", values_only=True)) == [("见附件\r第二段", "x005F_y", "_x000D_", "_xD83D_A"), ("A_x0042_",)]
    book.close()


_PIECES = st.sampled_from(["_x0041_", "_x005F_", "x005F_", "_x000D_", "_xD83D_", "_x00", "41_", "_x", "_", "a"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_PIECES, st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_ILLEGAL + "\r"),
                                            max_size=4)), max_size=8).map("".join))  # fmt: skip
def test_any_text_a_sheet_writes_reads_back_as_it_was(tmp_path, text):
    """Whatever "_xHHHH_"-like pieces a note holds, the cell the sheet writes is the note as Excel reads a cell's
    text (each "_xHHHH_" the character U+HHHH, but half a surrogate pair), and gkplan reads it back so."""
    from html import unescape

    from gkplan.xlsx_guard import cell

    xml = cell(1, 1, 0, text)
    written = unescape(m[1]) if (m := re.search("<t[^>]*>(.*)</t>", xml, re.S)) else ""
    excel = re.sub("_x([0-9A-Fa-f]{4})_", lambda m: m[0] if 0xD800 <= int(m[1], 16) <= 0xDFFF else chr(int(m[1], 16)), written)
    assert excel == text
    book = Book(package(tmp_path / "t.xlsx", {"填报": f'<row r="1">{xml}</row>'}))
    assert list(book.rows("填报", values_only=True)) == [(text or None,)]
    book.close()


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_a_shared_formula_is_moved_to_each_of_its_cells(tmp_path):
    """Excel writes a formula filled down as one formula and references to it; each cell reads as its own."""
    master = '<f t="shared" ref="B1:B4" si="0">A1+$B$1*SUM(A1:B$2)+Sheet2!C3+\'My sheet\'!$D4 +  1:1  +A:$B&amp;"A1"&amp;LOG10(A1)</f>'
    rows = f'<row r="1"><c r="A1"><v>1</v></c><c r="B1">{master}<v>1</v></c></row>' + "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f t="shared" si="0"/><v>1</v></c></row>' for r in range(2, 5))
    read = same(package(tmp_path / "shared.xlsx", {"填报": rows}))
    assert read["填报"][0][3][1] == ('=A4+$B$1*SUM(A4:B$2)+Sheet2!C6+\'My sheet\'!$D7 + 4:4 +A:$B&"A1"&LOG10(A4)', "str", "f")
    off = rows.replace('r="B1"', 'r="B3"', 1)  # its first cell below the others: they would point above row 1
    assert same(package(tmp_path / "off.xlsx", {"填报": off})) is None


def test_inline_strings_as_gkplan_and_other_programs_write_them(run, ledger, tmp_path):
    out = tmp_path / "export.xlsx"
    run("export", "--format", "xlsx", "-o", str(out))
    read = same(out)
    assert read and sum(len(cells) for cells, _ in read.values()) > 50  # (its strings are inline: no shared-string table)
    prefixed = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
                '<x:row><x:c t="inlineStr"><x:is><x:t>甲</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>')  # fmt: skip
    read = same(package(tmp_path / "prefixed.xlsx", {"填报": prefixed}, styles=None))
    assert read["填报"][0] == [(("甲", "str", "s"), (2, "int", "n"))]


def test_a_sheet_saved_by_libreoffice_reads_as_openpyxl_read_it():
    """tests/data/sheet-libreoffice.xlsx: a gkplan sheet filled in (a number, a date, a formula, text with spaces,
    a boolean) and saved by LibreOffice Calc 7, which writes every cell's type and style and a formula's value."""
    read = same(DATA / "sheet-libreoffice.xlsx")
    cells = read["填报"][0]
    assert ("填报说明" in read) and cells[0][0] == ("编号", "str", "s")
    found = {c for row in cells for c in row if c[0] is not None}
    assert {(35, "int", "n"), ("=30+5", "str", "f"), (datetime(2022, 6, 30, 0, 0), "datetime", "d"),
            ("  前后有空格  ", "str", "s")} <= found  # fmt: skip
