"""Output: tables for people, JSON (an array, or one object a line: ndjson) and CSV for scripts.

Every view goes through `_emit` / `_emit_rows`, the one place that branches on the format.
Tables are drawn by `render.text.Table`, the detail view by `render.detail.Detail`: plain, CJK-aware lines.
Rich is never imported: it cost ~40 ms to import and ~0.4 ms a row, most of a command's time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from gkplan.errors import GkplanError

from gkplan.render.text import Table, visible
from gkplan.render.width import terminal_columns


def _writes(fn: Callable) -> Callable:
    """Where the output is written, a failure to write it (stdout closed, the pipe's reader gone,
    a full disk) becomes an OutputError, so it is reported as such and not mistaken for a bug."""

    def write(*args: Any, **kw: Any) -> None:
        try:
            fn(*args, **kw)
        except OSError as exc:
            raise lost(exc) from None

    return write


def flush() -> None:
    """Write out what is still buffered now, inside the error boundary, rather than at interpreter exit."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        raise lost(exc) from None


_LOST = {32: "管道的读取方已退出", 28: "磁盘已满", 27: "文件超过允许的大小", 9: "标准输出已关闭", 5: "输入输出错误"}  # errno
OUTPUT_ERRNOS = frozenset(_LOST) | {122}  # and EDQUOT: a disk quota reached


def lost(exc: OSError) -> Any:
    """The OutputError for a failed write to stdout. Stdout then points at /dev/null, so Python's own
    flush at exit finds nothing to complain about (as the Python docs on SIGPIPE recommend)."""
    from gkplan.errors import OutputError

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # no descriptor (stdout was closed, or a test's capture)
        pass
    else:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    reason = _LOST.get(exc.errno) or exc.strerror or str(exc)
    return OutputError(reason, quiet=exc.errno == 32)


def _ascii_json() -> bool:
    """JSON on a stream that is not UTF-8 escapes non-ASCII (\\uXXXX), so the data stays exact."""
    import codecs

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    return codecs.lookup(encoding).name != "utf-8"


# where `-o FILE` sends this command's records ({path, force, protect}); None: stdout. Set by cliargs.destination.
target: dict[str, Any] | None = None


def _hint_excel() -> None:
    """CSV redirected into a file (`> 汇总.csv`) is likely bound for Excel: say how to get a file it reads."""
    import stat

    try:
        regular = stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (AttributeError, ValueError, OSError):
        return
    if regular:
        message("提示：标准输出的 CSV 供脚本读取（英文字段名、无 BOM）；要用 Excel/WPS 打开，请用 -o 文件.csv 或 -o 文件.xlsx")


@_writes
def _emit(fmt: str, data: Any, fields: Sequence[str], table: Callable[[], Any]) -> None:
    if target is not None and fmt != "table":
        from gkplan.render.tofile import save

        picked = [_pick(fmt, row) for row in data] if isinstance(data, list) else _pick(fmt, data)
        save(target, fmt, picked, tuple(fields))
    elif fmt == "json":
        import json

        picked = [_pick(fmt, row) for row in data] if isinstance(data, list) else _pick(fmt, data)
        json.dump(picked, sys.stdout, ensure_ascii=_ascii_json(), indent=2)
        sys.stdout.write("\n")
    elif fmt == "ndjson":
        _lines(fmt, data if isinstance(data, list) else [data])
    elif fmt == "csv":
        import csv

        from gkplan.render.csvrows import csv_rows

        rows = data if isinstance(data, list) else [data]
        _hint_excel()
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(csv_rows(rows, fields))
    else:
        _print(table())


class Format(str):
    """An output format as a record command parsed it: equal to its name ("json", "ndjson" …), and carrying
    `fields`, the keys `--json` selected, in the order given (None: every key)."""

    fields: tuple[str, ...] | None = None

    def __new__(cls, name: str, fields: tuple[str, ...] | None = None) -> Format:
        made = super().__new__(cls, name)
        made.fields = fields
        return made


JSON_FORMATS = ("json", "ndjson")  # the formats that print the records' own JSON shape


def _pick(fmt: str, record: Any) -> Any:
    """A record with only the keys `--json` selected, in that order (a key the record lacks as null)."""
    fields = getattr(fmt, "fields", None)
    if fields is None or not isinstance(record, dict):
        return record
    return {f: record.get(f) for f in fields}


def _lines(fmt: str, records: Iterable[Any]) -> None:
    """ndjson: one compact JSON object a line, written as each record comes from the iterator (never the
    whole list in memory), so a pipe's reader starts on the first record at once."""
    import json

    ascii_only, write = _ascii_json(), sys.stdout.write
    for record in records:
        write(json.dumps(_pick(fmt, record), ensure_ascii=ascii_only, separators=(",", ":")) + "\n")


@_writes
def field_names(fields: Sequence[str]) -> None:
    """What a bare `--json` prints: the fields it can select, one a line."""
    sys.stdout.write("".join(f"{f}\n" for f in fields))


Rows = Union[Iterable[dict[str, Any]], Callable[[bool], Iterable[dict[str, Any]]]]


@_writes
def _emit_rows(
    fmt: str, rows: Rows, fields: Sequence[str], table: Table, cells: Callable[[dict], list], limit: int | None,
    unit: str | None, empty: str = "没有符合条件的记录", tally: Callable[[dict], bool] | None = None,
) -> None:
    """A list view, streamed: JSON and ndjson write every row as it comes, CSV every 256 rows (render.csvrows); a
    table of the first `limit` rows (default 200 on a terminal) keeps their cells and counts the rest; a table of
    every row (`limit` 0, the default when piped) holds its rows' cells as they come (`Table.hold_all`: beyond a
    budget, in a temporary file), so that its memory does not grow with the rows, and draws them once every
    column's width is known. `rows` may be a function of `brief`: a table asks for brief rows, which are cheaper
    to fetch. `empty`: the line under a table without rows; `unit` None: no line under the table at all. `tally`:
    the rows the line under the table counts, when some rows are only headings (an overdue task's point)."""
    out = sys.stdout
    if fmt == "table":
        if limit is None:
            limit = DEFAULT_LIMIT if out.isatty() else 0
        iterator = iter(rows(True) if callable(rows) else rows)
        counted = [0]
        if tally is not None:
            iterator = _tallied(iterator, tally, counted)
        if limit:
            for row in islice(iterator, limit):  # (islice takes no row beyond the limit: counted[0] is of those shown)
                table.add_row(*cells(row))
            shown, before = len(table.rows), counted[0]
            more = sum(1 for _ in iterator)
            if tally is not None:
                shown, more = before, counted[0] - before
        else:
            table.styled = _color()  # drawn without colour, the rows keep no styles
            table.hold_all(map(cells, iterator))
            shown, more = (table.count if tally is None else counted[0]), 0
        if unit is not None:
            table.caption = _footer(shown, more, unit) if shown or more else empty
        _print(table)
        return
    if callable(rows):
        rows = rows(False)
    if target is not None:
        from gkplan.render.tofile import save

        save(target, fmt, (_pick(fmt, row) for row in rows), tuple(fields))
    elif fmt == "json":
        write, first = out.write, True
        from gkplan.render.jsontext import pretty as indented

        pretty = indented(_ascii_json())
        for row in rows:
            write(("[\n  " if first else ",\n  ") + pretty(_pick(fmt, row), "  "))
            first = False
        write("[]\n" if first else "\n]\n")
    elif fmt == "ndjson":
        _lines(fmt, rows)
    else:
        import csv

        from gkplan.render.csvrows import csv_rows

        _hint_excel()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(csv_rows(rows, fields))


DEFAULT_LIMIT = 200


def _tallied(rows: Iterator[dict], tally: Callable[[dict], bool], counted: list[int]) -> Iterator[dict]:
    """The rows as they come, counting in counted[0] those `tally` accepts."""
    for row in rows:
        counted[0] += tally(row)
        yield row


def _footer(shown: int, more: int, unit: str) -> str:
    if not shown and not more:
        return "没有符合条件的记录"
    if more:
        return f"显示前 {shown} {unit}，另有 {more} {unit}未显示；用 --limit 0 显示全部，或 --format csv 导出"
    return f"共 {shown} {unit}"


def numbers(values: list[int]) -> str:
    """Point numbers as a cell shows them, 1、5、9: a list's repr, made without a string for each number (a leader's
    every point, at a million points, is 140,000 numbers)."""
    return repr(values)[1:-1].replace(", ", "、")


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _print(renderable: Any) -> None:
    if isinstance(renderable, Table):  # as wide as the terminal (or COLUMNS); to a file or a pipe, as wide as it is
        write = sys.stdout.write
        for chunk in renderable.chunks(color=_color(), max_width=terminal_columns(None)):
            write(chunk)
    elif hasattr(renderable, "lines"):  # the detail view (render.detail): wrapped, to a file or a pipe at 80
        write = sys.stdout.write
        for text in renderable.lines(color=_color(), max_width=terminal_columns(80)):
            write(text + "\n")
    elif isinstance(renderable, str):
        sys.stdout.write(visible(renderable, one_line=False) + "\n")
    elif isinstance(renderable, list):  # a screen of several parts: lines of text and tables
        for part in renderable:
            _print(part)
    else:
        raise TypeError(f"nothing draws {type(renderable).__name__}")  # a bug: every view is one of the above


def message(text: str) -> None:
    """One line for the person at the terminal (stderr), never mixed into data on stdout; text quoted
    from the ledger or the command line is shown `visible`, a newline in it as a space."""
    try:
        sys.stderr.write(visible(text) + "\n")
    except OSError:
        pass  # stderr itself cannot be written: there is nowhere left to say so; the exit code still tells


def failure(exc: GkplanError) -> int:
    """The one mapping from a GkplanError to what the user reads (one line on stderr; a seed file's or a
    workbook's problems one line each) and the exit code. Used by the command boundary (clikit.command) and,
    for what happens outside any command, by the entry point."""
    if not getattr(exc, "quiet", False):
        first, *more = exc.lines()
        message(f"{exc.prefix}{first}")
        for line in more:
            message(line)
    return exc.exit_code
