"""The ledger's export as a Markdown progress report for publication (`gkplan export -f md`): the totals,
each section's points with their owners, progress and tasks, then the targets; written line by line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from gkplan.export import Data, _md
from gkplan.files import text_writer
from gkplan.values import STATUS_LABELS

_MARKS = {"red": "🔴 红灯", "yellow": "🟡 黄灯", "green": "🟢 绿灯", "done": "✅ 已完成", "unreported": "⚪ 未报送",
          "deferred": "⏸ 暂缓", "review": "🔵 待销号"}  # fmt: skip
_NUMERALS = "一二三四五六七八九十"


def markdown(data: Data, out: BinaryIO, table: str) -> None:
    from itertools import islice

    lines = _md_lines(data)
    with text_writer(out) as f:  # a few thousand lines a write (not one write a line), never the whole report
        while chunk := list(islice(lines, 4096)):
            f.write("\n".join(chunk) + "\n")


def _md_lines(data: Data) -> Iterator[str]:
    """The report's lines, each point's tasks beside it (both come in the points' order)."""
    plan, ov = data.plan, data.overview
    total = ov["total"]
    lines = [
        f"# {_md(plan.get('title', '工作要点'))} 进展通报",
        "",
        f"截至 {data.as_of}" + (f"（{_md(plan['document'])}）" if plan.get("document") else ""),
        "",
        f"共 {total['points']} 项：" + "，".join(f"{STATUS_LABELS[k]} {total[k]} 项" for k in STATUS_LABELS)
        + f"；红灯 {total['red']}、黄灯 {total['yellow']}、绿灯 {total['green']}；平均进度 {total['mean_progress']}%。",
        "",
        "| 部分 | 要点数 | 平均进度 | 红灯 | 黄灯 | 绿灯 | 已完成 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in ov["sections"]:
        lines.append(f"| {_md(s['group'])} | {s['points']} | {s['mean_progress']}% | {s['red']} | {s['yellow']} | {s['green']} | {s['done']} |")
    yield from lines
    tasks = data.rows("tasks")
    task = next(tasks, None)
    section = None
    for p in data.rows("points"):
        while task is not None and task["point"] < p["id"]:
            task = next(tasks, None)
        lines = []
        if p["section"] != section:
            section = p["section"]
            numeral = _NUMERALS[section - 1] if 1 <= section <= 10 else str(section)
            lines += ["", f"## {numeral}、{_md(p['section_title'])}"]
        owners = "；".join(
            f"{lead['leader'] or lead['note']} · {'、'.join(lead['departments']) or '各部门'}" for lead in p["leads"]
        )
        days = "" if p["status"] == "done" else (f"，逾期 {-p['days_left']} 天" if p["days_left"] < 0 else f"，剩 {p['days_left']} 天")
        lines += [
            "",
            f"### {p['id']}. {_md(p['title'])} {_MARKS[p['light']]}",
            "",
            f"- 牵头：{_md(owners)}",
            f"- 进度：{p['progress']}%（{p['status_label']}），截止 {p['due']}{days}",
        ]
        for label, key in (("最新进展", "note"), ("存在问题", "problem"), ("下一步计划", "next"), ("办结佐证", "evidence")):
            if p[key]:
                lines.append(f"- {label}：{_md(p[key])}")
        while task is not None and task["point"] == p["id"]:
            t, task = task, next(tasks, None)
            lines.append(f"- 任务 {t['id']} {_md(t['title'])}：{t['progress']}%（{t['status_label']}），截止 {t['effective_due']}")
        yield from lines
    if data.targets:
        from gkplan.render.targets import markdown

        yield from ["", *markdown(data.targets)]
