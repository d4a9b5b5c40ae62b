"""Statements to a PostgreSQL server as the ledger's SQL writes them (ledger/pg_connection.py): SQLite's
placeholders translated, rows that read like sqlite3.Row, and what needs no answer of its own sent with the next
statement, in one round trip (a pipeline)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

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


def row_factory(cursor: Any) -> Any:
    if cursor.description is None:
        return tuple
    index = {c.name: i for i, c in enumerate(cursor.description)}
    return lambda values: Row(values, index)


class Conn:
    """What the ledger's SQL calls on a connection: execute and executemany with SQLite's placeholders.

    Each statement is a round trip to the server (~1 ms here, as much as a small query's own work), so what
    needs no answer of its own waits in `pending` (a transaction's BEGIN and its lock, a spent cursor's CLOSE)
    and goes with the next statement, in one pipeline: one round trip for all of them (one each with a libpq
    older than 14, which has no pipeline mode)."""

    def __init__(self, raw: Any, psycopg: Any) -> None:
        self.raw, self.piped, self.error = raw, psycopg.Pipeline.is_supported(), psycopg.Error
        self.pending: list[tuple[str, Any]] = []
        self.declared: list[str] = []  # cursors declared in the open transaction: a rollback drops them
        self.dropped: set[str] = set()  # cursors a rollback dropped: nothing left to close

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

    def send(self, sql: str, params: Any = ()) -> None:
        """A write whose answer nobody reads (an INSERT, an UPDATE in a transaction): it goes with the next
        statement, and a refusal of it is raised there, still in the transaction (which then rolls back)."""
        self.pending.append((translate(sql), params if params is not None else ()))

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
        if self.began and all(sql.startswith(("BEGIN", "SELECT pg_advisory", "CLOSE")) for sql, _ in self.pending):
            self.pending = [(sql, p) for sql, p in self.pending if sql.startswith("CLOSE")]
            return
        declared, self.declared = self.declared, []
        if how == "ROLLBACK":  # a cursor declared in the transaction is gone with it; one held from before stays
            self.pending = []  # open until the session ends, harmless
            self.dropped.update(declared)
            self.raw.execute(how)
        else:
            self.execute(how)
