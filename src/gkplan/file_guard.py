"""What a file gkplan writes may never be: a gkplan ledger or one of its -wal/-shm/-journal files, whatever path
names it (symlink, hard link, relative path) — compared by inode and by content, not by name."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from gkplan.errors import LedgerError

APPLICATION_ID = 0x676B706C  # "gkpl"; PRAGMA application_id of a gkplan ledger
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
LEDGER_TABLES = {"points", "history"}  # what ledgers from before APPLICATION_ID are recognised by


def is_ledger_file(path: str | os.PathLike[str]) -> bool:
    """An existing SQLite file that is a gkplan ledger: its header's application_id, or (older ledgers) its tables."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # reading a FIFO would wait forever
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return False
    if not header.startswith(SQLITE_MAGIC):
        return False
    if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return True
    from urllib.parse import quote

    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    # immutable reads the main file alone and leaves no -wal/-shm behind; a WAL in use is read through
    tries = ("", "&immutable=1") if os.path.exists(f"{path}-wal") else ("&immutable=1",)
    for extra in tries:
        try:
            conn = sqlite3.connect(uri + extra, uri=True)
            try:
                if conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:  # still in the WAL
                    return True
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                conn.close()
            return LEDGER_TABLES <= names
        except sqlite3.Error:
            continue
    return True  # a SQLite file we cannot look into might be a damaged ledger: not worth overwriting


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def guard(real: str, shown: Path, protect: Path | None) -> None:
    """Refuse a target that is a ledger or one of its side files — the one in use (`protect`) or any other."""
    if protect is not None:
        ledger = os.path.realpath(protect.expanduser())
        if real == ledger or _same(real, ledger):
            raise LedgerError(f"{shown}: 是正在使用的台账文件本身，不能覆盖；请换一个文件名")
        for suffix in SIDE_SUFFIXES:
            if real == ledger + suffix or _same(real, ledger + suffix):
                raise LedgerError(f"{shown}: 是正在使用的台账的 {suffix} 文件，不能覆盖；请换一个文件名")
    # any other ledger — one in use elsewhere, or a backup — is never replaced, even with --force (README):
    # a backup is the last copy of a ledger's history, and an export or sheet is never worth it
    if os.path.exists(real) and is_ledger_file(real):
        raise LedgerError(f"{shown}: 是一个 gkplan 台账（或台账的备份），不能覆盖，加 --force 也不行；请换一个文件名")
    for suffix in SIDE_SUFFIXES:
        if real.endswith(suffix) and is_ledger_file(real[: -len(suffix)]):
            raise LedgerError(f"{shown}: 是 gkplan 台账 {real[: -len(suffix)]} 的 {suffix} 文件，不能覆盖；请换一个文件名")
