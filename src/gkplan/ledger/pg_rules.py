"""What the server keeps in range (CHECK constraints), and whether a server ledger has all of this gkplan's rules.

A server ledger made by an earlier gkplan may lack a rule added since, or have a policy or function in older
words: `gkplan check` says so, and the next administrator's command (admin._current) remakes the rules.
"""

from __future__ import annotations

from gkplan.ledger import schema
from gkplan.ledger.pg_schema import FUNCTIONS, GUARDED, OWN_FUNCTIONS, ROLES_TABLE, TRIGGERS, grant_statements, policy_statements
from gkplan.values import STATUS_LABELS

_STATUSES = ", ".join(f"'{s}'" for s in STATUS_LABELS)
# Whatever writes them (gkplan or psql), progress is a percentage and a status one of the ledger's: a department
# that may write its own rows cannot store a value every report then has to cope with. NULL passes (an absent
# task's state has none). Made only when missing, by name: a changed condition needs a new name.
CONSTRAINTS = {
    (table, f"{table}_{name}"): condition
    for table in ("points", "tasks", "point_states", "task_states")
    for name, condition in (("progress_range", "progress BETWEEN 0 AND 100"), ("status_known", f"status IN ({_STATUSES})"))
}


def constraint_statements() -> dict[tuple[str, str], str]:
    return {(t, n): f"ALTER TABLE {t} ADD CONSTRAINT {n} CHECK ({c})" for (t, n), c in CONSTRAINTS.items()}


def server_checks(q, add) -> None:  # noqa: ANN001 - q: the ledger's execute; add(name, problems, fine)
    """What `gkplan check` verifies of a server's database in place of a file's: the schema's version, and that
    the rules the server enforces (row-level security, policies, triggers, constraints) are all in place."""
    version = q("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    add("结构版本", [] if version and version[0] == str(schema.SCHEMA_VERSION) else [f"版本 {version and version[0]}"],
        f"版本 {schema.SCHEMA_VERSION}")  # fmt: skip
    add("服务器规则", missing_rules(q), "行级安全、各部门的策略、取值范围和历史只增不减的触发器都在")
    add("外来函数", foreign_functions(q), "public 模式中的函数和运算符都是 gkplan 或扩展建立的")


def foreign_functions(q) -> list[str]:  # noqa: ANN001 - q: an execute
    """Functions and operators in the ledger's schema that neither gkplan nor an extension made: harmless to the
    rules (their functions see only pg_catalog), but how a department would try to stand in for a built-in."""
    own = ", ".join(f"'{name}'" for name in OWN_FUNCTIONS)
    outside = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = x.oid AND d.deptype = 'e')"
    found = [r[0] for r in q(f"SELECT x.oid::regprocedure::text FROM pg_proc x WHERE x.pronamespace = 'public'::regnamespace"
                             f" AND x.proname NOT IN ({own}) AND {outside} ORDER BY 1")]  # fmt: skip
    found += [f"运算符 {r[0]}" for r in q(f"SELECT x.oid::regoperator::text FROM pg_operator x WHERE x.oprnamespace = 'public'::regnamespace"
                                          f" AND {outside} ORDER BY 1")]  # fmt: skip
    return found


def missing_rules(q) -> list[str]:  # noqa: ANN001 - q: an execute
    """The server's rules this gkplan has and the database lacks (one made by an earlier gkplan): for a person."""
    policies = {(r[0], r[1]) for r in q("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'")}
    secured = {r[0] for r in q("SELECT relname FROM pg_class WHERE relrowsecurity AND relnamespace = 'public'::regnamespace")}
    triggers = {r[0] for r in q("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")}
    checks = {r[0] for r in q("SELECT conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace")}
    missing = [f"{t} 的策略 {n}" for t, n in policy_statements() if (t, n) not in policies]
    missing += [f"{t} 未启用行级安全" for t in GUARDED if t not in secured]
    missing += [f"触发器 {n}" for n in TRIGGERS if n not in triggers]
    missing += [f"{t} 的取值约束 {n}" for t, n in CONSTRAINTS if n not in checks]
    mark = q(f"SELECT obj_description('public.{ROLES_TABLE}'::regclass, 'pg_class')").fetchone()[0]
    return missing or ([] if mark == rules_mark() else ["规则不是本版本 gkplan 的（管理员运行任一 gkplan admin 命令即更新）"])


def rules_mark() -> str:
    """The rules' fingerprint, kept as the role map's comment: a policy or function whose words changed since
    the server's were made is remade by the next admin command (pg_admin.ensure_rules), as a missing one is."""
    import hashlib

    words = [FUNCTIONS, *policy_statements().values(), *TRIGGERS.values(), *grant_statements(), *constraint_statements().values()]
    return "gkplan rules " + hashlib.sha256("\n".join(words).encode()).hexdigest()[:16]
