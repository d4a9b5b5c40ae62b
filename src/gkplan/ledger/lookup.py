"""Names by index, for --dept and --leader: whether a plan knows an exact name, and the distinct names it knows.

Each reads the name-first indexes (idx_point_departments, idx_point_leaders, point_co's key, idx_tasks_dept) by
skipping from one distinct name to the next (a loose index scan: one index seek per name), so that resolving a
name costs the same at a million points as at 39; listing every point id of every name is `names`' job only.
A name that only the seed's earlier words knew (a department a reload replaced: ledger/load_versions.py) is known too,
so that a day before that reload can be asked about it."""

from __future__ import annotations

from typing import Any

from gkplan.ledger.points import KEY_SEPARATOR

# kind → the (table, name column) pairs that know a name of that kind
_SOURCES = {
    "department": (("point_departments", "department"), ("point_co", "department"), ("tasks", "dept")),
    "leader": (("point_leaders", "leader"),),
}


def _distinct(table: str, col: str) -> str:
    """The distinct values of `col` that the plan (the one parameter) uses, one index seek each."""
    return (f"WITH RECURSIVE d(n) AS (SELECT min({col}) FROM {table} UNION ALL"
            f" SELECT (SELECT min({col}) FROM {table} WHERE {col} > d.n) FROM d WHERE d.n IS NOT NULL)"
            f" SELECT n FROM d WHERE n IS NOT NULL AND EXISTS (SELECT 1 FROM {table} WHERE {col} = d.n AND plan = ?)")  # fmt: skip


def knows(ledger: Any, kind: str, name: str) -> bool:
    """Whether the plan names this exact department or leader: an index lookup per source."""
    sql = " OR ".join(f"EXISTS (SELECT 1 FROM {t} WHERE {c} = ? AND plan = ?)" for t, c in _SOURCES[kind])
    params: list[Any] = []
    for _ in _SOURCES[kind]:
        params += [name, ledger.plan_key]
    with ledger._errors():
        return bool(ledger.conn.execute(f"SELECT {sql}", params).fetchone()[0]) or name in _replaced(ledger, kind)


def _replaced(ledger: Any, kind: str) -> set[str]:
    """The names of the seed's earlier words (few: only what reloads replaced)."""
    sql = f"SELECT DISTINCT {kind}_key FROM point_seeds WHERE plan = ?" + (" UNION SELECT dept FROM task_seeds WHERE plan = ?"
                                                                   if kind == "department" else "")  # fmt: skip
    params = (ledger.plan_key,) * (2 if kind == "department" else 1)
    with ledger._errors():
        return {n for (key,) in ledger.conn.execute(sql, params) if key for n in key.split(KEY_SEPARATOR)}


def known(ledger: Any, kind: str) -> list[str]:
    """Every department (leading, co-operating or owning a task) in code-point order, as known_departments
    gives them; every leader in order of first appearance, as names("leader") gives them."""
    with ledger._errors():
        if kind == "department":
            found: set[str] = set()
            for table, col in _SOURCES[kind]:
                found.update(r[0] for r in ledger.conn.execute(_distinct(table, col), (ledger.plan_key,)))
            return sorted(found | _replaced(ledger, kind))  # (SQLite's text order, whatever a server's collation)
        # the first point naming each leader, then its position on that point: names()' order
        sql = (f"SELECT g.n FROM ({_distinct('point_leaders', 'leader')}) g"
               " ORDER BY (SELECT min(point) FROM point_leaders o WHERE o.leader = g.n AND o.plan = ?),"
               " (SELECT min(o.ord) FROM point_leaders o WHERE o.leader = g.n AND o.plan = ? AND o.point ="
               " (SELECT min(point) FROM point_leaders f WHERE f.leader = g.n AND f.plan = ?))")  # fmt: skip
        leaders = [r[0] for r in ledger.conn.execute(sql, (ledger.plan_key,) * 4)]
    return leaders + sorted(_replaced(ledger, kind) - set(leaders))
