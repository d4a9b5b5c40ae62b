"""The supervision cycle's outputs stream: the bulletin (every format), `missing` and `brief` take no more memory
at 20,000 points (and as many history entries) than at 2,000. The ledgers and the measure are
test_export_memory's (a small parent of the command's own reads its max RSS). Times are not asserted."""

from __future__ import annotations

import pytest

from test_export_memory import MARGIN_MIB, ledgers, peak_mib

__all__ = ["ledgers"]  # the module's fixture: one pair of ledgers for this module too


@pytest.mark.parametrize("args", [
    ("bulletin",), ("bulletin", "--format", "json"), ("bulletin", "--format", "md"), ("missing",),
    ("missing", "--format", "json"), ("missing", "--format", "csv"), ("brief", "--leader", "李松"),
    ("brief", "--leader", "李松", "--format", "json"),
], ids=" ".join)  # fmt: skip
def test_the_views_memory_does_not_grow_with_the_ledger(ledgers, args):
    small, large = (peak_mib(db, *args) for db in ledgers.values())
    assert large <= small + MARGIN_MIB, (small, large)


@pytest.mark.parametrize("suffix", ["xlsx", "md", "json"])
def test_a_bulletin_written_to_a_file_does_not_grow_with_the_ledger(ledgers, tmp_path, suffix):
    small, large = (peak_mib(db, "bulletin", "-o", str(tmp_path / f"{n}.{suffix}")) for n, db in ledgers.items())
    assert large <= small + MARGIN_MIB, (small, large)


def python_peak_kib(db, *args: str) -> float:
    """The peak of Python's own allocations (tracemalloc) while `gkplan args…` runs: finer than the max RSS,
    which a few hundred KiB of objects a row's worth per item do not move at these sizes."""
    import subprocess
    import sys

    from test_export_memory import _env

    probe = ("import sys, tracemalloc\ntracemalloc.start()\n"
             f"sys.argv = {['gkplan', *args]!r}\nfrom gkplan.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('PEAK', tracemalloc.get_traced_memory()[1], file=sys.stderr)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], env=_env(db), capture_output=True, text=True, timeout=600)
    return int(out.stderr.rsplit("PEAK ", 1)[1]) / 1024


@pytest.mark.parametrize("args", [("bulletin", "--format", "json"), ("brief", "--leader", "李松", "--format", "csv"),
                                  ("remind", "--format", "ndjson")],
                         ids=" ".join)  # fmt: skip
def test_the_views_hold_no_python_object_per_item(ledgers, args):
    """A leader's items were a set of tuples, ~100 bytes an item (~200 KiB more at 20,000 points than at 2,000),
    which the max RSS at these sizes does not show; a department's deviations were a list of floats; a notice's
    ndjson line was built whole (76 MiB for a department of a million-point plan). CSV: the
    JSON writer's bounded caches would hide the difference. An installed gkplan's peak still grows ~200 KiB
    from 2,000 to 20,000 points (an editable install's larger start hides it); not yet traced, hence 300."""
    small, large = (python_peak_kib(db, *args) for db in ledgers.values())
    assert large <= small + 300, (small, large)


def test_a_leaders_page_finds_the_leader_by_index(tmp_path):
    """`brief --leader` once resolved the name from names("leader"): every leader with every point id of theirs,
    ~150,000 ids each at a million points (51 MiB of Python objects). It must not list them."""
    import os
    import subprocess
    import sys

    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "GKPLAN_TODAY": "2022-07-15"}
    probe = ("import sys\nfrom gkplan.ledger.points import PointsMixin\n"
             "def listing(self, kind):\n    raise AssertionError('names() listed every point id')\n"
             "PointsMixin.names = listing\nPointsMixin.iter_names = listing\n"
             "sys.argv = ['gkplan', 'brief', '--leader', 'ls', '--format', 'json']\nfrom gkplan.cli import main\nmain()\n")  # fmt: skip
    subprocess.run([sys.executable, "-m", "gkplan", "depts"], env=env, capture_output=True, check=True)
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and '"leader": "李松"' in out.stdout, out.stderr[-500:]
