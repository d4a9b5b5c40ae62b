"""Floor of `gkplan report --overdue`: the red points, most overdue first (the points' red tasks aside)."""

from common import STATUS, emit, names, open_ledger

conn, plan, as_of, light, _ = open_ledger()
rows = conn.execute(
    f"SELECT p.id, p.title, CAST(julianday(?) - julianday(p.due) AS INTEGER), p.due, p.progress, p.status,"
    f" p.leader_key, p.department_key FROM points p WHERE p.plan = ? AND p.due < ? AND {light} = 'red'"
    f" ORDER BY p.due, p.id", (as_of, plan, as_of))  # fmt: skip
emit((i, title, days, due, progress, STATUS.get(status, status), names(leaders), names(depts))
     for i, title, days, due, progress, status, leaders, depts in rows)  # fmt: skip
