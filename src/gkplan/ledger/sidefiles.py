"""The -wal and -shm files beside a ledger: who may make them, and when they may go; and the turns taken for it.

SQLite deletes a WAL ledger's -wal and -shm when its last connection closes, and makes them anew at the
next open — even for a connection that may only read, when it may write the folder (one like /tmp). Made
by a reader they are the reader's, and the owner's next write fails as read-only. So the moments that
make or delete them are taken in turn, under a flock on the ledger file itself (a descriptor opened
read-only is enough): an owner holds it exclusively while it opens (SQLite makes them) and while it closes
(SQLite may delete them); a reader holds it shared while it looks for them and opens. A reader that finds
both has them open before any owner may close, and SQLite's own locks (in the -shm) then keep them in
place, and keep checkpoints off the pages it reads, until the reader is done: it lets go of the flock
once open.

A reader that does not find both reads the file as immutable and makes nothing — but then SQLite takes no
lock for it at all, and an owner's checkpoint (automatic, or on closing) would write pages into the file
under it: a torn read, an error or silently wrong rows. So an immutable reader keeps its shared flock until
its connection closes. An owner cannot open meanwhile, and with no owner open nothing writes to the file;
an owner that is open made the side files first, so a reader arriving then does not read immutable.

No one waits for ever on a turn (a reader's listing may sit in a paused pager): `lock` tries again until the
busy timeout SQLite itself is given (connection.BUSY_TIMEOUT_MS), then gives up with `Busy`, which the
connection tells the user as the ledger being in use — nothing opened, nothing changed. Except on closing:
an owner's change is saved by then, and only an immutable reader holds a turn that long (one that could not
use the -shm of an owner already open), which removing the side files does not touch; so it closes anyway.
That reader is the one case this does not make safe: it reads the file while that owner may checkpoint.

The descriptor stays open as long as the connection: closing any descriptor of a file drops every POSIX
lock this process holds on it, SQLite's included (and its flock with it, which is how a reader's ends).

Since SQLite names the side files after the path it is given, the one name a ledger is opened by is here too
(`canonical`).
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: side files are not owned by whoever made them, and nothing needs taking in turn
    fcntl = None  # type: ignore[assignment]


def hold(path: Path) -> int | None:
    """A descriptor of the ledger file to take turns on, or None where there is no flock."""
    return os.open(path, os.O_RDONLY) if fcntl is not None else None


class Busy(Exception):
    """The turn was not had within the timeout: another process holds the file (`exclusive` was wanted)."""

    def __init__(self, exclusive: bool) -> None:
        super().__init__("exclusive" if exclusive else "shared")
        self.exclusive = exclusive


def lock(fd: int | None, *, exclusive: bool, timeout: float) -> None:
    """Take the turn, trying again (as SQLite's busy handler does) for up to `timeout` seconds, else Busy."""
    if fd is None:
        return
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise Busy(exclusive) from None
        time.sleep(pause)
        pause = min(pause * 2, 0.02)  # short: a gap between readers' turns is caught before the next begins


def unlock(fd: int | None) -> None:
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def live(path: Path) -> bool:
    """Whether an owner has the ledger open (or left its log behind): a reader may open the -wal and -shm
    only when both are there, because SQLite makes whichever is missing."""
    return Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()


def writable(path: Path) -> bool:
    """Whether this user may write the ledger, its folder and whichever side files are there."""
    files = (path, path.parent, Path(f"{path}-wal"), Path(f"{path}-shm"))
    return all(os.access(p, os.W_OK) for p in files if p.exists())


def ours(path: Path) -> bool:
    """Whether the -wal is empty and was made by this reader (owned by us, not by the ledger's owner)."""
    try:
        info = Path(f"{path}-wal").stat()
        return info.st_size == 0 and info.st_uid == os.getuid() != path.stat().st_uid
    except OSError:
        return False


def remove_ours(path: Path) -> None:
    """What SQLite made for this reader: removed, leaving any file that is not ours where it is."""
    uid = os.getuid()
    for side in (Path(f"{path}-shm"), Path(f"{path}-wal")):
        try:
            if side.stat().st_uid == uid:
                side.unlink()
        except OSError:
            pass


def clear_strangers(path: Path) -> None:
    """An empty -wal and its -shm that this user may not write were left by a reader who may only read
    (by a version of gkplan that did not take turns, or killed before it removed them). They hold no
    change — an empty write-ahead log has none — so the owner removes them rather than be locked out."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    try:
        if wal.stat().st_size == 0 and not (os.access(wal, os.W_OK) and (not shm.exists() or os.access(shm, os.W_OK))):
            shm.unlink(missing_ok=True)
            wal.unlink(missing_ok=True)
    except OSError:
        pass  # gone meanwhile, or not ours to remove: opening says what is wrong


def connect(path: Path, writable: bool, *, timeout: float) -> tuple[sqlite3.Connection, bool]:
    """The connection, and whether it reads the file as immutable. A ledger we may write opens normally. One
    we may only read opens read-only — and, when its -wal and -shm are not both there, as immutable, because
    SQLite would otherwise make them, owned by this reader, and lock the owner out of its next write. Called
    in the file's turn, which an immutable reader must keep until it closes."""
    immutable = False
    if writable:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens -wal and -shm, or makes them
        except BaseException:
            conn.close()
            raise
    else:
        from urllib.parse import quote

        uri = f"file:{quote(str(path))}?mode=ro"
        if not live(path):
            uri += "&immutable=1"
            immutable = True
        conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        try:
            begin_read(conn)
            made = ours(path)  # only if one that does not take turns (an older gkplan) removed theirs
        except sqlite3.OperationalError:  # WAL with a -shm we cannot use: read the file as a snapshot
            made = True
        if made:
            conn.close()
            remove_ours(path)
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True, isolation_level=None)
            immutable = True
    conn.row_factory = sqlite3.Row
    return conn, immutable


def begin_read(conn: sqlite3.Connection) -> None:
    """One read transaction for a reader's whole command, so that its reads agree with each other, and so
    that only this first one can meet the refusal below.

    A reader that may not write the -shm cannot record there how far into the log it reads; it must use
    a mark an owner left. When an owner moves those marks past the log's end as this reader last saw it,
    SQLite refuses the read (SQLITE_READONLY_CANTINIT) rather than look again: look again here."""
    for attempt in range(50):
        conn.execute("BEGIN")
        try:
            conn.execute("PRAGMA user_version").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_READONLY_CANTINIT" or attempt == 49:
                raise
        time.sleep(0.002)


def canonical(path: Path) -> tuple[Path, bool]:
    """The one name a ledger is opened by, and whether this process must have the file to itself.

    SQLite names its -wal and -shm files after the path, and keeps its write lock in -shm: two names for
    one file would be two write-ahead logs and no lock between them. Symbolic links are resolved; a ledger
    with several hard links is opened by the name it was created under (kept in meta). One with no such
    name (made by version 3) is used by one process at a time, each leaving its log written back into the
    file on closing, until its upgrade records the name."""
    resolved = path.resolve()
    try:
        if resolved.stat().st_nlink < 2:
            return resolved, False
        from urllib.parse import quote

        probe = sqlite3.connect(f"file:{quote(str(resolved))}?mode=ro&immutable=1", uri=True)
        try:
            row = probe.execute("SELECT value FROM meta WHERE key = 'path'").fetchone()
        finally:
            probe.close()
    except (OSError, sqlite3.Error):
        row = None
    if row and os.path.exists(row[0]) and os.path.samefile(row[0], resolved):
        return Path(row[0]), False
    return resolved, True
