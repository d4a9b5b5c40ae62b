"""The ledger on a PostgreSQL server (issue 9 §1): its tables, and the rules the server itself enforces.

The tables are derived from ledger/schema.py's SQLite DDL, read back through SQLite's own catalog, so a
column added there is a column here and the two never drift. Where the types differ:

    SQLite INTEGER  →  bigint            SQLite's integers are 64-bit; flags (0/1) stay integers, not boolean,
                                         so rows copy across unchanged and the history's hashes stay equal
    SQLite REAL     →  double precision
    SQLite TEXT     →  text COLLATE "C"  dates and times stay ISO text, as in SQLite: the ledger's SQL compares
                                         them as strings, and the hash chain covers them as written; every text
                                         compares and sorts by its bytes, as SQLite's does, whatever the server's locale
    INTEGER PRIMARY KEY (history.id)  →  bigint PRIMARY KEY without a sequence: the chain numbers its entries
    TEXT PRIMARY KEY (meta.key)       →  NOT NULL, as every PostgreSQL key is (SQLite allows a NULL there)

What is PostgreSQL's alone (roles, row-level security, triggers) is written out below: see ledger/pg_admin.py
for who gets which role, and README「多部门共用一个台账（PostgreSQL）」for what each may do.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache

from gkplan.ledger import pg_history, schema

OFFICE = "gkplan_office"  # 督查办: everything, except changing or removing history
DEPARTMENTS = "gkplan_departments"  # every department's role is a member: the policies and grants name this one
DEPARTMENT_PREFIX = "gkplan_dept_"
TYPES = {"TEXT": "text", "INTEGER": "bigint", "REAL": "double precision"}
ROLES_TABLE = "gkplan_roles"  # role → department, read by the policies

# What a department reports (填报) and may therefore change, per table: never the seed's words, the due date
# (延期 is the office's), who leads or co-operates (that decides who may write), nor a task's weight.
# `late`, `reported`, `changed`, `updated_at` move with every report; a task's `owner` is the department's own.
REPORTING = {
    "points": ("progress", "status", "note", "problem", "next", "evidence", "reported", "closed", "late",
               "updated_at", "changed"),
    "tasks": ("progress", "status", "note", "owner", "problem", "next", "evidence", "reported", "closed",
              "updated_at", "changed"),
    "targets": ("actual", "actual_as_of", "note", "updated_at", "changed"),
}  # fmt: skip
APPENDED = ("history", "point_states", "task_states", "target_states")  # a report appends to these
GUARDED = ("points", "tasks", "targets", *APPENDED)  # row-level security: which rows a department may write


@cache
def catalog() -> tuple[tuple[str, tuple[tuple[str, str, bool, str | None, int], ...], tuple, tuple], ...]:
    """(table, columns (name, PostgreSQL type, not null, default, position in the key), foreign keys, indexes)
    for every table of schema.TABLES, in the order they are created there (a table before those referring to it)."""
    conn = sqlite3.connect(":memory:")
    try:
        schema.create(conn)
        out = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall():
            columns = tuple((name, TYPES[kind.upper()], bool(notnull), default, pk)
                            for _, name, kind, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"))  # fmt: skip
            keys: dict[int, list] = {}
            for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
                keys.setdefault(fk[0], []).append((fk[2], fk[3], fk[4]))
            foreign = tuple((refs[0][0], tuple(r[1] for r in refs), tuple(r[2] for r in refs)) for _, refs in sorted(keys.items()))
            indexes = tuple(  # (name, columns, the condition of a partial index or None: SQL both engines read)
                (name, tuple(c[2] for c in conn.execute(f"PRAGMA index_info({name})")),
                 sql.split(" WHERE ", 1)[1] if " WHERE " in sql else None)
                for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                                              " AND sql IS NOT NULL ORDER BY rowid", (table,)).fetchall()
            )  # fmt: skip
            out.append((table, columns, foreign, indexes))
        return tuple(out)
    finally:
        conn.close()


def q(name: str) -> str:
    """An identifier, quoted: the ledger's columns include words PostgreSQL reserves (`end`) or uses (`by`)."""
    return '"' + name.replace('"', '""') + '"'


def columns(table: str) -> tuple[str, ...]:
    return next(tuple(c[0] for c in cols) for name, cols, _, _ in catalog() if name == table)


def tables() -> tuple[str, ...]:
    return tuple(t[0] for t in catalog())


def expected_columns() -> dict[str, list[tuple[str, str]]]:
    """What information_schema shows of the tables, to tell our schema from a different one."""
    out = {t: [(c[0], c[1]) for c in cols] for t, cols, _, _ in catalog()}
    out[ROLES_TABLE] = [("role", "text"), ("department", "text")]
    return out


def table_statements() -> list[str]:
    statements = []
    for table, *_ in catalog():
        statements += create_statements(table)
    statements.append(f"CREATE TABLE {ROLES_TABLE} (role text PRIMARY KEY, department text NOT NULL UNIQUE)")
    statements.append(f"INSERT INTO meta (key, value) VALUES ('schema_version', '{schema.SCHEMA_VERSION}')")
    return statements


def create_statements(name: str) -> list[str]:
    """One table of schema.TABLES, with its indexes."""
    table, cols, foreign, indexes = next(t for t in catalog() if t[0] == name)
    parts = [column_definition(*c[:4]) for c in cols]
    key = [c[0] for c in sorted((c for c in cols if c[4]), key=lambda c: c[4])]
    parts.append(f"PRIMARY KEY ({', '.join(map(q, key))})")
    for target, mine, theirs in foreign:
        parts.append(f"FOREIGN KEY ({', '.join(map(q, mine))}) REFERENCES {q(target)} ({', '.join(map(q, theirs))})")
    return [f"CREATE TABLE {q(table)} ({', '.join(parts)})", *(index_statement(table, *index) for index in indexes)]


def column_definition(name: str, kind: str, notnull: bool, default: str | None) -> str:
    return (f"{q(name)} {kind}" + (' COLLATE "C"' if kind == "text" else "") + (" NOT NULL" if notnull else "")
            + (f" DEFAULT {default}" if default is not None else ""))  # fmt: skip


def index_statement(table: str, name: str, cols: tuple[str, ...], where: str | None) -> str:
    return f"CREATE INDEX {q(name)} ON {q(table)} ({', '.join(map(q, cols))})" + (f" WHERE {where}" if where else "")


# What a server ledger of an older version needs to reach the next one, by the version it has: the indexes to make,
# the columns to add, the tables to create. A server ledger begins at 7. Run by the administrator (the tables' owner)
# in one transaction (pg_admin.upgrade_schema); the grants and policies are made anew after it (ensure_rules).
UPGRADES = {7: (schema.V8_INDEXES, {}, ()), 8: ((), schema.V9_COLUMNS, schema.V9_TABLES)}


def upgrade_statements(version: int) -> list[str] | None:
    """The statements that bring a server ledger of `version` up to this one; None: no way from there."""
    steps = range(version, schema.SCHEMA_VERSION)
    if not steps or any(step not in UPGRADES for step in steps):
        return None
    indexes = {i[0]: (table, *i) for table, _, _, found in catalog() for i in found}
    kinds = {(table, c[0]): c[:4] for table, cols, _, _ in catalog() for c in cols}
    out = []
    for step in steps:
        made, added, created = UPGRADES[step]
        out += [index_statement(*indexes[name]) for name in made]
        out += [f"ALTER TABLE {q(table)} ADD COLUMN {column_definition(*kinds[(table, column.split()[0])])}"
                for table, columns in added.items() for column in columns.split("|")]  # fmt: skip
        out += [statement for table in created for statement in create_statements(table)]
    return out + [f"UPDATE meta SET value = '{schema.SCHEMA_VERSION}' WHERE key = 'schema_version'"]


# Who belongs to which department: the departments whose roles the current role has the privileges of. A point's
# 协办 departments are its `co` today (point_co keeps every department `co` ever named, for listings as of a day).
# Invoker's rights (not SECURITY DEFINER), so current_user is whoever runs the statement; names are
# schema-qualified so that nothing earlier on a caller's search_path can stand in for them.
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.gkplan_my_departments() RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(r.department), '{}') FROM public.gkplan_roles r
    JOIN pg_catalog.pg_roles g ON g.rolname = r.role WHERE pg_catalog.pg_has_role(current_user, g.oid, 'USAGE') $$;
CREATE OR REPLACE FUNCTION public.gkplan_leads(p_plan text, p_point bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM public.point_departments d WHERE d.plan = p_plan AND d.point = p_point
                   AND d.department = ANY (public.gkplan_my_departments())) $$;
CREATE OR REPLACE FUNCTION public.gkplan_reports_point(p_plan text, p_point bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT public.gkplan_leads(p_plan, p_point) OR EXISTS (SELECT 1 FROM public.points p WHERE p.plan = p_plan
        AND p.id = p_point AND string_to_array(p.co, chr(31)) && public.gkplan_my_departments()) $$;
CREATE OR REPLACE FUNCTION public.gkplan_reports_task(p_plan text, p_point bigint, p_seq bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM public.tasks t WHERE t.plan = p_plan AND t.point = p_point AND t.seq = p_seq
        AND (t.dept = ANY (public.gkplan_my_departments()) OR string_to_array(t.co, chr(31)) && public.gkplan_my_departments()
             OR (t.dept IS NULL AND public.gkplan_leads(p_plan, p_point)))) $$;
CREATE OR REPLACE FUNCTION public.gkplan_touches_point(p_plan text, p_point bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT public.gkplan_reports_point(p_plan, p_point) OR EXISTS (SELECT 1 FROM public.tasks t WHERE t.plan = p_plan
        AND t.point = p_point AND (t.dept = ANY (public.gkplan_my_departments())
                                   OR string_to_array(t.co, chr(31)) && public.gkplan_my_departments())) $$;
CREATE OR REPLACE FUNCTION public.gkplan_replays(p_plan text, p_point bigint, p_entity text, p_ref text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM public.history h WHERE h.id = (SELECT max(x.id) FROM public.history x)
        AND h.plan = p_plan AND h.point = p_point AND h.entity = p_entity AND h.ref IS NOT DISTINCT FROM p_ref
        AND (h."by" = session_user::text OR starts_with(h."by", session_user::text || '（'))) $$;
CREATE OR REPLACE FUNCTION public.gkplan_entry_of(p_id bigint, p_plan text, p_point bigint, p_entity text, p_ref text,
    p_mine boolean) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM public.history h WHERE h.id = p_id AND h.plan = p_plan AND h.point = p_point
        AND h.entity = p_entity AND h.ref IS NOT DISTINCT FROM p_ref
        AND (NOT p_mine OR h."by" = session_user::text OR starts_with(h."by", session_user::text || '（'))) $$;
CREATE OR REPLACE FUNCTION public.gkplan_caused_by(p_id bigint, p_plan text, p_point bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM public.history h WHERE h.id = p_id AND h.plan = p_plan AND h.point = p_point
        AND (h."by" = session_user::text OR starts_with(h."by", session_user::text || '（'))) $$;
CREATE OR REPLACE FUNCTION public.gkplan_closes(p_changes text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce((p_changes::jsonb -> 'status' ->> 1) = 'done', false)
        OR coalesce((p_changes::jsonb -> 'task' -> 1 ->> 'status') = 'done', false) $$;
CREATE OR REPLACE FUNCTION public.gkplan_reopens(p_changes text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce((p_changes::jsonb -> 'status' ->> 0) = 'done' AND (p_changes::jsonb -> 'status' ->> 1) <> 'done', false) $$;
CREATE OR REPLACE FUNCTION public.gkplan_closed_by(p_plan text, p_point bigint, p_entity text, p_ref text, p_day text)
    RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM public.history h WHERE h.plan = p_plan AND h.point = p_point AND h.entity = p_entity
        AND h.ref IS NOT DISTINCT FROM p_ref AND h.effective <= p_day AND public.gkplan_closes(h.changes)) $$;
CREATE OR REPLACE FUNCTION public.gkplan_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only（历史只增不减：不能修改或删除历史记录）' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE FUNCTION public.gkplan_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the office and the owner are not held to a department's limits
    IF pg_catalog.pg_has_role(current_user, 'gkplan_office', 'USAGE')
       OR cardinality(public.gkplan_my_departments()) = 0 THEN
        RETURN NEW;
    END IF;
    IF NEW.status = 'done' AND OLD.status IS DISTINCT FROM 'done' THEN
        RAISE EXCEPTION '部门不能销号：事项由督查办审核后才是“已完成”' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'done' AND NEW.status IS DISTINCT FROM 'done' THEN
        RAISE EXCEPTION '部门不能重新打开已销号的事项：由督查办决定' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_TABLE_NAME = 'points' THEN
        IF NOT public.gkplan_reports_point(OLD.plan, OLD.id) THEN
            -- a department that reaches the point only through a task of its own moves what its task's report
            -- moves (the day of the latest report, the earliest open due date; progress once the point follows its tasks)
            IF (NEW.note, NEW.problem, NEW.next, NEW.evidence) IS DISTINCT FROM (OLD.note, OLD.problem, OLD.next, OLD.evidence)
               OR (OLD.follows = 0 AND (NEW.progress, NEW.status, NEW.closed) IS DISTINCT FROM (OLD.progress, OLD.status, OLD.closed)) THEN
                RAISE EXCEPTION '第 % 项不由本部门牵头或协办：只能随本部门的任务更新它的汇总字段', OLD.id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END $$;
"""

FUNCTIONS += pg_history.IN_ORDER + pg_history.reports_only(REPORTING) + pg_history.POINT_STATE + pg_history.TASK_STATE
# Every function runs with the system catalog alone on its path: a body is parsed when it runs, so a department
# that may create objects in a schema on a caller's path (public, on PostgreSQL 14 and older) could otherwise stand
# in for cardinality(), ->> or && with its own and slip past the guards. (Tables are named with their schema.)
FUNCTIONS, _made = re.subn(r"(LANGUAGE (?:sql|plpgsql)(?: STABLE| IMMUTABLE)?) AS \$\$", r"\1 SET search_path = pg_catalog, pg_temp AS $$",
                           FUNCTIONS)  # fmt: skip
assert _made == FUNCTIONS.count("CREATE OR REPLACE FUNCTION"), "a function without its own search_path"
OWN_FUNCTIONS = tuple(re.findall(r"FUNCTION public\.(\w+)\(", FUNCTIONS))

# Statement-level, so that an UPDATE or DELETE matching no row is refused too; TRUNCATE fires no row trigger.
# They bind every role, the table's owner included (only a superuser can switch triggers off).
TRIGGERS = {
    "history_append_only_update": "BEFORE UPDATE ON history FOR EACH STATEMENT EXECUTE FUNCTION public.gkplan_history_append_only()",
    "history_append_only_delete": "BEFORE DELETE ON history FOR EACH STATEMENT EXECUTE FUNCTION public.gkplan_history_append_only()",
    "history_append_only_truncate": "BEFORE TRUNCATE ON history FOR EACH STATEMENT EXECUTE FUNCTION public.gkplan_history_append_only()",
    "points_guard": "BEFORE UPDATE ON points FOR EACH ROW EXECUTE FUNCTION public.gkplan_guard()",
    "tasks_guard": "BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION public.gkplan_guard()",
    "history_in_order": pg_history.IN_ORDER_TRIGGER,
    "point_states_follow": pg_history.POINT_STATE_TRIGGER,
    "task_states_follow": pg_history.TASK_STATE_TRIGGER,
}  # fmt: skip

# a state row follows the entry its department has just appended on that item, and is the state after an entry of it
_STATE_OF = ("public.gkplan_replays(plan, point, '{e}', {r})"
             " AND public.gkplan_entry_of(hid, plan, point, '{e}', {r}, false)")  # fmt: skip
_DONE_ALREADY = "EXISTS (SELECT 1 FROM public.{t} x WHERE x.plan = {s}.plan AND {k} AND x.status = 'done')"
# The department roles' policies: USING and WITH CHECK of an UPDATE, WITH CHECK of an INSERT. A department reads
# everything and writes only its own rows; a state may say 'done' only of an item already 销号 (a note added after
# it), or 销号 on or before the state's day and reopened since (a backfill replays that state). A history entry
# names its author: the login that authenticated (session_user), which SET ROLE cannot change, alone or with a
# person's name after it: 教务部（张三）; an entry that undoes one undoes one of its author's, of the same item, and
# one caused by another (a point's derivation, an undo's) is caused by its author's entry of the same point: else
# the office's undo of its own entry would take a department's along. A department's entry reports, derives or
# undoes (never 审核, 销号 or reopening what the office 销号'd), and a row of a point, task or target it changes
# follows its own entry on that item, appended just before (no change without its entry in the history).
POLICIES = {
    "update": {
        "points": ("public.gkplan_touches_point(plan, id)", "public.gkplan_touches_point(plan, id)"
                   " AND public.gkplan_replays(plan, id, 'point', NULL)"),
        "tasks": ("public.gkplan_reports_task(plan, point, seq)", "public.gkplan_reports_task(plan, point, seq)"
                  " AND public.gkplan_replays(plan, point, 'task', seq::text)"),
        "targets": ("public.gkplan_reports_point(plan, point)", "public.gkplan_reports_point(plan, point)"
                    " AND public.gkplan_replays(plan, point, 'target', metric)"),
    },
    "insert": {
        "history": '(history."by" = session_user::text OR starts_with(history."by", session_user::text || \'（\'))'
                   " AND action IN ('update', 'derive', 'undo') AND NOT public.gkplan_closes(changes)"
                   " AND NOT public.gkplan_reopens(changes) AND CASE entity"
                   " WHEN 'point' THEN public.gkplan_touches_point(plan, point)"
                   " WHEN 'target' THEN public.gkplan_reports_point(plan, point)"
                   " WHEN 'task' THEN CASE WHEN ref ~ '^[0-9]{1,18}$' THEN public.gkplan_reports_task(plan, point, ref::bigint)"
                   " ELSE false END ELSE false END"
                   " AND (undoes IS NULL OR public.gkplan_entry_of(undoes, plan, point, entity, ref, true))"
                   " AND (cause IS NULL OR public.gkplan_caused_by(cause, plan, point))"
                   " AND public.gkplan_reports_only(entity, changes)",
        "point_states": "public.gkplan_touches_point(plan, point) AND " + _STATE_OF.format(e="point", r="NULL") + " AND (status <> 'done' OR "
                        + _DONE_ALREADY.format(t="points", s="point_states", k="x.id = point_states.point")
                        + " OR public.gkplan_closed_by(plan, point, 'point', NULL, effective))",
        "task_states": "public.gkplan_reports_task(plan, point, seq) AND " + _STATE_OF.format(e="task", r="seq::text")
                       + " AND (status IS DISTINCT FROM 'done' OR "
                       + _DONE_ALREADY.format(t="tasks", s="task_states", k="x.point = task_states.point AND x.seq = task_states.seq")
                       + " OR public.gkplan_closed_by(plan, point, 'task', seq::text, effective))",
        "target_states": "public.gkplan_reports_point(plan, point) AND " + _STATE_OF.format(e="target", r="metric"),
    },
    # A backfill (补记) rebuilds the item's states from its entries: a department removes them only for the item of
    # the entry it has just appended (the history's last, in its name; writers take turns), then inserts them anew.
    "delete": {
        "point_states": "public.gkplan_touches_point(plan, point) AND public.gkplan_replays(plan, point, 'point', NULL)",
        "task_states": "public.gkplan_reports_task(plan, point, seq) AND public.gkplan_replays(plan, point, 'task', seq::text)",
        "target_states": "public.gkplan_reports_point(plan, point) AND public.gkplan_replays(plan, point, 'target', metric)",
    },
}  # fmt: skip


def policy_statements() -> dict[tuple[str, str], str]:
    """Every policy by (table, name). Not FORCE ROW LEVEL SECURITY: the tables' owner is the administrator who
    creates and fills them (admin init / push) and may do anything a superuser may; what must bind it too —
    history is append-only — is a trigger, which binds every role."""
    out = {}
    for table in GUARDED:
        out[(table, "office_all")] = f"CREATE POLICY office_all ON {table} FOR ALL TO {OFFICE} USING (true) WITH CHECK (true)"
        out[(table, "department_read")] = f"CREATE POLICY department_read ON {table} FOR SELECT TO {DEPARTMENTS} USING (true)"
    for table, (using, check) in POLICIES["update"].items():
        out[(table, "department_report")] = (f"CREATE POLICY department_report ON {table} FOR UPDATE TO {DEPARTMENTS}"
                                             f" USING ({using}) WITH CHECK ({check})")  # fmt: skip
    for table, check in POLICIES["insert"].items():
        out[(table, "department_append")] = f"CREATE POLICY department_append ON {table} FOR INSERT TO {DEPARTMENTS} WITH CHECK ({check})"
    for table, using in POLICIES["delete"].items():
        out[(table, "department_replay")] = f"CREATE POLICY department_replay ON {table} FOR DELETE TO {DEPARTMENTS} USING ({using})"
    return out


def grant_statements() -> list[str]:
    """Table and column privileges. The office may do everything but change or remove history (and TRUNCATE
    nothing: it skips row triggers); a department reads everything, changes only its reporting columns, and
    appends to the history and the states (replacing its items' states on a backfill: see POLICIES). The role
    map is read by every role and written only by the owner."""
    everything = [*tables(), ROLES_TABLE]
    out = [f"REVOKE ALL ON {', '.join(map(q, everything))} FROM PUBLIC",
           "REVOKE CREATE ON SCHEMA public FROM PUBLIC",  # (PostgreSQL 14's default; 15 made it so: only a warning when not the schema's owner)
           f"GRANT SELECT ON {', '.join(map(q, everything))} TO {OFFICE}, {DEPARTMENTS}",
           f"GRANT INSERT, UPDATE, DELETE ON {', '.join(q(t) for t in tables() if t != 'history')} TO {OFFICE}",
           f"GRANT INSERT ON history TO {OFFICE}",
           f"GRANT INSERT ON {', '.join(APPENDED)} TO {DEPARTMENTS}",
           f"GRANT DELETE ON {', '.join(POLICIES['delete'])} TO {DEPARTMENTS}"]  # fmt: skip
    out += [f"GRANT UPDATE ({', '.join(map(q, cols))}) ON {table} TO {DEPARTMENTS}" for table, cols in REPORTING.items()]
    out += [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY" for table in GUARDED]
    return out
