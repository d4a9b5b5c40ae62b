"""Floor of `gkplan export --format json`: every point, task, target and history entry of the plan as JSON.

The same records gkplan's export holds (a point's light and days left, the labels, a history entry's changes
decoded and described), read by one query per table and written by the stdlib's C encoder, one record a
line (streamed: memory stays flat); no overview, no indentation inside a record (json.dumps with indent=2 runs
json's pure-Python encoder, some 1.6× gkplan's whole export: no floor).

    python bench/floor/export.py LEDGER.db PREPARED.sql OUT.json
"""

import json

from common import LIGHTS, STATUS, described, names, open_ledger

ACTIONS = {"update": "修改", "add": "新增", "remove": "删除", "undo": "撤销"}
ENTITIES = {"point": "要点", "task": "任务", "target": "指标"}


def points(conn, plan, as_of, light):  # noqa: ANN001, ANN201
    rows = conn.execute(
        f"SELECT p.id, p.section, s.title, p.title, p.text, p.leads, p.due, p.progress, p.status, p.note, p.updated_at,"
        f" p.problem, p.next, p.evidence, p.reported, p.due_original, p.leader_key, p.department_key, {light},"
        f" CAST(julianday(p.due) - julianday(?) AS INTEGER) FROM points p JOIN sections s ON s.plan = p.plan AND s.id = p.section"
        f" WHERE p.plan = ? ORDER BY p.id", (as_of, plan))  # fmt: skip
    for (i, section, section_title, title, text, leads, due, progress, status, note, updated_at, problem, nxt, evidence,
         reported, due_original, leaders, depts, lit, days) in rows:  # fmt: skip
        yield {"id": i, "section": section, "section_title": section_title, "title": title, "text": text,
               "leads": json.loads(leads), "due": due, "progress": progress, "status": status, "note": note,
               "updated_at": updated_at, "problem": problem, "next": nxt, "evidence": evidence, "reported": reported,
               "due_original": due_original, "light": lit, "days_left": days, "leaders": names(leaders).split("、"),
               "departments": names(depts).split("、"), "status_label": STATUS.get(status, status),
               "light_label": LIGHTS.get(lit, lit)}  # fmt: skip


def table(conn, sql, plan):  # noqa: ANN001, ANN201
    cursor = conn.execute(sql, (plan,))
    keys = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(keys, row))


def history(conn, plan, as_of):  # noqa: ANN001, ANN201
    rows = conn.execute("SELECT id, point, entity, ref, effective, at, by, action, changes, note, cause, undoes, source"
                        " FROM history WHERE plan = ? AND effective <= ? ORDER BY id DESC", (plan, as_of))  # fmt: skip
    for i, point, entity, ref, effective, at, by, action, changes, note, cause, undoes, source in rows:
        changes = json.loads(changes)
        yield {"id": i, "point": point, "entity": entity, "ref": ref, "effective": effective, "at": at, "by": by,
               "action": action, "changes": changes, "note": note, "cause": cause, "undoes": undoes,
               "source": source, "what": ENTITIES[entity] + (f" {point}.{ref}" if entity == "task" else f" {ref}" if ref else ""), "action_label": ACTIONS.get(action, action),
               "changes_text": described(changes)}  # fmt: skip


conn, plan, as_of, light, (out,) = open_ledger()
tables = {
    "points": points(conn, plan, as_of, light),
    "tasks": table(conn, "SELECT point, seq, title, due, owner, dept, deliverable, weight, progress, status, note, problem, next, evidence"
                   " FROM tasks WHERE plan = ? AND removed = 0 ORDER BY point, seq", plan),
    "targets": table(conn, "SELECT point, metric, unit, target_min, target_max, due, source, actual, actual_as_of, note"
                   " FROM targets WHERE plan = ? ORDER BY point, ord", plan),
    "history": history(conn, plan, as_of),
}
dumps = json.JSONEncoder(ensure_ascii=False).encode  # (compact: json's C encoder; indent=2 is its Python one)
with open(out, "w", encoding="utf-8") as f:
    f.write("{\n  \"plan\": " + json.dumps(plan, ensure_ascii=False) + ",\n  \"as_of\": " + json.dumps(as_of))
    for key, rows in tables.items():
        f.write(f",\n  \"{key}\": [")
        first = True
        for row in rows:
            f.write(("\n    " if first else ",\n    ") + dumps(row))
            first = False
        f.write("]" if first else "\n  ]")
    f.write("\n}\n")
