"""Reading a filled-in 填报 workbook back (the first half of `gkplan import`): every cell of the sheet is
checked, and every problem is kept as a CellProblem (sheet, row, column) so that the import can refuse
the whole file with all of them at once. Nothing here reads the ledger; sheet_import.py does.

A cell's edit is seen by its fingerprint (sheet.py): the row's 行标识 holds the fingerprint of every cell as
written, so an editable cell whose fingerprint differs was changed by the clerk, and a read-only one was
changed where it must not be.
"""

from __future__ import annotations

import errno
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from gkplan.ledger.jsonread import loads
from gkplan.errors import CellProblem, GkplanError, InvalidValue
from gkplan.sheet import COLUMNS, FORM, FORMAT, KEY_COLUMN, KEY_HEADER, META, STATUS_CHOICES, letter, normal, untouched
from gkplan.xlsx_read import Book as Workbook
from gkplan.xlsx_read import check_directory
from gkplan.xlsx_sheet import EMPTY as _BLANK  # a cell the file does not have (a short row is made as long as the header)


_META_ROWS = 100  # _gkplan holds a dozen keys: what is below them is not read
# A sheet gone wrong throughout is told by its first problems (SheetError shows 50 of them), and no department
# answers for more items than this: either limit stops the reading, so that memory stays bounded.
MAX_PROBLEMS, MAX_ROWS = 1000, 100_000
MAX_SHEET_ROWS = 1_048_576  # Excel's and WPS's last row: nothing they saved goes further
MAX_UNPACKED = 100 << 20  # a million rows of formatting alone unpack to some 40 MB


def _column(index: int) -> str:
    """A column's letter from its 1-based index, past Z too (AA, AB …)."""
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


class Row(NamedTuple):
    """One row of 填报 as the clerk left it."""

    number: int  # the row's number in the sheet
    key: str  # 17 or 17.2
    kind: str  # point / task
    point: int
    seq: int | None
    version: int  # the item's latest history entry when the sheet was made
    values: dict[str, Any]  # each editable field: progress int, status key, text; None when empty
    edited: tuple[str, ...]  # the editable fields the clerk changed
    prints: dict[str, str]  # each column's fingerprint as written


class Book(NamedTuple):
    name: str  # the file's name: what the history's `source` keeps
    meta: dict[str, str]
    meta_rows: dict[str, int]  # each meta key's row in _gkplan, to point at it
    rows: list[Row]


def read(path: Path) -> tuple[Book | None, list[CellProblem]]:
    """The workbook's rows and every problem found in it; None for the book when it is not a 填报 workbook at all."""
    book = _open(path)
    try:
        return _read(book, path)
    finally:
        book.close()


def _read(book: Workbook, path: Path) -> tuple[Book | None, list[CellProblem]]:
    # each sheet's XML is streamed: a million rows (formatting only, say) take seconds and no more memory
    # than a few; a chart sheet under a sheet's name is no worksheet
    names = set(book.worksheets)
    if META not in names or FORM not in names:
        missing = META if META not in names else FORM
        return None, [CellProblem(missing, None, None, None, "没有这张工作表：这不是 gkplan sheet 生成的填报表，或工作表被删除、改名")]
    problems: list[CellProblem] = []
    meta, meta_rows = {}, {}
    rows_of_meta = _stream(book.rows(META, min_col=1, max_col=2, max_row=_META_ROWS, values_only=True), path)
    for number, (key, value) in enumerate(rows_of_meta, start=1):
        if key is not None:
            meta[normal(key)], meta_rows[normal(key)] = normal(value), number
    if meta.get("format") != FORMAT:
        where = meta_rows.get("format")
        problems.append(CellProblem(META, where, "B" if where else None, None,
                                    f"填报表格式为“{meta.get('format', '')}”，本程序读“{FORMAT}”；请用本程序重新生成填报表"))  # fmt: skip
        return None, problems
    rows, seen, headed = [], {}, False  # every row the file holds, whatever its <dimension> claims
    for number, (cells, rest) in enumerate(_stream(book.rows_and_rest(FORM, KEY_COLUMN, MAX_SHEET_ROWS), path), start=1):
        if number == 1:
            _header(cells, problems)
            headed = True
            continue
        if len(problems) >= MAX_PROBLEMS or len(rows) >= MAX_ROWS:
            if any(normal(c.value) != "" for c in (*cells, *(c for _, c in rest))):
                # said of the whole sheet, so that it comes first and is not lost among the problems not shown
                problems.append(CellProblem(FORM, None, None, None, f"问题或行数过多，只检查到第 {number - 1} 行，以下的行没有检查"))
                break
            continue
        row = _row(cells, rest, number, problems)
        if row is None:
            continue
        if row.key in seen:
            problems.append(CellProblem(FORM, number, letter(KEY_COLUMN), KEY_HEADER, f"与第 {seen[row.key]} 行是同一事项（{row.key}）；请删除重复的行"))
            continue
        seen[row.key] = number
        rows.append(row)
    if not headed:  # a sheet emptied of everything: its header is gone too
        _header([_BLANK] * KEY_COLUMN, problems)
    return Book(path.name, meta, meta_rows, rows), problems


def _open(path: Path) -> Workbook:
    target = path.expanduser()
    if not target.is_file():
        raise InvalidValue(f"{path}: 没有这个文件" if not target.exists() else f"{path}: 不是普通文件")
    if not os.access(target, os.R_OK):
        raise InvalidValue(f"{path}: 无法读取：没有读权限")
    try:
        # what the parts unpack to, as the archive declares it (zipfile never reads a part past its declared
        # size): a zip bomb is refused before anything is unpacked; a directory of too many parts before it is read
        check_directory(target)
        with zipfile.ZipFile(target) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked > MAX_UNPACKED:
            raise InvalidValue(f"{path}: 解压后超过 {MAX_UNPACKED >> 20} MB，不是 gkplan sheet 生成的填报表")
        return Workbook(target)
    except OSError as exc:
        why = "没有读权限" if exc.errno in (errno.EACCES, errno.EPERM) else exc.strerror or str(exc)
        raise InvalidValue(f"{path}: 无法读取：{why}") from None
    except GkplanError:
        raise
    except Exception:  # noqa: BLE001 - a file that is no workbook fails inside zipfile, expat and the reader in many ways
        raise _damaged(path) from None


def _damaged(path: Path) -> InvalidValue:
    return InvalidValue(f"{path}: 不是 .xlsx 工作簿，或文件已损坏；请在 Excel 或 WPS 中另存为 .xlsx 后再导入")


def _stream(rows: Iterator[Any], path: Path) -> Iterator[Any]:
    """A sheet's rows as xlsx_read parses them from the file, one at a time: XML or a zip part found broken
    on the way is a damaged file (only what the reader and zipfile raise is caught here, never our own)."""
    try:
        yield from rows
    except Exception:  # noqa: BLE001 - as in _open
        raise _damaged(path) from None


def _formula(cell: Any) -> str | None:
    """The formula a cell holds, if any ('=…', array and shared formulas, what-if tables), shortened."""
    if cell.data_type == "f":
        text = cell.value
        return text if len(text) <= 40 else text[:40] + "…"
    return None


def _header(cells: list[Any], problems: list[CellProblem]) -> None:
    for i, header in enumerate([c.header for c in COLUMNS] + [KEY_HEADER], start=1):
        if normal(cells[i - 1].value) != header:
            problems.append(CellProblem(FORM, 1, letter(i), None, f"表头应为“{header}”；请不要修改表头"))


def _row(cells: tuple[Any, ...], rest: list[tuple[int, Any]], number: int, problems: list[CellProblem]) -> Row | None:
    """`cells`: the row's first KEY_COLUMN cells; `rest`: those past it the file holds, (column, cell)."""
    # an empty row (one the clerk cleared, or formatting only): the cells the file does not have are counted
    # first, at C's speed (a million rows of formatting took 20 s of normal() calls)
    if (cells.count(_BLANK) == len(cells) or all(normal(c.value) == "" for c in cells)) and all(
            normal(c.value) == "" for _, c in rest):  # fmt: skip
        return None
    for i, cell in rest:
        if normal(cell.value) != "":
            problems.append(CellProblem(FORM, number, _column(i), None, "这一列不属于填报表；请删除其中的内容"))
    identity = _identity(cells[KEY_COLUMN - 1].value)
    if identity is None:
        where = (letter(KEY_COLUMN), KEY_HEADER)
        what = "这一行不是生成的填报行（没有行标识）；请不要增加行" if cells[KEY_COLUMN - 1].value is None else "行标识被改动；请重新生成填报表"
        problems.append(CellProblem(FORM, number, *where, what))
        return None
    key, kind, point, seq, version, prints, locked = identity
    values, edited = {}, []
    for i, col in enumerate(COLUMNS):
        cell = cells[i]
        where = (FORM, number, letter(i + 1), col.header)
        formula = _formula(cell)
        if formula is not None:
            problems.append(CellProblem(*where, f"是公式（{formula}），请只填写数值或文字"))
            continue
        changed = not untouched(cell.value, prints[i])
        if not col.editable or col.key in locked:
            if changed and col.key in locked:
                problems.append(CellProblem(*where, "这一项的进度由任务汇总，不能直接填写；请填写它的任务的进度"))
            elif changed:
                problems.append(CellProblem(*where, "只读的列不能修改；请恢复原来的内容，或重新生成填报表"))
            continue
        try:
            values[col.key] = parse(col.key, cell.value)
        except GkplanError as exc:
            problems.append(CellProblem(*where, str(exc)))
            continue
        if changed:
            edited.append(col.key)
            if values[col.key] is None:
                problems.append(CellProblem(*where, "已有的内容不能清空；没有新情况时请保留原来的内容"))
    prints_by_key = {col.key: prints[i] for i, col in enumerate(COLUMNS)}
    return Row(number, key, kind, point, seq, version, values, tuple(edited), prints_by_key)


def _identity(raw: Any) -> tuple | None:
    """What a row's 行标识 holds, checked: (key, kind, point, seq, version, fingerprints, locked fields)."""
    if not isinstance(raw, str):
        return None
    try:
        data = loads(raw)
        key, kind, version, prints, locked = data["id"], data["kind"], data["v"], data["h"], data["lock"]
        head, _, tail = key.partition(".")
        point, seq = int(head), int(tail) if tail else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    # (the key as the sheet wrote it: int() also takes "07", " 7", "7_0", which would pass the duplicate-row check)
    fine = (kind == ("task" if seq is not None else "point") and key == (f"{point}.{seq}" if seq is not None else str(point))
            and isinstance(version, int) and isinstance(prints, list) and len(prints) == len(COLUMNS)
            and all(isinstance(p, str) for p in prints) and isinstance(locked, list) and all(isinstance(f, str) for f in locked))  # fmt: skip
    return (key, kind, point, seq, version, prints, set(locked)) if fine else None


def parse(key: str, raw: Any) -> Any:
    """An editable cell's value: progress 0–100, a status from the list (as its key), or text; None when empty."""
    from gkplan.actions import clean_note
    from gkplan.values import parse_progress, parse_status

    text = normal(raw)
    if text == "":
        return None
    shown = text if len(text) <= 30 else text[:30] + "…"  # what was typed, quoted: a cell may hold a page
    if key == "progress":
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise InvalidValue(f"应为 0–100 的整数，收到 {shown}")
        if isinstance(raw, (int, float)) and not 0 <= raw <= 100:
            raise InvalidValue(f"应为 0–100 的整数，收到 {shown}")
        try:
            return parse_progress(text)
        except InvalidValue:
            raise InvalidValue(f"应为 0–100 的整数，收到“{shown}”") from None
    if key == "status":
        try:
            return parse_status(text)
        except InvalidValue:
            raise InvalidValue(f"未知状态“{shown}”；请从下拉列表中选择：{'、'.join(STATUS_CHOICES)}") from None
    return clean_note(text, "内容")
