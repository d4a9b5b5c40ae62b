"""Issue 9 §2, the Excel 填报 round trip: `gkplan sheet` hands a department a workbook, `gkplan import`
reads it back. The workbooks are filled with openpyxl as a clerk would fill them in Excel or WPS."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import dump
from gkplan.ledger.schema import SCHEMA_VERSION

V6 = Path(__file__).parent / "data" / "ledger_v6.db"  # made by gkplan at schema 6, before history had a source


def _history(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, by, changes, hash FROM history ORDER BY id").fetchall()
    finally:
        conn.close()


def _meta(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()


def test_a_version_6_ledger_migrates_with_its_chain_intact_and_gets_an_identity(run, tmp_path, monkeypatch):
    db = tmp_path / "v6.db"
    shutil.copy(V6, db)
    chain = _history(V6)
    monkeypatch.setenv("GKPLAN_DB", str(db))
    p17 = run.json("show", "17")
    assert (p17["progress"], p17["problem"]) == (60, "经费未落实")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    assert "source" in [r[1] for r in conn.execute("PRAGMA table_info(history)")]
    conn.close()
    assert _history(db) == chain  # every entry keeps the hash it was chained with
    assert all(h["source"] is None for h in run.json("log")) and len(chain) == 8
    identity = _meta(db)["ledger_id"]
    other = tmp_path / "again.db"  # the same version 6 file upgraded again: the same identity (derived, not drawn)
    shutil.copy(V6, other)
    run("--db", str(other), "depts")
    assert _meta(other)["ledger_id"] == identity and len(identity) == 32
    assert run("check").exit_code == 0
    run("update", "21", "--progress", "30", "--next", "下月验收")
    assert run("check").exit_code == 0


def test_a_new_ledger_draws_its_own_identity(run, ledger, tmp_path, monkeypatch):
    first = _meta(ledger)["ledger_id"]
    monkeypatch.setenv("GKPLAN_DB", str(tmp_path / "second.db"))
    run("depts")
    assert _meta(tmp_path / "second.db")["ledger_id"] != first
    assert dump(ledger)  # (the first is untouched)
