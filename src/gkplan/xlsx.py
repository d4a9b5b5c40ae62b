"""Meeting-ready workbooks: every XLSX gkplan writes (the ledger export, the bulletin, `-o FILE.xlsx` of
any listing) goes through `write`, so that each prints the same way.

A sheet prints landscape (A4; A3 for the whole ledger), fitted to the page's width and as many pages
down as it takes, its header row repeated on every page and frozen on the screen, with an autofilter;
lights are filled red / yellow / green (grey for 完成, blue for 待销号), dates are dates (not text),
progress is a number shown with %, amounts the plan writes in 万 are shown in 万 (1500万元).

Written in openpyxl's write-only mode with shared, named styles (xlsx_styles.py): 100,000 rows stream straight into the
file. openpyxl is imported here and in xlsx_styles.py only, inside the functions: nothing else pays for it.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, BinaryIO, NamedTuple

# the column kinds and the lights' words and fills: kinds.py, the one rule (imported from here too)
from gkplan.kinds import AMOUNT, DATE, LIGHT, NUMBER, PERCENT, TEXT, TIME, WRAP
from gkplan.xlsx_styles import _STYLE_OF, Styles, _cell, _clean
# how wide a column of each kind may grow
_WIDTHS = {TEXT: (4, 24), WRAP: (10, 40), DATE: (11, 11), TIME: (17, 17), PERCENT: (6, 8), NUMBER: (6, 12), LIGHT: (6, 8),
           AMOUNT: (9, 14)}  # fmt: skip
PAPER = {"A4": 9, "A3": 8}  # OOXML paperSize codes
_SAMPLE = 300  # rows looked at to size the columns (a write-only sheet's widths come before its rows)


class Column(NamedTuple):
    header: str
    kind: str = TEXT
    width: float | None = None  # characters; None: fitted to the values, within the kind's bounds
    printed: bool = True  # False: on the screen only (a point's whole text), after the printed columns


class Sheet(NamedTuple):
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    count: int | None = None  # how many rows, when known: the sheet then states its size (readers' max_row)


def width(value: Any) -> int:
    """Columns a value takes in a spreadsheet: a CJK character two, measured as the terminal's tables measure it."""
    from gkplan.render.width import cell_width

    return cell_width(value if isinstance(value, str) else "" if value is None else str(value))


def sheet_name(text: str) -> str:
    """A worksheet's name: at most 31 characters, none of []:*?/\\ (Excel refuses them)."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in text).strip("'")[:31] or "Sheet"


def write(out: BinaryIO, sheets: Sequence[Sheet], *, paper: str = "A4", cover: list[Any] | None = None,
          title: str = "") -> None:  # fmt: skip
    """The workbook: an optional cover sheet (`cover`: lines of text and (header, rows) tables), then
    each sheet. `title` goes in every page's header."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "gkplan"
    book.properties.title = title or None
    styles = None
    try:  # a write-only sheet streams its rows into a temporary file as they come: a full disk can strike anywhere
        styles = Styles(book)
        if cover is not None:
            _cover(book, styles, cover, paper)
        for sheet in sheets:
            _sheet(book, styles, sheet, paper, title)
        _save(book, out)
        return
    except OSError as exc:  # the message is made by files.replace_atomically
        failure = OSError(exc.errno, exc.strerror)
    except BaseException:  # the rows' source failed (the ledger): end each sheet's stream while its file is open,
        for ws in book.worksheets:  # not in a finaliser at exit (a traceback on stderr)
            with contextlib.suppress(Exception):
                ws.close()
        raise
    # the half-written sheets' streams go now, quietly (their finalisers would write to closed files at exit)
    book = styles = None
    raise_alone(failure)


def _save(book: Any, out: BinaryIO) -> None:
    """book.save(out), compressed at zlib's fastest level: at 100,000 rows its default level took a fifth of
    the export's time, for a file about a third smaller."""
    from datetime import datetime, timezone
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    if not book.worksheets:
        book.create_sheet()
    book.properties.modified = datetime.now(tz=timezone.utc).replace(tzinfo=None)
    ExcelWriter(book, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1)).save()


def raise_alone(failure: OSError) -> None:
    """Raise a failed save's OSError once what the save left half-written (a zip, worksheet streams, held by
    the failed frames) is collected: quietly, or their finalisers would print tracebacks at exit."""
    hook, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise failure


def _widths(columns: Sequence[Column], sample: list[Sequence[Any]]) -> list[float]:
    out = []
    for i, col in enumerate(columns):
        if col.width:
            out.append(col.width)
            continue
        low, high = _WIDTHS[col.kind]
        seen = max((width(_shown(row[i])) for row in sample if i < len(row)), default=0)
        out.append(max(low, min(high, seen), min(width(col.header), 12)) + 2)
    return out


def _shown(value: Any) -> Any:
    if isinstance(value, tuple):  # an amount
        return value[0]
    return "、".join(map(str, value)) if isinstance(value, list) else value


def _wrapped(columns: Sequence[Column], widths: list[float]) -> list[tuple[int, int]]:
    """(index, characters a line holds) of the printed long-text columns: the ones a row's height follows."""
    return [(i, int(w - 1)) for i, (c, w) in enumerate(zip(columns, widths)) if c.kind == WRAP and c.printed]


def _lines(values: Sequence[Any], wrapped: list[tuple[int, int]]) -> int:
    """How many lines the row's wrapped cells need (Excel and WPS do not fit a row's height on opening)."""
    from gkplan.render.width import cell_width

    most = 1
    for i, room in wrapped:
        value = values[i] if i < len(values) else None
        if not isinstance(value, str) or 2 * len(value) <= room and "\n" not in value:
            continue  # (no character is wider than two: fits on one line, unmeasured)
        most = max(most, sum(-(-cell_width(line) // room) or 1 for line in value.split("\n")))
        if most >= 6:
            return 6
    return most


def _setup(ws: Any, paper: str, title: str, columns: int, rows: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER[paper]
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title:
        ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if rows:
        ws.print_title_rows = "1:1"
        ws.print_area = f"A1:{get_column_letter(max(columns, 1))}{rows}"


def _sheet(book: Any, styles: Styles, sheet: Sheet, paper: str, title: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet_name(sheet.title))
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # written with the sheet's top, before any row
    if sheet.count is not None:  # the <dimension> a write-only sheet cannot know before its rows
        ref = f"A1:{get_column_letter(max(len(sheet.columns), 1))}{sheet.count + 1}"
        ws.calculate_dimension = lambda: ref
    columns = list(sheet.columns)
    rows = iter(sheet.rows)
    sample = list(islice(rows, _SAMPLE))
    widths = _widths(columns, sample)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "B2" if columns and columns[0].header in ("编号", "序号") else "A2"
    ws.row_dimensions[1].height = 30 if any(width(c.header) > widths[i] - 2 for i, c in enumerate(columns)) else None
    head = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.header)
        cell.style = "gk 表头"
        head.append(cell)
    ws.append(head)
    from gkplan.xlsx_rows import RowWriter, raw

    raw(ws)
    row = RowWriter([c.kind for c in columns], _STYLE_OF, styles.id, styles.amount, _wrapped(columns, widths), _lines).row
    n, batch = 1, []
    for values in _chain(sample, rows):
        n += 1
        batch.append(row(n, values))
        if len(batch) == 256:
            ws.append(("".join(batch),))
            batch.clear()
    if batch:
        ws.append(("".join(batch),))
    last = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last}{n}"
    printed = sum(1 for c in columns if c.printed)
    _setup(ws, paper, title or sheet.title, printed, n)


def _chain(first: list[Any], rest: Iterable[Any]) -> Iterable[Any]:
    yield from first
    yield from rest


def _cover(book: Any, styles: Styles, parts: list[Any], paper: str) -> None:
    """The first sheet: the plan's title, the as-of date and the summary, lines and small tables."""
    from openpyxl.cell import WriteOnlyCell

    ws = book.create_sheet("概况")
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.column_dimensions["A"].width = 30
    for letter in "BCDEFGHI":
        ws.column_dimensions[letter].width = 10
    ws.sheet_view.showGridLines = False
    n = 0
    for i, part in enumerate(parts):
        n += 1
        if isinstance(part, str):
            cell = WriteOnlyCell(ws, value=_clean(part))
            cell.style = "gk 标题" if i == 0 else "gk 文字"
            ws.append([cell])
            continue
        header, rows = part
        ws.append([_head(ws, h) for h in header])
        for row in rows:
            n += 1
            ws.append([_cover_cell(ws, styles, h, v) for h, v in zip(header, row)])
    _setup(ws, paper, "", 0, 0)
    ws.page_setup.paperSize = PAPER["A4"]


def _head(ws: Any, text: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.style = "gk 表头"
    return cell


def _cover_cell(ws: Any, styles: Styles, header: str, value: Any) -> Any:
    color = {"红灯": "FFC7CE", "黄灯": "FFEB9C", "绿灯": "C6EFCE"}.get(header)
    if color and value:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.style = f"gk 灯 {color}"
        return cell
    cell = _cell(ws, styles, TEXT, value)
    if isinstance(value, (int, float)) or str(value).endswith("%"):
        cell.style = "gk 右"
    return cell
