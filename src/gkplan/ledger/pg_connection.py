"""A ledger on a PostgreSQL server (`--db postgresql://…`): the same interface as ledger/connection.py.

The queries are the SQLite ones (see ledger/dialect.py for what differs); ledger/pg_statements.py translates
their placeholders (`?`, `:name` → psycopg's), returns rows that read like sqlite3.Row (by index and by name) and
sends what needs no answer of its own with the next statement; this module gives numbers as SQLite gives them
(sum() of integers an int, avg() a float, never a Decimal). Writers take turns, as on a SQLite file: each write
transaction first takes one advisory lock, so that the history's numbers and hash chain stay one sequence
however many departments write at once. What a login may change
is the server's to decide (grants, row-level security, triggers: ledger/pg_schema.py); its refusals come
back as one Chinese line (Forbidden, exit 10). psycopg is imported only when a PostgreSQL ledger is opened.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gkplan.errors import Forbidden, LedgerError
from gkplan.ledger.dialect import POSTGRES
from gkplan.ledger.pg_statements import Conn, row_factory, translate
from gkplan.ledger.plans import ALL_PLANS, latest_sql

_names = itertools.count()  # server-side cursors need names unique on the connection
BATCH = 2000  # rows a long listing's cursor brings at a time
WRITE_LOCK = 0x676B7772  # 'gkwr': one writer at a time on a ledger's database
CHECK = ("SELECT (SELECT value FROM meta WHERE key = 'schema_version'), session_user,"
         " pg_has_role(session_user, 'gkplan_office', 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)"
         " OR (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'history') = session_user")  # fmt: skip
LATEST = f"SELECT p.key, {latest_sql(POSTGRES, 'p.key')} FROM plans p"  # each plan's (PlansMixin.latest_effective)
def _number_loader(psycopg: Any) -> type:
    class Number(psycopg.adapt.Loader):
        """numeric as SQLite would give it: sum() of integers an int, an average a float."""

        def load(self, data: Any) -> Any:
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)

    return Number


class PgConnection:
    """The server's database and one connection to it; `login`: who the server says we are."""

    dialect = POSTGRES
    readonly = False

    def __init__(self, dsn: str) -> None:
        from gkplan.ledger import pg_admin

        psycopg = pg_admin.driver()
        self.psycopg = psycopg
        self.dsn = dsn
        self.path = pg_admin.describe(dsn)  # where a file's name would be, in messages: never the password
        self._depth = 0
        try:
            raw = psycopg.connect(dsn, autocommit=True, connect_timeout=10, row_factory=row_factory)
        except psycopg.OperationalError as exc:
            raise LedgerError(f"无法连接 PostgreSQL 服务器 {self.path}：{pg_admin.connect_failure(exc)}") from None
        raw.adapters.register_loader("numeric", _number_loader(psycopg))
        self.conn = Conn(raw, psycopg)
        with self._errors():
            try:  # with the plans, which every command asks for next (PlansMixin.plan), and how far each plan's
                # history reaches (a read as of a day asks): one round trip for all three
                check, plans, latest = self.conn.batch([(CHECK, ()), (ALL_PLANS, ()), (LATEST, ())])
                found = check.fetchone()
                self._plans: list | None = plans.fetchall()
                self._latest_days: dict | None = dict(latest.fetchall())
            except psycopg.errors.InsufficientPrivilege:  # reading is granted to the office's and the departments' roles only
                login = self.conn.execute("SELECT session_user").fetchone()[0]
                raw.close()
                raise Forbidden(f"{self.path}: 登录账号 {login} 不属于督查办或任何部门，不能使用这个台账；"
                                "请管理员用 gkplan admin user add 把它加入") from None
        from gkplan.ledger import schema

        if found[0] != str(schema.SCHEMA_VERSION):
            raw.close()
            older = str(found[0]).isdigit() and int(found[0]) < schema.SCHEMA_VERSION
            hint = "请管理员用本版本的 gkplan admin roles 升级服务器上的台账" if older else "请使用相同版本的 gkplan"
            raise LedgerError(f"{self.path}: 服务器上的台账结构版本为 {found[0]}，本程序是 {schema.SCHEMA_VERSION}；{hint}")
        self.login, self.office = found[1], bool(found[2])

    def close(self) -> None:
        self.conn.raw.close()  # what is pending (a spent cursor's CLOSE) ends with the session

    def prefetched_plans(self) -> list | None:
        """The plans as read with the schema's version when the connection opened: once, and only if nothing was
        written since (PlansMixin.all_plans reads them afresh otherwise)."""
        rows, self._plans = self._plans, None
        return rows

    def prefetched_latest(self, plan: str) -> str | None:
        """As prefetched_plans: a plan's latest effective day ('' for none), read with them; None once written."""
        latest, self._latest_days = self._latest_days, None
        return None if latest is None else latest.get(plan)

    file = None  # no local file to keep exports and backups off

    def backup(self, target: Any, *, force: bool) -> Any:
        """A local SQLite ledger with every row of the server's (`gkplan backup FILE`): it passes `check`."""
        from gkplan.ledger.pg_copy import copy_out

        with self.snapshot():
            return copy_out(self, target, force=force)

    def author(self, name: str) -> str:
        """The history's `by`: the login the server authenticated, with the person's name when one was given
        that is not the computer's login name (`--by` or GKPLAN_USER): never a name alone."""
        from gkplan.author import login_name

        return self.login if name in (self.login, login_name()) else f"{self.login}（{name}）"

    def mine(self, column: str, by: str) -> tuple[str, tuple]:
        """SQL (and its parameters) for: the entry was made by this caller — this login, and when a person's
        name was given, that person through it (colleagues sharing the office's login undo their own)."""
        author = self.author(by)
        if author != self.login:
            return f"{column} = ?", (author,)
        own = f"{self.login}（"
        return f"({column} = ? OR substr({column}, 1, {len(own)}) = ?)", (self.login, own)

    def authored(self, by: str) -> bool:
        """Whether a history entry's `by` names this login (alone, or with a person's name after it)."""
        return by == self.login or by.startswith(f"{self.login}（")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The server's refusals and failures as one Chinese line; a mistake in our SQL stays a bug."""
        psycopg = self.psycopg
        e = psycopg.errors
        try:
            yield
        except e.InsufficientPrivilege as exc:
            raise Forbidden(_refusal(self.login, exc.diag.message_primary or "")) from None
        except e.ReadOnlySqlTransaction as exc:  # a read-only login or database, a standby server
            raise Forbidden(f"{self.path}: 服务器只允许读取这个台账（{exc.diag.message_primary}）；未写入任何内容") from None
        except (e.UndefinedTable, e.UndefinedColumn, e.UndefinedFunction) as exc:
            raise LedgerError(f"{self.path}: 服务器上的台账结构不完整（{exc.diag.message_primary}）；请由管理员运行 gkplan admin init") from None
        except psycopg.OperationalError as exc:
            line = (str(exc).strip().splitlines() or ["?"])[0]
            raise LedgerError(f"{self.path}: 与 PostgreSQL 服务器的连接中断或服务器出错（{line}）；未写入任何内容，请稍后重试") from None

    @contextmanager
    def _write(self) -> Iterator[Conn]:
        """One transaction, after the writers' lock: all of it lands, or none of it does."""
        if self._depth:
            yield self.conn
            return
        self._plans = self._latest_days = None
        with self._errors():  # BEGIN and the lock go with the transaction's first statement, ahead of what waits
            # read committed whatever the database's default: each statement after the lock sees the writer before
            # (a repeatable read transaction's snapshot is taken by its first statement, before the lock is granted)
            begin = [("BEGIN ISOLATION LEVEL READ COMMITTED", ()), ("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))]
            self.conn.pending[:0] = begin
            self._depth = 1
            try:
                yield self.conn
                self.conn.end("COMMIT")
            except BaseException:
                if not self.conn.raw.closed:
                    self.conn.end("ROLLBACK")
                raise
            finally:
                self._depth = 0
        from gkplan import errors

        errors.committed = True

    def transaction(self):  # noqa: ANN201
        return self._write()

    def rows(self, sql: str, params: Any = ()) -> Iterator[Any]:
        """The rows of a long listing one at a time, never all held: a server-side cursor read in batches
        (psycopg's ordinary cursor takes the whole result at once). WITH HOLD, so it needs no transaction left
        open by a listing read only in part; other statements may run between the rows."""
        name = f'"gk_rows_{next(_names)}"'
        fetch = (f"FETCH FORWARD {BATCH} FROM {name}", ())
        with self._errors():  # the DECLARE and the first batch in one round trip; the CLOSE goes with the next statement
            batch = self.conn.batch([(f"DECLARE {name} CURSOR WITH HOLD FOR {translate(sql)}", params if params is not None else ()),
                                     fetch])[-1].fetchall()  # fmt: skip
        if self.conn.in_transaction:
            self.conn.declared.append(name)
        try:
            while True:
                yield from batch
                if len(batch) < BATCH:
                    return
                with self._errors():
                    batch = self.conn.batch([fetch])[-1].fetchall()
        finally:
            if not self.conn.raw.closed and name not in self.conn.dropped:
                self.conn.pending.append((f"CLOSE {name}", ()))

    def records(self, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
        """As `rows`, each row a dict of its columns."""
        return map(dict, self.rows(sql, params))

    def tuples(self, sql: str, params: Any = ()) -> Iterator[Any]:
        """As `rows` (each row is read by position as a tuple is)."""
        return self.rows(sql, params)

    @contextmanager
    def snapshot(self) -> Iterator[Conn]:
        """Reads that must agree with each other see one state of the ledger."""
        if self._depth or self.conn.in_transaction:
            yield self.conn
            return
        with self._errors():  # the BEGIN goes with the first read, ahead of what waits (a spent cursor's CLOSE takes a
            # snapshot: before the BEGIN, in the pipeline's implicit transaction, the isolation level would be refused)
            self.conn.pending.insert(0, ("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", ()))
            self._plans = self._latest_days = None  # read before the snapshot: read again in it, if asked
            try:
                yield self.conn
            finally:
                if not self.conn.raw.closed:
                    self.conn.end("COMMIT")


def _refusal(login: str, message: str) -> str:
    """What a refused statement says, for a person: the server's own words when they are ours (Chinese)."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return f"权限不足（{login}）：{message.split('（')[0] if message.startswith('history') else message}"
    return f"权限不足：{login} 不能修改这一项（只能填报本部门牵头或协办的事项；销号、延期、改计划由督查办办理）"
