"""Views of points, tasks and summaries (targets: render/targets.py): their fields for scripts, their cells for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gkplan.ledger.points import KEY_SEPARATOR
from gkplan.values import ROLE_LABELS, STATUS_LABELS

from gkplan.render.output import JSON_FORMATS, Rows, _emit, _emit_rows, _print, _writes
from gkplan.render.targets import _targets_table
from gkplan.render.targets import counts as target_counts
from gkplan.render.detail import Detail, bar
from gkplan.render.text import WIDE_HINT, Cell, Table, _table, visible

_STATUS_STYLE = {"not_started": "dim", "in_progress": "cyan", "done": "green", "blocked": "red", "deferred": "yellow",
                 "pending_review": "cyan"}  # fmt: skip
_LIGHT_MARKS = {"red": ("红", "red"), "yellow": ("黄", "yellow"), "green": ("绿", "green"), "done": ("完成", "dim"),
                "unreported": ("未报", "bold"), "deferred": ("缓", "dim"), "review": ("待销", "cyan")}  # fmt: skip
_NUMERALS = "一二三四五六七八九十"


def _status(key: str) -> Cell:
    cell = _STATUS_CELLS.get(key)
    return cell if cell is not None else (STATUS_LABELS.get(key) or _esc(key), _STATUS_STYLE.get(key, "red"))


_STATUS_CELLS = {key: (label, _STATUS_STYLE.get(key, "red")) for key, label in STATUS_LABELS.items()}  # one a row of a long table


def _days(point: dict[str, Any]) -> Cell:
    return _left(point["status"], point["days_left"])


def _left(status: str, days: int | None) -> Cell:
    if status == "done":
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


def _point_cells(p: Any, join: Callable[[list[str]], str] = "、".join) -> list[Cell]:
    if p.__class__ is not dict:  # a brief row (ledger.BriefRow): its names still joined by the separator
        return _brief_cells(p)
    status = p["status"]  # (a known status's cell looked up here: one call fewer on each row of a long list)
    return [
        str(p["id"]), ("└ " + p["title"]) if p.get("kind") == "task" else p["title"], join(p["leaders"]) or "按分工", join(p["departments"]) or "各部门",
        f"{p['progress']}%", _STATUS_CELLS.get(status) or _status(status), _LIGHT_MARKS[p["light"]], p["due"], _days(p),
    ]  # fmt: skip


_LEFT: dict[int | None, Cell] = {}  # a not-done item's 剩余 cell by its days left (few values, shared by many rows)


def _brief_cells(p: Any) -> list[Cell]:
    leaders, departments, status = p.leader_key, p.department_key, p.status
    if status == "done":
        left: Cell = "—"
    else:
        days = p.days_left
        left = _LEFT.get(days)
        if left is None:
            left = _left(status, days)
            if len(_LEFT) < 10_000:
                _LEFT[days] = left
    return [
        str(p.id), p.title, leaders.replace(KEY_SEPARATOR, "、") if leaders else "按分工",
        departments.replace(KEY_SEPARATOR, "、") if departments else "各部门", f"{p.progress}%",
        _STATUS_CELLS.get(status) or _status(status), _LIGHT_MARKS[p.light], p.due, left,
    ]  # fmt: skip


def points(rows: Rows, fmt: str, limit: int | None = None, *, role: bool = False, wide: bool = False) -> None:
    """The point list; `role` adds 角色 (牵头/协办, for a department filter), `wide` the roll-up of the
    tasks, the co-operating departments and the latest report."""
    heads = ["编号", "工作要点", "校领导", "牵头部门", *(["角色"] if role else []), "进度", "状态", "灯", "截止日期", "剩余"]
    fields = (*POINT_FIELDS, *(("role",) if role else ()), *(_WIDE_FIELDS if wide else ()))
    table = _table(*heads, *(("任务汇总", "协办部门", "最近报送") if wide else ()), drop=_POINT_DROP, wide=wide)

    def cells(p: dict[str, Any]) -> list[Cell]:
        row = _point_cells(p)
        if role:
            row.insert(4, ROLE_LABELS.get(p.get("role"), "") if p.get("kind") != "task" else "")
        if wide:
            rolled = p.get("task_progress")
            row += [f"{rolled}%" if rolled is not None else "", "、".join(p.get("co") or []), p.get("reported") or ""]
        return row

    _emit_rows(fmt, rows, fields, table, cells if role or wide else _point_cells, limit, "项")


_WIDE_FIELDS = ("task_progress", "co", "reported")
# what gives way, in this order, when a table is wider than the terminal (--wide keeps every column, every cell whole)
_POINT_DROP = ("剩余", "状态", "角色", "校领导")
_OVERDUE_DROP = ("状态", "校领导")
_TASK_DROP = ("权重", "成果形式", "剩余", "责任人", "状态")
_SUMMARY_DROP = ("延期（项/次）", "暂缓", "受阻", "未启动", "进行中", "要点数")
_OVERVIEW_DROP = ("进度", "要点数")


def point(p: dict[str, Any], fmt: str) -> None:
    def table() -> Detail:
        d = Detail(f"第 {p['id']} 项  {p['title']}")
        d.add("部分", _section_name(p["section"], p["section_title"]))
        for i, lead in enumerate(p["leads"]):
            who = lead["leader"] or lead["note"]
            depts = "、".join(lead["departments"]) or "各部门分工负责"
            scope = f"（{lead['scope']}）" if lead["scope"] else ""
            d.add("牵头" if i == 0 else "", f"校领导：{who}；部门：{depts}{scope}")
        state: list[Any] = [_status(p["status"])]
        if p["light"] != "done":
            state += ["  ", _LIGHT_MARKS[p["light"]], "灯"]
        d.add("状态", state)
        d.add("进度", bar(p["progress"]))
        if p["task_list"]:
            d.add("", f"（任务汇总 {p['task_progress']}%{'，进度按任务汇总' if p['follows'] else '；进度由部门填报'}）")
        d.add("截止日期", [p["due"], "（", _days(p), "）"] if p["status"] != "done" else p["due"])
        if p["due_original"]:
            d.add("原定截止", p["due_original"])
        asked = [(p["id"], p.get("extension_request"))] + [(t["id"], t.get("extension_request")) for t in p["task_list"]]
        for ident, r in asked:
            if r:
                whose = "" if ident == p["id"] else f"任务 {ident}："
                d.add("延期申请", f"{whose}{r['by']} 申请改到 {r['due']}" + (f"（{r['reason']}）" if r["reason"] else "")
                      + f"，记录 #{r['record']}，待督查办审批：gkplan review {ident} --accept-extension")  # fmt: skip
        for e in p["extensions"]:
            d.add("延期", f"{e['effective']} {e['from']} → {e['to']}（{e['by']}）：{e['reason']}")
        if p["checkpoints"]:
            d.add("节点", "；".join(f"{c['date']} 应达 {c['progress']}%" for c in p["checkpoints"]))
        for label, key in (("进展情况", "note"), ("存在问题", "problem"), ("下一步计划", "next"), ("办结佐证", "evidence")):
            if p[key]:
                d.add(label, p[key], multiline=True)
        d.parts.append(visible(p["text"], one_line=False))
        if p["task_list"]:
            d.parts.append(_tasks_table(p["task_list"], title="任务清单", hint=f"gkplan task list --point {p['id']} --wide 显示"))
        if p["targets"]:
            d.parts.append(_targets_table(p["targets"], title="量化指标", hint=f"gkplan target list --point {p['id']} --wide 显示"))
        if p["history"]:
            from gkplan.render.records import _history_table  # records draws history; it uses this module's cells

            d.parts.append(_history_table(p["history"], title="最近记录", hint=f"gkplan log {p['id']} --wide 显示"))
        return d

    _emit(fmt, p, POINT_FIELDS, table)


@_writes
def state(p: dict[str, Any], fmt: str) -> None:
    """What an item is now, after a change at the terminal: the point's row as `list` draws it, and its
    tasks as `show` lists them. Only for people: JSON and CSV carry the changes written, nothing else."""
    if fmt != "table":
        return
    row = _table("编号", "工作要点", "校领导", "牵头部门", "进度", "状态", "灯", "截止日期", "剩余", title="现在：", drop=_POINT_DROP,
                 hint=f"gkplan show {p['id']} 查看全部")
    row.add_row(*_point_cells(p))
    parts: list[Any] = [row]
    if p["task_list"]:
        parts.append(_tasks_table(p["task_list"], title="任务清单", hint=f"gkplan task list --point {p['id']} --wide 显示"))
    _print(parts)


_DAYS_CELLS: dict[Any, Cell] = {}  # days overdue → its cell: a few hundred distinct values down a long report


def _days_cell(days: Any) -> Cell:
    cell = (str(days if days is not None else ""), "red")
    if len(_DAYS_CELLS) < 10_000:
        _DAYS_CELLS[days] = cell
    return cell


def _overdue_cells(p: dict[str, Any]) -> list[Cell]:
    days, status = p["days_overdue"], p["status"]
    return [
        str(p["id"]), ("└ " if p.get("kind") == "task" else "") + p["title"], _DAYS_CELLS.get(days) or _days_cell(days), p["due"], f"{p['progress']}%", _STATUS_CELLS.get(status) or _status(status),
        "、".join(p["leaders"]) or "按分工", "、".join(p["departments"]) or "各部门",
    ]  # fmt: skip


def overdue(rows: Rows, fmt: str, as_of: str, limit: int | None = None, *, wide: bool = False) -> None:
    title = f"截至 {as_of} 逾期未完成"
    table = _table("编号", "工作要点", "逾期天数", "截止日期", "进度", "状态", "校领导", "牵头部门", title=title,
                   drop=_OVERDUE_DROP, wide=wide)  # fmt: skip
    _emit_rows(fmt, rows, ("kind", "days_overdue", *POINT_FIELDS), table, _overdue_cells, limit, "项逾期", tally=_late)


def _late(row: dict[str, Any]) -> bool:
    # a point shown only as the heading of its overdue tasks is not counted: it is not overdue itself
    return row["days_overdue"] is not None


SUMMARY_FIELDS = (
    "group", "points", "done", "in_progress", "not_started", "blocked", "deferred", "overdue",
    "red", "yellow", "green", "mean_progress", "pending_review", "unreported", "extended", "extensions",
)  # fmt: skip


def _summary_table(rows: list[dict[str, Any]], group_label: str, title: str, bars: bool = False, wide: bool = False):  # noqa: ANN202
    # the overview trades the per-status columns for a progress bar, to stay on one screen
    counts = ("points", "done", "overdue") if bars else SUMMARY_FIELDS[1:8]
    labels = {"points": "要点数", "done": "已完成", "in_progress": "进行中", "not_started": "未启动", "blocked": "受阻",
              "deferred": "暂缓", "overdue": "逾期"}  # fmt: skip
    t = _table(group_label, *(labels[k] for k in counts), "红", "黄", "绿", "平均进度", *(["进度"] if bars else ["延期（项/次）"]),
               title=title, drop=_OVERVIEW_DROP if bars else _SUMMARY_DROP, wide=wide,
               fit={group_label: (8, 24, 2)})  # the group names the row: it keeps more of itself  # fmt: skip
    for r in rows:
        cells: list[Any] = [
            _esc(r["group"]), *(str(r[k]) for k in counts),
            _red(r["red"]), (str(r["yellow"]), "yellow") if r["yellow"] else "0",
            (str(r["green"]), "green"), f"{r['mean_progress']:.1f}%",
        ]  # fmt: skip
        if bars:
            filled = max(0, min(20, int(r["mean_progress"] / 5 + 0.5)))  # (a progress edited past 100: as detail.bar)
            cells.append(("#" * filled + "." * (20 - filled), "green"))
        else:
            cells.append(f"{r['extended']}/{r['extensions']}" if r["extended"] else "")
        t.add_row(*cells)
    return t


def summary(rows: list[dict[str, Any]], fmt: str, group_label: str, as_of: str, *, wide: bool = False) -> None:
    _emit(fmt, rows, SUMMARY_FIELDS, lambda: _summary_table(rows, group_label, f"截至 {as_of} 按{group_label}汇总", wide=wide))


def overview(data: dict[str, Any], fmt: str, *, wide: bool = False) -> None:
    rows = [*data["sections"], data["total"]]
    title = f"{data['title']} · 截至 {data['as_of']} 总览"

    def screen() -> list[Any]:
        out: list[Any] = [_summary_table(rows, "部分", title, bars=True, wide=wide)]
        goals = data["targets"]["items"]
        if goals:  # the sections' counts are of points; the targets follow with lights of their own
            out += ["", _targets_table(goals, title=target_counts(goals), hint=WIDE_HINT, wide=wide)]
        return out

    _emit(fmt, data if fmt in JSON_FORMATS else rows, SUMMARY_FIELDS, screen)


TASK_FIELDS = (
    "plan", "id", "point", "seq", "point_title", "title", "kind", "owner", "departments", "co", "deliverable", "weight", "status",
    "status_label", "progress", "light", "effective_due", "days_left", "overdue", "note", "origin", "updated_at",
)  # fmt: skip


_TASK_HEADERS = ("编号", "任务", "责任人", "负责部门", "成果形式", "权重", "进度", "状态", "灯", "截止日期", "剩余")


def _task_cells(r: dict[str, Any]) -> list[Cell]:
    return [
        r["id"], r["title"], r["owner"] or "", "、".join(r["departments"]), r["deliverable"] or "", str(r["weight"]),
        f"{r['progress']}%", _status(r["status"]), _LIGHT_MARKS[r["light"]], r["effective_due"], _days(r),
    ]  # fmt: skip


def _tasks_table(rows: list[dict[str, Any]], title: str | None = None, hint: str = "") -> Table:
    t = _table(*_TASK_HEADERS, title=title, drop=_TASK_DROP, hint=hint)
    for r in rows:
        t.add_row(*_task_cells(r))
    return t


def tasks(rows: Rows, fmt: str, limit: int | None = None, *, wide: bool = False) -> None:
    table = _table(*_TASK_HEADERS, drop=_TASK_DROP, wide=wide)
    _emit_rows(fmt, rows, TASK_FIELDS, table, _task_cells, limit, "个任务")
