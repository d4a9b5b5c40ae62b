"""Floor of `gkplan list --dept NAME`: the points the department leads, with light and days left (协办 aside)."""

from common import STATUS, emit, names, open_ledger

conn, plan, as_of, light, (dept,) = open_ledger()
rows = conn.execute(
    f"SELECT p.id, p.title, p.leader_key, p.department_key, p.progress, p.status, {light}, p.due,"
    f" CAST(julianday(p.due) - julianday(?) AS INTEGER) FROM points p WHERE p.plan = ?"
    f" AND p.id IN (SELECT point FROM point_departments WHERE department = ? AND plan = ?) ORDER BY p.id",
    (as_of, plan, dept, plan))  # fmt: skip
emit((i, title, names(leaders), names(depts), "lead", progress, STATUS.get(status, status), lt, due, days)
     for i, title, leaders, depts, progress, status, lt, due, days in rows)  # fmt: skip
