"""A new ledger is made in a private file, synced once (new._sync) and linked into place: SQLite itself is
told not to sync before anything that would make it (a switch of journal mode under synchronous = FULL
syncs an empty file four times, leaving WAL once more: ~4 ms each on a busy disk, most of a first load's
wait for I/O). Checked as the statements each connection runs, in order."""

from __future__ import annotations

import sqlite3

from gkplan.ledger import new


def test_every_connection_to_the_private_file_turns_syncing_off_before_it_switches_journal_mode(tmp_path, monkeypatch):
    seen: list[list[str]] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        conn = connect(*args, **kwargs)
        statements: list[str] = []
        seen.append(statements)
        conn.set_trace_callback(lambda sql: statements.append(" ".join(sql.split()).upper()))
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    assert new.create(tmp_path / "l.db", lambda ledger: None)
    switches = [(n, i) for n, statements in enumerate(seen) for i, sql in enumerate(statements) if sql.startswith("PRAGMA JOURNAL_MODE")]
    assert len(switches) >= 3  # WAL for the schema; MEMORY for the first load, WAL again after it
    for n, i in switches:
        assert "PRAGMA SYNCHRONOUS = OFF" in seen[n][:i], seen[n]
    with connect(tmp_path / "l.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
