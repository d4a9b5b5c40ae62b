"""Floor of `gkplan remind`: per department, its points that are overdue, due within 14 days or yellow, soonest
due first, each with its reasons and the leaders of that department's part; the departments in the order
they first come up, each headed by the leaders its notice names. One query for the points a notice may
name; the notices held in memory and sorted there (gkplan spools them to disk: its memory stays flat).
Tasks, 协办 and the period's 未报送 aside: the benchmark's plans have no tasks or co-operating departments,
and its day is not within 14 days of a report day.

    python bench/floor/remind.py LEDGER.db PREPARED.sql [DAYS]
"""

import json

from common import open_ledger

conn, plan, as_of, light, rest = open_ledger()
within = int(rest[0]) if rest else 14
notices: dict = {}  # department → [(days, id, row)], in the order departments first come up
heads: dict = {}  # department → the leaders its notice names, in the order they first come up
parts: dict = {}  # an owner line (leads JSON) → department → the leaders of its part
rows = conn.execute(
    f"SELECT p.id, p.title, p.due, p.progress, p.leads, p.department_key, lt, days FROM (SELECT p.*, {light} AS lt,"
    f" CAST(julianday(p.due) - julianday(?) AS INTEGER) AS days FROM points p WHERE p.plan = ?) p"
    f" WHERE p.status NOT IN ('done', 'pending_review', 'deferred') AND (lt IN ('red', 'yellow') OR days <= ?)"
    f" ORDER BY p.id", (as_of, plan, within))  # fmt: skip
for i, title, due, progress, leads, depts, lt, days in rows:
    reasons = ["overdue"] if lt == "red" else ["due_soon"] if days <= within else []
    if lt == "yellow":
        reasons.append("yellow")
    who = parts.get(leads)
    if who is None:
        who = parts[leads] = {}
        for lead in json.loads(leads):
            for d in lead["departments"]:
                if lead["leader"] and lead["leader"] not in who.setdefault(d, []):
                    who[d].append(lead["leader"])
    for dept in depts.split("\x1f") if depts else ["未指定部门"]:
        leaders = who.get(dept, [])
        notices.setdefault(dept, []).append((days, i, title, ",".join(reasons), due, progress, leaders))
        heads.setdefault(dept, {}).update(dict.fromkeys(leaders))
out = []
for dept, items in notices.items():
    items.sort(key=lambda x: x[:2])
    out.append(f"{dept}\t{'、'.join(heads[dept])}\n")
    out.extend(f"{i}\t{title}\t{reasons}\t{due}\t{days}\t{progress}\t{'、'.join(who)}\n"
               for days, i, title, reasons, due, progress, who in items)  # fmt: skip
    if len(out) > 4096:
        print("".join(out), end="")
        out = []
print("".join(out), end="")
