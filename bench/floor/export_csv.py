"""Floor of `gkplan export --format csv`: the points table as Excel reads it (a BOM, the Chinese headers), one
line a point, the cells gkplan writes (labels, days left, the task count; a text a spreadsheet would run as a
formula prefixed with '), written by the stdlib's csv module as the rows come.

    python bench/floor/export_csv.py LEDGER.db PREPARED.sql OUT.csv
"""

import csv

from common import LIGHTS, STATUS, names, open_ledger

HEADERS = ("编号", "部分", "工作要点", "校领导", "牵头部门", "状态", "进度", "灯色", "截止日期", "剩余天数", "原定截止日期", "任务数",
           "进展情况", "存在问题", "下一步计划", "办结佐证", "最近报送", "更新时间", "全文")  # fmt: skip
STARTS = tuple("=+-@\t\r")  # what a spreadsheet would run as a formula


def cell(v):  # noqa: ANN001, ANN201
    return "'" + v if v.__class__ is str and v.startswith(STARTS) else v


conn, plan, as_of, light, (out,) = open_ledger()
rows = conn.execute(
    f"SELECT p.id, s.title, p.title, p.leader_key, p.department_key, p.status, p.progress, {light}, p.due,"
    f" CAST(julianday(p.due) - julianday(?) AS INTEGER), p.due_original,"
    f" (SELECT count(*) FROM tasks t WHERE t.plan = p.plan AND t.point = p.id AND t.removed = 0),"
    f" p.note, p.problem, p.next, p.evidence, p.reported, p.updated_at, p.text"
    f" FROM points p JOIN sections s ON s.plan = p.plan AND s.id = p.section WHERE p.plan = ? ORDER BY p.id",
    (as_of, plan))  # fmt: skip
with open(out, "w", encoding="utf-8-sig", newline="") as f:
    w = csv.writer(f)
    w.writerow(HEADERS)
    w.writerows((i, cell(section), cell(title), cell(names(leaders)), cell(names(depts)), STATUS.get(status, status), progress,
                 LIGHTS.get(lit, lit), due, days, due_original, tasks, *map(cell, rest))
                for i, section, title, leaders, depts, status, progress, lit, due, days, due_original, tasks, *rest in rows)  # fmt: skip
