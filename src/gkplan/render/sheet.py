"""Views of the Excel 填报 round trip: the workbooks `sheet` wrote, and what `import` would change or changed."""

from __future__ import annotations

from typing import Any

from gkplan.values import STATUS_LABELS

from gkplan.render.items import _esc
from gkplan.render.output import _emit
from gkplan.render.text import _table

SHEET_FIELDS = ("department", "period", "file", "points", "tasks")
IMPORT_FIELDS = ("row", "id", "kind", "field", "old", "new", "conflict", "record")
_FIELDS = {"progress": "进度", "status": "状态", "note": "进展情况", "problem": "存在问题", "next": "下一步计划",
           "evidence": "办结佐证"}  # fmt: skip


def sheets(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _table("部门", "填报期", "要点数", "任务数", "文件")
        for r in rows:
            t.add_row(_esc(r["department"]), r["period"], str(r["points"]), str(r["tasks"]), _esc(r["file"]))
        t.caption = f"已生成 {len(rows)} 份填报表；填好后用 gkplan import 文件 预览，加 --apply 导入"
        return t

    _emit(fmt, rows, SHEET_FIELDS, table)


def _value(field: str, value: Any) -> str:
    if value is None:
        return "空"
    if field == "progress":
        return f"{value}%"
    if field == "status":
        return STATUS_LABELS.get(value, str(value))
    text = _esc(value)
    return text if len(text) <= 40 else text[:40] + "…"


def imported(result: dict[str, Any], fmt: str) -> None:
    """The import's changes, one row per field; the caption says whether they were written."""
    rows, conflicts = result["changes"], len(result["conflicts"])
    where = f"{_esc(result['file'])}（{_esc(result['department'])}，{_esc(result['period'])}）"  # a file's name may hold ESC
    if not rows:
        caption = f"{where}：没有需要导入的修改"
    elif result["applied"]:
        forced = f"；其中 {conflicts} 行制表后台账已有改动，按 --force 以本表为准" if conflicts else ""
        caption = (f"已导入 {where}：{result['items']} 项共 {len(rows)} 处修改，记录人 {_esc(result['recorder'])}，"
                   f"生效日期 {result['effective']}{forced}；可用 gkplan log 查看；撤销：gkplan undo --by {_esc(result['by'])}"
                   f"（每次撤销一项，共 {result['items']} 项）")  # fmt: skip
    else:
        clash = f"；{conflicts} 行制表后台账已有改动（标“冲突”），核对后加 --force 以本表为准" if conflicts else ""
        caption = (f"预览 {where}：{result['items']} 项共 {len(rows)} 处修改，记录人 {_esc(result['recorder'])}，生效日期 "
                   f"{result['effective']}；尚未写入台账{clash}；确认无误后加 --apply 导入")  # fmt: skip

    def table():  # noqa: ANN202
        if not rows:
            return caption
        t = _table("行", "编号", "字段", "台账现值", "本表", "冲突")
        for r in rows:
            t.add_row(str(r["row"]), r["id"], _FIELDS.get(r["field"], r["field"]), _value(r["field"], r["old"]),
                      _value(r["field"], r["new"]), ("冲突", "red") if r["conflict"] else "")  # fmt: skip
        t.caption = caption
        return t

    _emit(fmt, rows, IMPORT_FIELDS, table)
