"""Exports stream: the whole ledger's export (every format) and `-o FILE` of a listing take no more
memory at 20,000 points (and as many history entries) than at 2,000. Peak memory is the exporting
process's own max RSS, measured by a small parent of its own (see test_seed_hostile.MEASURE: Linux
counts what a process had before exec, so a child started straight from pytest reports pytest's size).
Times are not asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_seed_hostile import MEASURE

BENCH = Path(__file__).resolve().parents[1] / "bench"
MARGIN_MIB = 8  # allocator noise; holding 18,000 more points and entries costs tens of MiB


def _env(db: Path) -> dict[str, str]:
    return os.environ | {"GKPLAN_DB": str(db), "GKPLAN_TODAY": "2023-07-01", "GKPLAN_USER": "测试", "NO_COLOR": "1",
                         "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")])}  # fmt: skip


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory):
    sys.path.insert(0, str(BENCH))
    import generate

    out = {}
    for n in (2_000, 20_000):
        where = tmp_path_factory.mktemp(f"n{n}")
        _, seed, _ = generate.write(n, where)
        db = where / "ledger.db"
        subprocess.run([sys.executable, "-m", "gkplan", "load", str(seed)], env=_env(db), check=True, capture_output=True)
        subprocess.run([sys.executable, str(BENCH / "history.py"), str(db), str(n)], env=_env(db), check=True)
        out[n] = db
    return out


def peak_mib(db: Path, *args: str) -> float:
    """The peak memory of `gkplan args…` in its own process (MiB)."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "gkplan", *args], env=_env(db),
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    maxrss, code = (int(x) for x in proc.stdout.split())
    assert code == 0, proc.stderr
    return maxrss / 1024


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "md"])
def test_the_export_s_memory_does_not_grow_with_the_ledger(ledgers, tmp_path, fmt):
    small, large = (peak_mib(db, "export", "-f", fmt, "-o", str(tmp_path / f"{n}.{fmt}")) for n, db in ledgers.items())
    assert large <= small + MARGIN_MIB, (small, large)


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "json"])
def test_a_listing_written_to_a_file_does_not_grow_with_the_ledger(ledgers, tmp_path, suffix):
    small, large = (peak_mib(db, "list", "-o", str(tmp_path / f"{n}.{suffix}")) for n, db in ledgers.items())
    assert large <= small + MARGIN_MIB, (small, large)


def test_the_published_page_s_memory_does_not_grow_with_the_ledger(ledgers, tmp_path):
    """publish writes its SQLite file row by row (it once built every table, then the whole file, in memory)."""
    small, large = (peak_mib(db, "publish", "-o", str(tmp_path / f"{n}.db")) for n, db in ledgers.items())
    assert large <= small + MARGIN_MIB, (small, large)
