"""Meeting-ready workbooks: every XLSX gkplan writes (the ledger export, the bulletin, `-o FILE.xlsx` of
any listing) goes through `write`, so that each prints the same way.

A sheet prints landscape (A4; A3 for the whole ledger), fitted to the page's width and as many pages
down as it takes, its header row repeated on every page and frozen on the screen, with an autofilter;
lights are filled red / yellow / green (grey for 完成, blue for 待销号), dates are dates (not text),
progress is a number shown with %, amounts the plan writes in 万 are shown in 万 (1500万元).

Written with zipfile (xlsx_book.py), shared named styles (xlsx_styles.py) and rows made as XML text (xlsx_rows.py):
100,000 rows stream straight into the file. No openpyxl: importing it took 70 ms of every export's start-up
(it stays for reading the fill-in sheets back; they are written by sheet_write.py with xlsx_guard.py).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

# the column kinds and the lights' words and fills: kinds.py, the one rule (imported from here too)
from gkplan.kinds import AMOUNT, DATE, LIGHT, NUMBER, PERCENT, TEXT, TIME, WRAP
from gkplan.xlsx_styles import _STYLE_OF

if TYPE_CHECKING:
    from gkplan.xlsx_book import Book

# how wide a column of each kind may grow
_WIDTHS = {TEXT: (4, 24), WRAP: (10, 40), DATE: (11, 11), TIME: (17, 17), PERCENT: (6, 8), NUMBER: (6, 12), LIGHT: (6, 8),
           AMOUNT: (9, 14)}  # fmt: skip
PAPER = {"A4": 9, "A3": 8}  # OOXML paperSize codes
_SAMPLE = 300  # rows looked at to size the columns (a sheet's widths come before its rows)
_GENERAL = 700  # rows after the sample written the general way, before a row writer is compiled for the sheet


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
    """A worksheet's name: at most 31 characters, none of []:*?/\\ nor a control character (Excel refuses them)."""
    return "".join("_" if ch in "[]:*?/\\" or ch < " " else ch for ch in text).strip("'")[:31] or "Sheet"


def write(out: BinaryIO, sheets: Sequence[Sheet], *, paper: str = "A4", cover: list[Any] | None = None,
          title: str = "") -> None:  # fmt: skip
    """The workbook: an optional cover sheet (`cover`: lines of text and (header, rows) tables), then
    each sheet. `title` goes in every page's header."""
    from gkplan.xlsx_book import Book

    def make(book: Book) -> None:
        if cover is not None:
            _cover(book, cover)
        for sheet in sheets:
            _sheet(book, sheet, PAPER[paper], title)

    complete(Book(out, title), make)


def complete(book: Book, make: Callable[[Book], None]) -> None:
    """`make` the book's sheets, then close it. Each sheet streams into the file as its rows come: a full disk
    can strike anywhere, and is then its OSError alone."""
    try:
        make(book)
        book.close()
        return
    except OSError as exc:  # the message is made by files.replace_atomically
        failure = OSError(exc.errno, exc.strerror)
    except BaseException:  # the rows' source failed (the ledger): the open part ends while its file is open,
        book.abandon()  # not in a finaliser at exit (a traceback on stderr)
        raise
    book.abandon()  # (quietly: the disk is still full)
    del book, make
    raise_alone(failure)


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


def _sheet(book: Book, sheet: Sheet, paper: int, title: str) -> None:
    from gkplan.xlsx_book import Page, cols, zip64
    from gkplan.xlsx_rows import RowWriter, cell

    columns = list(sheet.columns)
    rows = iter(sheet.rows)
    sample = list(islice(rows, _SAMPLE))
    widths = _widths(columns, sample)
    styles = book.styles
    w = RowWriter([c.kind for c in columns], _STYLE_OF, styles.id, styles.amount, _wrapped(columns, widths), _lines)
    drawn = [w.general(n, values) for n, values in enumerate(sample, start=2)]  # (their size: whether ZIP64 is needed)
    last = cols(len(columns))
    page = Page(paper, title or sheet.title, "B2" if columns and columns[0].header in ("编号", "序号") else "A2")
    dimension = f"A1:{last}{sheet.count + 1}" if sheet.count is not None else None  # (readers' max_row)
    book.sheet(sheet_name(sheet.title), widths, page, dimension=dimension,
               large=zip64(sheet.count, drawn, len(sample) < _SAMPLE))  # fmt: skip
    head = 2 if any(width(c.header) > widths[i] - 2 for i, c in enumerate(columns)) else 1
    s = styles.id("gk 表头")
    book.write((f'<row r="1" ht="{15 * head}" customHeight="1">' if head > 1 else '<row r="1">')
               + "".join(cell(f"{cols(i)}1", s, c.header) for i, c in enumerate(columns, start=1)) + "</row>")  # fmt: skip
    n = len(drawn) + 1
    book.write("".join(drawn))
    del drawn, sample
    n = _stream(book, islice(rows, _GENERAL), w.general, n)
    more = next(rows, None)
    if more is not None:  # a long sheet: the rest by the writer compiled for its columns
        n = _stream(book, chain((more,), rows), w.compiled(), n)
    printed = sum(1 for c in columns if c.printed)
    book.finish(filtered=f"A1:{last}{n}", printed=f"A1:{cols(printed)}{n}")


def _stream(book: Book, rows: Iterable[Sequence[Any]], row: Any, n: int) -> int:
    """The rows after row n, written 256 at a time; the last row's number."""
    batch = []
    for values in rows:
        n += 1
        batch.append(row(n, values))
        if len(batch) == 256:
            book.write("".join(batch))
            batch.clear()
    if batch:
        book.write("".join(batch))
    return n


def _cover(book: Book, parts: list[Any]) -> None:
    """The first sheet: the plan's title, the as-of date and the summary, lines and small tables."""
    from gkplan.xlsx_book import Page
    from gkplan.xlsx_rows import cell, letter

    book.sheet("概况", [30, *[10] * 8], Page(PAPER["A4"], grid=False))
    sid, lines = book.styles.id, []
    n = 0
    for i, part in enumerate(parts):
        n += 1
        if isinstance(part, str):
            lines.append(f'<row r="{n}">{cell(f"A{n}", sid("gk 标题" if i == 0 else "gk 文字"), part)}</row>')
            continue
        header, rows = part
        s = sid("gk 表头")
        lines.append(f'<row r="{n}">' + "".join(cell(f"{letter(j)}{n}", s, h) for j, h in enumerate(header, start=1))
                     + "</row>")  # fmt: skip
        for values in rows:
            n += 1
            lines.append(f'<row r="{n}">' + "".join(cell(f"{letter(j)}{n}", sid(_cover_style(h, v)), v)
                                                    for j, (h, v) in enumerate(zip(header, values), start=1)) + "</row>")  # fmt: skip
    book.write("".join(lines))
    book.finish()


def _cover_style(header: str, value: Any) -> str:
    color = {"红灯": "FFC7CE", "黄灯": "FFEB9C", "绿灯": "C6EFCE"}.get(header)
    if color and value:
        return f"gk 灯 {color}"
    return "gk 右" if isinstance(value, (int, float)) or str(value).endswith("%") else "gk 文字"
