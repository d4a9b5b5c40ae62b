"""Rows from a SQLite ledger onto the server, unchanged: what `admin init` loads and `admin push` moves.

Every table is copied whole (COPY, streamed), in the order schema.py creates them (a table before the tables
that refer to it). Nothing is converted: the history's entries arrive as written, and the chain is then
recomputed from the server's own rows, so a ledger lands on the server with the same hashes or not at all.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from gkplan.errors import LedgerError
from gkplan.ledger import pg_schema
from gkplan.ledger.chain import GENESIS, entry_hash
from gkplan.ledger.pg_schema import q

if TYPE_CHECKING:
    from gkplan.ledger.pg_admin import Server

# meta rows that stay behind: the SQLite file's own name (which process may share it), and the server's version row
_LOCAL_META = ("path", "schema_version")
_CHAIN = 'id, plan, point, entity, ref, action, effective, at, "by", changes, note, cause, undoes, source, hash'

# What a seed alone decides, per table: the same seed loaded twice gives the same rows (the plan's load order,
# reported progress, user tasks, moved due dates are not in them).
SEED_ROWS = {
    "plans": 'SELECT key, title, document, year, issued, start, "end" FROM plans WHERE key = {p}',
    "sections": "SELECT id, title FROM sections WHERE plan = {p}",
    "points": "SELECT id, section, title, text, leads, due_seed, start FROM points WHERE plan = {p}",
    "point_departments": "SELECT point, ord, department FROM point_departments WHERE plan = {p}",
    "point_leaders": "SELECT point, ord, leader FROM point_leaders WHERE plan = {p}",
    "targets": "SELECT point, metric, unit, target_min, target_max, approx FROM targets WHERE plan = {p}",
}


def is_empty(server: Server) -> bool:
    """No row in any table but the server's own version row."""
    for table in pg_schema.tables():
        extra = " WHERE key <> 'schema_version'" if table == "meta" else ""
        if server.run(f"SELECT EXISTS (SELECT 1 FROM {q(table)}{extra})").fetchone()[0]:
            return False
    return True


def plans(server: Server) -> list[str]:
    return [r[0] for r in server.run("SELECT key FROM plans ORDER BY year, loaded")]


def copy_in(server: Server, src: sqlite3.Connection) -> dict[str, int]:
    """Every row of every table of the local ledger into the server's (empty) tables; rows per table."""
    from psycopg import sql

    counts = {}
    for table in pg_schema.tables():
        columns = pg_schema.columns(table)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
        where = f" WHERE key NOT IN ({', '.join('?' * len(_LOCAL_META))})" if table == "meta" else ""
        rows = src.execute(f"SELECT {', '.join(map(q, columns))} FROM {q(table)}{where}", _LOCAL_META if where else ())
        with server.errors(), server.conn.cursor() as cur:
            with cur.copy(statement) as copy:
                for row in rows:
                    copy.write_row(tuple(row))
            counts[table] = cur.rowcount
    counts["history"] = verify_chain(server)
    return counts


def verify_chain(server: Server) -> int:
    """Recompute the history's hash chain from the server's rows: every entry's hash as stored, and numbered
    without a gap. Entries read as the server returns them, so an entry that changed on the way is found."""
    from psycopg.rows import dict_row

    previous, expected = GENESIS, 1
    with server.errors(), server.conn.cursor("gkplan_chain", row_factory=dict_row) as cur:
        cur.execute(f"SELECT {_CHAIN} FROM history ORDER BY id")
        for entry in cur:
            if entry["id"] != expected or entry_hash(previous, entry) != entry["hash"]:
                raise LedgerError(f"台账的历史记录 #{entry['id']} 与哈希链不符（被改动、删除或插入过）；"
                                  "请先在本机运行 gkplan check，未写入服务器")  # fmt: skip
            previous, expected = entry["hash"], expected + 1
    return expected - 1


def seed_difference(server: Server, src: sqlite3.Connection, plan: str) -> str | None:
    """The first table whose seed rows of `plan` differ between the server and the local ledger, or None."""
    for table, select in SEED_ROWS.items():
        ours = {tuple(_same(v) for v in r) for r in src.execute(select.format(p="?"), (plan,))}
        theirs = {tuple(_same(v) for v in r) for r in server.run(select.format(p="%s"), (plan,))}
        if ours != theirs:
            return table
    return None


def _same(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def copy_out(ledger: Any, target: Any, *, force: bool) -> Any:
    """Every row of the server's ledger (as `ledger`'s snapshot sees it) into a new SQLite ledger at `target`,
    written and published like any backup (file_backup.write_database). It keeps the server's identity (a backup
    shares it) and names its own path; the history arrives with its hashes, so `check` verifies the chain."""
    from gkplan.file_backup import write_database
    from gkplan.ledger import schema

    def fill(dest: sqlite3.Connection) -> None:
        schema.create(dest)
        for table in pg_schema.tables():
            columns = pg_schema.columns(table)
            where = f" WHERE key NOT IN ({', '.join('?' * len(_LOCAL_META))})" if table == "meta" else ""
            rows = ledger.conn.execute(f"SELECT {', '.join(map(q, columns))} FROM {q(table)}{where}", _LOCAL_META if where else ())
            insert = f"INSERT INTO {q(table)} ({', '.join(map(q, columns))}) VALUES ({', '.join('?' * len(columns))})"
            while batch := rows.fetchmany(1000):
                dest.executemany(insert, [tuple(r) for r in batch])
        dest.execute("INSERT INTO meta (key, value) VALUES ('path', ?)", (str(Path(target).expanduser().resolve()),))
        dest.commit()

    from pathlib import Path

    with ledger._errors():
        return write_database(fill, None, Path(target), force=force)
