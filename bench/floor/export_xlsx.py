"""Floor of `gkplan export --format xlsx`: the sheets 要点, 任务, 指标, 历史 with the cells gkplan writes (labels, days left,
a task's light, a target's goal, band, light and amounts in 万; days and times as Excel's numbers in a date style; text as
inline strings, never a formula), each streamed row by row into its part by zipfile, deflated at gkplan's level (1).
No layout: no widths, fills, row heights, frozen panes, filter or print setup, no properties; two styles (a day; a day
and time), for dates to be dates. The cover (概况) is its lines and table, unstyled, without the sentence on the layout:
listed first, written last (it counts the other sheets' rows and tallies the points as they pass). Targets (a plan has
dozens) are judged with gkplan's default thresholds: the prepared rule is a point's light, with no target band.

    python bench/floor/export_xlsx.py LEDGER.db PREPARED.sql OUT.xlsx
"""

import io
import json
import re
from collections import Counter
from datetime import date
from itertools import chain
from zipfile import ZIP_DEFLATED, ZipFile

from common import LIGHTS, STATUS, described, open_ledger

ACTIONS = {"update": "修改", "add": "新增", "remove": "删除", "undo": "撤销"}
ENTITIES = {"point": "要点", "task": "任务", "target": "指标"}
ORDER = ("not_started", "in_progress", "pending_review", "done", "blocked", "deferred")  # the cover's (STATUS_LABELS)
WORDS = {"done": "达成", "red": "红灯", "yellow": "黄灯", "green": "绿灯", "unreported": "未报送", "deferred": "暂缓"}  # a target's
BAND, BEHIND, SOON, SOON_PROGRESS = 5, 20, 30, 80  # gkplan's defaults (config.py)
DAY = "CAST(julianday({}) - 2415018.5 AS INTEGER)"  # Excel's number of a day (its day 0: 1899-12-30)
TIME = "julianday(substr({0}, 1, 10)) - 2415018.5 + (strftime('%s', substr({0}, 1, 19)) % 86400) / 86400.0"  # zone dropped
NAMES = "replace({}, char(31), '、')"  # common.names
TASK = {"due": "coalesce(t.due, p.due)", "progress": "t.progress", "reported": "t.reported", "closed": "t.closed", "late": "NULL",
        "checkpoints": "NULL", "status": "(CASE WHEN p.status = 'deferred' AND t.status != 'done' THEN 'deferred' ELSE t.status END)"}
HEADERS = [h.split() for h in (  # export.SHEETS
    "编号 部分 工作要点 校领导 牵头部门 状态 进度 灯色 截止日期 剩余天数 原定截止日期 任务数 进展情况 存在问题 下一步计划 办结佐证 最近报送 更新时间 全文",
    "编号 所属要点 任务 责任人 负责部门 成果形式 权重 状态 进度 灯色 截止日期 剩余天数 进展情况 存在问题 下一步计划 办结佐证",
    "要点编号 所属要点 指标 单位 目标 目标下限 目标上限 达成下限 达成上限 实际值 统计日期 完成率（%） 是否达成 灯色 截止日期 原文",
    "序号 生效日期 记录时间 记录人 要点编号 对象 操作 变更 说明 来源")]  # fmt: skip
ILLEGAL, SPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"), ' xml:space="preserve"'  # (XML's)
SHEETS, DECL = ("概况", "要点", "任务", "指标", "历史"), '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OOXML, T = "http://schemas.openxmlformats.org/", "application/vnd.openxmlformats-officedocument.spreadsheetml."
MAIN, REL = OOXML + "spreadsheetml/2006/main", OOXML + "officeDocument/2006/relationships"
RELS = f'<Relationships xmlns="{OOXML}package/2006/relationships">{{}}</Relationships>'.format
PARTS = {  # the package around the sheets
    "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
    + "".join(f'<sheet name="{x}" sheetId="{i}" r:id="rId{i}"/>' for i, x in enumerate(SHEETS, 1)) + "</sheets></workbook>",
    "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt'
    ' numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font>'
    '</fonts><fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1">'
    '<border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/><xf numFmtId="164" applyNumberFormat="1"/>'
    '<xf numFmtId="165" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>",
    "xl/_rels/workbook.xml.rels": RELS("".join(f'<Relationship Id="rId{i}" Type="{REL}/{k}" Target="{x}"/>' for i, (k, x) in enumerate(
        [*(("worksheet", f"worksheets/sheet{i}.xml") for i in range(1, 6)), ("styles", "styles.xml")], 1))),
    "_rels/.rels": RELS(f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'),
    "[Content_Types].xml": f'<Types xmlns="{OOXML}package/2006/content-types"><Default Extension="rels" ContentType="application/'
    f'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="{T}worksheet+xml"/><Override PartName='
    f'"/xl/workbook.xml" ContentType="{T}sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="{T}styles+xml"/></Types>',
}  # fmt: skip


def sheet(zf, n, rows, styles):  # noqa: ANN001, ANN201 - a worksheet, written as its rows come; how many after the first
    count = 0
    with io.TextIOWrapper(zf.open(f"xl/worksheets/sheet{n}.xml", "w"), "utf-8", newline="") as f:
        f.write(f'{DECL}<worksheet xmlns="{MAIN}"><sheetData>')
        for count, row in enumerate(rows):
            f.write("<row>" + "".join(["<c/>" if v is None or v == "" else text(v) if v.__class__ is str else
                                       f"<c{s}><v>{v:.16g}</v></c>" if v.__class__ is float else f"<c{s}><v>{v}</v></c>"
                                       for v, s in zip(row, styles)]) + "</row>")  # fmt: skip
        f.write("</sheetData></worksheet>")
    return count


def text(v):  # noqa: ANN001, ANN201 - a string's cell, as xlsx_rows.cell writes it
    v = (v if v.isprintable() else ILLEGAL.sub("\ufffd", v))[:32767].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c t="inlineStr"><is><t{SPACE if v[0].isspace() or v[-1].isspace() else ""}>{v}</t></is></c>'


def case(code, labels, default="NULL"):  # noqa: ANN001, ANN201 - a code's label, by SQLite
    return f"(CASE {code} " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in labels.items()) + f" ELSE {default} END)"


def points():  # noqa: ANN201
    for row in conn.execute(
        f"SELECT p.id, s.title, p.title, {NAMES.format('p.leader_key')}, {NAMES.format('p.department_key')},"
        f" {case('p.status', STATUS, 'p.status')}, p.progress, {case(light, LIGHTS)}, {DAY.format('p.due')},"
        f" CAST(julianday(p.due) - julianday(?) AS INTEGER), {DAY.format('p.due_original')},"
        f" (SELECT count(*) FROM tasks t WHERE t.plan = p.plan AND t.point = p.id AND t.removed = 0), p.note, p.problem, p.next,"
        f" p.evidence, {DAY.format('p.reported')}, {TIME.format('p.updated_at')}, p.text FROM points p"
        f" JOIN sections s ON s.plan = p.plan AND s.id = p.section WHERE p.plan = ? ORDER BY p.id", (as_of, plan)):  # fmt: skip
        key = (row[1], row[5], row[7], row[6])  # the cover's: section, status, light, progress
        tally[key] = tally.get(key, 0) + 1
        yield row


def tasks():  # noqa: ANN201 - a task's light: the point's rule over the task's columns (ledger/tasks.py)
    lit, due = re.sub(r"\bp\.(\w+)", lambda m: TASK.get(m[1], m[0]), light), TASK["due"]
    depts = NAMES.format("coalesce(nullif(t.dept, ''), p.department_key)")  # its own, else its point's
    yield from conn.execute(
        f"SELECT t.point || '.' || t.seq, p.title, t.title, t.owner, {depts}, t.deliverable, t.weight,"
        f" {case('t.status', STATUS, 't.status')}, t.progress, {case(lit, LIGHTS)}, {DAY.format(due)},"
        f" CAST(julianday({due}) - julianday(?) AS INTEGER), t.note, t.problem, t.next, t.evidence FROM tasks t"
        f" JOIN points p ON p.plan = t.plan AND p.id = t.point WHERE t.plan = ? AND t.removed = 0 ORDER BY t.point, t.seq", (as_of, plan))  # fmt: skip


def amount(v):  # noqa: ANN001, ANN201 - 1600000 → 160万, as render/targets.py words a goal
    return "" if v is None else f"{v / 10_000:g}万" if v >= 10_000 and v % 10_000 == 0 else str(int(v)) if v == int(v) else f"{v:g}"


def targets():  # noqa: ANN201 - targets.py's band and light, render/targets.py's goal (amounts are REAL: 30.0 is written 30)
    today = date.fromisoformat(as_of)
    for point, title, metric, unit, lo, hi, approx, actual, actual_as_of, due, due_n, begun, status, source in conn.execute(
        f"SELECT g.point, p.title, g.metric, g.unit, g.target_min, g.target_max, g.approx, g.actual, {DAY.format('g.actual_as_of')},"
        f" coalesce(g.due, p.due), {DAY.format('coalesce(g.due, p.due)')}, coalesce(p.start, ?), p.status, g.source FROM targets g"
        f" JOIN points p ON p.plan = g.plan AND p.id = g.point WHERE g.plan = ? ORDER BY g.point, g.ord", (start, plan)):  # fmt: skip
        low, high, about = *((lo * (100 - BAND) / 100, hi and hi * (100 + BAND) / 100) if approx else (lo, hi)), "左右" * approx
        goal = (f"{amount(lo)}{unit}{about}以上" if hi is None else f"{amount(lo)}{unit}{about}" if amount(hi) == amount(lo)
                else f"{amount(lo)}—{amount(hi)}{unit}{about}") + ("" if not approx else f"（{amount(low)}及以上）" if high is None
                                                                 else f"（{amount(low)}—{amount(high)}）")  # fmt: skip
        day, begun = date.fromisoformat(due) if due else None, date.fromisoformat(begun)
        lit = ("done" if actual is not None and actual >= low else "deferred" if status == "deferred" else "red" if day and day < today
               else "unreported" if actual is None else "yellow" if day is None or (day - today).days <= SOON
               and actual * 100 / low < SOON_PROGRESS or actual * 100 / low < (100.0 if day <= begun else min(100.0, max(
                   0.0, (today - begun).days * 100.0 / (day - begun).days))) - BEHIND else "green")  # fmt: skip
        lights.append(lit)
        wan = "万" in goal  # amounts shown in 万, as the plan words them
        yield (point, title, metric, unit, goal, *(v / 10_000 if wan and v is not None else v for v in (lo, hi, low, high, actual)),
               actual_as_of, None if actual is None else 100.0 if lo == 0 else round(actual * 100 / lo, 1),
               None if actual is None else "是" if actual >= low else "否", WORDS[lit], due_n, source)  # fmt: skip


def history():  # noqa: ANN201
    for i, effective, at, by, point, entity, ref, action, changes, note, source in conn.execute(
        f"SELECT id, {DAY.format('effective')}, {TIME.format('at')}, by, point, entity, ref, action, changes, note, source"
        " FROM history WHERE plan = ? AND effective <= ? ORDER BY id DESC", (plan, as_of)):  # fmt: skip
        what = ENTITIES[entity] + (f" {point}.{ref}" if entity == "task" else f" {ref}" if ref else "")
        yield i, effective, at, by, point, what, ACTIONS.get(action, action), described(json.loads(changes)), note, source


def cover(counts):  # noqa: ANN001, ANN201 - export.cover: its lines and its table
    total, groups, lit = Counter(), {}, ("light 红", "light 黄", "light 绿")
    for (section, status, light_, progress), n in tally.items():
        for g in (groups.setdefault(section, Counter()), total):
            g.update({"n": n, "sum": n * progress, status: n, "light " + light_: n})
    mean = lambda g: f"{g['sum'] / (g['n'] or 1):.1f}%"  # noqa: E731
    return [[f"{title} 督查台账"], [f"截至 {as_of}" + (f"（{document}）" if document else "")], [None],
            [f"共 {total['n']} 项工作要点：" + "，".join(f"{STATUS[k]} {total[STATUS[k]]} 项" for k in ORDER)
             + "；红灯 {}、黄灯 {}、绿灯 {}".format(*(total[k] for k in lit)) + f"；平均进度 {mean(total)}。"], [None],
            ["部分", "要点数", "平均进度", "红灯", "黄灯", "绿灯", "已完成", "逾期"],
            *([k, g["n"], mean(g), *(g[c] for c in (*lit, "已完成", "light 红"))] for k, g in [*groups.items(), ("合计", total)]),
            [None], *([[f"量化指标 {len(lights)} 个：" + "，".join(f"{w} {lights.count(k)}" for k, w in WORDS.items()
                                                        if lights.count(k) or k != "deferred") + "。"]] if lights else []),
            [None], ["本工作簿各表：" + "，".join(f"{h} {n} 行" for h, n in zip(SHEETS[1:], counts)) + "。"]]  # fmt: skip


conn, plan, as_of, light, (out,) = open_ledger()
title, document, start = conn.execute("SELECT title, document, start FROM plans WHERE key = ?", (plan,)).fetchone()
tally, lights = {}, []
with ZipFile(out, "w", ZIP_DEFLATED, compresslevel=1) as zf:  # as gkplan's (xlsx_book.Book)
    counts = [sheet(zf, n, chain([h], rows), [' s="1"' if x.endswith(("日期", "报送")) else ' s="2"' if x.endswith("时间") else ""
                                             for x in h]) for n, h, rows in zip(range(2, 6), HEADERS, (points(), tasks(), targets(), history()))]  # fmt: skip
    sheet(zf, 1, cover(counts), [""] * 8)
    for name, xml in PARTS.items():
        zf.writestr(name, DECL + xml)
