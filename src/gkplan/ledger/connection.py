"""Opening a ledger file, and the transactions every write goes through.

A ledger is only ever created whole (ledger/new.py). A file that is not a gkplan ledger is refused from its header,
before SQLite reads or writes anything. A reader without write access opens the file so that it
leaves nothing behind (opening and closing take turns with other processes: sidefiles); an older
ledger it cannot write is upgraded in memory for reading.

The name a ledger is opened by is sidefiles.canonical's (SQLite names the side files after it); what the user is
told when SQLite complains, complaints.py's.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
from pathlib import Path
from typing import Any

from gkplan.errors import LedgerError
from gkplan.ledger import schema, sidefiles
from gkplan.ledger.dialect import SQLITE

BUSY_TIMEOUT_MS = 30_000

_HEADER = b"SQLite format 3\x00"


def header(path: Path) -> tuple[int, int] | None:
    """(user_version, application_id) from a SQLite file's header, or None when it is not one."""
    with path.open("rb") as f:
        head = f.read(72)
    if len(head) < 72 or not head.startswith(_HEADER):
        return None
    return int.from_bytes(head[60:64], "big"), int.from_bytes(head[68:72], "big")


class Connection:
    """The file and its connection; `readonly` when this user may only read it."""

    dialect = SQLITE
    office = True  # on a file, whoever may write it keeps the ledger (a server decides by login: pg_connection)

    @property
    def file(self) -> Path:
        """The ledger's file: what no export or backup may overwrite."""
        return self.path

    def author(self, name: str) -> str:
        """The history's `by` for a person's name: on a file, the name as given."""
        return name

    def authored(self, by: str) -> bool:  # noqa: ARG002 - on a file the caller keeps the ledger: every record is theirs
        return True

    def mine(self, column: str, by: str) -> tuple[str, tuple]:
        """SQL (and its parameters) for: the entry was made by this caller."""
        return f"{column} = ?", (by,)

    def prefetched_plans(self) -> None:
        """The plans read in advance (a server's, with its first query: pg_connection); none from a file."""
        return None

    def prefetched_latest(self, plan: str) -> None:  # noqa: ARG002 - as prefetched_plans: a server's only
        return None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.readonly = False
        self._depth = 0
        self._fd: int | None = None  # the file's flock: see sidefiles
        self._alone = False
        self.conn = self._connect(path)

    # -- opening ------------------------------------------------------------------------------

    def _connect(self, path: Path) -> sqlite3.Connection:
        if path.is_dir():
            raise LedgerError(f"{path}: 是一个目录，不是台账文件")
        if not path.exists():
            raise LedgerError(f"{path}: 没有台账")
        if not os.access(path, os.R_OK):
            raise LedgerError(f"{path}: 没有读取权限")
        try:
            found = header(path)
        except OSError as exc:
            raise LedgerError(f"{path}: 无法读取台账文件：{exc.strerror or exc}") from None
        if found is None:
            raise LedgerError(f"{path}: 不是 gkplan 台账（不是 SQLite 数据库文件）")
        version, app = found
        if app != schema.APPLICATION_ID and not (app == 0 and 1 <= version < schema.SCHEMA_VERSION and _old_ledger(path)):
            raise LedgerError(f"{path}: 是 SQLite 数据库，但不是 gkplan 台账；请用 --db 指定其他文件")
        if version > schema.SCHEMA_VERSION:
            raise LedgerError(
                f"{path}: 台账由更新版本的 gkplan 创建（结构版本 {version}，本程序支持 {schema.SCHEMA_VERSION}）；请升级 gkplan"
            )
        path, alone = sidefiles.canonical(path)
        self.path = path
        try:
            self._fd = sidefiles.hold(path)
        except OSError as exc:
            raise LedgerError(f"{path}: 无法读取台账文件：{exc.strerror or exc}") from None
        try:
            return self._open_held(path, version, alone)
        except BaseException:
            self._shut(getattr(self, "conn", None))
            raise

    def _open_held(self, path: Path, version: int, alone: bool) -> sqlite3.Connection:
        if alone:
            self._take(exclusive=True)  # released on close, after SQLite has written its log back
            path, alone = sidefiles.canonical(path)  # an upgrade while we waited may have recorded the name
            if not alone:
                sidefiles.unlock(self._fd)  # the same file under its recorded name: the one flock serves both
            self.path = path
        self._alone = alone
        owner = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        if not alone:
            self._take(exclusive=owner)
        immutable = False
        try:
            if owner:
                sidefiles.clear_strangers(path)
            writable = owner and sidefiles.writable(path)
            if owner and not writable and not alone:  # a side file it may not write: a reader after all, whose
                sidefiles.unlock(self._fd)  # turn (kept if it reads immutable) must be shared, as any reader's
                self._take(exclusive=False)
            with self._errors():
                conn, immutable = sidefiles.connect(path, writable, timeout=BUSY_TIMEOUT_MS / 1000)
                self.conn = conn
        finally:
            if not alone and not immutable:  # an immutable reader keeps its shared turn until it closes: sidefiles
                sidefiles.unlock(self._fd)
        self.readonly = not writable
        if version < schema.SCHEMA_VERSION:
            from gkplan.ledger.migrate import upgrade

            if writable:
                upgrade(self, version)
            else:  # read what we may not change: upgrade a copy in memory
                memory = sqlite3.connect(":memory:")
                memory.row_factory = sqlite3.Row
                with self._errors():
                    conn.backup(memory)
                conn.close()
                if immutable:  # done with the file: owners may open it
                    sidefiles.unlock(self._fd)
                self.conn = conn = memory
                upgrade(self, version)
        with self._errors():
            conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def close(self) -> None:
        self._shut(self.conn)

    def _shut(self, conn: sqlite3.Connection | None) -> None:
        if conn is not None:
            # the last of an owner's connections deletes -wal and -shm: not while a reader is opening them
            # (a reader's shared turn, if it kept one, ends with its descriptor below)
            turn = not (self._alone or self.readonly)
            if turn:
                try:
                    self._take(exclusive=True)
                except LedgerError:  # only a reader reading the file as immutable holds its turn this long, and
                    turn = False  # removing the side files does not touch it: close, never fail after saving
            try:
                conn.close()
            finally:
                if turn:
                    sidefiles.unlock(self._fd)
        if self._fd is not None:  # only now: closing it would drop SQLite's locks on the file
            os.close(self._fd)
            self._fd = None

    def _take(self, *, exclusive: bool) -> None:
        """This process's turn on the file (sidefiles), waited for as long as SQLite waits on a busy ledger."""
        try:
            sidefiles.lock(self._fd, exclusive=exclusive, timeout=BUSY_TIMEOUT_MS / 1000)
        except sidefiles.Busy as busy:
            from gkplan.ledger.complaints import BUSY, BUSY_READING

            raise LedgerError(f"{self.path}: {BUSY_READING if busy.exclusive else BUSY}") from None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite's complaints about the file into one readable LedgerError; let bugs through."""
        try:
            yield
        except sqlite3.Error as exc:
            from gkplan.ledger.complaints import ENVIRONMENT_ERRORS

            text = str(exc).lower()
            for needle, message in ENVIRONMENT_ERRORS:
                if needle in text:
                    raise LedgerError(f"{self.path}: {message}") from None
            raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: all of it lands, or none of it does."""
        if self.readonly:
            raise LedgerError(f"{self.path}: 台账文件只读，无法写入；请检查文件权限")
        if self._depth:  # inside `transaction()`: part of the one write it makes
            yield self.conn
            return
        with self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise
            finally:
                self._depth = 0
        from gkplan import errors

        errors.committed = True  # a failure after this says that the change was saved

    def backup(self, target: Path, *, force: bool) -> Path:
        """A consistent copy through SQLite's online backup API, safe while another process writes."""
        from gkplan.file_backup import backup_database

        return backup_database(self.conn, self.path, target, force=force)

    def transaction(self):  # noqa: ANN201 - several changes that land together or not at all
        return self._write()

    def rows(self, sql: str, params: Any = ()) -> Iterator[Any]:
        """The rows of a long listing one at a time, never all held: the cursor itself, which steps. (Not a
        generator around it: closing one left unfinished closes the cursor, which fails once the ledger is shut.)"""
        return self.conn.execute(sql, params)

    def records(self, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
        """As `rows`, each row a dict of its columns, made at C speed: the cursor gives plain tuples (a cursor applies
        its row factory as it fetches each row), and each is zipped with the column names (no sqlite3.Row, then a
        dict of it, a row at a time)."""
        cursor = self.rows(sql, params)
        cursor.row_factory = None
        return map(dict, map(zip, repeat([c[0] for c in cursor.description]), cursor))

    def tuples(self, sql: str, params: Any = ()) -> Iterator[tuple]:
        """As `rows`, each row a plain tuple (no sqlite3.Row made of it)."""
        cursor = self.rows(sql, params)
        cursor.row_factory = None
        return cursor

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads that must agree with each other (an export, a diff) see one state of the ledger."""
        if self.conn.in_transaction:  # a reader's, held since it opened
            yield self.conn
            return
        with self._errors():
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self.conn.execute("COMMIT")


def _old_ledger(path: Path) -> bool:
    """Whether a SQLite file without gkplan's application id holds a version 1–3 ledger's tables. Many
    applications set a user_version of their own; upgrading theirs would rewrite a file that is not ours.
    Read as immutable, so that asking leaves nothing behind."""
    from urllib.parse import quote

    from gkplan.ledger.migrate import _OLD_TABLES

    try:
        probe = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True)
        try:
            names = {r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            probe.close()
    except sqlite3.Error:
        return True  # unreadable: opening it says what is wrong with it
    return set(_OLD_TABLES) <= names

