"""Making a new ledger file: whole or not at all, even when two processes start at once on an empty path."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from gkplan.errors import LedgerError
from gkplan.ledger import schema


def create(path: Path, fill) -> bool:  # noqa: ANN001 - fill(Ledger) loads the first plan
    """Make a ledger at `path` whole or not at all: built in a temporary file beside it, then linked into
    place. If another process got there first, theirs stands, ours is discarded, and the answer is False."""
    folder = path.parent
    if not folder.is_dir():
        raise LedgerError(f"{path}: 所在目录不存在")
    if not os.access(folder, os.W_OK):
        raise LedgerError(f"{path}: 无法在该目录创建台账（没有写权限）")
    _sweep(folder, path.name)
    tmp = _temporary(folder, path.name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            # synchronous first: switching an empty file to WAL under the default FULL syncs it four times (a
            # rollback journal's transaction), ~4 ms each on a busy disk; _sync makes the whole file durable
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            schema.create(conn)
            # the identity the workbooks it hands out carry (gkplan sheet): a new ledger draws one (what
            # secrets.token_hex(16) returns, without importing secrets: hmac and OpenSSL, ~4 ms of a first run)
            conn.execute("INSERT INTO meta (key, value) VALUES ('path', ?), ('ledger_id', ?)",
                         (str(path.resolve()), os.urandom(16).hex()))  # fmt: skip
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise LedgerError(f"{path}: 无法创建台账：{exc}") from None
        finally:
            conn.close()
        from gkplan.ledger import Ledger

        ledger = Ledger(tmp)
        try:
            # nobody else can see the temporary file, and it is linked into place only when whole: its first load
            # keeps its rollback journal in memory (a new file's pages have nothing to save) and writes every page
            # once, not to the WAL and again at the checkpoint; the file is synced before it is linked
            ledger.conn.execute("PRAGMA synchronous = OFF")  # (before leaving WAL: its checkpoint would sync)
            ledger.conn.execute("PRAGMA journal_mode = MEMORY")
            fill(ledger)
            ledger.conn.execute("PRAGMA journal_mode = WAL")
        finally:
            ledger.close()
        _sync(tmp)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False  # another process created it meanwhile: use theirs
        except OSError as exc:
            raise LedgerError(f"{path}: 无法创建台账：{exc.strerror or exc}") from None
        return True
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


def _temporary(folder: Path, name: str) -> Path:
    """An empty file of our own beside the ledger, named as _sweep expects: what tempfile.mkstemp does, without
    importing tempfile (random, hashlib, shutil's ~8 M instructions of a first run's start-up)."""
    while True:
        tmp = folder / f".{name}.{os.getpid()}.{os.urandom(6).hex()}.new"
        try:
            os.close(os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
        except FileExistsError:
            continue  # (48 random bits: a clash is all but impossible)
        return tmp


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sweep(folder: Path, name: str) -> None:
    """Remove what a creator killed half-way left behind: its temporary ledger, named with its process id."""
    for tmp in folder.glob(f".{name}.*.new"):
        try:
            pid = int(tmp.name[len(name) + 2 :].split(".", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        except (ValueError, PermissionError):
            pass  # not ours to judge: another user's, or not our name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
