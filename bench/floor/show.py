"""Floor of `gkplan show N`: the point with its section, light and days left, its tasks, targets and last ten entries."""

from common import STATUS, emit, open_ledger

conn, plan, as_of, light, (number,) = open_ledger()
point = conn.execute(
    f"SELECT p.id, p.title, s.title, p.leads, p.progress, p.status, {light}, p.due,"
    f" CAST(julianday(p.due) - julianday(?) AS INTEGER), p.note, p.problem, p.next, p.evidence, p.text"
    f" FROM points p JOIN sections s ON s.plan = p.plan AND s.id = p.section WHERE p.plan = ? AND p.id = ?",
    (as_of, plan, int(number))).fetchone()  # fmt: skip
emit([(*point[:5], STATUS.get(point[5], point[5]), *point[6:])])
emit(conn.execute("SELECT seq, title, due, dept, progress, status FROM tasks WHERE plan = ? AND point = ? AND removed = 0"
                  " ORDER BY seq", (plan, int(number))))  # fmt: skip
emit(conn.execute("SELECT metric, target_min, target_max, unit, actual FROM targets WHERE plan = ? AND point = ? ORDER BY ord",
                  (plan, int(number))))  # fmt: skip
emit(conn.execute(
    "SELECT h.id, h.effective, h.by, h.changes, h.note FROM history h WHERE h.plan = ? AND h.point = ? AND +h.effective <= ?"
    " ORDER BY h.id DESC LIMIT 10", (plan, int(number), as_of)))  # fmt: skip
