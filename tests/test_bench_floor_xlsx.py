"""The XLSX export's floor (bench/floor/export_xlsx.py) writes the cells gkplan's export writes: every sheet read back
by openpyxl, on the benchmark's generated ledger and on the bundled plan (its tasks and targets: the generated
points have none), and a workbook openpyxl opens without a warning."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl

import test_bench
from test_bench import BENCH, GK, N, floor

bench_data = test_bench.bench_data  # the generated ledger (a fixture: pytest finds it here)

SHEETS = ["概况", "要点", "任务", "指标", "历史"]


def read(path: Path) -> dict[str, list[tuple]]:
    """Each sheet's rows of values; a warning (a part openpyxl had to repair or guess) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
        finally:
            wb.close()


def compare(ours: dict[str, list[tuple]], theirs: dict[str, list[tuple]]) -> None:
    assert list(ours) == list(theirs) == SHEETS
    for title in SHEETS[1:]:  # the same headers and rows of values (days and times read back as datetimes on both sides)
        assert theirs[title] == ours[title], title
    # The cover's lines and table too, but its last line: gkplan's ends with a sentence on the layout (frozen header
    # rows, filters, print titles) that the floor, which writes no layout, leaves out.
    assert theirs["概况"][:-1] == ours["概况"][:-1]
    assert ours["概况"][-1][0].startswith(theirs["概况"][-1][0])


def export_both(env: dict[str, str], db: Path, sql: Path, tmp_path: Path) -> tuple[dict, dict]:
    subprocess.run([GK, "export", "--format", "xlsx", "-o", str(tmp_path / "gk.xlsx")], env=env, check=True, capture_output=True)
    floor("export_xlsx.py", db, sql, str(tmp_path / "floor.xlsx"))
    return read(tmp_path / "gk.xlsx"), read(tmp_path / "floor.xlsx")


def test_the_xlsx_floor_writes_the_cells_gkplan_writes(bench_data, tmp_path):
    ds, env, sql = bench_data
    ours, theirs = export_both(env, ds.db, sql, tmp_path)
    compare(ours, theirs)
    assert len(theirs["要点"]) == N + 1 and len(theirs["历史"]) > N + 1
    blocked = next(r for r in theirs["要点"] if r[0] == 30)  # the 受阻 one, a date and a time among its cells
    assert blocked[5] == "受阻" and blocked[8].year >= 2000 and blocked[17] is not None


def test_the_xlsx_floor_writes_tasks_and_targets_as_gkplan_does(tmp_path):
    env = os.environ | {"GKPLAN_USER": "bench"}  # (conftest's: a ledger of its own, a fixed day)
    for args in (["depts"],  # creates the ledger with the bundled plan: 39 points, their tasks and targets
                 ["target", "set", "7", "总招生数", "--actual", "158万", "--as-of", "2022-06-15"],  # a 约数 met, in 万
                 ["target", "set", "13", "自建课程", "--actual", "3"], ["target", "set", "23", "精品", "--actual", "1"],
                 ["task", "add", "17", "=章程草案 & <附件>", "--due", "2022-05-31", "--weight", "2", "--owner", "王五"],
                 ["task", "update", "1.1", "--progress", "50"], ["update", "2", "--status", "deferred"],
                 ["update", "5", "--progress", "40", "--note", "-进展\n第二行"]):  # fmt: skip
        subprocess.run([GK, *args], env=env, check=True, capture_output=True)
    db, sql = Path(env["GKPLAN_DB"]), tmp_path / "floor.sql"
    subprocess.run([sys.executable, str(BENCH / "floor" / "prepare.py"), str(db), env["GKPLAN_TODAY"], str(sql)], check=True)
    ours, theirs = export_both(env, db, sql, tmp_path)
    compare(ours, theirs)
    assert len(theirs["任务"]) > 40 and len(theirs["指标"]) > 10
    assert ("=章程草案 & <附件>", "王五") in {r[2:4] for r in theirs["任务"]}  # as typed: never a formula
    assert {r[13] for r in theirs["指标"][1:]} >= {"达成", "未报送"}
