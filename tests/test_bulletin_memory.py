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
