"""Views of the history, changes, plans, loads, reminders and checks."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from gkplan.jsonfields import STALE
from gkplan.values import STATUS_LABELS

from gkplan.render.items import _esc, _red, _status
from gkplan.render import output
from gkplan.render.output import JSON_FORMATS, Rows, _emit, _emit_rows, _writes, numbers
from gkplan.render.text import WIDE_HINT, Table, _table, cell, visible

_CHANGE_LABELS = {
    "progress": "进度", "status": "状态", "due": "截止日期", "owner": "责任人", "weight": "权重",
    "actual": "实际值", "actual_as_of": "统计日期", "note": "说明", "present": "任务", "title": "标题", "section": "部分",
    "due_seed": "种子截止日期", "text": "全文", "leads": "牵头信息", "problem": "存在问题", "next": "下一步计划",
    "evidence": "办结佐证", "reported": "最近报送", "closed": "办结报告日期", "due_original": "原定截止日期",
    "co": "协办部门", "dept": "负责部门", "kind": "类型", "checkpoints": "节点", "late": "最早逾期任务截止日期", "follows": "按任务汇总",
    "start": "开始日期", "unit": "单位", "target_min": "目标下限", "target_max": "目标上限", "approx": "约数", "source": "指标出处",
}  # fmt: skip


HISTORY_FIELDS = ("id", "plan", "point", "entity", "ref", "effective", "at", "by", "action", "changes", "note", "cause",
                  "undoes", "undone_by", "source")


def describe_changes(changes: dict[str, list[Any]]) -> str:
    parts = []
    for key, (old, new) in changes.items():
        if key == "progress":  # (the usual change, first: an export describes 300,000 of them)
            parts.append(f"进度 {old}% → {new}%")
            continue
        if key == "note":
            continue  # shown in its own column
        if key == "task":
            parts.append(f"新增任务“{new['title']}”" if new else f"删除任务“{old['title']}”")
            continue
        if key == "target":  # a target a reload added
            parts.append("新增指标")
            continue
        if key in ("text", "leads", "source"):
            parts.append(f"{_CHANGE_LABELS[key]}已改")
            continue
        if key == "extension":
            parts.append(f"延期理由：{new}" if new else "撤销延期")
            continue
        if key == "request":  # a department's 延期 request on a shared ledger, and the office's answer
            if isinstance(new, dict):
                parts.append(f"申请截止日期改为 {new['due']}" + (f"（理由：{new['reason']}）" if new.get("reason") else "") + "，待督查办审批")
            elif isinstance(old, dict):
                parts.append("撤回延期申请")
            elif new is None:
                parts.append(f"撤销对申请 #{old} 的审批")
            elif old in ("accepted", "rejected"):  # an undone answer: the change reversed, [answer, request's number]
                parts.append(f"撤销对延期申请 #{new} 的{'批准' if old == 'accepted' else '不批准'}")
            else:
                parts.append(f"{'批准' if new == 'accepted' else '不批准'}延期申请 #{old}")
            continue
        if key == "follows":
            parts.append("任务清单确认完整，进度按任务汇总" if new else "进度改为直接填报")
            continue
        if key == "status":
            old, new = STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
        elif key in ("co", "dept") or key == "kind":
            old, new = (_DIFF_VALUES[key](v) if v else None for v in (old, new))
        elif key == "start":  # a point without its own start starts with the plan
            old, new = (v or "计划开始日期" for v in (old, new))
        elif key == "approx":
            old, new = ("是" if v else "否" for v in (old, new))
        elif key in ("target_min", "target_max"):  # (a reload's: rare, imported when met)
            from gkplan.render.targets import amount

            old, new = (amount(v) if v is not None else "无" for v in (old, new))
        if old is None:
            old = "空"
        if new is None:
            new = "空"
        parts.append(f"{_CHANGE_LABELS.get(key, key)} {old} → {new}")
    return "；".join(parts)


def _history_table(rows: list[dict[str, Any]], title: str | None = None, hint: str = WIDE_HINT):  # noqa: ANN202
    t = _history_head(title, hint=hint)
    for h in rows:
        t.add_row(*_history_cells(h))
    return t


# what gives way first when a table is wider than the terminal (--wide keeps every column whole)
_HISTORY_DROP = ("说明", "操作人", "生效日期")
_STALE_DROP = ("状态", "进度", "部门")
_PLANS_DROP = ("文号", "逾期", "平均进度")
_DIFF_DROP = ("期间进展",)


def _history_head(title: str | None = None, wide: bool = False, hint: str = WIDE_HINT) -> Table:
    return _table("记录", "生效日期", "对象", "操作人", "变更", "说明", title=title, drop=_HISTORY_DROP, wide=wide, hint=hint)


def _history_cells(h: dict[str, Any]) -> list[str]:
    what = describe_changes(h["changes"]) or "（进展报告）"
    if h["action"] == "load":
        what = "载入种子：" + what
    if h["undoes"]:
        what += f"（撤销 #{h['undoes']}）"
    elif h["cause"]:
        what += f"（由 #{h['cause']} 引起）"
    if h["undone_by"]:
        what += f"（已被 #{h['undone_by']} 撤销）"
    if h.get("source"):
        what += f"（导入自 {h['source']}）"
    return [f"#{h['id']}", h["effective"], entity_label(h), cell(h["by"]), what, cell(h["note"])]  # shown visible by Table


def entity_label(h: dict[str, Any]) -> str:
    """What a history entry is about, as people name it: 第 17 项, 任务 17.2, 第 7 项指标 总招生数."""
    if h["entity"] == "task":
        return f"任务 {h['point']}.{h['ref']}"
    if h["entity"] == "target":
        return f"第 {h['point']} 项指标 {h['ref']}"
    return f"第 {h['point']} 项"


def history(rows: Rows, fmt: str, *, wide: bool = False) -> None:
    """Entries as they come from the cursor (`rows`: a list, or a function of `brief` that reads them)."""
    _emit_rows(fmt, rows, HISTORY_FIELDS, _history_head(wide=wide), _history_cells, 0, "条记录", empty="没有记录")


def change(entry: dict[str, Any], fmt: str) -> None:
    def table():  # noqa: ANN202
        what = describe_changes(entry["changes"]) or "记录进展"
        if entry["action"] == "undo":
            return _esc(f"已撤销记录 #{entry['undoes']}（{entity_label(entry)}）：{what}")
        if entry["action"] in ("add", "remove"):
            return _esc(f"已{what}，编号 {entry['point']}.{entry['ref']}")
        note = f"；说明：{entry['note']}" if entry["note"] else ""
        return _esc(f"已更新{entity_label(entry)}：{what}{note}")

    _emit(fmt, entry, HISTORY_FIELDS, table)


PLAN_FIELDS = ("plan", "title", "document", "year", "points", "progress", "overdue", "current")


def plans(rows: list[dict[str, Any]], fmt: str, *, wide: bool = False) -> None:
    def table():  # noqa: ANN202
        t = _table("计划", "标题", "文号", "要点数", "平均进度", "逾期", "默认", drop=_PLANS_DROP, wide=wide)
        for r in rows:
            t.add_row(_esc(r["plan"]), _esc(r["title"]), _esc(r["document"] or ""), str(r["points"]),
                      f"{r['progress']:.1f}%", _red(r["overdue"]), "是" if r["current"] else "")  # fmt: skip
        t.caption = "用 gkplan --plan 计划 … 或环境变量 GKPLAN_PLAN 使用其他计划" if len(rows) > 1 else None
        return t

    _emit(fmt, rows, PLAN_FIELDS, table)


_DIFF_VALUES = {"present": lambda v: "存在" if v else "不存在", "status": lambda v: STATUS_LABELS.get(v, v),
                "progress": lambda v: f"{v}%", "co": lambda v: v.replace("\x1f", "、"), "dept": lambda v: v,
                "kind": lambda v: {"document": "文件", "milestone": "里程碑", "task": "任务"}.get(v, v)}  # fmt: skip


_KINDS = {"point": "要点", "task": "任务", "target": "指标"}
# the seed's words a reload changed (a target's bounds, a point's title, owners …, a task's department): worded as `log` words them
_RELOADED = ("unit", "target_min", "target_max", "approx", "source", "title", "section", "due_seed", "text", "leads", "start",
             "kind", "dept")  # fmt: skip


def diff(rows: Rows, fmt: str, start: str, end: str, *, wide: bool = False) -> None:
    """`rows`: a function of `brief` that reads the changes (once, as they come)."""
    def describe(r: dict[str, Any]) -> str:
        parts = []
        for key, (old, new) in r["changes"].items():
            if key == "present":
                parts.append(f"{'新增' if new else '删除'}{_KINDS[r['kind']]}")
                continue
            if key in _RELOADED:
                parts.append(describe_changes({key: [old, new]}))
                continue
            show = _DIFF_VALUES.get(key, lambda v: v)
            old, new = ("空" if v is None else show(v) for v in (old, new))
            parts.append(f"{_CHANGE_LABELS.get(key, key)} {old} → {new}")
        return "；".join(parts)

    def cells(r: dict[str, Any]) -> list[str]:
        what = _KINDS[r["kind"]]
        return [r["id"], f"{what} {r['title']}" if r["kind"] == "point" else what, describe(r), "；".join(r["notes"])]

    t = _table("编号", "对象", "变化", "期间进展", title=f"{start} → {end} 的变化", drop=_DIFF_DROP, wide=wide)
    _emit_rows(fmt, rows, ("plan", "id", "kind", "point", "title", "changes", "notes"), t, cells, 0, "项有变化",
               empty="这段时间没有变化")


def names(rows: Rows, fmt: str, label: str) -> None:
    def cells(r: dict[str, Any]) -> list[str]:
        return [_esc(r["name"]), str(r["count"]), numbers(r["points"])]

    _emit_rows(fmt, rows, ("name", "count", "points"), _table(label, "要点数", "要点编号"), cells, 0, None)


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


def notices(rows: Iterable[dict[str, Any]], fmt: str, as_of: str, within: int, window: str = "") -> None:
    """Reminders as notice text ready to send, one per department, each item with why it is named;
    JSON/CSV for mail merges. `rows` come one department at a time and are written as they come."""
    fields = ("department", "leaders", "kind", "id", "point", "title", "reasons", "due", "days_left", "progress", "status",
              "light", "reported", "owner", "role")  # fmt: skip
    if fmt == "table":
        _notice_text(rows, as_of, within, window or f"{within} 天")
    elif fmt not in JSON_FORMATS:
        flat = ({"department": n["department"], **item, "leaders": item["leaders"] or n["leaders"]}
                for n in rows for item in n["items"])  # fmt: skip
        _emit_rows(fmt, flat, fields, _table(*fields), lambda r: [], None, "")
    elif fmt in JSON_FORMATS and output.target is None and getattr(fmt, "fields", None) is None:
        (_notice_json if fmt == "json" else _notice_lines)(rows)
    else:  # a file, or the keys --json picked: each notice whole
        _emit_rows(fmt, ({**n, "items": list(n["items"])} for n in rows), fields, _table(*fields), lambda r: [], None, "")


@_writes
def _notice_json(rows: Iterable[dict[str, Any]]) -> None:
    """The notices as `json.dumps(notices, indent=2)` writes them, an item at a time (a department's notice of
    a million-point plan is tens of thousands of items)."""
    from gkplan.render.jsontext import pretty

    write, value, first = sys.stdout.write, pretty(output._ascii_json()), True
    for n in rows:
        write("[\n  {" if first else ",\n  {")
        first = False
        for key, field in n.items():
            if key != "items":
                write(f"\n    {value(key, '')}: {value(field, '    ')},")
        write('\n    "items": [')
        none = True
        for item in n["items"]:
            write(("\n      " if none else ",\n      ") + value(item, "      "))
            none = False
        write("]\n  }" if none else "\n    ]\n  }")
    write("[]\n" if first else "\n]\n")


@_writes
def _notice_lines(rows: Iterable[dict[str, Any]]) -> None:
    """ndjson: each notice on its line as `json.dumps(notice, separators=(",", ":"))` writes it, an item at a time
    (held whole, a department's notice of a million-point plan was 76 MiB)."""
    import json

    ascii_only, write = output._ascii_json(), sys.stdout.write
    for n in rows:
        head = json.dumps({k: v for k, v in n.items() if k != "items"}, ensure_ascii=ascii_only, separators=(",", ":"))
        write(head[:-1] + ("," if len(head) > 2 else "") + '"items":[')  # (`items` is a notice's last key)
        first = True
        for item in n["items"]:
            write(("" if first else ",") + json.dumps(item, ensure_ascii=ascii_only, separators=(",", ":")))
            first = False
        write("]}\n")


@_writes
def _notice_text(rows: Iterable[dict[str, Any]], as_of: str, within: int, window: str) -> None:
    from gkplan.render.bulletins import notice_reasons

    write, empty = sys.stdout.write, True
    for n in rows:
        empty = False
        leaders = f"（分管校领导：{'、'.join(n['leaders'])}）" if n["leaders"] else ""
        write(visible(f"致 {n['department']}{leaders}：") + "\n")
        write(f"截至 {as_of}，以下事项已逾期、将在 {window}内到期、亮黄灯或本期尚未报送进展，请抓紧推进并及时报送：\n")
        for i in n["items"]:
            what = f"第 {i['id']} 项" if i["kind"] == "point" else f"任务 {i['id']}"
            what += "（协办）" if i.get("role") == "co" else ""
            owner = f"，责任人 {i['owner']}" if i.get("owner") else ""
            who = f"，分管校领导 {'、'.join(i['leaders'])}" if len(n["leaders"]) > 1 and i["leaders"] else ""
            write(visible(f"  · {what} {i['title']}：{notice_reasons(i, within)}；截止 {i['due']}，"
                          f"当前进度 {i['progress']}%{owner}{who}") + "\n")  # fmt: skip
        write("\n")
    if empty:
        write(f"截至 {as_of}，没有逾期、{window}内到期、黄灯或本期未报送的事项。\n")


STALE_FIELDS = STALE  # (jsonfields: the one list, which stale.StaleRow is made of too)


def stale(rows: Rows, fmt: str, days: int, *, wide: bool = False) -> None:
    """`rows`: a function of `brief` that reads them (once, as they come): a table's StaleRows, else dicts."""
    def cells(r: Any) -> list:  # r: stale.StaleRow (a table asks for brief rows)
        what = f"任务 {r.id}" if r.kind == "task" else f"第 {r.id} 项"
        last, days = r.last_update, r.days_since
        return [what, cell(r.title), "、".join(r.departments), last[:10] if last else "从未更新",
                "" if days is None else str(days), f"{r.progress}%", _status(r.status)]  # fmt: skip

    t = _table("编号", "事项", "部门", "上次更新", "天数", "进度", "状态", title=f"{days} 天以上没有更新记录的事项", drop=_STALE_DROP,
               wide=wide)
    _emit_rows(fmt, rows, STALE_FIELDS, t, cells, 0, "项", empty="没有久未更新的事项")


def checks(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _table("检查项", "结果", "说明")
        for r in rows:
            t.add_row(r["check"], ("通过", "green") if r["ok"] else ("有问题", "red"), _esc(r["detail"]))
        return t

    _emit(fmt, rows, ("check", "ok", "detail"), table)
