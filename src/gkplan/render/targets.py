"""Views of quantitative targets: their fields for scripts, their cells for people, and the words every
report uses for a target's goal (160万人左右, 100万门以上, 3—5个) and light."""

from __future__ import annotations

from typing import Any

from gkplan.render.output import _emit
from gkplan.render.text import WIDE_HINT, Cell, _table, visible

TARGET_FIELDS = (
    "plan", "point", "point_title", "metric", "unit", "target_min", "target_max", "approx", "low", "high", "actual",
    "actual_as_of", "attainment", "met", "light", "due", "effective_due", "source", "note",
)  # fmt: skip
# a target that is met has reached its goal: 达成, not 完成 (it is a number, not a piece of work)
TARGET_MARKS = {"done": ("达成", "green"), "red": ("红", "red"), "yellow": ("黄", "yellow"), "green": ("绿", "green"),
                "unreported": ("未报", "bold"), "deferred": ("缓", "dim")}  # fmt: skip
TARGET_WORDS = {"done": "达成", "red": "红灯", "yellow": "黄灯", "green": "绿灯", "unreported": "未报送", "deferred": "暂缓"}


def amount(value: Any) -> str:
    """1600000 → 160万, the way the plan writes amounts."""
    if value is None:
        return ""
    if value >= 10_000 and value % 10_000 == 0:
        return f"{value / 10_000:g}万"
    return f"{value:g}" if isinstance(value, float) else str(value)


def goal(t: dict[str, Any]) -> str:
    """The goal as the plan words it — 100万门以上, 3—5个, 1500万元 — and a 约数 with the band its actual
    counts as met in: 160万人左右（152万—168万）."""
    low, high, unit = amount(t["target_min"]), amount(t["target_max"]), t["unit"]
    about = "左右" if t.get("approx") else ""
    if t["target_max"] is None:
        text = f"{low}{unit}{about}以上"
    else:
        text = f"{low}{unit}{about}" if high == low else f"{low}—{high}{unit}{about}"
    if not about or "low" not in t:
        return text
    return text + (f"（{amount(t['low'])}及以上）" if t["high"] is None else f"（{amount(t['low'])}—{amount(t['high'])}）")


def actual(t: dict[str, Any]) -> str:
    return "" if t["actual"] is None else amount(t["actual"]) + t["unit"]


def rate(t: dict[str, Any]) -> str:
    return "" if t["attainment"] is None else f"{t['attainment']:g}%"


def counts(rows: list[dict[str, Any]]) -> str:
    """量化指标 14 个：达成 1，红灯 0，……"""
    tally = {k: sum(r["light"] == k for r in rows) for k in TARGET_WORDS}
    return f"量化指标 {len(rows)} 个：" + "，".join(f"{TARGET_WORDS[k]} {n}" for k, n in tally.items() if n or k != "deferred")


def markdown(goals: list[dict[str, Any]]) -> list[str]:
    """The 量化指标 section of a Markdown report (the bulletin's, the export's): the count of each light,
    then each target's goal (a 约数 with its band), actual, attainment and light."""
    from gkplan.export import _md

    lines = ["## 量化指标", "", counts(goals) + "。", "",
             "| 要点 | 指标 | 目标 | 实际值 | 完成率 | 灯色 |", "| ---: | --- | --- | ---: | ---: | --- |"]  # fmt: skip
    for g in goals:
        cells = (_md(g["metric"]), _md(goal(g)), _md(actual(g)), rate(g), TARGET_WORDS.get(g["light"], g["light"]))
        lines.append(f"| {g['point']} | {' | '.join(cells)} |")
    return lines


def _targets_table(rows: list[dict[str, Any]], title: str | None = None, hint: str = "gkplan target list --wide 显示",
                   wide: bool = False):  # noqa: ANN202
    t = _table("编号", "指标", "目标", "实际值", "完成率", "灯", "截止日期", title=title, drop=("完成率",), wide=wide,
               hint=hint)  # fmt: skip
    for r in rows:
        light: Cell = TARGET_MARKS.get(r["light"], (str(r["light"]), "red"))
        t.add_row(str(r["point"]), visible(r["metric"]), visible(goal(r)), visible(actual(r)), rate(r), light,
                  r["effective_due"] or "")  # fmt: skip
    return t


def targets(rows: list[dict[str, Any]], fmt: str, *, wide: bool = False) -> None:
    def table():  # noqa: ANN202
        t = _targets_table(rows, hint=WIDE_HINT, wide=wide)
        t.caption = f"共 {len(rows)} 个指标"
        return t

    _emit(fmt, rows, TARGET_FIELDS, table)
