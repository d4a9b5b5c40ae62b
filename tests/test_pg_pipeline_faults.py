"""Faults around the server ledger's pipelines (ledger/pg_statements.py): what a user sees when a statement sent
with queued ones (BEGIN, the writers' lock, a spent cursor's CLOSE) is interrupted or fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from conftest import TODAY
from gkplan.ledger.pg_connection import WRITE_LOCK


def test_ctrl_c_while_waiting_for_the_writers_lock_is_one_line_and_exit_130(pg_ledger, ledger_server):
    """Another writer holds the lock; Ctrl-C while `update` waits for it (the lock is sent in a pipeline with the
    transaction's first statement): one Chinese line, exit 130, nothing from psycopg's logger, nothing written."""
    database = pg_ledger.split("@/", 1)[1].split("?", 1)[0]
    holder = psycopg.connect(ledger_server.dsn(database), autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
        before = holder.execute("SELECT count(*) FROM history").fetchone()[0]
        env = os.environ | {"GKPLAN_DB": pg_ledger, "GKPLAN_TODAY": TODAY, "NO_COLOR": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "gkplan", "update", "17", "--note", "进展"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        deadline = time.monotonic() + 60
        while holder.execute(waiting).fetchone()[0] == 0:
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert len(err.strip().splitlines()) == 1, err
        assert holder.execute("SELECT count(*) FROM history").fetchone()[0] == before
    finally:
        holder.close()


@pytest.fixture
def opened(pg_ledger):
    from gkplan.ledger import open_server

    ledger = open_server(pg_ledger)
    yield ledger
    ledger.close()


@pytest.mark.parametrize("piped", [True, False], ids=("pipeline", "libpq-without-pipelines"))
def test_a_snapshot_right_after_a_listing_is_a_repeatable_read(opened, piped):
    """A listing's CLOSE waits for the next statement; when that is a snapshot's first read, the CLOSE went before
    the snapshot's BEGIN ISOLATION LEVEL REPEATABLE READ in one implicit transaction, and the server refused the
    BEGIN ("SET TRANSACTION ISOLATION LEVEL must be called before any query"): a traceback, not a snapshot."""
    opened.conn.piped = piped
    ids = [r["id"] for r in opened.rows("SELECT id FROM points ORDER BY id")]
    assert ids and opened.conn.pending  # the listing's CLOSE waits
    with opened.snapshot():
        level = opened.conn.execute("SELECT current_setting('transaction_isolation')").fetchone()[0]
        assert [r[0] for r in opened.conn.execute("SELECT id FROM points ORDER BY id")] == ids
    assert level == "repeatable read"
    assert opened.conn.execute("SELECT count(*) FROM pg_cursors").fetchone()[0] == 0 and not opened.conn.in_transaction


def test_writers_take_turns_on_a_database_whose_default_isolation_is_repeatable_read(pg_ledger, ledger_server):
    """An administrator may make a database's transactions repeatable read (or serializable) by default. A writer's
    transaction took its snapshot with its first statement, the writers' lock, before that lock was granted: every
    writer that waited read the history as it was before the one it waited for, and wrote the same next number
    (UniqueViolation, a traceback). Writers' transactions are read committed whatever the default."""
    database = pg_ledger.split("@/", 1)[1].split("?", 1)[0]
    ledger_server.sql(f"ALTER DATABASE {database} SET default_transaction_isolation = 'repeatable read'")
    count = "SELECT count(*) FROM history"
    before = ledger_server.sql(count, database=database)[0][0]
    env = os.environ | {"GKPLAN_DB": pg_ledger, "GKPLAN_TODAY": TODAY, "NO_COLOR": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "gkplan", "update", "17", "--note", f"进展{k}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(6)]  # fmt: skip
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    assert ledger_server.sql(count, database=database)[0][0] == before + 6


def test_a_write_to_a_read_only_database_is_one_line_and_exit_10(pg_ledger, ledger_server):
    """A database (or login) made read-only by default, or a standby server: the server refuses the write
    (ReadOnlySqlTransaction), which came out as a traceback; it is one Chinese line, nothing written."""
    database = pg_ledger.split("@/", 1)[1].split("?", 1)[0]
    ledger_server.sql(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
    count = "SELECT count(*) FROM history"
    before = ledger_server.sql(count, database=database)[0][0]
    env = os.environ | {"GKPLAN_DB": pg_ledger, "GKPLAN_TODAY": TODAY, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "gkplan", "update", "17", "--note", "进展"], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 10, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "只允许读取" in done.stderr, done.stderr
    assert ledger_server.sql(count, database=database)[0][0] == before


@pytest.mark.parametrize("piped", [True, False], ids=("pipeline", "libpq-without-pipelines"))
def test_a_listing_left_open_by_a_rolled_back_write_is_not_closed_twice(opened, piped):
    """A listing begun inside a write whose transaction then rolls back: the rollback drops its cursor, and the
    listing closed afterwards queued a CLOSE of that cursor for the next statement, which the server refused
    ("cursor does not exist"): the next read failed with an unmapped error."""
    opened.conn.piped = piped
    listing = None
    with pytest.raises(RuntimeError):
        with opened.transaction():
            listing = opened.rows("SELECT id FROM points ORDER BY id")
            assert next(listing)["id"] == 1
            raise RuntimeError("the write fails")
    listing.close()
    assert opened.conn.execute("SELECT count(*) FROM points").fetchone()[0] > 1
    assert opened.conn.execute("SELECT count(*) FROM pg_cursors").fetchone()[0] == 0 and not opened.conn.in_transaction
