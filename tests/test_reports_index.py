"""Schema 8's reports' index (idx_history_report: the history's updates and additions only): `stale` finds each item's latest report through it on both engines; a version 7 ledger, file or server, is upgraded to it."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import server
from test_reload_versions import to_version_8
from gkplan.ledger import connection, pg_connection, schema

V7 = Path(__file__).parent / "data" / "ledger_v7.db"  # made by gkplan at schema 7: updates, a task added, an undo


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The plan of every listing that asks for items' latest reports, as the engine would run it (SQLite's EXPLAIN
    QUERY PLAN; PostgreSQL's EXPLAIN with sequential scans off: at 39 points reading history whole is rightly
    cheaper, and the test asks which index it takes when it takes one)."""
    found: list[str] = []

    def sqlite_rows(self, sql, params=()):  # noqa: ANN001, ANN202
        if "last_update" in sql:
            found.append("\n".join(r[3] for r in self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)))
        return sqlite_original(self, sql, params)

    def pg_rows(self, sql, params=()):  # noqa: ANN001, ANN202
        if "last_update" in sql:
            self.conn.execute("SET enable_seqscan = off")
            found.append("\n".join(r[0] for r in self.conn.execute(f"EXPLAIN {sql}", params)))
            self.conn.execute("RESET enable_seqscan")
        return pg_original(self, sql, params)

    sqlite_original, pg_original = connection.Connection.rows, pg_connection.PgConnection.rows
    monkeypatch.setattr(connection.Connection, "rows", sqlite_rows)
    monkeypatch.setattr(pg_connection.PgConnection, "rows", pg_rows)
    return found


@pytest.mark.parametrize("args", [("stale",), ("stale", "--as-of", "2022-06-01", "--days", "7")])
def test_latest_reports_are_read_through_the_reports_index(run, ledger, plans, args):
    run("update", "17", "--progress", "40", "--date", "2022-05-10")
    run("task", "add", "21", "编制实施细则", "--date", "2022-05-15")
    run("update", "18", "--progress", "50", "--date", "2022-06-20")  # later than June 1st: as of then, the points as of a day
    run(*args, "--format", "json")
    assert len(plans) == 2, plans  # the points' listing and the tasks'
    for plan in plans:
        assert "idx_history_report" in plan, plan
        if server() is None:  # the index alone: the entries themselves are never read
            assert "USING COVERING INDEX idx_history_report" in plan and "idx_history_item" not in plan, plan
            # nor, for each point, every point's latest report scanned whole: on the points as of a day (a subquery)
            # SQLite did not index the grouped reports for the join, and `stale --as-of` at 100,000 points took minutes
            assert "SCAN r LEFT-JOIN" not in plan, plan  # (r: ledger.query.quiet_points' grouped reports)


def test_the_reports_index_holds_what_the_query_counts_as_a_report(run, ledger):
    """One condition (schema.REPORTED) for the index and the query: what `stale` reads through it are the days
    of exactly the updates and additions, not the other entries (derive, undo, load, migrate)."""
    run("update", "17", "--progress", "40", "--date", "2022-05-10")
    run("task", "update", "17.1", "--progress", "50", "--date", "2022-05-20")  # derives 17's progress: not a report
    run("update", "18", "--progress", "10", "--date", "2022-05-12")
    run("undo")  # today's entry, and no report: 18's latest report stays the one undone
    quiet = {r["id"]: r["last_update"] for r in run.json("stale", "--days", "5")}
    assert (quiet["17"], quiet["17.1"], quiet["18"], quiet["19"]) == ("2022-05-20", "2022-05-20", "2022-05-12", None)
    assert "REPORTED" not in schema.TABLES and schema.REPORTED in schema.index_statement("idx_history_report")


@pytest.mark.sqlite_only
def test_a_version_7_ledger_gets_the_reports_index_and_reads_as_before(run, tmp_path, monkeypatch, plans):
    db = tmp_path / "v7.db"
    shutil.copy(V7, db)
    monkeypatch.setenv("GKPLAN_DB", str(db))
    quiet = run.json("stale")  # what gkplan at schema 7 listed on this file
    assert len(quiet) == 109
    assert [(r["id"], r["last_update"]) for r in quiet if r["last_update"]] == [
        ("17", "2022-05-12"), ("17.1", "2022-05-12"), ("3", "2022-05-20")]  # fmt: skip
    assert not {"9", "21", "21.2"} & {r["id"] for r in quiet}  # reported in June (21.2: added)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("SELECT sql FROM sqlite_master WHERE name = 'idx_history_report'").fetchone()[0] == (
        schema.index_statement("idx_history_report"))  # fmt: skip
    conn.close()
    assert all("idx_history_report" in plan for plan in plans)
    assert run("check", "--full").exit_code == 0
    run("update", "1", "--progress", "50")  # a report written into the new index
    assert [r["id"] for r in run.json("stale")] == [r["id"] for r in quiet if r["id"] != "1"]


def _to_version_7(dsn: str) -> None:
    """A server ledger as gkplan at schema 7 left it: without the reports' index (nor what came after)."""
    to_version_8(dsn)
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP INDEX idx_history_report")
        conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")


def _has_index(dsn: str) -> list:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_history_report'").fetchall()


def test_a_version_7_server_ledger_is_upgraded_by_an_administrators_command(run, pgdb, monkeypatch):
    assert run("admin", "init", pgdb).exit_code == 0
    assert "WHERE (action = ANY" in _has_index(pgdb)[0][0]
    _to_version_7(pgdb)
    monkeypatch.setenv("GKPLAN_DB", pgdb)
    message = run("stale", code=5).stderr
    assert message.count("\n") == 1 and "结构版本为 7" in message and "admin roles" in message
    assert run.json("admin", "roles", "--dsn", pgdb)[0]["role"] == "gkplan_office"  # upgrades, then lists
    assert _has_index(pgdb) and run("check").exit_code == 0
    run("update", "17", "--progress", "40")
    assert "17" not in {r["id"] for r in run.json("stale")}
    _to_version_7(pgdb)
    assert run.json("admin", "init", pgdb)["loaded"] is False  # init on the same plan upgrades too
    assert _has_index(pgdb) and run("check").exit_code == 0
    with psycopg.connect(pgdb) as conn:
        conn.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")  # no server ledger was ever 6
    assert "结构版本为 6" in run("admin", "roles", "--dsn", pgdb, code=5).stderr


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["17", "18", "10", "17.1", "10.2"]), st.integers(0, 90)), min_size=1, max_size=4),
       st.integers(20, 90), st.integers(0, 60))  # fmt: skip
def test_each_items_latest_report_is_the_latest_of_its_reports_in_the_history(run, ledger, reports, as_of, days):
    """`stale`'s last update of an item, worked out for every point at once (ledger.query.quiet_points) and for a
    task by a lookup, is the latest day of its reports up to the as-of day as the history lists them: a point's
    own, its tasks' and its targets'; a task's its own."""
    start = date(2022, 4, 1)  # the plan's first day, up to TODAY
    for item, day in reports:
        run(*(("task", "update") if "." in item else ("update",)), item, "--note", f"进展 {day}", "--date",
            (start + timedelta(days=day)).isoformat())  # fmt: skip
    day = (start + timedelta(days=as_of)).isoformat()
    latest: dict[str, str] = {}
    for e in run.json("log"):
        if e["action"] in ("update", "add") and e["effective"] <= day:
            for key in (str(e["point"]), *([f"{e['point']}.{e['ref']}"] if e["entity"] == "task" else [])):
                latest[key] = max(latest.get(key, ""), e["effective"])
    rows = run.json("stale", "--as-of", day, "--days", str(days))
    assert rows and [r["last_update"] for r in rows] == [latest.get(r["id"]) for r in rows]
    cutoff = (date.fromisoformat(day) - timedelta(days=days)).isoformat()
    assert all(r["last_update"] is None or r["last_update"] <= cutoff for r in rows)
    assert [(r["last_update"] is not None, r["last_update"] or "") for r in rows] == sorted(
        (r["last_update"] is not None, r["last_update"] or "") for r in rows)  # fmt: skip
    listed = {r["id"] for r in rows}
    assert all(latest[k] > cutoff for k in latest if k not in listed and k in {i for i, _ in reports})
