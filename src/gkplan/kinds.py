"""What kind each column is — a date, an amount, a light, a number, long text … — stated once for every
sheet gkplan writes (the ledger export, `-o FILE.xlsx` of a listing, the bulletin's and other sheets
made from headers alone). Plain data: importing it costs nothing (openpyxl stays in xlsx.py)."""

from __future__ import annotations

from typing import Any

TEXT, WRAP, DATE, TIME, PERCENT, NUMBER, LIGHT, AMOUNT = "text", "wrap", "date", "time", "percent", "number", "light", "amount"

# a field (its key) → (kind, width in characters for long text; None: fitted to the values)
FIELDS: dict[str, tuple[str, float | None]] = {
    "section_title": (WRAP, 16), "title": (WRAP, 30), "point_title": (WRAP, 22), "departments": (WRAP, 16),
    "metric": (WRAP, 18), "goal": (WRAP, 18), "source": (WRAP, 28), "note": (WRAP, 36), "problem": (WRAP, 24),
    "next": (WRAP, 24), "evidence": (WRAP, 20), "changes_text": (WRAP, 40), "changes": (WRAP, 40), "text": (WRAP, 60),
    "notes": (WRAP, 36), "detail": (WRAP, 36), "reasons": (WRAP, 20),
    "progress": (PERCENT, None), "mean_progress": (PERCENT, None), "task_progress": (PERCENT, None),
    "expected": (PERCENT, None), "light": (LIGHT, None), "light_label": (LIGHT, None),
    "due": (DATE, None), "due_original": (DATE, None), "effective_due": (DATE, None), "reported": (DATE, None),
    "actual_as_of": (DATE, None), "effective": (DATE, None),
    "updated_at": (TIME, None), "at": (TIME, None), "last_update": (TIME, None),
    "days_left": (NUMBER, None), "tasks": (NUMBER, None), "weight": (NUMBER, None), "attainment": (NUMBER, None),
    "target_min": (AMOUNT, None), "target_max": (AMOUNT, None), "low": (AMOUNT, None), "high": (AMOUNT, None),
    "actual": (AMOUNT, None),
}  # fmt: skip

_WRAPPED = ("事项", "工作要点", "任务", "所属要点", "指标", "目标", "进展", "问题", "下一步", "变更", "说明", "全文", "原文",
            "办结佐证", "原因")  # fmt: skip


def kind_of(name: str) -> str:
    """A column's kind from its field key (FIELDS) or, for sheets made of headers and rows alone, its
    Chinese header."""
    known = FIELDS.get(name)
    if known is not None:
        return known[0]
    if name in ("灯色", "灯", "是否达成灯色"):
        return LIGHT
    if name.endswith(("日期", "报送")) or name in ("截止", "统计日期"):
        return DATE
    if name.endswith(("时间", "更新")):
        return TIME
    if name.endswith("进度") and "偏差" not in name:
        return PERCENT
    if name.endswith(_WRAPPED):
        return WRAP
    return TEXT


def width_of(key: str) -> float | None:
    """A long-text field's fixed width (characters); None: the column is fitted to its values."""
    return FIELDS.get(key, (TEXT, None))[1]


# what a light cell says → its fill (light words of points, tasks and targets alike)
LIGHT_FILLS = {"红": "FFC7CE", "黄": "FFEB9C", "绿": "C6EFCE", "完成": "D9D9D9", "达成": "D9D9D9", "待销": "BDD7EE",
               "暂缓": "EDEDED", "缓": "EDEDED"}  # fmt: skip
LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "done": "完成", "review": "待销号", "unreported": "未报送",
               "deferred": "暂缓"}  # fmt: skip


def light_fill(word: Any) -> str | None:
    text = str(word or "")
    return next((color for mark, color in LIGHT_FILLS.items() if text.startswith(mark)), None)
