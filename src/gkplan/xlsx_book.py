"""An XLSX package written with zipfile: each worksheet streamed into its part as its rows come (nothing held
but the rows of one write), then the workbook, its relationships, the styles and the properties. What openpyxl's
write-only workbook wrote for the same sheets, without importing it (70 ms of every export's start-up).

The sheet's layout (widths, panes, page setup) is decided by xlsx.py; its rows are made by xlsx_rows.py."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from gkplan.xlsx_rows import _ILLEGAL, letter
from gkplan.xlsx_styles import Styles

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_TYPES = "application/vnd.openxmlformats-officedocument."
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_ZIP64_LIMIT = (1 << 31) - 1  # zipfile's: a part larger than this needs ZIP64 fields
_EXCEL_ROWS = 1 << 20  # rows a sheet holds in Excel
_THEME = Path(__file__).with_name("xlsx_theme.xml")  # Excel's default Office theme, as openpyxl (MIT) writes it


class Page(NamedTuple):
    """How a sheet prints and shows: paper (OOXML's paperSize), the title in every page's header, the pane
    frozen at `frozen` ("A2": the header row; "B2": and the first column), the grid lines."""

    paper: int
    title: str = ""
    frozen: str | None = None
    grid: bool = True


class Book:
    """The package being written into `out`: `sheet` opens each worksheet's part in turn, `close` writes the rest."""

    def __init__(self, out: BinaryIO, title: str = "", styles: Any = None, level: int = 1) -> None:
        """`styles`: what writes xl/styles.xml (`xml()`); by default the exports' named styles. `level`: zlib's;
        by default its fastest (at 100,000 rows its default took a fifth of the export's time, for a file a third smaller)."""
        from zipfile import ZIP_DEFLATED, ZipFile

        self.zip = ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=level)
        self.title, self.styles = title, styles or Styles()
        self.sheets: list[str] = []
        self.hidden: set[int] = set()  # the sheets (their index) a reader does not see
        self.names: list[str] = []  # the workbook's defined names (print titles, print area, filter)
        self.part: Any = None

    def sheet(self, name: str, widths: Sequence[float], page: Page, *, dimension: str | None = None,
              large: bool = False) -> None:  # fmt: skip
        """Start the next worksheet (the last one ended): its top, up to its rows. `large`: it may outgrow
        2 GiB (the part's local header then carries ZIP64 sizes)."""
        self.page = page
        if page.frozen == "B2":
            pane = ('<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
                    '<selection pane="topRight"/><selection pane="bottomLeft"/>'
                    '<selection pane="bottomRight" activeCell="A1" sqref="A1"/>')  # fmt: skip
        elif page.frozen == "A2":
            pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/>')  # fmt: skip
        else:
            pane = '<selection activeCell="A1" sqref="A1"/>'
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
        self.open(name, "".join([
            '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>',
            f'<dimension ref="{dimension}"/>' if dimension else "",
            "<sheetViews><sheetView" + ("" if page.grid else ' showGridLines="0"') + f' workbookViewId="0">{pane}</sheetView>'
            '</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "", "<sheetData>",
        ]), large=large)  # fmt: skip

    def open(self, name: str, top: str, *, large: bool = False, hidden: bool = False) -> None:
        """Start the next worksheet's part (the last one ended) with `top`, the worksheet's XML up to its rows;
        `hidden`: a sheet the reader does not see. Its name is made unique in the book."""
        from time import localtime
        from zipfile import ZipInfo

        self.end()
        taken = {n.casefold() for n in self.sheets}
        base, k = name, 0
        while name.casefold() in taken:  # a name Excel already has in this book: 要点1, 要点2 …
            k += 1
            name = f"{base[: 31 - len(str(k))]}{k}"
        if hidden:
            self.hidden.add(len(self.sheets))
        self.sheets.append(name)
        self.large, self.size = large, 0
        part = ZipInfo(f"xl/worksheets/sheet{len(self.sheets)}.xml", localtime()[:6])  # (else dated 1980)
        part.compress_type, part.external_attr = self.zip.compression, 0o600 << 16
        part._compresslevel = self.zip.compresslevel  # what open(name) sets (public as compress_level from 3.13)
        self.part = self.zip.open(part, "w", force_zip64=large)
        self.write(f'{_DECL}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC}">{top}')

    def write(self, text: str) -> None:
        """Rows (xlsx_rows' XML) into the open worksheet."""
        self.size += self.part.write(text.encode())
        if self.size > _ZIP64_LIMIT and not self.large:  # (zipfile would refuse it only once it is all written)
            from gkplan.errors import GkplanError

            raise GkplanError(f"工作表“{self.sheets[-1]}”超过 2 GiB，写不进 XLSX 文件；请改用 .csv 或 .json")

    def finish(self, *, filtered: str | None = None, printed: str | None = None) -> None:
        """End the worksheet's rows: `filtered` is the autofilter's range (A1:S40), `printed` the print area's
        (A1:R40; its first row repeated on every page)."""
        page = self.page
        header = ""
        if page.title:
            header = f"<oddHeader>&amp;C{text(page.title.replace('&', '&&'))}</oddHeader>"
        self.write("".join([
            "</sheetData>", f'<autoFilter ref="{filtered}"/>' if filtered else "",
            '<printOptions horizontalCentered="1"/>',
            '<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
            f'<pageSetup paperSize="{page.paper}" orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
            f"<headerFooter>{header}<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>",
        ]))  # fmt: skip
        self.name(filtered=filtered, printed=printed)
        self.end()

    def name(self, *, filtered: str | None = None, printed: str | None = None) -> None:
        """The current sheet's defined names: its autofilter's range, its print area and print titles (row 1)."""
        sheet, n = quote(self.sheets[-1]), len(self.sheets) - 1
        if filtered:
            self.names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                              f"{sheet}!{absolute(filtered)}</definedName>")  # fmt: skip
        if printed:
            self.names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">{sheet}!$1:$1</definedName>')
            self.names.append(f'<definedName name="_xlnm.Print_Area" localSheetId="{n}">{sheet}!{absolute(printed)}'
                              "</definedName>")  # fmt: skip

    def end(self) -> None:
        if self.part is not None:
            part, self.part = self.part, None
            part.close()

    def abandon(self) -> None:
        """After a failure: the open part and the package end quietly now (while their file is open), not in
        finalisers at exit (a traceback on stderr); what they write is thrown away with the file."""
        part, self.part = self.part, None
        for end in (part.close if part is not None else None, self.zip.close):
            try:
                if end is not None:
                    end()
            except Exception:  # noqa: BLE001, S110 (what failed is being raised already)
                pass

    def close(self) -> None:
        """The workbook around the sheets written, then the package's directory."""
        from datetime import datetime, timezone

        self.end()
        if not self.sheets:  # a workbook has at least one sheet
            self.sheet("Sheet", (), Page(9))
            self.finish()
        z, n = self.zip, len(self.sheets)
        state = ' state="hidden"'
        sheets = "".join(f'<sheet name="{text(name)}" sheetId="{i}"{state * (i - 1 in self.hidden)} r:id="rId{i}"/>'
                         for i, name in enumerate(self.sheets, start=1))  # fmt: skip
        names = f"<definedNames>{''.join(self.names)}</definedNames>" if self.names else ""
        z.writestr("xl/workbook.xml", f'{_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><workbookPr/>'
                   f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>{names}'
                   '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')  # fmt: skip
        z.writestr("xl/styles.xml", self.styles.xml())
        z.writestr("xl/theme/theme1.xml", _THEME.read_bytes())
        rels = [(f"{_DOC}/worksheet", f"worksheets/sheet{i}.xml") for i in range(1, n + 1)]
        rels += [(f"{_DOC}/styles", "styles.xml"), (f"{_DOC}/theme", "theme/theme1.xml")]
        z.writestr("xl/_rels/workbook.xml.rels", _relations(rels))
        z.writestr("_rels/.rels", _relations([(f"{_DOC}/officeDocument", "xl/workbook.xml"),
                                              (f"{_PKG}/metadata/core-properties", "docProps/core.xml"),
                                              (f"{_DOC}/extended-properties", "docProps/app.xml")]))  # fmt: skip
        now = datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        title = f"<dc:title>{text(self.title)}</dc:title>" if self.title else ""
        z.writestr("docProps/core.xml", f'{_DECL}<cp:coreProperties xmlns:cp="{_CORE}" '
                   'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                   'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                   f'<dc:creator>gkplan</dc:creator>{title}<dcterms:created xsi:type="dcterms:W3CDTF">{now}'
                   f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
                   "</cp:coreProperties>")  # fmt: skip
        z.writestr("docProps/app.xml", f'{_DECL}<Properties xmlns="{_APP}">'
                   "<Application>gkplan</Application></Properties>")  # fmt: skip
        parts = [("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"), ("/xl/styles.xml", "spreadsheetml.styles+xml"),
                 ("/xl/theme/theme1.xml", "theme+xml"),
                 *((f"/xl/worksheets/sheet{i}.xml", "spreadsheetml.worksheet+xml") for i in range(1, n + 1)),
                 ("/docProps/app.xml", "extended-properties+xml")]  # fmt: skip
        z.writestr("[Content_Types].xml", "".join([
            f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
            '<Default Extension="xml" ContentType="application/xml"/>',
            *(f'<Override PartName="{name}" ContentType="{_TYPES}{kind}"/>' for name, kind in parts),
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>',
            "</Types>",
        ]))  # fmt: skip
        z.close()


def _relations(targets: list[tuple[str, str]]) -> str:
    rels = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
                   for i, (kind, target) in enumerate(targets, start=1))  # fmt: skip
    return f'{_DECL}<Relationships xmlns="{_PKG}">{rels}</Relationships>'


def text(words: str) -> str:
    """Words in XML: escaped, any character XML cannot hold replaced (as a cell's text is)."""
    return _ILLEGAL.sub("\ufffd", words).translate(_TEXT)


def quote(sheet: str) -> str:
    """A sheet's name in a formula: quoted, its quotes doubled, escaped for XML."""
    return "'" + text(sheet.replace("'", "''")) + "'"


def absolute(ref: str) -> str:
    """A1:S40 → $A$1:$S$40."""
    import re

    return re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref)


def zip64(rows: int | None, sample: Sequence[str], whole: bool) -> bool:
    """Whether a sheet of `rows` rows (None: not known; then as many as Excel's sheet holds), the first ones
    `sample` (XML; `whole`: all of them), may outgrow 2 GiB. Only then does its part carry ZIP64 fields: Excel
    refuses a small part that has them."""
    if whole or not sample:
        return False
    size = sum(len(s.encode()) for s in sample) / len(sample)
    if rows is None:
        return _EXCEL_ROWS * size > _ZIP64_LIMIT
    return rows * size * 1.5 > _ZIP64_LIMIT  # (the later rows may be longer than the first)


def cols(n: int) -> str:
    """The last column's letters of n columns (at least A)."""
    return letter(max(n, 1))
