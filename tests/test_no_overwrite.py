"""README: no gkplan ledger — the one in use, another, or an earlier backup — is ever overwritten, even with --force."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import dump

WRITERS = {
    "export json": ["export", "-f", "json", "--force", "-o"],
    "export xlsx": ["export", "-f", "xlsx", "--force", "-o"],
    "backup": ["backup", "--force"],
    "publish": ["publish", "--force", "-o"],
    "sheet": ["sheet", "--dept", "教务部", "--force", "-o"],
    "list -o": ["list", "--force", "-o"],
}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("closed", [True, False])  # a backup lying closed, or a copy with its WAL beside it
def test_a_closed_ledger_or_backup_is_never_overwritten_even_with_force(run, ledger, tmp_path, writer, closed):
    victim = tmp_path / ("victim.xlsx" if "xlsx" in writer or writer in ("sheet", "list -o") else "victim.db")
    run("backup", str(victim))
    if not closed:
        Path(f"{victim}-wal").write_bytes(b"")
    kept, before = victim.read_bytes(), dump(ledger)
    result = run(*WRITERS[writer], str(victim), code=5)
    assert result.stderr.count("\n") == 1 and str(victim) in result.stderr and "不能覆盖，加 --force 也不行" in result.stderr
    assert victim.read_bytes() == kept and dump(ledger) == before


def test_a_copy_of_the_ledger_file_is_not_overwritten(run, ledger, tmp_path):
    if not ledger.exists():
        pytest.skip("the ledger is on a server: no file to copy")
    victim = tmp_path / "victim.db"
    shutil.copy(ledger, victim)
    kept = victim.read_bytes()
    run("export", "-f", "json", "--force", "-o", str(victim), code=5)
    assert victim.read_bytes() == kept


def test_a_file_that_is_no_ledger_is_still_replaced_with_force(run, ledger, tmp_path):
    other = tmp_path / "other.db"
    other.write_bytes(b"not a ledger")
    run("export", "-f", "json", "--force", "-o", str(other))
    assert other.read_bytes().startswith(b"[") or other.read_bytes().startswith(b"{")
