"""A SQLite ledger edited behind gkplan's back (an unknown status, a progress that is text, a fraction, negative
or huge): every report and export still runs — such rows shown as they are or counted under no status — and
`gkplan check` names them and fails with its code (7), never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import dump

EDITS = {"progress='abc'": 7, "status='weird'": 8, "progress=999999999999": 9, "progress=2.5": 11, "progress=-3": 12}
READS = [
    ["report"], ["report", "--overview"], ["report", "--by", "leader"], ["report", "--by", "section"],
    ["report", "--format", "json"], ["report", "--overview", "--format", "json"], ["report", "--format", "csv"],
    ["report", "--overdue"], ["list"], ["show", "7"], ["bulletin"], ["bulletin", "--format", "json"], ["brief", "--leader", "李松"],
    ["remind"], ["stale"], ["missing"], ["depts"],
]  # fmt: skip
EXPORTS = ("xlsx", "md", "csv", "json")


def _edit(db: Path, *edits: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for edit in edits:
            conn.execute(f"UPDATE points SET {edit} WHERE id = {EDITS[edit]}")
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(params=["today", "as of"])
def edited(run, isolated, request, monkeypatch) -> Path:
    """The bundled plan with every edit; "as of": a later change is in the ledger, so that reports of today
    count the points as of a day (ledger/asof.py) rather than from today's table."""
    run("depts")
    if request.param == "as of":
        monkeypatch.setenv("GKPLAN_TODAY", "2022-07-15")
        run("update", "10", "--progress", "30")
        monkeypatch.setenv("GKPLAN_TODAY", "2022-06-30")
    _edit(isolated, *EDITS)
    return isolated


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_every_report_runs_on_hand_edited_rows(run, edited, args):
    before = dump(edited)
    result = run(*args)
    assert all(len(line) < 400 for line in result.stdout.splitlines())  # the overview's bar: 20 cells, not 5·10¹⁰
    assert dump(edited) == before


@pytest.mark.parametrize("kind", EXPORTS)
def test_every_export_runs_on_hand_edited_rows(run, edited, tmp_path, kind):
    run("export", "-f", kind, "-o", str(tmp_path / f"out.{kind}"))
    assert (tmp_path / f"out.{kind}").stat().st_size > 0


def test_publish_runs_on_hand_edited_rows(run, edited, tmp_path):
    run("publish", "-o", str(tmp_path / "pub.db"))


def test_the_totals_still_count_every_point(run, edited):
    total = run.json("report", "--overview")["total"]
    assert total["points"] == 39


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("full", [False, True])
def test_check_names_a_hand_edited_row_and_fails_with_7(run, isolated, edit, full):
    run("depts")
    _edit(isolated, edit)
    before = dump(isolated)
    result = run("check", *(["--full"] if full else []), code=7)
    assert f"第 {EDITS[edit]} 项" in result.stdout and result.stderr.startswith("错误：台账检查发现问题")
    assert dump(isolated) == before


def test_the_overview_bar_of_a_huge_progress_is_at_most_full(run, isolated):
    run("depts")
    conn = sqlite3.connect(isolated)
    conn.execute("UPDATE points SET progress = 999999999999")
    conn.commit()
    conn.close()
    out = run("report", "--overview").stdout
    assert "#" * 20 in out and "#" * 21 not in out


@pytest.mark.parametrize("edit", ["UPDATE points SET progress = 60, status = 'in_progress', note = '改过' WHERE id = 22",
                                  "UPDATE tasks SET owner = '张三' WHERE point = 21 AND seq = 1",
                                  "UPDATE targets SET actual = 5 WHERE point = 13"])  # fmt: skip
def test_check_names_a_value_written_past_the_history(run, isolated, edit):
    """A plausible value on an item that never had an entry: no replay looked at it, so `check` passed."""
    run("depts")
    conn = sqlite3.connect(isolated)
    with conn:
        conn.execute(edit)
    conn.close()
    result = run("check", "--full", code=7)
    assert "台账中有修改，历史中没有记录" in result.stdout
