"""Floor of `gkplan export --format md`: the progress report's totals, each section's table row, then every
point with its owners, light, progress and reports, the user's text kept from turning into Markdown (the
escapes gkplan makes). One grouped query for the counts, one for the points; lines written a few thousand
at a time. Tasks and targets aside: the benchmark's plans have none.

    python bench/floor/export_md.py LEDGER.db PREPARED.sql OUT.md
"""

import json
import re
from itertools import islice

from common import STATUS, open_ledger

MARKS = {"red": "🔴 红灯", "yellow": "🟡 黄灯", "green": "🟢 绿灯", "done": "✅ 已完成", "unreported": "⚪ 未报送",
         "deferred": "⏸ 暂缓", "review": "🔵 待销号"}  # fmt: skip
ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "|": "｜", "\n": " ", "\r": " "})
special = re.compile(r"[&<>\[\]|\n\r]").search
ORDER = ("not_started", "in_progress", "pending_review", "done", "blocked", "deferred")  # gkplan's status order


def md(text):  # noqa: ANN001, ANN201
    text = str(text)
    return text.translate(ESCAPES) if special(text) else text


conn, plan, as_of, light, (out,) = open_ledger()
title, document = conn.execute("SELECT title, document FROM plans WHERE key = ?", (plan,)).fetchone()
sections: dict = {}  # section title → counts, in the order sections first come up
for group, status, lit, n, progress in conn.execute(
        f"SELECT s.title, p.status, {light}, count(*), sum(p.progress) FROM points p"
        f" JOIN sections s ON s.plan = p.plan AND s.id = p.section WHERE p.plan = ? GROUP BY s.title, p.status, 3"
        f" ORDER BY min(p.id)", (plan,)):  # fmt: skip
    g = sections.setdefault(group, dict.fromkeys((*ORDER, "red", "yellow", "green", "points", "sum"), 0))
    g[status] += n
    g["points"] += n
    g["sum"] += progress
    if lit in g:
        g[lit] += n
total = {k: sum(g[k] for g in sections.values()) for k in (*ORDER, "red", "yellow", "green", "points", "sum")}
mean = lambda g: round(g["sum"] / g["points"], 1) if g["points"] else 0.0  # noqa: E731
lines = iter([
    f"# {md(title or '工作要点')} 进展通报", "", f"截至 {as_of}" + (f"（{md(document)}）" if document else ""), "",
    f"共 {total['points']} 项：" + "，".join(f"{STATUS[k]} {total[k]} 项" for k in ORDER)
    + f"；红灯 {total['red']}、黄灯 {total['yellow']}、绿灯 {total['green']}；平均进度 {mean(total)}%。", "",
    "| 部分 | 要点数 | 平均进度 | 红灯 | 黄灯 | 绿灯 | 已完成 |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    *(f"| {md(k)} | {g['points']} | {mean(g)}% | {g['red']} | {g['yellow']} | {g['green']} | {g['done']} |"
      for k, g in sections.items()),
])  # fmt: skip


def points():  # noqa: ANN201
    numerals, section, owners = "一二三四五六七八九十", None, {}
    for i, sec, stitle, title, leads, lit, progress, status, due, days, *reports in conn.execute(
            f"SELECT p.id, p.section, s.title, p.title, p.leads, {light}, p.progress, p.status, p.due,"
            f" CAST(julianday(p.due) - julianday(?) AS INTEGER), p.note, p.problem, p.next, p.evidence FROM points p"
            f" JOIN sections s ON s.plan = p.plan AND s.id = p.section WHERE p.plan = ? ORDER BY p.id", (as_of, plan)):  # fmt: skip
        if sec != section:
            section = sec
            yield from ("", f"## {numerals[sec - 1] if 1 <= sec <= 10 else sec}、{md(stitle)}")
        who = owners.get(leads)
        if who is None:  # a plan has a few hundred owner lines: each read once
            who = owners[leads] = md("；".join(f"{x['leader'] or x['note']} · {'、'.join(x['departments']) or '各部门'}"
                                              for x in json.loads(leads)))  # fmt: skip
        left = "" if status == "done" else f"，逾期 {-days} 天" if days < 0 else f"，剩 {days} 天"
        yield from ("", f"### {i}. {md(title)} {MARKS[lit]}", "", f"- 牵头：{who}",
                    f"- 进度：{progress}%（{STATUS[status]}），截止 {due}{left}")  # fmt: skip
        for label, text in zip(("最新进展", "存在问题", "下一步计划", "办结佐证"), reports):
            if text:
                yield f"- {label}：{md(text)}"


with open(out, "w", encoding="utf-8") as f:
    for part in (lines, points()):
        while chunk := list(islice(part, 4096)):
            f.write("\n".join(chunk) + "\n")
