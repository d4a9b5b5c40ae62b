"""Administering the ledger on a PostgreSQL server: the connection, the schema and its rules, the roles and logins.

An administrator's session is one transaction: the schema, the rows copied in (ledger/pg_copy.py), the roles
and their grants land together or not at all (PostgreSQL's CREATE ROLE is transactional). Two administrators
take turns (an advisory lock). Roles belong to the whole server, not to one database: a department's role
found on the server with that department as its comment is the department's, in every gkplan database there.
psycopg is imported here only, so that nothing but `gkplan admin` ever loads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gkplan.errors import InvalidValue, LedgerError, Unavailable
from gkplan.ledger import pg_rules, pg_schema
from gkplan.ledger.pg_schema import DEPARTMENTS, OFFICE, ROLES_TABLE

ADMIN_LOCK = 0x676B706C  # 'gkpl': one administrator at a time on a database
MIN_SERVER = 140000  # CREATE OR REPLACE TRIGGER
GROUP_COMMENTS = {OFFICE: "督查办", DEPARTMENTS: "全部部门（各部门角色都是它的成员）"}

# What a failed connection says, and the line a person reads for it.
_CONNECT = (
    ("password authentication failed", "用户名或密码不对"),
    ("no password supplied", "服务器要求密码，连接串中没有密码"),
    ("permission denied for database", "这个用户没有连接该数据库的权限（CONNECT）"),  # (names the database too)
    ('database "', "数据库不存在；请先在服务器上建立它（CREATE DATABASE）"),
    ('role "', "服务器上没有这个用户"),
    ("timeout", "连接超时"),
    ("no such file", "服务器没有运行，或地址不对"),
    ("connection refused", "服务器没有运行，或地址、端口不对"),
    ("could not translate host name", "找不到服务器（主机名无法解析）"),
)


def driver() -> Any:
    """psycopg, imported once. Its import makes tens of thousands of objects (some 300 error classes, the type
    adapters) that live as long as the process: as the CLI's are (gkplan.main), they are made with the collector
    off and then set aside (gc.freeze), instead of being walked by collection after collection while they are
    made (~17M instructions of a server command's ~700M; the rest of psycopg's import is its own)."""
    import sys

    found = sys.modules.get("psycopg")
    if found is not None:
        return found
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        import psycopg
    except ImportError:
        raise Unavailable("需要 PostgreSQL 驱动 psycopg：pip install 'gkplan[postgres]'") from None
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
    return psycopg


def connect_failure(exc: Exception) -> str:
    """Why a connection failed, for a person."""
    text = str(exc).lower()
    return next((line for needle, line in _CONNECT if needle in text), "服务器没有运行，或无法访问")


def describe(dsn: str) -> str:
    """user@host:port/database, from a connection string: never its password."""
    if not dsn.startswith(("postgresql://", "postgres://")):
        raise InvalidValue(f"不是 PostgreSQL 连接串：{dsn!r}；应写成 postgresql://用户@主机:端口/数据库")
    psycopg = driver()
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        raise InvalidValue("PostgreSQL 连接串写法有误；应写成 postgresql://用户@主机:端口/数据库") from None
    host = info.get("host") or "localhost"
    return f"{info.get('user') or ''}{'@' if info.get('user') else ''}{host}:{info.get('port') or 5432}/{info.get('dbname') or ''}"


class Server:
    """One administrator's connection to the ledger's database, and the one transaction it makes."""

    def __init__(self, dsn: str) -> None:
        psycopg = driver()
        self.where = describe(dsn)
        self.psycopg = psycopg
        try:
            self.conn = psycopg.connect(dsn, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise LedgerError(f"无法连接 PostgreSQL 服务器 {self.where}：{connect_failure(exc)}") from None
        version = self.conn.info.server_version
        if version < MIN_SERVER:
            self.conn.close()
            raise LedgerError(f"PostgreSQL 服务器 {self.where} 的版本太旧（{version // 10000}）；需要 14 及以上")

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def errors(self) -> Iterator[None]:
        """The server's refusals and failures as one Chinese line; a mistake in our SQL stays a bug."""
        e = self.psycopg.errors
        try:
            yield
        except e.InsufficientPrivilege as exc:
            raise LedgerError(f"{self.where}: 权限不足（{exc.diag.message_primary}）；请用能建表和建角色"
                              "（CREATEROLE）的管理员账号连接") from None  # fmt: skip
        except e.DuplicateObject:
            raise LedgerError(f"{self.where}: 另一位管理员正在同一服务器上建立角色；请稍后重试") from None
        except (e.DataError, e.IntegrityError) as exc:
            raise LedgerError(f"{self.where}: 服务器不接受台账中的数据（{exc.diag.message_primary}）") from None
        except self.psycopg.OperationalError as exc:
            raise LedgerError(f"{self.where}: 与 PostgreSQL 服务器的连接中断或服务器出错（{_first(exc)}）") from None

    def run(self, sql: Any, params: Any = None) -> Any:
        with self.errors():
            return self.conn.execute(sql, params)

    def commit(self) -> None:
        with self.errors():
            self.conn.commit()

    def take_turn(self) -> None:
        self.run("SELECT pg_advisory_xact_lock(%s)", (ADMIN_LOCK,))

    # -- the schema ----------------------------------------------------------------------------

    def schema_state(self) -> str:
        """'absent' (none of our tables), 'present', 'old' (an older version this gkplan upgrades: upgrade_schema);
        a schema that differs from this gkplan's is an error."""
        wanted = pg_schema.expected_columns()
        found: dict[str, list[tuple[str, str]]] = {}
        for table, column, kind in self.run(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
            " AND table_name = ANY (%s) ORDER BY table_name, ordinal_position", (list(wanted),),
        ):  # fmt: skip
            found.setdefault(table, []).append((column, kind))
        if not found:
            return "absent"
        version = self.run("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() if "meta" in found else None
        if version and version[0] != str(pg_schema.schema.SCHEMA_VERSION):
            if version[0].isdigit() and pg_schema.upgrade_statements(int(version[0])) is not None:
                return "old"
            raise LedgerError(f"{self.where}: 服务器上的台账结构版本为 {version[0]}，本程序是 {pg_schema.schema.SCHEMA_VERSION}；"
                              "请使用相同版本的 gkplan")  # fmt: skip
        differ = sorted(t for t in wanted if found.get(t) != wanted[t])
        if differ or version is None:
            raise LedgerError(f"{self.where}: 数据库中已有与 gkplan 结构不同的表（{'、'.join(differ or ['meta'])}）；"
                              "请换一个空的数据库")  # fmt: skip
        return "present"

    def upgrade_schema(self) -> None:
        """An older server ledger brought up to this gkplan's version, in the caller's transaction."""
        version = self.run("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        for statement in pg_schema.upgrade_statements(int(version)) or ():
            self.run(statement)

    def create_schema(self) -> None:
        for statement in pg_schema.table_statements():
            self.run(statement)

    def ensure_rules(self) -> None:
        """The functions, triggers, policies and grants, made or remade: running it twice changes nothing."""
        self.ensure_groups()
        self.run(pg_schema.FUNCTIONS)
        for (table, name), statement in pg_schema.policy_statements().items():
            self.run(f"DROP POLICY IF EXISTS {name} ON {table}")  # (one made by an earlier gkplan may say less)
            self.run(statement)
        for name, body in pg_schema.TRIGGERS.items():
            self.run(f"CREATE OR REPLACE TRIGGER {name} {body}")
        for statement in pg_schema.grant_statements():
            self.run(statement)
        have = {r[0] for r in self.run("SELECT conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace")}
        for (_, name), statement in pg_rules.constraint_statements().items():
            if name not in have:  # (rows out of range, stored before: refused with the constraint's name)
                self.run(statement)
        self.run(f"COMMENT ON TABLE {ROLES_TABLE} IS '{pg_rules.rules_mark()}'")

    def rules_missing(self) -> list[str]:
        return pg_rules.missing_rules(self.run)

    def ensure_groups(self) -> None:
        for role, comment in GROUP_COMMENTS.items():
            if not self._role(role):
                self._create_role(role, login=False)
            self._comment(role, comment)

    # -- roles ---------------------------------------------------------------------------------

    def departments(self) -> list[str]:
        """Every department the ledger names, in order of first appearance (plan, point): leading, co-operating
        on a point, or owning a task. The earlier of two with the same initials keeps the plain role name."""
        rows = self.run(
            "SELECT name FROM (SELECT department AS name, plan, point, 0 AS kind, ord FROM point_departments"
            " UNION ALL SELECT department, plan, point, 1, 0 FROM point_co"
            " UNION ALL SELECT dept, plan, point, 2, seq FROM tasks WHERE dept IS NOT NULL) x ORDER BY plan, point, kind, ord")
        seen: dict[str, None] = {}
        for (name,) in rows:
            seen.setdefault(name)
        return list(seen)

    def role_map(self) -> dict[str, str]:
        """department → role, as this database has them."""
        return {d: r for r, d in self.run(f"SELECT role, department FROM {ROLES_TABLE}")}

    def server_roles(self, prefix: str) -> dict[str, tuple[str | None, bool]]:
        """Roles on the whole server whose names start with `prefix`: name → (comment, may log in)."""
        pattern = prefix.replace("_", r"\_") + "%"
        return {r[0]: (r[1], r[2]) for r in self.run(
            "SELECT rolname, shobj_description(oid, 'pg_authid'), rolcanlogin FROM pg_roles WHERE rolname LIKE %s",
            (pattern,))}  # fmt: skip

    def add_department_role(self, role: str, department: str, *, exists: bool, mapped: bool) -> None:
        """The department's group role (made unless the server `exists` has it), named for it in its comment, a
        member of the departments' role, and in this database's role map unless `mapped` there already."""
        if not exists:
            self._create_role(role, login=False)
        self._comment(role, department)
        self._grant(DEPARTMENTS, role)
        if not mapped:
            self.run(f"INSERT INTO {ROLES_TABLE} (role, department) VALUES (%s, %s)", (role, department))

    def group_roles(self) -> list[dict[str, Any]]:
        """The office's and every department's role with the roles that are its members. A member is one that has
        the role's privileges: on PostgreSQL 16 the administrator who made a role is recorded as a member of it
        with only the right to administer it, and is not listed."""
        rows = self.run(
            f"SELECT g.rolname, r.department, coalesce(array_agg(DISTINCT m.rolname ORDER BY m.rolname)"
            f" FILTER (WHERE pg_has_role(m.oid, g.oid, 'USAGE')), '{{}}') FROM pg_roles g"
            f" LEFT JOIN {ROLES_TABLE} r ON r.role = g.rolname"
            f" LEFT JOIN pg_auth_members a ON a.roleid = g.oid LEFT JOIN pg_roles m ON m.oid = a.member"
            f" WHERE g.rolname = %s OR r.role IS NOT NULL GROUP BY g.rolname, r.department"
            f" ORDER BY r.department IS NOT NULL, g.rolname", (OFFICE,))  # fmt: skip
        return [{"role": role, "department": dept, "members": list(members)} for role, dept, members in rows]

    def add_login(self, login: str, group: str, password: str | None) -> str:
        """A login role in `group`: 'created', an existing login 'added' to it, or one already its 'member'."""
        found = self._role(login)
        if found and not found[0]:
            raise InvalidValue(f"“{login}”是服务器上的一个组角色，不是登录账号；请换一个登录名")
        if not found:
            self._create_role(login, login=True, password=password)
        elif password is not None:
            raise InvalidValue(f"服务器上已有登录账号“{login}”；--password 只用于新建账号（改密码请用 ALTER ROLE）")
        granted = self._grant(group, login)
        return "created" if not found else "added" if granted else "member"

    def _role(self, name: str) -> tuple[bool] | None:
        return self.run("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)).fetchone()

    def _create_role(self, name: str, *, login: bool, password: str | None = None) -> None:
        from psycopg import sql

        statement = sql.SQL("CREATE ROLE {} " + ("LOGIN" if login else "NOLOGIN")).format(sql.Identifier(name))
        if password is not None:
            # hashed here (SCRAM, as the server's password_encryption says), so that the password itself never
            # reaches the server or its log; DDL takes no bound parameters, hence a literal
            with self.errors():
                hashed = self.conn.pgconn.encrypt_password(password.encode(), name.encode()).decode()
            statement += sql.SQL(" PASSWORD {}").format(sql.Literal(hashed))
        self.run(statement)

    def _comment(self, role: str, text: str) -> None:
        from psycopg import sql

        self.run(sql.SQL("COMMENT ON ROLE {} IS {}").format(sql.Identifier(role), sql.Literal(text)))

    def _grant(self, group: str, member: str) -> bool:
        """Make `member` a member of `group` unless it has the group's privileges already; True if it was made."""
        from psycopg import sql

        if self.run("SELECT pg_has_role(%s, %s, 'USAGE')", (member, group)).fetchone()[0]:
            return False
        self.run(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(member)))
        return True


def _first(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextmanager
def session(dsn: str) -> Iterator[Server]:
    """A connection whose work is committed by the caller (`server.commit()`), else rolled back."""
    server = Server(dsn)
    try:
        yield server
    finally:
        server.close()  # without a commit, psycopg rolls the transaction back
