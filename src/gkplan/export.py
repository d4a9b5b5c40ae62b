"""Exports of the whole ledger for meetings and publication: XLSX, CSV (for Excel/WPS), JSON, Markdown.

Every export goes through files.replace_atomically: it appears whole or not at all (even after a
kill -9 or a full disk), an existing file is only replaced with --force, and a ledger never is.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from gkplan.errors import InvalidValue
from gkplan.files import replace_atomically, text_writer
from gkplan.ledger import Ledger, PointQuery
from gkplan.kinds import kind_of
from gkplan.reports import LIGHTS, Frame, iter_points, iter_tasks, overview, targets
from gkplan.values import FORMULA_STARTS, STATUS_LABELS, neutralise

FORMATS = ("xlsx", "csv", "json", "md")
_ACTIONS = {"update": "修改", "add": "新增", "remove": "删除", "undo": "撤销"}
_ENTITIES = {"point": "要点", "task": "任务", "target": "指标"}

# sheet/table → (sheet title, [(key, header)])
SHEETS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "points": ("要点", [
        ("id", "编号"), ("section_title", "部分"), ("title", "工作要点"), ("leaders", "校领导"), ("departments", "牵头部门"),
        ("status_label", "状态"), ("progress", "进度"), ("light_label", "灯色"), ("due", "截止日期"),
        ("days_left", "剩余天数"), ("due_original", "原定截止日期"), ("tasks", "任务数"), ("note", "进展情况"),
        ("problem", "存在问题"), ("next", "下一步计划"), ("evidence", "办结佐证"), ("reported", "最近报送"),
        ("updated_at", "更新时间"), ("text", "全文"),
    ]),
    "tasks": ("任务", [
        ("id", "编号"), ("point_title", "所属要点"), ("title", "任务"), ("owner", "责任人"), ("departments", "负责部门"),
        ("deliverable", "成果形式"), ("weight", "权重"), ("status_label", "状态"), ("progress", "进度"),
        ("light_label", "灯色"), ("effective_due", "截止日期"), ("days_left", "剩余天数"), ("note", "进展情况"),
        ("problem", "存在问题"), ("next", "下一步计划"), ("evidence", "办结佐证"),
    ]),
    "targets": ("指标", [
        ("point", "要点编号"), ("point_title", "所属要点"), ("metric", "指标"), ("unit", "单位"), ("goal", "目标"),
        ("target_min", "目标下限"), ("target_max", "目标上限"), ("low", "达成下限"), ("high", "达成上限"),
        ("actual", "实际值"), ("actual_as_of", "统计日期"), ("attainment", "完成率（%）"), ("met_label", "是否达成"),
        ("light_label", "灯色"), ("effective_due", "截止日期"), ("source", "原文"),
    ]),
    "history": ("历史", [
        ("id", "序号"), ("effective", "生效日期"), ("at", "记录时间"), ("by", "记录人"), ("point", "要点编号"), ("what", "对象"), ("action_label", "操作"),
        ("changes_text", "变更"), ("note", "说明"), ("source", "来源"),
    ]),
}  # fmt: skip


class Data:
    """Everything an export shows, as the ledger stood on the frame's day, read within one snapshot (the
    caller's). The long tables (points, tasks, history) come from the cursor each time `rows` is asked:
    written row by row, never held; the targets (a plan has dozens) and the overview are read once."""

    def __init__(self, ledger: Ledger, fr: Frame) -> None:
        self.ledger, self.fr = ledger, fr
        self.plan, self.as_of = ledger.plan(), fr.as_of.isoformat()
        self._counts: dict[str, int] = {}

    @cached_property
    def targets(self) -> list[dict[str, Any]]:
        from gkplan.render.targets import TARGET_WORDS, goal

        goals = targets(self.ledger, self.fr)
        for t in goals:
            t["met_label"] = {True: "是", False: "否", None: ""}[t["met"]]
            t["light_label"] = TARGET_WORDS.get(t["light"], t["light"])
            t["goal"] = goal(t)
        return goals

    @cached_property
    def overview(self) -> dict[str, Any]:  # (a CSV of one table never asks)
        return overview(self.ledger, self.fr, self.targets)

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        if table == "targets":
            return iter(self.targets)
        if table == "history":
            return self._history()
        read = iter_points if table == "points" else iter_tasks
        return map(_lit, read(self.ledger, PointQuery(), self.fr))

    def count(self, table: str) -> int:
        """How many rows `rows(table)` yields, without holding them."""
        if table not in self._counts:
            self._counts[table] = self._count(table)
        return self._counts[table]

    def _count(self, table: str) -> int:
        if table == "points":
            return self.overview["total"]["points"] if self.overview["total"] else 0
        if table == "targets":
            return len(self.targets)
        if table == "history":
            from gkplan.ledger.stream import count_history

            return count_history(self.ledger, self.as_of)
        return sum(1 for _ in self.ledger.iter_tasks(clock=self.fr.clock, unlit=True))

    def _history(self) -> Iterator[dict[str, Any]]:
        from gkplan.ledger.stream import iter_history
        from gkplan.render import describe_changes

        for h in iter_history(self.ledger, self.as_of):
            h["what"] = _ENTITIES[h["entity"]] + (f" {h['point']}.{h['ref']}" if h["entity"] == "task" else f" {h['ref']}" if h["ref"] else "")
            h["action_label"] = _ACTIONS.get(h["action"], h["action"])
            h["changes_text"] = describe_changes(h["changes"])
            yield h


def _lit(row: dict[str, Any]) -> dict[str, Any]:
    row["light_label"] = LIGHTS[row["light"]]
    return row


def format_for(fmt: str | None, target: Path) -> str:
    """The format asked for, else the one the file's name ends in; never a format its name says is another
    (an export to 报告.pdf was an XLSX workbook under that name)."""
    implied = {f".{f}": f for f in FORMATS}.get(target.suffix.lower())
    if fmt is None and implied is None:
        raise InvalidValue(f"从文件名 {target.name} 看不出导出格式：请以 .xlsx、.csv、.json 或 .md 结尾，或写 --format")
    if fmt is not None and implied not in (None, fmt):
        raise InvalidValue(f"--format {fmt} 与文件名 {target.name} 的后缀不符：请写以 .{fmt} 结尾的文件名")
    return fmt or implied


def export(ledger: Ledger, fr: Frame, fmt: str, target: Path, *, table: str = "points", force: bool = False) -> Path:
    if fmt == "csv" and table not in SHEETS:
        raise InvalidValue(f"未知的表：{table!r}；可用：{' / '.join(SHEETS)}")
    # the target is checked before the (slow) writing, which runs while nothing is visible yet
    with replace_atomically(target, force=force, protect=ledger.file) as f, ledger.snapshot():
        write = {"xlsx": _xlsx, "csv": _csv, "json": _json}.get(fmt)
        if write is None:
            from gkplan.export_md import markdown as write
        write(Data(ledger, fr), f, table)
    return target


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _cell(value: Any) -> Any:
    """neutralise(_value(value)) in one call: a CSV export has a million cells at 100,000 points."""
    kind = value.__class__
    if kind is str:
        return "'" + value if value and value[0] in FORMULA_STARTS else value
    if value is None or kind is int or kind is float or kind is bool:
        return value
    return neutralise(_value(value))


def _csv(data: Data, out: BinaryIO, table: str) -> None:
    import csv  # (only here: the other formats never load it)

    _, columns = SHEETS[table]
    keys = [key for key, _ in columns]
    # utf-8-sig: the BOM makes Excel and WPS read the Chinese correctly
    with text_writer(out, "utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow([header for _, header in columns])
        writer.writerows(map(lambda row: map(_cell, map(row.get, keys)), data.rows(table)))


# records laid out and written together: fewer calls, memory still a few records' worth. Not more: a batch's
# texts (some 300 KB at 256 history entries) are past malloc's mmap threshold, each mapped and faulted in afresh
# (at 256: 250,000 page faults, 0.7 s of system time at 100,000 points; at 32: 6,000)
_BATCH = 32


def _json(data: Data, out: BinaryIO, table: str) -> None:
    """What json.dump(…, indent=2) of the whole export would write, its long lists one item at a time."""
    from gkplan.render.jsonrows import pretty_rows
    from gkplan.render.jsontext import pretty

    value, rows = pretty(False), pretty_rows(False)
    with text_writer(out) as f:
        f.write("{")
        head = {"plan": data.plan, "as_of": data.as_of}
        for i, key in enumerate((*head, *SHEETS, "overview")):
            f.write(("," if i else "") + f"\n  {json.dumps(key)}: ")
            if key in SHEETS:
                f.write("[")
                empty, batch = True, []
                for row in data.rows(key):
                    batch.append(row)
                    if len(batch) == _BATCH:
                        f.write(("\n    " if empty else ",\n    ") + rows(batch, "    "))
                        empty, batch = False, []
                if batch:
                    f.write(("\n    " if empty else ",\n    ") + rows(batch, "    "))
                    empty = False
                f.write("]" if empty else "\n  ]")
            else:
                f.write(value(head[key] if key in head else data.overview, "  "))
        f.write("\n}\n")


_SCREEN_ONLY = {"text"}  # a point's whole text: in the workbook, not on the printed pages


def _xlsx(data: Data, out: BinaryIO, table: str) -> None:
    from gkplan.kinds import width_of
    from gkplan.xlsx import Column, Sheet, write

    sheets = []
    for key, (title, columns) in SHEETS.items():
        cols = [Column(header, kind_of(k), width_of(k), printed=k not in _SCREEN_ONLY) for k, header in columns]
        sheets.append(Sheet(title, cols, _rows(data.rows(key), [k for k, _ in columns]), data.count(key)))
    plan = data.plan
    write(out, sheets, paper="A3", cover=cover(data), title=f"{plan.get('title', '工作要点')} · 截至 {data.as_of}")


def _rows(rows: Iterable[dict[str, Any]], keys: list[str]) -> Iterator[list[Any]]:
    amounts = {k for k in keys if kind_of(k) == "amount"}
    if not amounts:  # (the long tables: a row's values fetched at C speed)
        for row in rows:
            yield list(map(row.get, keys))
        return
    for row in rows:
        yield [_amount(k, row) if k in amounts else row.get(k) for k in keys]


def _amount(key: str, row: dict[str, Any]) -> Any:
    """A target's amount with its unit, in 万 where the plan's words are (1500万元)."""
    value = row.get(key)
    return None if value is None else (value, row.get("unit") or "", "万" in str(row.get("goal") or ""))


def cover(data: Data) -> list[Any]:
    """The workbook's first sheet: the plan, the as-of date, the totals, the sections and the targets."""
    plan, ov = data.plan, data.overview
    total = ov["total"]
    doc = f"（{plan['document']}）" if plan.get("document") else ""
    lines: list[Any] = [
        f"{plan.get('title', '工作要点')} 督查台账",
        f"截至 {data.as_of}{doc}",
        "",
        f"共 {total['points']} 项工作要点：" + "，".join(f"{STATUS_LABELS[k]} {total[k]} 项" for k in STATUS_LABELS)
        + f"；红灯 {total['red']}、黄灯 {total['yellow']}、绿灯 {total['green']}；平均进度 {total['mean_progress']:.1f}%。",
        "",
        (["部分", "要点数", "平均进度", "红灯", "黄灯", "绿灯", "已完成", "逾期"],
         [[s["group"], s["points"], f"{s['mean_progress']:.1f}%", s["red"], s["yellow"], s["green"], s["done"], s["overdue"]]
          for s in [*ov["sections"], total]]),
        "",
    ]  # fmt: skip
    if data.targets:
        from gkplan.render.targets import counts

        lines.append(counts(data.targets) + "。")
    lines += ["", "本工作簿各表：" + "，".join(f"{title} {data.count(key)} 行" for key, (title, _) in SHEETS.items())
              + "。各表首行冻结、可筛选，打印时每页重复表头；要点的全文只在表中，不打印。"]  # fmt: skip
    return lines


def write_xlsx(sheets: list[tuple[str, list[str], list[list[Any]]]], out: BinaryIO, *, cover: list[Any] | None = None,
               title: str = "") -> None:  # fmt: skip
    """A meeting-ready workbook of (title, headers, rows) sheets, each column's kind told by its header."""
    from gkplan.xlsx import Column, Sheet, write

    write(out, [Sheet(name, [Column(h, kind_of(h)) for h in headers], rows, len(rows)) for name, headers, rows in sheets],
          cover=cover, title=title)  # fmt: skip


_MD_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;",  # no HTML of the user's (<script>, <img onerror=…>) reaches a reader
    "[": "\\[", "]": "\\]",  # nor a link ([…](javascript:…))
    "|": "｜", "\n": " ", "\r": " ",  # nor a table cell break or a new line (a heading, a list)
})  # fmt: skip


_md_special: Any = None


def _md(text: str) -> str:
    """Keep user text from turning into Markdown structure or HTML in the published report."""
    global _md_special
    if _md_special is None:  # most text has none of them: found at C speed, translated (per character) only if so
        import re

        _md_special = re.compile("[" + re.escape("".join(map(chr, _MD_ESCAPES))) + "]").search
    text = str(text)
    return text.translate(_MD_ESCAPES) if _md_special(text) else text
