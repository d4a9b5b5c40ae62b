"""SQLite files gkplan writes whole: a ledger's backup, and a server's ledger copied into a file.

Separate from files.py because SQLite, not gkplan, writes the content and needs a name to write to: the file is
made under a pid-named temporary name (file_temp.sweep deletes it if this process is killed), then published
like an export.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from gkplan.errors import LedgerError
from gkplan.file_temp import adopt, remove_temp, sweep, temp_name
from gkplan.files import failed, prepare, publish, reason


def backup_database(source: sqlite3.Connection, source_path: Path, target: Path, *, force: bool) -> Path:
    """SQLite's online backup of `source` into `target` (safe while others write), published like an export.
    SQLite copies page by page: memory stays small."""
    return write_database(source.backup, source_path, target, force=force)


def write_database(fill: Callable[[sqlite3.Connection], None], source_path: Path | None, target: Path, *, force: bool) -> Path:
    """A SQLite file that `fill` writes through the connection it is given, published like an export.

    SQLite needs a file name to write to, so the file is made under a pid-named temporary file that
    sweep() deletes if this process is killed."""
    shown = target.expanduser()
    real, old = prepare(target, force=force, protect=source_path)
    folder = os.path.dirname(real)
    sweep(folder)
    name = temp_name(real)
    try:
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # made by us: the umask applies
        dest = sqlite3.connect(name)
        try:
            # a private file until it is fsynced and published whole (a crash leaves it for sweep), so no
            # journal and no sync along the way: each CREATE TABLE committed alone cost a journal and two fsyncs
            dest.execute("PRAGMA journal_mode = OFF")
            dest.execute("PRAGMA synchronous = OFF")
            fill(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        finally:
            dest.close()
        fd = os.open(name, os.O_RDONLY)
        try:
            adopt(fd, old)
            os.fsync(fd)
        finally:
            os.close(fd)
        publish(name, real, shown, folder, force=force)
    except OSError as exc:
        raise failed(shown, reason(exc)) from None
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if source_path is not None and ("malformed" in text or "not a database" in text):
            raise LedgerError(f"{source_path}: 台账文件已损坏；请从备份恢复") from None
        # SQLite reports a full disk as "full" or (a write refused outright, as past RLIMIT_FSIZE) "I/O"
        why = "磁盘空间不足或超出文件大小限制" if "full" in text else "磁盘 I/O 错误（磁盘可能已满或超出文件大小限制）" if "i/o" in text else str(exc)
        raise failed(shown, why) from None
    finally:
        remove_temp(name)
    return target
