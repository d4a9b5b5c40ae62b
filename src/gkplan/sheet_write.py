"""`gkplan sheet`: a department's 填报 workbook for one period (or one per department), written with zipfile
(xlsx_book.py, xlsx_guard.py: what openpyxl wrote, without its start-up or an object per cell).

What the rows hold, and why each ends in a fingerprinted 行标识, is in sheet.py. Here: the workbook's
looks and its guards — editable cells unlocked and yellow, every other cell locked on a protected sheet,
data validation for progress (0–100), status (the list) and text length, text cells formatted as text
(so that a typed '=' stays text), and nothing of the ledger's text ever written as a formula.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from gkplan.actions import MAX_NOTE
from gkplan.author import now
from gkplan.errors import Conflict, InvalidValue, LedgerError, NotFound
from gkplan.ledger import Ledger
from gkplan.kinds import light_fill
from gkplan.xlsx import PAPER, complete
from gkplan.xlsx_book import Book
from gkplan.xlsx_guard import BOLD, PLAIN, CellStyles, Look, align, bottom, cell, clean, row, title_font, top, validation
from gkplan.filters import resolve_name
from gkplan.reports import Frame
from gkplan.sheet import (
    COLUMNS, EDITABLE, FORM, FORMAT, GUIDE, KEY_COLUMN, KEY_HEADER, META, STATUS_CHOICES, TEXT_FIELDS, column_of,
    department_rows, departments, fingerprint, identity_text, letter, safe_name,
)  # fmt: skip

_YELLOW, _GREY, _HEAD, _HEAD_EDIT = "FFF2CC", "F2F2F2", "D9D9D9", "FFD966"


def make(ledger: Ledger, fr: Frame, *, department: str | None, every: bool, period: str | None, output: Path | None,
         force: bool) -> list[dict[str, Any]]:  # fmt: skip
    """Write the sheets; what was written, one dict per file. Every target is checked before any is written."""
    from gkplan.dates import period_key, report_day
    from gkplan.files import reason
    from gkplan.reminders import period as period_of

    if every == (department is not None):
        raise InvalidValue("请写 --dept 部门（一个部门一份）或 --all（每个部门一份），二者选一")
    span = period_of(period, fr, "这一期开始后再生成它的填报表")
    key = period_key(span)
    folder = (output or Path(".")).expanduser()
    if every and folder.exists() and not folder.is_dir():
        raise InvalidValue(f"{folder}: 不是目录；--all 的 -o 应为一个目录")
    if not every and output is not None and output.suffix.lower() != ".xlsx":  # (import reads .xlsx only: Excel warns of the rest)
        raise InvalidValue(f"填报表是 Excel 工作簿，-o 的文件名应以 .xlsx 结尾（如 {output.stem or '填报表'}.xlsx），收到：{output.name}")
    plan = ledger.plan()
    jobs = []
    with ledger.snapshot():  # every sheet of the run reads one state of the ledger
        names = departments(ledger) if every else [resolve_name(department or "", ledger.known_departments(), "部门")]
        for name in names:
            rows = department_rows(ledger, fr, name)
            if not rows and not every:
                raise NotFound(f"{name}在计划“{plan['key']}”中没有牵头的要点或负责的任务，不需要填报")
            if rows:  # (--all: each department's rows are read again when its sheet is written, not held for the run)
                target = folder / f"{safe_name(name)}-{key}.xlsx" if every else output or Path(f"{safe_name(name)}-{key}.xlsx")
                jobs.append((name, None if every else rows, target))
            del rows
        identity = ledger.identity()
        taken = [str(t) for _, _, t in jobs if os.path.lexists(t.expanduser())]
        if taken and not force:
            more = f" 等 {len(taken)} 个文件" if len(taken) > 3 else ""
            raise Conflict(f"{'、'.join(taken[:3])}{more} 已存在；要覆盖请加 --force")
        if every:
            try:
                folder.mkdir(exist_ok=True)
            except OSError as exc:
                raise LedgerError(f"{folder}: 无法创建目录：{reason(exc)}") from None
        meta = {"format": FORMAT, "plan": plan["key"], "plan_title": plan["title"], "ledger": identity or "", "period": key,
                "period_start": span[0].isoformat(), "period_end": span[1].isoformat(),
                "report_day": report_day(span[1], fr.periods.report_day).isoformat(), "made_at": now()}  # fmt: skip
        done = []
        for name, rows, target in jobs:
            rows = rows or department_rows(ledger, fr, name)
            done.append(_write(ledger, meta | {"department": name, "rows": len(rows)}, rows, target, force))
        return done


def _write(ledger: Ledger, meta: dict[str, Any], rows: list[dict[str, Any]], target: Path, force: bool) -> dict[str, Any]:
    from gkplan.files import replace_atomically

    with replace_atomically(target, force=force, protect=ledger.file) as f:
        save(meta, rows, f)
    points = sum(r["kind"] == "point" for r in rows)
    return {"department": meta["department"], "period": meta["period"], "file": str(target), "points": points,
            "tasks": len(rows) - points}  # fmt: skip


def save(meta: dict[str, Any], rows: list[dict[str, Any]], out: BinaryIO) -> None:
    """The workbook into `out`: the guide, the 填报 sheet, and the hidden _gkplan with `meta`."""
    def sheets(book: Book) -> None:
        _guide(book, meta, rows)
        _form(book, rows)
        book.open(META, top(f"A1:B{len(meta)}"), hidden=True)
        book.write("".join(row(n, cell(1, n, 0, k) + cell(2, n, 0, clean(str(v))))
                           for n, (k, v) in enumerate(meta.items(), start=1)))  # fmt: skip
        book.write(bottom())

    # zlib's default level, as openpyxl wrote it: a sheet goes out by mail, and is a department's rows, not the ledger
    complete(Book(out, f"{meta['department']} {meta['period']} 督查填报表", CellStyles(), level=6), sheets)


def _lines(value: Any, width: int) -> int:
    """How many lines a wrapped cell of `width` characters needs (CJK characters count two)."""
    from gkplan.render.width import cell_width

    if not isinstance(value, str):
        return 1
    return sum(max(1, -(-cell_width(line) // width)) for line in value.split("\n"))


def _form(book: Book, rows: list[dict[str, Any]]) -> None:
    """The 填报 sheet: its rows streamed into the book as they are made, each cell's format numbered once."""
    styles, last = book.styles, len(rows) + 1
    head = {edit: styles.id(Look(BOLD, _HEAD_EDIT if edit else _HEAD, True, align(horizontal="center", vertical="center",
                                                                                   wrap=True)))
            for edit in (False, True)}  # fmt: skip
    widths = [c.width for c in COLUMNS] + [None]
    book.open(FORM, top(f"A1:{letter(KEY_COLUMN)}{last}", widths, hidden=[KEY_COLUMN], frozen="D2", fit=True))
    cells = [cell(i, 1, head[col.editable], col.header) for i, col in enumerate(COLUMNS, start=1)]
    book.write(row(1, "".join(cells) + cell(KEY_COLUMN, 1, 0, KEY_HEADER)))
    wrapped = (*TEXT_FIELDS, "title", "parent", "remark")
    looks: dict[tuple[Any, ...], int] = {}
    out = []
    for r, item in enumerate(rows, start=2):
        written, cells = [], []
        for i, col in enumerate(COLUMNS, start=1):
            value = clean(item["cells"][col.key])  # what the fingerprint covers is what is written
            number = "General"
            if col.key in ("due", "reported") and value:
                value = date.fromisoformat(value)  # a real date (its fingerprint is the same ISO text)
                number = "yyyy-mm-dd"
            written.append(value)
            open_ = col.editable and col.key not in item["locked"]
            if col.key in TEXT_FIELDS or (col.editable and col.key == "status"):
                number = "@"  # what a clerk types stays text: '=…' is not run, '001' keeps its zeros
            fill = _YELLOW if open_ else (light_fill(value) if col.key == "light" else None) or _GREY
            key = (fill, col.key in wrapped, number, open_)
            s = looks.get(key)
            if s is None:
                s = looks[key] = styles.id(Look("", fill, True, align(vertical="top", wrap=key[1]), number, not open_))
            cells.append(cell(i, r, s, value))
        identity = {"id": item["key"], "kind": item["kind"], "v": item["version"], "h": [fingerprint(v) for v in written],
                    "lock": item["locked"]}  # fmt: skip
        cells.append(cell(KEY_COLUMN, r, 0, identity_text(identity)))
        # neither Excel nor WPS fits a row to wrapped text when opening a file: a row that holds more than one
        # line is given the height of its longest cell, up to ten lines (the clerk may change it)
        lines = max(_lines(item["cells"][c.key], c.width) for c in COLUMNS if c.key in wrapped)
        out.append(row(r, "".join(cells), 15 * min(lines, 10) if lines > 1 else None))
        if len(out) >= 200:
            book.write("".join(out))
            out.clear()
    book.write("".join(out))
    # widths and heights may change, and the filter may narrow the rows: nothing else. (Unhiding 行标识 is then
    # possible, but its cells stay locked, and the import checks them all the same.)
    book.write(bottom(allowed=("formatColumns", "formatRows", "autoFilter"), filtered=f"A1:{letter(len(COLUMNS))}{last}",
                      validations=_validations(last), paper=PAPER["A4"]))  # fmt: skip
    book.name(filtered=f"A1:{letter(len(COLUMNS))}{last}", printed=f"A1:{letter(len(COLUMNS) - 1)}{last}")
    # (the print area leaves out the point's whole text: it is for the screen)


def _validations(last: int) -> list[str]:
    """Excel and WPS refuse what the import would refuse, as it is typed."""
    if last < 2:
        return []

    def span(key: str) -> str:
        col = column_of(key)[0]
        return f"{col}2:{col}{last}"

    return [
        validation([span("progress")], "whole", "0", "100", operator="between",
                   error=("本期进度", "请填 0–100 的整数，不带 %（如 60）"), prompt=("本期进度", "0–100 的整数；100 即报办结，须填办结佐证")),
        validation([span("status")], "list", '"' + ",".join(STATUS_CHOICES) + '"',
                   error=("状态", "请从下拉列表中选择"), prompt=("状态", "选“已完成”即报办结，须填办结佐证")),
        validation([span(key) for key in TEXT_FIELDS], "textLength", str(MAX_NOTE), operator="lessThanOrEqual",
                   error=("文字过长", f"最多 {MAX_NOTE} 字")),
    ]  # fmt: skip


def guide_lines(meta: dict[str, Any], rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The 填报说明 sheet's lines, (kind: "title", "head" or "", words): how to fill the sheet in and send it back."""
    points = sum(r["kind"] == "point" for r in rows)
    editable = "、".join(column_of(k)[1] for k in EDITABLE)
    return [
        ("title", f"{meta['plan_title']} · 督查填报表"),
        ("", f"部门：{meta['department']}"),
        ("", f"填报期：{meta['period']}（{meta['period_start']} 至 {meta['period_end']}），请于 {meta['report_day']} 前报送"),
        ("", f"本表列出：{meta['department']}牵头的要点 {points} 项、负责的任务 {len(rows) - points} 个；"
             f"表中的进度、状态和文字是制表时（{meta['made_at'][:16].replace('T', ' ')}）台账中的内容"),
        ("", ""),
        ("head", "填写方法"),
        ("", f"1. 打开“{FORM}”工作表。浅黄色的单元格可以填写：{editable}；灰色的列是台账中的信息，已锁定，请勿修改。"),
        ("", "2. 本期进度：填 0–100 的整数，不带 %（如 60）。表中已有的是台账中当前的进度，有变化时改写。"),
        ("", "3. 状态：从下拉列表中选择。“待销号”由督查办审核后改变，不需要选择。"),
        ("", "4. 进展情况写本期做了什么；存在问题、下一步计划有变化时改写。已有的文字不能清空，没有新情况时保留原文。"),
        ("", "5. 办结：进度填 100 或状态选“已完成”即报办结，必须在“办结佐证”中写明文号、链接或一句话说明；督查办审核后销号。"),
        ("", "6. 已报办结或已销号的事项需要重新打开时，把状态改为“进行中”或“受阻”、进度改为低于 100，并在“进展情况”中写明原因。"),
        ("", "7. 备注为“进度按任务汇总”的要点，进度由它的任务计算：请填写它下面各任务的进度。"),
        ("", "8. 只改需要更新的单元格，没有改动的行不会导入。不要增加、删除或移动行和列，不要修改工作表的名称，"
             "不要填写公式（以“=”开头的文字按文字保存）。"),
        ("", "9. 填好后保存为 .xlsx 格式（Excel 或 WPS 均可），发回督查办。"),
        ("", ""),
        ("head", "督查办导入"),
        ("", "gkplan import 文件名.xlsx：逐格检查，列出将要修改的内容（预览），不写入台账。"),
        ("", "gkplan import 文件名.xlsx --apply：全部修改在一个事务中写入台账，每条修改记入历史，记录人为本部门，来源为本文件。"),
        ("", "检查发现问题时，逐条指出所在的工作表、行和列，整个文件都不导入。制表后台账中已有改动的行列为冲突，"
             "核对后加 --force 才导入。"),
    ]  # fmt: skip


def _guide(book: Book, meta: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    lines = guide_lines(meta, rows)
    book.open(GUIDE, top(f"A1:A{len(lines)}", [70]))  # (70: fits a portrait page as it fits a screen)
    fonts = {"title": title_font(14), "head": BOLD, "": PLAIN}
    out = []
    for n, (kind, words) in enumerate(lines, start=1):
        s = book.styles.id(Look(fonts[kind], align=align(vertical="top", wrap=True)))
        words = clean(words)
        height = 15 * _lines(words, 70) if kind != "title" and _lines(words, 70) > 1 else None
        out.append(row(n, cell(1, n, s, words), height))
    book.write("".join(out) + bottom())
