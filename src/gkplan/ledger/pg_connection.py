"""A ledger on a PostgreSQL server (`--db postgresql://…`): the same interface as ledger/connection.py.

The queries are the SQLite ones (see ledger/dialect.py for what differs); this module translates their
placeholders (`?`, `:name` → psycopg's), returns rows that read like sqlite3.Row (by index and by name),
and numbers as SQLite gives them (sum() of integers an int, avg() a float, never a Decimal). Writers take
turns, as on a SQLite file: each write transaction first takes one advisory lock, so that the history's
numbers and hash chain stay one sequence however many departments write at once. What a login may change
is the server's to decide (grants, row-level security, triggers: ledger/pg_schema.py); its refusals come
back as one Chinese line (Forbidden, exit 10). psycopg is imported only when a PostgreSQL ledger is opened.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from gkplan.errors import Forbidden, LedgerError
from gkplan.ledger.dialect import POSTGRES
from gkplan.ledger.plans import ALL_PLANS

_names = itertools.count()  # server-side cursors need names unique on the connection
BATCH = 2000  # rows a long listing's cursor brings at a time
WRITE_LOCK = 0x676B7772  # 'gkwr': one writer at a time on a ledger's database
CHECK = ("SELECT (SELECT value FROM meta WHERE key = 'schema_version'), session_user,"
         " pg_has_role(session_user, 'gkplan_office', 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)"
         " OR (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'history') = session_user")  # fmt: skip
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|(?<![:\w]):([A-Za-z_]\w*)|%")


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """SQLite's placeholders as psycopg's; a literal % doubled (psycopg reads % everywhere, quotes or not)."""

    def one(m: re.Match) -> str:
        token = m.group(0)
        if token[0] in "'\"":
            return token.replace("%", "%%")
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return f"%({m.group(1)})s"

    return _TOKENS.sub(one, sql)


class Row:
    """A row as sqlite3.Row gives it: by position, by column name, dict(row), row.keys()."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: Any, index: dict[str, int]) -> None:
        self._values, self._index = values, index

    def __getitem__(self, key: Any) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    if cursor.description is None:
        return tuple
    index = {c.name: i for i, c in enumerate(cursor.description)}
    return lambda values: Row(values, index)


class _Conn:
    """What the ledger's SQL calls on a connection: execute and executemany with SQLite's placeholders.

    Each statement is a round trip to the server (~1 ms here, as much as a small query's own work), so what
    needs no answer of its own waits in `pending` (a transaction's BEGIN and its lock, a spent cursor's CLOSE)
    and goes with the next statement, in one pipeline: one round trip for all of them (one each with a libpq
    older than 14, which has no pipeline mode)."""

    def __init__(self, raw: Any, psycopg: Any) -> None:
        self.raw, self.piped, self.error = raw, psycopg.Pipeline.is_supported(), psycopg.Error
        self.pending: list[tuple[str, Any]] = []

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.batch([(translate(sql), params if params is not None else ())])[-1]

    def batch(self, statements: list[tuple[str, Any]]) -> list[Any]:
        """The statements (psycopg's placeholders), after what is pending, in one round trip: their cursors."""
        queued, self.pending = self.pending, []
        if not queued and len(statements) == 1:
            return [self.raw.cursor().execute(*statements[0])]
        if not self.piped:
            for sql, params in queued:
                self.raw.execute(sql, params)
            return [self.raw.cursor().execute(sql, params) for sql, params in statements]
        cursors = [self.raw.cursor() for _ in statements]
        # the first failed statement's error, raised once the pipeline is left: psycopg, left by an error, would log
        first = None  # the ones after it ("pipeline aborted") on stderr
        try:
            with self.raw.pipeline():
                for cur, (sql, params) in [*((self.raw.cursor(), q) for q in queued), *zip(cursors, statements, strict=True)]:
                    try:
                        cur.execute(sql, params)
                    except self.error as exc:
                        first = first or exc
        except self.error as exc:
            first = first or exc
        if first is not None:
            raise first
        return cursors

    def executemany(self, sql: str, rows: Any) -> Any:
        if self.pending:
            self.batch([])
        cur = self.raw.cursor()
        cur.executemany(translate(sql), list(rows))
        return cur

    @property
    def began(self) -> bool:
        """A BEGIN waits to be sent: the transaction has begun, for the statements that follow."""
        return any(sql.startswith("BEGIN") for sql, _ in self.pending)

    @property
    def in_transaction(self) -> bool:
        return self.began or self.raw.info.transaction_status != self.raw.info.transaction_status.IDLE

    def end(self, how: str) -> None:
        """COMMIT or ROLLBACK; nothing to send when the BEGIN itself has not gone yet (nothing ran in it)."""
        if self.began:
            self.pending = [(sql, p) for sql, p in self.pending if sql.startswith("CLOSE")]
            return
        if how == "ROLLBACK":  # a cursor declared in the transaction is gone with it; one held from before stays
            self.pending = []  # open until the session ends, harmless
            self.raw.execute(how)
        else:
            self.execute(how)


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
            raw = psycopg.connect(dsn, autocommit=True, connect_timeout=10, row_factory=_row_factory)
        except psycopg.OperationalError as exc:
            raise LedgerError(f"无法连接 PostgreSQL 服务器 {self.path}：{pg_admin.connect_failure(exc)}") from None
        raw.adapters.register_loader("numeric", _number_loader(psycopg))
        self.conn = _Conn(raw, psycopg)
        with self._errors():
            try:  # with the plans, which every command asks for next (PlansMixin.plan): one round trip for both
                check, plans = self.conn.batch([(CHECK, ()), (ALL_PLANS, ())])
                found = check.fetchone()
                self._plans: list | None = plans.fetchall()
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

    file = None  # no local file to keep exports and backups off

    def backup(self, target: Any, *, force: bool) -> Any:
        """A local SQLite ledger with every row of the server's (`gkplan backup FILE`): it passes `check`."""
        from gkplan.ledger.pg_copy import copy_out

        with self.snapshot():
            return copy_out(self, target, force=force)

    def author(self, name: str) -> str:
        """The history's `by`: the login the server authenticated, with the person's name when one was given
        that is not the computer's login name (`--by` or GKPLAN_USER): never a name alone."""
        from gkplan.actions import login_name

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
        except (e.UndefinedTable, e.UndefinedColumn, e.UndefinedFunction) as exc:
            raise LedgerError(f"{self.path}: 服务器上的台账结构不完整（{exc.diag.message_primary}）；请由管理员运行 gkplan admin init") from None
        except psycopg.OperationalError as exc:
            line = (str(exc).strip().splitlines() or ["?"])[0]
            raise LedgerError(f"{self.path}: 与 PostgreSQL 服务器的连接中断或服务器出错（{line}）；未写入任何内容，请稍后重试") from None

    @contextmanager
    def _write(self) -> Iterator[_Conn]:
        """One transaction, after the writers' lock: all of it lands, or none of it does."""
        if self._depth:
            yield self.conn
            return
        self._plans = None
        with self._errors():  # BEGIN and the lock go with the transaction's first statement
            self.conn.pending += [("BEGIN", ()), ("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))]
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
        try:
            while True:
                yield from batch
                if len(batch) < BATCH:
                    return
                with self._errors():
                    batch = self.conn.batch([fetch])[-1].fetchall()
        finally:
            if not self.conn.raw.closed:
                self.conn.pending.append((f"CLOSE {name}", ()))

    @contextmanager
    def snapshot(self) -> Iterator[_Conn]:
        """Reads that must agree with each other see one state of the ledger."""
        if self._depth or self.conn.in_transaction:
            yield self.conn
            return
        with self._errors():  # the BEGIN goes with the first read
            self.conn.pending.append(("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", ()))
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
