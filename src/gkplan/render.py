"""Output: tables for people, JSON and CSV for scripts. The only module that imports rich.

Every view goes through `_emit` / `_emit_rows`, the one place that branches on the format.
Record tables are drawn by `Table` below: Rich costs ~40 ms to import and ~0.4 ms a row, which
is most of a command's time, so long listings and the cold start use this plain, CJK-aware
renderer; Rich draws the one detail view (`show`), where its layout pays for itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, Union

from gkplan.values import STATUS_LABELS

if TYPE_CHECKING:
    from gkplan.errors import GkplanError

_STATUS_STYLE = {"not_started": "dim", "in_progress": "cyan", "done": "green", "blocked": "red", "deferred": "yellow"}
_CHANGE_LABELS = {
    "progress": "进度", "status": "状态", "due": "截止日期", "owner": "责任人", "weight": "权重",
    "actual": "实际值", "actual_as_of": "统计日期", "note": "说明", "present": "任务", "title": "标题", "section": "部分",
    "due_seed": "种子截止日期", "text": "全文", "leads": "牵头信息",
}  # fmt: skip
_LIGHT_MARKS = {"red": ("红", "red"), "yellow": ("黄", "yellow"), "green": ("绿", "green"), "done": ("完成", "dim")}
_NUMERALS = "一二三四五六七八九十"
_NUMERIC_HEADERS = {"编号", "进度", "要点数", "已完成", "进行中", "未启动", "受阻", "暂缓", "逾期", "逾期天数", "平均进度",
                    "红", "黄", "绿", "权重", "目标下限", "目标上限", "实际值", "完成率", "天数"}  # fmt: skip


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


@_writes
def _emit(fmt: str, data: Any, fields: Sequence[str], table: Callable[[], Any]) -> None:
    if fmt == "json":
        import json

        json.dump(data, sys.stdout, ensure_ascii=_ascii_json(), indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        import csv

        rows = data if isinstance(data, list) else [data]
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows([_cell(row.get(f)) for f in fields] for row in rows)
    else:
        _print(table())


Rows = Union[Iterable[dict[str, Any]], Callable[[bool], Iterable[dict[str, Any]]]]


@_writes
def _emit_rows(
    fmt: str, rows: Rows, fields: Sequence[str], table: Table, cells: Callable[[dict], list], limit: int | None, unit: str
) -> None:
    """A list view, streamed: JSON and CSV write every row as it comes; a table keeps only the cells of
    the first `limit` rows (default 200 on a terminal, all when piped) and says how many more there are.
    `rows` may be a function of `brief`: a table asks for brief rows, which are cheaper to fetch."""
    if callable(rows):
        rows = rows(fmt == "table")
    out = sys.stdout
    if fmt == "json":
        import json

        first, ascii_only = True, _ascii_json()
        for row in rows:
            out.write(("[\n" if first else ",\n") + "  " + json.dumps(row, ensure_ascii=ascii_only, indent=2).replace("\n", "\n  "))
            first = False
        out.write("[]\n" if first else "\n]\n")
    elif fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows([_cell(row.get(f)) for f in fields] for row in rows)
    else:
        if limit is None:
            limit = DEFAULT_LIMIT if out.isatty() else 0
        iterator = iter(rows)
        for row in islice(iterator, limit) if limit else iterator:
            table.add_row(*cells(row))
        table.caption = _footer(len(table.rows), sum(1 for _ in iterator), unit)
        _print(table)


DEFAULT_LIMIT = 200


def _footer(shown: int, more: int, unit: str) -> str:
    if not shown and not more:
        return "没有符合条件的记录"
    if more:
        return f"显示前 {shown} {unit}，另有 {more} {unit}未显示；用 --limit 0 显示全部，或 --format csv 导出"
    return f"共 {shown} {unit}"


def _cell(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(_cell(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


_escapes = None


def visible(text: str, one_line: bool = True) -> str:
    """Text from the ledger as it may reach a terminal: control and format characters (ESC, BEL, CR,
    C1 controls, bidi overrides such as U+202E, line separators) are written out as \\x1b, \\u202e …,
    so stored text can neither drive the terminal nor disguise itself. On a one-line cell a newline or
    tab is a space. Almost all text is printable, and `isprintable` (C) settles that at once."""
    if text.isprintable():
        return text
    global _escapes
    if _escapes is None:  # compiled on first use: most commands never see such text
        import re

        # Cc, Cf (except ZWJ, which joins emoji), Zl, Zp, lone surrogates; spaces such as U+3000 stay
        _escapes = re.compile(
            "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
            "\u200b-\u200c\u200e-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
            "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
            "\U000e0001\U000e0020-\U000e007f\ud800-\udfff]"
        )
    return _escapes.sub(_one_line if one_line else _lines, text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _one_line(m: Any) -> str:
    ch = m.group()
    return " " if ch in "\n\t" else _escape(ch)


def _lines(m: Any) -> str:
    ch = m.group()
    return ch if ch in "\n\t" else _escape(ch)


Cell = Union[str, tuple[str, str]]  # text, or (text, style)
_STYLES = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "dim": "2", "bold": "1"}


_wide = None


_widths: dict[str, int] = {}  # names, statuses and labels repeat down a column


def cell_width(text: str) -> int:
    """Terminal cells: East Asian Wide and Fullwidth characters take two. Ambiguous ones (“ ” — …)
    take one, as in Rich and most terminals."""
    if text.isascii():
        return len(text)
    known = _widths.get(text)
    if known is not None:
        return known
    global _wide
    if _wide is None:  # compiled on first use: JSON and CSV output never pay for it
        import re

        _wide = re.compile(
            "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
            "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U0001f300-\U0001f64f\U0001f900-\U0001f9ff"
            "\U00020000-\U0003fffd]"
        )
    width = 2 * len(text) - len(_wide.sub("", text))
    if len(_widths) < 10_000:
        _widths[text] = width
    return width


def _truncate(text: str, width: int) -> str:
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


class Table:
    """Columns of CJK text that line up: headers, a rule, rows; numbers right-aligned. Two spaces
    between columns and an ASCII rule, since box-drawing characters are ambiguous-width in CJK terminals."""

    def __init__(self, *headers: str, title: str | None = None) -> None:
        self.headers = headers
        self.right = [h in _NUMERIC_HEADERS for h in headers]
        self.title = title
        self.caption: str | None = None
        self.rows: list[tuple[Sequence[Cell], list[int]]] = []  # cells, their widths
        self.widths = [cell_width(h) for h in headers]

    def add_row(self, *cells: Cell) -> None:
        """Keep the row's cells and their widths (counted now), never the record they came from.
        Every cell is shown `visible`; one test on the joined row keeps that cheap."""
        texts = [c if c.__class__ is str else c[0] for c in cells]
        if not "".join(texts).isprintable():
            cells = tuple(visible(c) if c.__class__ is str else (visible(c[0]), c[1]) for c in cells)
            texts = [c if c.__class__ is str else c[0] for c in cells]
        sizes = [len(t) if t.isascii() else cell_width(t) for t in texts]
        self.rows.append((cells, sizes))

    def lines(self, color: bool = False, max_width: int | None = None) -> Iterator[str]:
        widths = [max(column) for column in zip(self.widths, *(sizes for _, sizes in self.rows))]
        if max_width:  # on a terminal: shrink the widest columns until the table fits
            while sum(widths) + 2 * (len(widths) - 1) > max_width and max(widths) > 8:
                widths[widths.index(max(widths))] -= 1
        last, right = len(widths) - 1, self.right

        def line(cells: Sequence[Cell], sizes: list[int]) -> str:
            parts = []
            for i, cell in enumerate(cells):
                text, style = (cell, None) if cell.__class__ is str else cell
                w = sizes[i]
                if w > widths[i]:
                    text = _truncate(text, widths[i])
                    w = cell_width(text)
                pad = " " * (widths[i] - w)
                text = pad + text if right[i] else (text + pad if i < last else text)
                if color and style:
                    text = f"\x1b[{_STYLES[style]}m{text}\x1b[0m"
                parts.append(text)
            return "  ".join(parts).rstrip()

        if self.title:
            yield self.title
        yield line([(h, "bold") for h in self.headers], [cell_width(h) for h in self.headers])
        yield "-" * (sum(widths) + 2 * last)
        for cells, sizes in self.rows:
            yield line(cells, sizes)
        if self.caption:
            yield self.caption

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 - nested in the Rich detail view
        from rich.text import Text

        yield Text.from_ansi("\n".join(self.lines(color=True, max_width=options.max_width)), no_wrap=True)


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _print(renderable: Any) -> None:
    if isinstance(renderable, Table):
        import shutil

        tty = sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if tty else None
        write = sys.stdout.write
        for text in renderable.lines(color=_color(), max_width=width):
            write(text + "\n")
    elif isinstance(renderable, str):
        sys.stdout.write(visible(renderable, one_line=False) + "\n")
    else:
        from rich.console import Console

        Console(highlight=False, soft_wrap=False).print(renderable)


def _table(*headers: str, title: str | None = None) -> Table:
    return Table(*headers, title=title)


def message(text: str) -> None:
    """One line for the person at the terminal (stderr), never mixed into data on stdout; text quoted
    from the ledger or the command line is shown `visible`, a newline in it as a space."""
    try:
        sys.stderr.write(visible(text) + "\n")
    except OSError:
        pass  # stderr itself cannot be written: there is nowhere left to say so; the exit code still tells


def failure(exc: GkplanError) -> int:
    """The one mapping from a GkplanError to what the user reads (one line on stderr; a seed file's
    problems one line each) and the exit code. Used by the command boundary (clikit.command) and, for
    what happens outside any command, by the entry point."""
    if not getattr(exc, "quiet", False):
        from gkplan.errors import SeedError, format_problem

        first, *more = [format_problem(p) for p in exc.problems] if isinstance(exc, SeedError) else [str(exc)]
        message(f"{exc.prefix}{first}")
        for line in more:
            message(line)
    return exc.exit_code


def _status(key: str) -> Cell:
    return STATUS_LABELS.get(key) or _esc(key), _STATUS_STYLE.get(key, "red")


def _days(point: dict[str, Any]) -> Cell:
    days = point["days_left"]
    if point["status"] == "done":
        return "—"
    if days is None:
        return "日期有误", "red"
    if days < 0:
        return f"逾期 {-days} 天", "red"
    return "今天到期" if days == 0 else f"剩 {days} 天"


def _red(value: Any) -> Cell:
    return (str(value), "red") if value else "0"


def _section_name(number: int, title: str) -> str:
    return f"{_NUMERALS[number - 1] if 1 <= number <= 10 else number}、{title}"


def _esc(text: Any) -> str:
    """Free text (notes) on one table line."""
    return visible(str(text)) if text is not None else ""


POINT_FIELDS = (
    "plan", "id", "section", "section_title", "title", "leaders", "departments", "status", "status_label",
    "progress", "light", "due", "days_left", "overdue", "tasks", "note", "updated_at", "text",
)  # fmt: skip


def _point_cells(p: dict[str, Any]) -> list[Cell]:
    return [
        str(p["id"]), p["title"], "、".join(p["leaders"]) or "按分工", "、".join(p["departments"]) or "各部门",
        f"{p['progress']}%", _status(p["status"]), _LIGHT_MARKS[p["light"]], p["due"], _days(p),
    ]  # fmt: skip


def points(rows: Rows, fmt: str, limit: int | None = None) -> None:
    table = _table("编号", "工作要点", "校领导", "牵头部门", "进度", "状态", "灯", "截止日期", "剩余")
    _emit_rows(fmt, rows, POINT_FIELDS, table, _point_cells, limit, "项")


def point(p: dict[str, Any], fmt: str) -> None:
    def table():  # noqa: ANN202
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table as RichTable
        from rich.text import Text

        grid = RichTable.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("部分", Text(visible(_section_name(p["section"], p["section_title"]))))
        for i, lead in enumerate(p["leads"]):
            who = lead["leader"] or lead["note"]
            depts = "、".join(lead["departments"]) or "各部门分工负责"
            scope = f"（{lead['scope']}）" if lead["scope"] else ""
            grid.add_row("牵头" if i == 0 else "", Text(visible(f"校领导：{who}；部门：{depts}{scope}")))
        status = Text(*_status(p["status"]))
        if p["light"] != "done":
            status.append("  ").append(Text(*_LIGHT_MARKS[p["light"]])).append("灯")
        grid.add_row("状态", status)
        bar = RichTable.grid(padding=(0, 1))
        done = p["progress"] if isinstance(p["progress"], int) else 0
        bar.add_row(ProgressBar(total=100, completed=done, width=30), f"{_esc(p['progress'])}%")
        grid.add_row("进度", bar)
        if p["task_list"]:
            grid.add_row("", "（由任务按权重计算）")
        days = _days(p)
        grid.add_row("截止日期", Text.assemble(p["due"], "（", days if isinstance(days, str) else Text(*days), "）") if p["status"] != "done" else p["due"])
        if p["note"]:
            grid.add_row("最新说明", Text(visible(p["note"], one_line=False)))
        title, text = visible(f"第 {p['id']} 项  {p['title']}"), visible(p["text"], one_line=False)
        parts: list[Any] = [Text(title, style="bold"), grid, Text(""), Text(text)]
        if p["task_list"]:
            parts += [Text(""), _tasks_table(p["task_list"], title="任务清单")]
        if p["targets"]:
            parts += [Text(""), _targets_table(p["targets"], title="量化指标")]
        if p["history"]:
            parts += [Text(""), _history_table(p["history"], title="最近记录")]
        return Group(*parts)

    _emit(fmt, p, POINT_FIELDS, table)


def _overdue_cells(p: dict[str, Any]) -> list[Cell]:
    return [
        str(p["id"]), p["title"], (str(p["days_overdue"]), "red"), p["due"], f"{p['progress']}%", _status(p["status"]),
        "、".join(p["leaders"]) or "按分工", "、".join(p["departments"]) or "各部门",
    ]  # fmt: skip


def overdue(rows: Rows, fmt: str, as_of: str, limit: int | None = None) -> None:
    title = f"截至 {as_of} 逾期未完成"
    table = _table("编号", "工作要点", "逾期天数", "截止日期", "进度", "状态", "校领导", "牵头部门", title=title)
    _emit_rows(fmt, rows, ("days_overdue", *POINT_FIELDS), table, _overdue_cells, limit, "项逾期")


SUMMARY_FIELDS = (
    "group", "points", "done", "in_progress", "not_started", "blocked", "deferred", "overdue",
    "red", "yellow", "green", "mean_progress",
)  # fmt: skip


def _summary_table(rows: list[dict[str, Any]], group_label: str, title: str, bars: bool = False):  # noqa: ANN202
    # the overview trades the per-status columns for a progress bar, to stay on one screen
    counts = ("points", "done", "overdue") if bars else SUMMARY_FIELDS[1:8]
    labels = {"points": "要点数", "done": "已完成", "in_progress": "进行中", "not_started": "未启动", "blocked": "受阻",
              "deferred": "暂缓", "overdue": "逾期"}  # fmt: skip
    t = _table(group_label, *(labels[k] for k in counts), "红", "黄", "绿", "平均进度", *(["进度"] if bars else []), title=title)
    for r in rows:
        cells: list[Any] = [
            _esc(r["group"]), *(str(r[k]) for k in counts),
            _red(r["red"]), (str(r["yellow"]), "yellow") if r["yellow"] else "0",
            (str(r["green"]), "green"), f"{r['mean_progress']:.1f}%",
        ]  # fmt: skip
        if bars:
            filled = int(r["mean_progress"] / 5 + 0.5)
            cells.append(("#" * filled + "." * (20 - filled), "green"))
        t.add_row(*cells)
    return t


def summary(rows: list[dict[str, Any]], fmt: str, group_label: str, as_of: str) -> None:
    _emit(fmt, rows, SUMMARY_FIELDS, lambda: _summary_table(rows, group_label, f"截至 {as_of} 按{group_label}汇总"))


def overview(data: dict[str, Any], fmt: str) -> None:
    rows = [*data["sections"], data["total"]]
    title = f"{data['title']} · 截至 {data['as_of']} 总览"
    _emit(fmt, data if fmt == "json" else rows, SUMMARY_FIELDS, lambda: _summary_table(rows, "部分", title, bars=True))


HISTORY_FIELDS = ("id", "plan", "point", "entity", "ref", "effective", "at", "by", "action", "changes", "note", "cause",
                  "undoes", "undone_by")


def describe_changes(changes: dict[str, list[Any]]) -> str:
    parts = []
    for key, (old, new) in changes.items():
        if key == "note":
            continue  # shown in its own column
        if key == "task":
            parts.append(f"新增任务“{new['title']}”" if new else f"删除任务“{old['title']}”")
            continue
        if key in ("text", "leads"):
            parts.append(f"{_CHANGE_LABELS[key]}已改")
            continue
        if key == "status":
            old, new = STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
        elif key == "progress":
            old, new = f"{old}%", f"{new}%"
        old, new = ("空" if v is None else v for v in (old, new))
        parts.append(f"{_CHANGE_LABELS.get(key, key)} {old} → {new}")
    return "；".join(parts)


def _history_table(rows: list[dict[str, Any]], title: str | None = None):  # noqa: ANN202
    t = _table("记录", "生效日期", "对象", "操作人", "变更", "说明", title=title)
    for h in rows:
        what = describe_changes(h["changes"]) or "（进展报告）"
        if h["action"] == "load":
            what = "载入种子：" + what
        if h["undoes"]:
            what += f"（撤销 #{h['undoes']}）"
        elif h["cause"]:
            what += f"（由 #{h['cause']} 引起）"
        if h["undone_by"]:
            what += f"（已被 #{h['undone_by']} 撤销）"
        t.add_row(f"#{h['id']}", h["effective"], _esc(_entity(h)), _esc(h["by"]), _esc(what), _esc(h["note"]))
    return t


def _entity(h: dict[str, Any]) -> str:
    if h["entity"] == "task":
        return f"任务 {h['point']}.{h['ref']}"
    if h["entity"] == "target":
        return f"第 {h['point']} 项指标 {h['ref']}"
    return f"第 {h['point']} 项"


def history(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _history_table(rows)
        t.caption = f"共 {len(rows)} 条记录" if rows else "没有记录"
        return t

    _emit(fmt, rows, HISTORY_FIELDS, table)


def change(entry: dict[str, Any], fmt: str) -> None:
    def table():  # noqa: ANN202
        what = describe_changes(entry["changes"]) or "记录进展"
        if entry["action"] == "undo":
            return _esc(f"已撤销记录 #{entry['undoes']}（{_entity(entry)}）：{what}")
        if entry["action"] in ("add", "remove"):
            return _esc(f"已{what}，编号 {entry['point']}.{entry['ref']}")
        note = f"；说明：{entry['note']}" if entry["note"] else ""
        return _esc(f"已更新{_entity(entry)}：{what}{note}")

    _emit(fmt, entry, HISTORY_FIELDS, table)


PLAN_FIELDS = ("plan", "title", "document", "year", "points", "progress", "overdue", "current")


def plans(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _table("计划", "标题", "文号", "要点数", "平均进度", "逾期", "默认")
        for r in rows:
            t.add_row(_esc(r["plan"]), _esc(r["title"]), _esc(r["document"] or ""), str(r["points"]),
                      f"{r['progress']:.1f}%", _red(r["overdue"]), "是" if r["current"] else "")  # fmt: skip
        t.caption = "用 gkplan --plan 计划 … 或环境变量 GKPLAN_PLAN 使用其他计划" if len(rows) > 1 else None
        return t

    _emit(fmt, rows, PLAN_FIELDS, table)


_DIFF_VALUES = {"present": lambda v: "存在" if v else "不存在", "status": lambda v: STATUS_LABELS.get(v, v),
                "progress": lambda v: f"{v}%"}  # fmt: skip


def diff(rows: list[dict[str, Any]], fmt: str, start: str, end: str) -> None:
    def describe(r: dict[str, Any]) -> str:
        parts = []
        for key, (old, new) in r["changes"].items():
            show = _DIFF_VALUES.get(key, lambda v: v)
            old, new = ("空" if v is None else show(v) for v in (old, new))
            parts.append(f"{_CHANGE_LABELS.get(key, key)} {old} → {new}")
        return "；".join(parts)

    def table():  # noqa: ANN202
        t = _table("编号", "对象", "变化", "期间进展", title=f"{start} → {end} 的变化")
        for r in rows:
            what = {"point": "要点", "task": "任务", "target": "指标"}[r["kind"]]
            t.add_row(r["id"], _esc(f"{what} {r['title']}" if r["kind"] == "point" else what), _esc(describe(r)),
                      _esc("；".join(r["notes"])))  # fmt: skip
        t.caption = f"共 {len(rows)} 项有变化" if rows else "这段时间没有变化"
        return t

    _emit(fmt, rows, ("plan", "id", "kind", "point", "title", "changes", "notes"), table)


def names(rows: list[dict[str, Any]], fmt: str, label: str) -> None:
    def table():  # noqa: ANN202
        t = _table(label, "要点数", "要点编号")
        for r in rows:
            t.add_row(_esc(r["name"]), str(r["count"]), "、".join(map(str, r["points"])))
        return t

    _emit(fmt, rows, ("name", "count", "points"), table)


def loaded(result: dict[str, Any], fmt: str) -> None:
    def table():  # noqa: ANN202
        kept = f"；台账中另有 {len(result['not_in_seed'])} 项不在此种子中（已保留）" if result["not_in_seed"] else ""
        return (
            f"已载入 {result['source']}：新增 {result['added']} 项，更新 {result['changed']} 项，"
            f"未变 {result['unchanged']} 项{kept}；新增任务 {result['tasks_added']} 个，"
            f"新增指标 {result['targets_added']} 个，更新指标 {result['targets_changed']} 个"
        )

    fields = ("source", "added", "changed", "unchanged", "changed_ids", "not_in_seed", "tasks_added", "targets_added", "targets_changed")
    _emit(fmt, result, fields, table)


TASK_FIELDS = (
    "plan", "id", "point", "seq", "point_title", "title", "owner", "departments", "deliverable", "weight", "status",
    "status_label", "progress", "light", "effective_due", "days_left", "overdue", "note", "origin", "updated_at",
)  # fmt: skip


_TASK_HEADERS = ("编号", "任务", "责任人", "负责部门", "成果形式", "权重", "进度", "状态", "灯", "截止日期", "剩余")


def _task_cells(r: dict[str, Any]) -> list[Cell]:
    return [
        r["id"], r["title"], r["owner"] or "", "、".join(r["departments"]), r["deliverable"] or "", str(r["weight"]),
        f"{r['progress']}%", _status(r["status"]), _LIGHT_MARKS[r["light"]], r["effective_due"], _days(r),
    ]  # fmt: skip


def _tasks_table(rows: list[dict[str, Any]], title: str | None = None) -> Table:
    t = _table(*_TASK_HEADERS, title=title)
    for r in rows:
        t.add_row(*_task_cells(r))
    return t


def tasks(rows: Iterable[dict[str, Any]], fmt: str, limit: int | None = None) -> None:
    _emit_rows(fmt, rows, TASK_FIELDS, _table(*_TASK_HEADERS), _task_cells, limit, "个任务")


TARGET_FIELDS = (
    "plan", "point", "point_title", "metric", "unit", "target_min", "target_max", "actual", "actual_as_of",
    "attainment", "met", "due", "source", "note",
)  # fmt: skip


def _amount(value: Any) -> str:
    """1600000 → 160万, the way the plan writes amounts."""
    if value is None:
        return ""
    if value >= 10_000 and value % 10_000 == 0:
        return f"{value / 10_000:g}万"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _targets_table(rows: list[dict[str, Any]], title: str | None = None):  # noqa: ANN202
    t = _table("编号", "指标", "目标", "实际值", "完成率", "达成", "截止日期", title=title)
    for r in rows:
        low, high, unit = _amount(r["target_min"]), _amount(r["target_max"]), r["unit"]
        goal = f"{low}{unit}以上" if r["target_max"] is None else f"{low}{unit}" if high == low else f"{low}—{high}{unit}"
        met = {True: ("是", "green"), False: ("否", "red"), None: ""}[r["met"]]
        rate = "" if r["attainment"] is None else f"{r['attainment']:g}%"
        t.add_row(str(r["point"]), _esc(r["metric"]), _esc(goal), _esc(_amount(r["actual"]) + (r["unit"] if r["actual"] is not None else "")), rate, met, r["due"] or "")
    return t


def targets(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _targets_table(rows)
        t.caption = f"共 {len(rows)} 个指标"
        return t

    _emit(fmt, rows, TARGET_FIELDS, table)


def notices(rows: list[dict[str, Any]], fmt: str, as_of: str, within: int) -> None:
    """Reminders as notice text ready to send, one per department; JSON/CSV for mail merges."""
    flat = [
        {"department": n["department"], "leaders": n["leaders"], **item} for n in rows for item in n["items"]
    ]

    def table() -> str:
        if not rows:
            return f"截至 {as_of}，没有逾期或 {within} 天内到期的事项。"
        lines = []
        for n in rows:
            leaders = f"（分管校领导：{'、'.join(n['leaders'])}）" if n["leaders"] else ""
            lines.append(visible(f"致 {n['department']}{leaders}："))
            lines.append(f"截至 {as_of}，以下事项已逾期或将在 {within} 天内到期，请抓紧推进并及时报送进展：")
            for i in n["items"]:
                what = f"第 {i['id']} 项" if i["kind"] == "point" else f"任务 {i['id']}"
                days = f"已逾期 {-i['days_left']} 天" if i["days_left"] < 0 else "今天到期" if i["days_left"] == 0 else f"还剩 {i['days_left']} 天"
                owner = f"，责任人 {i['owner']}" if i.get("owner") else ""
                lines.append(visible(f"  · {what} {i['title']}：截止 {i['due']}，{days}，当前进度 {i['progress']}%{owner}"))
            lines.append("")
        return "\n".join(lines)

    fields = ("department", "leaders", "kind", "id", "point", "title", "due", "days_left", "progress", "status", "light", "owner")
    _emit(fmt, rows if fmt == "json" else flat, fields, table)


STALE_FIELDS = ("kind", "id", "title", "departments", "last_update", "days_since", "progress", "status", "light")


def stale(rows: list[dict[str, Any]], fmt: str, days: int) -> None:
    def table():  # noqa: ANN202
        t = _table("编号", "事项", "部门", "上次更新", "天数", "进度", "状态", title=f"{days} 天以上没有更新记录的事项")
        for r in rows:
            what = f"任务 {r['id']}" if r["kind"] == "task" else f"第 {r['id']} 项"
            last = r["last_update"][:10] if r["last_update"] else "从未更新"
            t.add_row(what, _esc(r["title"]), _esc("、".join(r["departments"])), last, "" if r["days_since"] is None else str(r["days_since"]), f"{r['progress']}%", _status(r["status"]))
        t.caption = f"共 {len(rows)} 项" if rows else "没有久未更新的事项"
        return t

    _emit(fmt, rows, STALE_FIELDS, table)


def checks(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _table("检查项", "结果", "说明")
        for r in rows:
            t.add_row(r["check"], ("通过", "green") if r["ok"] else ("有问题", "red"), _esc(r["detail"]))
        return t

    _emit(fmt, rows, ("check", "ok", "detail"), table)
