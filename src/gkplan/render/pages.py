"""Who has not reported in a period (missing) and a leader's page (brief): views whose lists come lazily (spooled
by reminders.missing and brief.brief), read as they come, a table's rows held (Table.hold) until every width is known."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gkplan.render import output
from gkplan.render.bulletins import _dump, _Lines, _what
from gkplan.render.items import _LIGHT_MARKS, _esc, _status
from gkplan.render.output import JSON_FORMATS, _emit, _emit_rows, _pick
from gkplan.render.records import describe_changes, entity_label
from gkplan.render.text import _table, visible

# -- missing -----------------------------------------------------------------------------------------

MISSING_FIELDS = ("department", "leaders", "kind", "id", "point", "title", "status", "progress", "light", "due", "reported")


def missing(data: dict[str, Any], fmt: str) -> None:
    """Who has not reported in the period, per department; CSV one row per item and department. The items are
    read as they come (reminders.missing): a table holds their cells (Table.hold) until every width is known."""
    head = f"{data['period']} 填报期（{data['start']} 至 {data['end']}，{data['report_day']} 前报送），截至 {data['as_of']}"

    def flat(_: bool = False) -> Iterator[dict[str, Any]]:
        return ({"department": g["department"], **item} for g in data["departments"] for item in g["items"])

    def cells(row: dict[str, Any]) -> list[Any]:
        first = row.pop("_first")
        return [_esc(row["department"]) if first else "", row["id"], _esc(row["title"]), _status(row["status"]),
                f"{row['progress']}%", row["reported"] or "从未报送"]  # fmt: skip

    def rows() -> Iterator[dict[str, Any]]:
        for g in data["departments"]:
            for i, item in enumerate(g["items"]):
                yield item | {"department": g["department"], "_first": i == 0}

    def table() -> Any:
        if not data["departments"]:
            return f"{head}：各部门均已报送。"
        t = _table("部门", "编号", "事项", "状态", "进度", "上次报送", title=f"{head} 未报送的事项")
        for row in rows():
            t.hold(cells(row))
        count = sum(len(g["items"]) for g in data["departments"])
        t.caption = f"{len(data['departments'])} 个部门、{count} 项（要点和任务）未报送"
        return t

    if fmt == "table" or (fmt in JSON_FORMATS and output.target is not None):
        _emit(fmt, data, MISSING_FIELDS, table)
    elif fmt in JSON_FORMATS:
        _dump(_pick(fmt, data), fmt == "ndjson")
    else:
        _emit_rows(fmt, flat, MISSING_FIELDS, None, cells, None, None)


# -- a leader's page ---------------------------------------------------------------------------------

BRIEF_FIELDS = ("kind", "id", "point", "title", "departments", "light", "status", "progress", "expected", "due",
                "days_left", "reported", "note", "problem", "next")  # fmt: skip


def brief(data: dict[str, Any], fmt: str) -> None:
    """A leader's page; CSV: one row per point and task of theirs. Its lists come lazily (brief.brief): read
    as they come, the table's rows held until every width is known."""

    def flat(_: bool = False) -> Iterator[dict[str, Any]]:
        return (row for p in data["points"] for row in ([p] if p["lead"] else []) + p.get("tasks", []))

    def rows() -> Iterator[tuple[Any, ...]]:
        for point in data["points"]:
            if not point["lead"]:
                yield point["id"], (_esc(point["title"]) + "（其他校领导牵头）", "dim"), "", "", "", "", "", ""
            for r in ([point] if point["lead"] else []) + point.get("tasks", []):
                title = ("└ " if r["kind"] == "task" else "") + r["title"]
                expected = "" if r["expected"] is None else f"{r['expected']:.0f}%"
                yield (r["id"], _esc(title), _esc("、".join(r["departments"])), f"{r['progress']}%", expected,
                       _LIGHT_MARKS[r["light"]], r["due"], r["reported"] or "从未")  # fmt: skip

    def screen() -> list[Any]:
        p = data["period"]
        out: list[Any] = [f"{data['leader']} 分管工作一览（截至 {data['as_of']}，填报期 {p['key']}）",
                          f"分管部门：{'、'.join(data['departments']) or '无'}", ""]  # fmt: skip
        t = _table("编号", "事项", "部门", "进度", "应有", "灯", "截止日期", "上次报送")
        for cells in rows():
            t.hold(cells)
        out += [t, ""]
        waiting = data["waiting"]
        out.append("待您处理：")
        for key, label in (("pending_review", "待销号"), ("red", "红灯（逾期）")):
            rows_of = waiting[key]
            out.append(f"  {label} {len(rows_of)} 项" + ("：" + "；".join(f"{_what(r)} {r['title']}" for r in rows_of) if rows_of else ""))
        ext = waiting["extensions"]
        out.append(f"  本期延期 {len(ext)} 次" + ("：" + "；".join(
            f"{entity_label(e)} {e['due'][0]} → {e['due'][1]}（{e['reason']}）" for e in ext) if ext else ""))  # fmt: skip
        out = [visible(line) if isinstance(line, str) else line for line in out]
        changes = data["changes"]
        out += ["", f"本期变化（{p['start']} 起，{len(changes)} 条）" + ("" if changes else "：无")]
        if changes:
            out.append(_Lines(lambda: (visible(_change_line(e)) for e in changes)))
        return out

    if fmt == "table" or (fmt == "json" and output.target is not None):
        _emit(fmt, data, BRIEF_FIELDS, screen)
    elif fmt == "json":
        _dump(_pick(fmt, data), False)
    else:
        _emit_rows(fmt, flat, BRIEF_FIELDS, None, list, None, None)


def _change_line(e: dict[str, Any]) -> str:
    shown = {k: v for k, v in e["changes"].items() if k not in ("reported", "closed", "due_original")}
    note = f"：{e['note']}" if e["note"] else ""
    return f"  {e['effective']} {entity_label(e)} {describe_changes(shown) or '报送进展'}{note}（{e['by']}）"
