"""Output: Rich tables for people, JSON and CSV for scripts. The only module that imports rich.

Every view goes through `_emit`, the one place that branches on the format. Rich is imported
only when a table is actually drawn, so JSON/CSV output and errors never pay for it.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from gkplan.values import STATUS_LABELS

_STATUS_STYLE = {"not_started": "dim", "in_progress": "cyan", "done": "green", "blocked": "red", "deferred": "yellow"}
_CHANGE_LABELS = {"progress": "进度", "status": "状态", "due": "截止日期"}
_NUMERALS = "一二三四五六七八九十"


def _emit(fmt: str, data: Any, fields: Sequence[str], table: Callable[[], Any]) -> None:
    if fmt == "json":
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        rows = data if isinstance(data, list) else [data]
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows([_cell(row.get(f)) for f in fields] for row in rows)
    else:
        _console().print(table())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _console(stderr: bool = False):  # noqa: ANN202
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _table(*headers: str, title: str | None = None, **kw: Any):  # noqa: ANN202
    from rich import box
    from rich.table import Table

    # SIMPLE_HEAD: no vertical rules, whose box characters are ambiguous-width in CJK terminals.
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", header_style="bold", pad_edge=False, **kw)
    for header in headers:
        justify = "right" if header in ("编号", "进度", "要点数", "已完成", "进行中", "未启动", "受阻", "暂缓", "逾期", "逾期天数", "平均进度") else "left"
        table.add_column(header, justify=justify, overflow="fold")
    return table


def message(text: str) -> None:
    """A line for the person at the terminal (stderr), never mixed into data on stdout."""
    sys.stderr.write(text + "\n")


def _status(key: str) -> str:
    return f"[{_STATUS_STYLE[key]}]{STATUS_LABELS[key]}[/]"


def _days(point: dict[str, Any]) -> str:
    days = point["days_left"]
    if point["status"] == "done":
        return "—"
    if days < 0:
        return f"[red]逾期 {-days} 天[/]"
    return "今天到期" if days == 0 else f"剩 {days} 天"


def _section_name(number: int, title: str) -> str:
    return f"{_NUMERALS[number - 1] if 1 <= number <= 10 else number}、{title}"


def _esc(text: Any) -> str:
    from rich.markup import escape

    return escape(str(text)) if text is not None else ""


POINT_FIELDS = (
    "id", "section", "section_title", "title", "leaders", "departments", "status", "status_label",
    "progress", "due", "days_left", "overdue", "note", "updated_at", "text",
)  # fmt: skip


def points(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _table("编号", "工作要点", "校领导", "牵头部门", "进度", "状态", "截止日期", "剩余")
        for p in rows:
            t.add_row(
                str(p["id"]), _esc(p["title"]), _esc("、".join(p["leaders"]) or "按分工"),
                _esc("、".join(p["departments"]) or "各部门"), f"{p['progress']}%", _status(p["status"]),
                p["due"], _days(p),
            )  # fmt: skip
        t.caption = f"共 {len(rows)} 项"
        return t

    _emit(fmt, rows, POINT_FIELDS, table)


def point(p: dict[str, Any], fmt: str) -> None:
    def table():  # noqa: ANN202
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("部分", _esc(_section_name(p["section"], p["section_title"])))
        for i, lead in enumerate(p["leads"]):
            who = lead["leader"] or lead["note"]
            depts = "、".join(lead["departments"]) or "各部门分工负责"
            scope = f"（{lead['scope']}）" if lead["scope"] else ""
            grid.add_row("牵头" if i == 0 else "", _esc(f"校领导：{who}；部门：{depts}{scope}"))
        grid.add_row("状态", _status(p["status"]))
        bar = Table.grid(padding=(0, 1))
        bar.add_row(ProgressBar(total=100, completed=p["progress"], width=30), f"{p['progress']}%")
        grid.add_row("进度", bar)
        grid.add_row("截止日期", f"{p['due']}（{_days(p)}）" if p["status"] != "done" else p["due"])
        if p["note"]:
            grid.add_row("最新备注", _esc(p["note"]))
        parts: list[Any] = [Text(f"第 {p['id']} 项  {p['title']}", style="bold"), grid, Text(""), Text(p["text"])]
        if p["history"]:
            parts += [Text(""), _history_table(p["history"], title="最近记录")]
        return Group(*parts)

    _emit(fmt, p, POINT_FIELDS, table)


def overdue(rows: list[dict[str, Any]], fmt: str, as_of: str) -> None:
    def table():  # noqa: ANN202
        t = _table("编号", "工作要点", "逾期天数", "截止日期", "进度", "状态", "校领导", "牵头部门", title=f"截至 {as_of} 逾期未完成")
        for p in rows:
            t.add_row(
                str(p["id"]), _esc(p["title"]), f"[red]{p['days_overdue']}[/]", p["due"], f"{p['progress']}%",
                _status(p["status"]), _esc("、".join(p["leaders"]) or "按分工"), _esc("、".join(p["departments"]) or "各部门"),
            )  # fmt: skip
        t.caption = f"共 {len(rows)} 项逾期" if rows else "没有逾期的要点"
        return t

    _emit(fmt, rows, ("days_overdue", *POINT_FIELDS), table)


SUMMARY_FIELDS = ("group", "points", "done", "in_progress", "not_started", "blocked", "deferred", "overdue", "mean_progress")


def summary(rows: list[dict[str, Any]], fmt: str, group_label: str, as_of: str) -> None:
    def table():  # noqa: ANN202
        t = _table(group_label, "要点数", "已完成", "进行中", "未启动", "受阻", "暂缓", "逾期", "平均进度", title=f"截至 {as_of} 按{group_label}汇总")
        for r in rows:
            t.add_row(
                _esc(r["group"]), *(str(r[k]) for k in SUMMARY_FIELDS[1:7]),
                f"[red]{r['overdue']}[/]" if r["overdue"] else "0", f"{r['mean_progress']:.1f}%",
            )  # fmt: skip
        return t

    _emit(fmt, rows, SUMMARY_FIELDS, table)


HISTORY_FIELDS = ("id", "point", "at", "by", "action", "changes", "note")


def describe_changes(changes: dict[str, list[Any]]) -> str:
    parts = []
    for key, (old, new) in changes.items():
        if key == "status":
            old, new = STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
        elif key == "progress":
            old, new = f"{old}%", f"{new}%"
        parts.append(f"{_CHANGE_LABELS.get(key, key)} {old} → {new}")
    return "；".join(parts)


def _history_table(rows: list[dict[str, Any]], title: str | None = None):  # noqa: ANN202
    t = _table("时间", "编号", "操作人", "变更", "备注", title=title)
    for h in rows:
        t.add_row(h["at"][:16].replace("T", " "), str(h["point"]), _esc(h["by"]), _esc(describe_changes(h["changes"]) or "（进展报告）"), _esc(h["note"]))
    return t


def history(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _history_table(rows)
        t.caption = f"共 {len(rows)} 条记录" if rows else "没有记录"
        return t

    _emit(fmt, rows, HISTORY_FIELDS, table)


def change(entry: dict[str, Any], fmt: str) -> None:
    def table():  # noqa: ANN202
        what = describe_changes(entry["changes"]) or "记录进展"
        note = f"；备注：{entry['note']}" if entry["note"] else ""
        return _esc(f"已更新第 {entry['point']} 项：{what}{note}")

    _emit(fmt, entry, HISTORY_FIELDS, table)


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
        return _esc(
            f"已载入 {result['source']}：新增 {len(result['added'])} 项，更新 {len(result['changed'])} 项，"
            f"未变 {len(result['unchanged'])} 项{kept}"
        )

    _emit(fmt, result, ("source", "added", "changed", "unchanged", "not_in_seed"), table)
