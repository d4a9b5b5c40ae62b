"""Reading an XLSX workbook's cells with zipfile and expat, for `gkplan import`: no openpyxl (importing and
running it was half of the import's start-up, 709 → 370 million instructions). Only what the import reads:
the worksheets by name (workbook.xml and its relationships), the 1904 date system, the number formats that
make a number a date (styles.xml), the shared strings, and each sheet's rows streamed one at a time, as
openpyxl's read-only reader gave them (xlsx_sheet.py parses them, xlsx_cells.py makes each value as it did).

A workbook comes from people's mail: a DOCTYPE or an entity declaration is refused (no entity is ever
expanded), the zip's directory is read only up to MAX_DIRECTORY bytes, each part up to MAX_PART bytes, each
sheet up to MAX_ROW_ELEMENTS rows of XML.
Whatever is wrong raises an exception (Refused, or ValueError, KeyError … from a part that does not parse):
the caller says the file is damaged.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from gkplan.xlsx_cells import BUILTIN_DATES, DURATION, MAC_EPOCH, WINDOWS_EPOCH, is_date_format, is_duration_format
from gkplan.xlsx_sheet import MAIN, MAX_DEPTH, EMPTY, Cell, Refused, SheetParser, Strings

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships "
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships "
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types "
_BOOKS = ("application/vnd.ms-excel.template.macroEnabled.main+xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
          "application/vnd.ms-excel.sheet.macroEnabled.main+xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")  # fmt: skip
_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")  # what openpyxl opened (an .xls renamed is refused by its name)
MAX_PART = 100 << 20  # bytes unpacked from any one part
# zipfile reads the central directory whole, an object per member (~1 KB each: 300,000 empty members, 348 MB).
# A workbook has tens of members; 1 MiB of directory is some 20,000 at the least a member takes (46 bytes).
MAX_DIRECTORY = 1 << 20
MAX_TOKEN = 1 << 20  # bytes of one tag or text run not yet parsed (a cell holds 32,767 characters: ~96 KB)
_CHUNK = 1 << 16


def _refuse(*_: Any) -> None:
    raise Refused("a DOCTYPE or an entity declaration")


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    return parser


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    total = 0
    with archive.open(name) as part:
        while chunk := part.read(_CHUNK):
            total += len(chunk)
            if total > MAX_PART:
                raise Refused(f"{name} unpacks to more than {MAX_PART} bytes")
            yield chunk


def _parse(parser: Any, archive: zipfile.ZipFile, name: str) -> Iterator[None]:
    """The part given to `parser` a chunk at a time (a pause after each, for a caller to take what it found), then
    ended. expat 2.5 scans a token cut by a chunk's end again from its start at each later chunk: one 100 MB
    attribute took 87 s. No tag, comment or run of text in a workbook comes near MAX_TOKEN unparsed."""
    fed = 0
    for chunk in _chunks(archive, name):
        parser.Parse(chunk, False)
        fed += len(chunk)
        if fed - parser.CurrentByteIndex > MAX_TOKEN:  # (the index stays at the start of the unfinished token)
            raise Refused(f"{name}: more than {MAX_TOKEN} bytes in one token")
        yield
    parser.Parse(b"", True)


def _elements(archive: zipfile.ZipFile, name: str, wanted: set[str]) -> list[tuple[str, str, dict[str, str]]]:
    """(parent, element, attributes) of each element named in `wanted` (namespace, space, local name)."""
    found, stack = [], [""]
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in wanted:
            found.append((stack[-1], tag, attrs))
        stack.append(tag)
        if len(stack) > MAX_DEPTH:
            raise Refused(f"elements nested more than {MAX_DEPTH} deep")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    for _ in _parse(parser, archive, name):
        pass
    return found


def check_directory(path: Path) -> None:
    """The size of the zip's central directory, as zipfile itself will read it (its own end-record reader, zip64
    included), refused past MAX_DIRECTORY before zipfile reads it. A file that is not a zip is left to zipfile."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # (a zipfile without it: read as before)
        return
    with open(path, "rb") as f:
        record = end_record(f)
    if record is not None and record[zipfile._ECD_SIZE] > MAX_DIRECTORY:
        raise Refused(f"a zip directory of {record[zipfile._ECD_SIZE]} bytes")


class Book:
    """An open workbook: `worksheets` its worksheets' names in order, `rows(name, …)` one's rows."""

    def __init__(self, path: Path) -> None:
        if path.suffix.lower() not in SUFFIXES:
            raise Refused(f"not a workbook's name: {path.name}")
        check_directory(path)
        self.archive = zipfile.ZipFile(path)
        try:
            self._load()
        except BaseException:
            self.archive.close()
            raise

    def close(self) -> None:
        self.archive.close()

    def _load(self) -> None:
        archive, parts = self.archive, set(self.archive.namelist())
        types = _elements(archive, "[Content_Types].xml", {_TYPES + "Override", _TYPES + "Default"})
        overrides = [a for _, tag, a in types if tag == _TYPES + "Override"]
        main = next((o["PartName"][1:] for kind in _BOOKS for o in overrides if o.get("ContentType") == kind), None)
        if main is None:  # (openpyxl's fallback: a default content type of a workbook)
            if not {a.get("ContentType") for _, tag, a in types if tag == _TYPES + "Default"} & set(_BOOKS):
                raise Refused("no workbook part")
            main = "xl/workbook.xml"
        strings = next((o["PartName"][1:] for o in overrides if o.get("ContentType") == _STRINGS), None)
        self.strings = _shared_strings(archive, strings) if strings is not None else []
        book = _elements(archive, main, {MAIN + "sheet", MAIN + "workbookPr"})
        props = next((a for _, tag, a in book if tag == MAIN + "workbookPr"), {})
        self.epoch = MAC_EPOCH if props.get("date1904", "false") not in ("false", "f", "0", "") else WINDOWS_EPOCH
        sheets = [a for _, tag, a in book if tag == MAIN + "sheet"]
        rels = _relationships(archive, main) if sheets else {}
        self.sheets: dict[str, str] = {}
        self.worksheets: list[str] = []
        for sheet in sheets:
            if not sheet.get(_REL + "id"):
                continue
            kind, target = rels[sheet[_REL + "id"]]
            if target not in parts or "chartsheet" in kind:
                continue  # (a chart sheet is no worksheet)
            self.worksheets.append(sheet["name"])
            self.sheets.setdefault(sheet["name"], target)
        self.dates, self.durations = _date_styles(archive) if "xl/styles.xml" in parts else (set(), set())

    def rows(self, name: str, min_col: int = 1, max_col: int | None = None, max_row: int | None = None,
             values_only: bool = False) -> Iterator[tuple]:  # fmt: skip
        """Rows 1 … max_row (all when None) as openpyxl's read-only iter_rows gave them: a missing row
        empty, each row as long as its last cell (max_col when given), a missing cell EMPTY (None)."""
        filler = None if values_only else EMPTY
        empty = (filler,) * (max_col + 1 - min_col) if max_col is not None else ()
        for cells in self._numbered(name, max_row):
            if cells is None:
                yield empty
                continue
            if not cells and not max_col:
                yield ()
                continue
            width = (max_col or cells[-1][0]) + 1 - min_col
            row = [filler] * width
            for column, value, data_type in cells:
                if min_col <= column < min_col + width:
                    row[column - min_col] = value if values_only else Cell(value, data_type)
            yield tuple(row)

    def rows_and_rest(self, name: str, width: int, max_row: int | None = None) -> Iterator[tuple[tuple, list]]:
        """Rows as `rows(name, max_col=width, max_row=max_row)` gives them, each with the cells past `width` the
        file holds, [(column, Cell) …]: however far right a cell is (XFD), a row costs what the file spells out,
        never a cell for each column up to it (an empty cell at ZZZ in each of 100,000 rows: 4 minutes)."""
        empty = ((EMPTY,) * width, [])
        for cells in self._numbered(name, max_row):
            if cells is None:
                yield empty
                continue
            row, rest = [EMPTY] * width, {}
            for column, value, data_type in cells:
                if column <= width:
                    row[column - 1] = Cell(value, data_type)
                else:  # (by column, the last of a column's cells: as a row of every column would hold them)
                    rest[column] = Cell(value, data_type)
            yield tuple(row), sorted(rest.items()) if rest else []

    def _numbered(self, name: str, max_row: int | None) -> Iterator[list[tuple[int, Any, str]] | None]:
        """Each row from 1 on, to the last the file holds (to max_row when given): its cells as parsed, or None
        for a row the file does not hold. A row numbered before one already read is passed over."""
        counter, idx = 1, 1
        for idx, cells in _parse_rows(self, self.sheets[name]):
            if max_row is not None and idx > max_row:
                break
            while counter < idx:
                counter += 1
                yield None
            if counter <= idx:
                counter += 1
                yield cells
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                yield None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, the target's name in the archive) of a part's relationships."""
    folder, name = posixpath.split(part)
    found = {}
    for _, _, rel in _elements(archive, posixpath.join(folder, "_rels", name + ".rels"), {_PKG + "Relationship"}):
        target = rel["Target"]
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel["Id"]] = (rel["Type"], target)
    return found


def _date_styles(archive: zipfile.ZipFile) -> tuple[set[int], set[int]]:
    """The cell styles (by index) whose number format shows a date or time, and those showing a duration."""
    found = _elements(archive, "xl/styles.xml", {MAIN + "numFmt", MAIN + "xf"})
    custom = {int(a["numFmtId"]): a.get("formatCode") for parent, _, a in found if parent == MAIN + "numFmts"}
    dates, durations = set(), set()
    for index, xf in enumerate(a for parent, _, a in found if parent == MAIN + "cellXfs"):
        fid = int(xf.get("numFmtId", 0))
        fmt = custom.get(fid)
        if fid in custom and is_date_format(fmt) or fid not in custom and fid in BUILTIN_DATES:
            dates.add(index)
        if fid in custom and is_duration_format(fmt) or fid not in custom and fid == DURATION:
            durations.add(index)
    return dates, durations


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    table = Strings()
    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = table.start, table.end, table.text
    for _ in _parse(parser, archive, name):
        pass
    return table.strings


def _parse_rows(book: Book, name: str) -> Iterator[tuple[int, list[tuple[int, Any, str]]]]:
    sheet = SheetParser(book.strings, book.dates, book.durations, book.epoch)
    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = sheet.start, sheet.end, sheet.text
    for _ in _parse(parser, book.archive, name):
        if sheet.done:
            yield from sheet.done
            sheet.done.clear()
    yield from sheet.done
