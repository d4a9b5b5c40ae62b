"""Listings stream from the cursor (issue 11): a command's peak memory does not grow with the rows it prints.

Each command runs on a ledger of 1,000 and of 10,000 synthetic points (bench/generate.py, loaded by `gkplan load`,
given a history by bench/history.py), piped, so that a table prints every row (two passes, no row kept). Peak
memory (max RSS) is measured by a small parent of its own, as tests/test_seed_hostile.py does: Linux counts the
memory a process had before exec in its children's peak. The bound is generous (8 MiB over the small ledger's
peak); holding the rows costs 20-60 MiB more at 10,000 points. SQLite only: a server's client buffers results.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import server

BENCH = Path(__file__).resolve().parents[1] / "bench"
SRC = Path(__file__).resolve().parents[1] / "src"
MEASURE = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""
COMMANDS = (("list",), ("log",), ("log", "--format", "json"), ("stale",), ("remind",), ("diff", "2021-01-01", "2023-07-01"),
            ("diff", "2021-01-01", "2023-07-01", "--format", "json"))
MARGIN_MIB = 8


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    if server() is not None:
        pytest.skip("memory of a streamed listing is measured on the SQLite file")
    base = tmp_path_factory.mktemp("streaming")
    env = os.environ | {"PYTHONPATH": os.pathsep.join((str(SRC), str(BENCH))), "GKPLAN_TODAY": "2023-07-01"}
    made = {}
    for n in (1000, 10_000):
        folder = base / str(n)
        subprocess.run([sys.executable, str(BENCH / "generate.py"), str(n), str(folder)], check=True, env=env,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        db = folder / "ledger.db"
        subprocess.run([sys.executable, "-m", "gkplan", "load", str(folder / f"seed-{n}.json")], check=True,
                       env=env | {"GKPLAN_DB": str(db)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([sys.executable, str(BENCH / "history.py"), str(db), str(n)], check=True, env=env,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        made[n] = db
    return made


def peak(db: Path, args: tuple[str, ...]) -> float:
    """The command's peak memory in MiB, run piped on `db` as of 2023-07-01."""
    env = os.environ | {"GKPLAN_DB": str(db), "GKPLAN_TODAY": "2023-07-01", "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "gkplan", *args], env=env,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    maxrss, code = (int(x) for x in out.split())
    assert code == 0, args
    return maxrss / 1024


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_peak_memory_does_not_grow_with_the_rows(ledgers: dict[int, Path], args: tuple[str, ...]) -> None:
    small, large = peak(ledgers[1000], args), peak(ledgers[10_000], args)
    assert large <= small + MARGIN_MIB, (args, small, large)
