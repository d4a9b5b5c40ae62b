"""A server command's cold start beyond gkplan's own (issue 11): psycopg's import, and the round trips to the
server, each a wait of ~1 ms on a local socket (as much as a small query's own work). What needs no answer of its
own goes with the next statement (ledger/pg_statements.py: pending); these tests pin how many round trips a
command makes, that what waits is sent, in order, and never where it would fail, and how psycopg is imported."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import TODAY

# libpq's own trace of the protocol (PQtrace), switched on where the connection is made: the messages the
# client sends. Each Sync (an extended-protocol request, or a pipeline's end) or Query is one request that the
# client then waits on: one round trip (the connection's start-up before it not counted).
PROBE = """
import sys
import psycopg
from psycopg import pq
_connect = psycopg.Connection.connect
trace = open({trace!r}, "w")
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    conn.pgconn.trace(trace.fileno())
    conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
    return conn
psycopg.connect = psycopg.Connection.connect = connect
sys.argv = ["gkplan", *{argv!r}]
from gkplan import main
main()
"""


def round_trips(tmp_path, argv: list[str]) -> int:
    trace = tmp_path / "pq.trace"
    env = os.environ | {"GKPLAN_TODAY": TODAY, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE.format(trace=str(trace), argv=argv)], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    sent = [line.split("\t") for line in trace.read_text(encoding="utf-8").splitlines()]
    return sum(1 for m in sent if m[0] == "F" and m[2].split(" ")[0] in ("Sync", "Query"))


@pytest.mark.parametrize(("argv", "trips"), [(["show", "17"], 9), (["update", "17", "--note", "进展"], 20),
                                             (["list", "--dept", "教务部"], 4)], ids=lambda v: v[0] if isinstance(v, list) else "")  # fmt: skip
def test_a_command_makes_few_round_trips(tmp_path, pg_ledger, monkeypatch, argv, trips):
    """show 32 → 9, update 30 → 20, list --dept 9 → 4 (here; at 100,000 points, bench/pg.py: 24 → 7, 16 → 8,
    9 → 4): the schema check with the plans and each plan's latest effective day; BEGIN and the writers'
    lock with a transaction's first statement; a listing's DECLARE with its first batch, its CLOSE with the
    next statement; a write whose answer is not read (history's INSERTs, the UPDATE) with the next statement;
    what a change read of the item not read again to record it."""
    monkeypatch.setenv("GKPLAN_DB", pg_ledger)
    assert round_trips(tmp_path, argv) == trips, argv


@pytest.fixture
def opened(pg_ledger):
    from gkplan.ledger import open_server

    ledger = open_server(pg_ledger)
    yield ledger
    ledger.close()


def cursors(ledger) -> int:
    """The session's open cursors of listings, after whatever was pending."""
    return ledger.conn.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE 'gk_rows_%'").fetchone()[0]


@pytest.mark.parametrize("piped", [True, False], ids=("pipeline", "libpq-without-pipelines"))
def test_a_listing_longer_than_a_batch_comes_whole_with_statements_between_its_rows(opened, monkeypatch, piped):
    from gkplan.ledger import pg_connection

    monkeypatch.setattr(pg_connection, "BATCH", 3)
    opened.conn.piped = piped
    ids = [r["id"] for r in opened.conn.execute("SELECT id FROM points ORDER BY id").fetchall()]
    assert len(ids) > 7
    seen = []
    for row in opened.rows("SELECT id FROM points ORDER BY id"):
        seen.append(row["id"])
        assert opened.conn.execute("SELECT 1").fetchone()[0] == 1
    assert seen == ids and cursors(opened) == 0
    rows = opened.rows("SELECT id FROM points ORDER BY id")  # one left before its end: closed all the same
    assert [next(rows)["id"], next(rows)["id"]] == ids[:2]
    rows.close()
    assert cursors(opened) == 0
    with opened.snapshot():  # exactly one batch: the next (empty) batch tells
        assert [r[0] for r in opened.rows("SELECT id FROM points ORDER BY id LIMIT 3")] == ids[:3]
    assert cursors(opened) == 0 and not opened.conn.in_transaction


@pytest.mark.parametrize("piped", [True, False], ids=("pipeline", "libpq-without-pipelines"))
def test_a_transaction_begins_with_its_first_statement_and_a_rollback_forgets_its_cursors(opened, piped):
    from gkplan.errors import Cancelled

    opened.conn.piped = piped
    with opened.snapshot():  # a snapshot inside a snapshot: one transaction, though its BEGIN has not gone yet
        with opened.snapshot():
            assert opened.conn.execute("SELECT current_setting('transaction_isolation')").fetchone()[0] == "repeatable read"
        assert opened.conn.in_transaction
    assert not opened.conn.in_transaction
    with opened.transaction():  # nothing ran in it: nothing sent
        pass
    assert opened.conn.pending == [] and not opened.conn.in_transaction
    with pytest.raises(Cancelled), opened.transaction():
        assert [r[0] for r in opened.rows("SELECT 1")] == [1]  # its CLOSE waits; the rollback takes the cursor
        assert opened.conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                                   ).fetchone()[0] == 1  # the writers' lock was taken first  # fmt: skip
        raise Cancelled()
    assert cursors(opened) == 0 and opened.conn.execute("SELECT 2").fetchone()[0] == 2


def test_psycopg_is_imported_without_collections_and_set_aside_after(pg_ledger):
    """psycopg's import makes tens of thousands of objects that live as long as the process: the collector walked them
    again and again while they were made (~17M instructions of a server command); none runs while it is
    imported, then they are frozen (gc.freeze) and the collector is on again for the command."""
    spy = ("import gc, sys\n_freeze = gc.freeze\n"
           "def freeze():\n    sys.stderr.write(f\"FREEZE {gc.isenabled()} {'psycopg' in sys.modules}\\n\")\n    _freeze()\n"
           "gc.freeze = freeze\nsys.argv = ['gkplan', 'plans']\nfrom gkplan import main\n"
           "import atexit\natexit.register(lambda: sys.stderr.write(f'EXIT {gc.isenabled()} {gc.get_freeze_count() > 0}\\n'))\n"
           "main()\n")  # fmt: skip
    env = os.environ | {"GKPLAN_DB": pg_ledger, "GKPLAN_TODAY": TODAY, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", spy], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # the CLI's own freeze (gkplan.main), before psycopg; psycopg's, with it imported; the collector on after both
    assert done.stderr.split("\n")[:3] == ["FREEZE False False", "FREEZE False True", "EXIT True True"], done.stderr


def test_a_statement_failing_in_a_pipeline_is_raised_as_itself_and_nothing_else_is_said(opened, caplog):
    """psycopg, left by an error, logs each later statement's "pipeline aborted" on stderr (a second line under
    the one Chinese line of a refusal); the first failure is raised once the pipeline is left, the others dropped."""
    import psycopg

    opened.conn.pending.append(("SELECT 1", ()))
    with pytest.raises(psycopg.errors.DivisionByZero):
        # enough after it that its error comes back while they are still being sent (inside the pipeline)
        opened.conn.batch([("SELECT 1 / 0", ()), *((f"SELECT {n}", ()) for n in range(200))])
    assert [r.getMessage() for r in caplog.records if r.name.startswith("psycopg")] == []
    assert opened.conn.execute("SELECT 4").fetchone()[0] == 4 and not opened.conn.in_transaction


def test_plans_read_ahead_are_not_used_in_a_later_snapshot(opened, ledger_server, pg_ledger):
    """The plans (and each plan's latest day) read with the connection's first query are from before a snapshot
    begun later: the snapshot's reads see the ledger as the snapshot does, another writer's change included."""
    from psycopg.conninfo import conninfo_to_dict

    database = conninfo_to_dict(pg_ledger)["dbname"]
    ledger_server.sql("UPDATE plans SET title = title || '（修订）', grown = '2999-01-01'", database=database)
    with opened.snapshot():
        assert opened.all_plans()[-1]["title"].endswith("（修订）")
        assert opened.latest_effective() == "2999-01-01"
