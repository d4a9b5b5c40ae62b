"""Floor of `gkplan report`: per lead department, points by status and light, mean progress, 延期.
SQLite groups by (department key, light, status), so the light is computed once a row; Python folds."""

from common import STATUS, emit, open_ledger

conn, plan, as_of, light, _ = open_ledger()
rows = conn.execute(
    f"SELECT p.department_key, {light} AS lt, p.status, min(p.id), count(*), sum(p.progress),"
    f" group_concat(CASE WHEN p.due_original IS NOT NULL THEN p.id END)"
    f" FROM points p WHERE p.plan = ? GROUP BY 1, 2, 3", (plan,))  # fmt: skip
COUNTED = (*STATUS, "red", "yellow", "green", "unreported")
groups = {}
for key, lt, status, first, n, total, extended in rows:
    for order, name in enumerate(key.split("\x1f") if key else ["（未指定）"]):
        g = groups.get(name)
        if g is None:
            g = groups[name] = {"first": first * 100_000 + order, "n": 0, "sum": 0, "ids": set(), **dict.fromkeys(COUNTED, 0)}
        g["first"] = min(g["first"], first * 100_000 + order)
        g["n"] += n
        g["sum"] += total
        g[status] = g.get(status, 0) + n
        if lt in COUNTED:
            g[lt] += n
        g["ids"].update(map(int, extended.split(",")) if extended else ())
ids = sorted(set().union(*(g["ids"] for g in groups.values()))) if groups else []
times = dict(conn.execute(
    f"SELECT point, count(*) FROM history WHERE plan = ? AND entity = 'point' AND effective <= ?"
    f" AND changes LIKE '%\"extension\"%' AND point IN ({','.join('?' * len(ids))}) GROUP BY point",
    (plan, as_of, *ids))) if ids else {}  # fmt: skip
emit(
    (name, g["n"], *(g[s] for s in list(STATUS)[:5]), g["red"], g["red"], g["yellow"], g["green"],
     round(g["sum"] / g["n"], 1), g["pending_review"], g["unreported"], len(g["ids"]), sum(times.get(i, 0) for i in g["ids"]))
    for name, g in sorted(groups.items(), key=lambda kv: kv[1]["first"])
)  # fmt: skip
