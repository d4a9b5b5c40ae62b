"""The benchmark's smoke test: the generator and the runner work at N = 39. Times are not asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import generate  # noqa: E402


def test_generator_writes_the_same_records_three_ways(tmp_path):
    seed_yaml, seed_json, tw = generate.write(39, tmp_path)
    as_yaml = yaml.safe_load(seed_yaml.read_text(encoding="utf-8"))
    as_json = json.loads(seed_json.read_text(encoding="utf-8"))
    tasks = [json.loads(line) for line in tw.read_text(encoding="utf-8").splitlines()]
    assert len(as_yaml["points"]) == len(as_json["points"]) == len(tasks) == 39
    assert [p["title"] for p in as_json["points"]] == [t["description"] for t in tasks]
    overdue = [p for p in as_json["points"] if p["due"] < generate.AS_OF.isoformat()]
    assert len(overdue) == 13  # a third


def test_runner_measures_and_writes_a_table(tmp_path):
    out = tmp_path / "perf.md"
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--n", "39", "--runs", "1", "--without-taskwarrior",
         "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    table = out.read_text(encoding="utf-8")
    assert "| cold start" in table and "| `report --overdue` (table, all rows) |" in table
    assert table.count("\n|") >= 11


def test_the_server_benchmark_runs_and_loses_no_update(tmp_path):
    out = tmp_path / "pg.md"
    result = subprocess.run([sys.executable, str(BENCH / "pg.py"), "--n", "39", "--runs", "1", "--updates", "8", "--out", str(out)],
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    table = out.read_text(encoding="utf-8")
    assert "| cold `list --dept " in table and "| cold `update` |" in table
    assert [line.split(" | ")[3:5] for line in table.splitlines() if line.startswith(("| 1 |", "| 8 |", "| 32 |"))] == [["8", "yes |"]] * 3
