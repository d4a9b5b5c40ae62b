"""Files that gkplan writes (exports, backups): whole or not at all, with the modes a user expects.

- A new file follows the umask; a file replaced with --force keeps its mode, group and, where the
  system allows, its owner.
- Nothing half-written ever carries the target's name. An export is written to an unnamed file
  (Linux O_TMPFILE) that is linked into place only when complete, so a kill before that leaves
  nothing at all. Where a name is needed (filesystems without O_TMPFILE, SQLite's backup, the instant
  between link and rename) the temporary name carries the writer's pid, and every later export or
  backup into that folder deletes such files whose writer no longer runs: that is how a kill -9
  leaves nothing behind.
- A gkplan ledger and its -wal/-shm/-journal files are never a target, whatever path names them
  (symlink, hard link, relative path): they are compared by inode and by content, not by name.
"""

from __future__ import annotations

import errno
import io
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from gkplan.errors import Conflict, LedgerError
from gkplan.file_guard import APPLICATION_ID, SIDE_SUFFIXES, guard, is_ledger_file  # noqa: F401 - callers and tests import from here

_TEMP = re.compile(r"^\..*\.gkplan-(\d+)-[0-9a-f]+\.tmp(?:-wal|-shm|-journal)?$")

_WHY = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "超出文件大小限制",
    errno.EACCES: "没有写权限",
    errno.EPERM: "没有写权限",
    errno.EROFS: "文件系统只读",
    errno.EIO: "磁盘 I/O 错误",
    errno.ENOENT: "所在目录不存在",
    errno.ENOTDIR: "所在目录不存在",
    errno.ENAMETOOLONG: "文件名太长",
}


def refuse(target: Path, *, force: bool, protect: Path | None) -> None:
    """Raise what writing `target` would raise (a ledger, a directory, an existing file without --force), before
    any work: a command writing two files checks both first."""
    _prepare(target, force=force, protect=protect)


def _prepare(target: Path, *, force: bool, protect: Path | None) -> tuple[str, os.stat_result | None]:
    """Check the target; return the path to write (symlinks followed, so a link keeps pointing at the
    new file) and the stat of the file it replaces, if any."""
    shown = target.expanduser()
    real = os.path.realpath(shown)
    if os.path.isdir(real):
        raise LedgerError(f"{shown}: 是一个目录，请给出文件名")
    guard(real, shown, protect)
    try:
        old = os.stat(real)
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise LedgerError(f"{shown}: 无法写入：{reason(exc)}") from None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise LedgerError(f"{shown}: 不是普通文件（设备、管道等），不能写入")
    if old is not None and not force:
        raise Conflict(f"{shown} 已存在；要覆盖请加 --force")
    if not os.path.isdir(os.path.dirname(real)):
        raise LedgerError(f"{shown}: 所在目录不存在")
    return real, old


# -- temporary files ---------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it runs, as someone else
        return True
    return True


def sweep(folder: str) -> None:
    """Delete the temporary files of writers that were killed (their pid no longer runs)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _TEMP.match(name)
        if match and not _alive(int(match.group(1))):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


def _temp_name(real: str) -> str:
    folder, base = os.path.split(real)
    # the pid is what sweep() checks; the name is cut so that a long target name still fits
    return os.path.join(folder, f".{base[:120]}.gkplan-{os.getpid()}-{os.urandom(4).hex()}.tmp")  # (not secrets: it imports hashlib and random)


def _remove(name: str) -> None:
    for suffix in ("", *SIDE_SUFFIXES):
        try:
            os.unlink(name + suffix)
        except OSError:
            pass


def _adopt(fd: int, old: os.stat_result | None) -> None:
    """A replaced file's owner, group and mode carry over to its successor, as far as we are allowed."""
    if old is None:
        return  # a new file keeps what the umask gave it
    for uid in (old.st_uid, -1):  # only root may give a file away; anyone may keep a group they are in
        try:
            os.fchown(fd, uid, old.st_gid)
            break
        except PermissionError:
            continue
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def reason(exc: OSError) -> str:
    return _WHY.get(exc.errno or 0) or exc.strerror or str(exc)


def _failed(shown: Path, why: str) -> LedgerError:
    return LedgerError(f"{shown}: 无法写入：{why}；没有写入任何内容")


def _sync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)  # the new name survives a power cut too
    except OSError:
        pass
    finally:
        os.close(fd)


def _link_new(source: str, real: str, shown: Path) -> None:
    """Give the finished temporary file `source` the target's name, never clobbering a file made meanwhile."""
    try:
        os.link(source, real)
    except FileExistsError:
        raise Conflict(f"{shown} 已存在；要覆盖请加 --force") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if os.path.lexists(real):  # a filesystem without hard links: check, then rename
            raise Conflict(f"{shown} 已存在；要覆盖请加 --force") from None
        os.replace(source, real)


def _name_unnamed(fd: int, real: str, shown: Path, old: os.stat_result | None, *, force: bool) -> str | None:
    """Link the finished unnamed file in: straight to the target (None returned), or — to rename it over an
    existing file — to a temporary name that is returned (for that instant sweep() knows it)."""
    proc = f"/proc/self/fd/{fd}"
    name = _temp_name(real) if force else real
    try:
        os.link(proc, name, follow_symlinks=True)
        return name if force else None
    except FileExistsError:
        if not force:
            raise Conflict(f"{shown} 已存在；要覆盖请加 --force") from None
        raise
    except OSError:  # some kernels and sandboxes refuse to link through /proc (EXDEV, ENOENT, EPERM)
        return _copy_to_temp(fd, real, old)


def _copy_to_temp(fd: int, real: str, old: os.stat_result | None) -> str:
    """The unnamed file's content under a pid-named temporary file, copied in the kernel (no memory)."""
    name = _temp_name(real)
    out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        size, offset = os.fstat(fd).st_size, 0
        while offset < size:
            sent = os.sendfile(out, fd, offset, size - offset)
            if sent == 0:
                raise OSError(errno.EIO, "short copy")
            offset += sent
        _adopt(out, old)
        os.fsync(out)
    except BaseException:
        os.close(out)
        _remove(name)
        raise
    os.close(out)
    return name


def _open_unnamed(folder: str) -> int | None:
    """An O_TMPFILE in `folder`, or None where the system or filesystem has none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = os.open(folder, flag | os.O_RDWR, 0o666)  # 0666 less the umask, as for any new file
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None
        raise
    # an empty one tells whether it can be named at the end: where /proc refuses (EXDEV in some sandboxes),
    # a named file from the start, not a kernel copy of the finished file (318 MB for a 100k JSON export)
    try:
        probe = os.open(folder, flag | os.O_RDWR, 0o600)
        try:
            os.link(f"/proc/self/fd/{probe}", name := _temp_name(os.path.join(folder, "probe")), follow_symlinks=True)
        finally:
            os.close(probe)
        os.unlink(name)
        return fd
    except OSError:
        os.close(fd)
        return None


# -- the two ways of writing ------------------------------------------------------------------------


@contextmanager
def replace_atomically(target: Path, *, force: bool, protect: Path | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file to write; when the block ends well it becomes `target`, whole; otherwise nothing is left.

    `protect` is the ledger in use: it, its side files and any other open gkplan ledger are refused."""
    shown = target.expanduser()
    real, old = _prepare(target, force=force, protect=protect)
    folder = os.path.dirname(real)
    sweep(folder)
    name = None
    try:
        fd = _open_unnamed(folder)
        if fd is None:
            name = _temp_name(real)
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise _failed(shown, reason(exc)) from None
    try:
        with os.fdopen(fd, "wb", closefd=False) as f:
            yield f
        _adopt(fd, old)
        os.fsync(fd)
        if name is None:  # unnamed until now
            name = _name_unnamed(fd, real, shown, old, force=force)
        if name is not None:
            _publish(name, real, shown, folder, force=force)
        else:
            _sync_folder(folder)
    except OSError as exc:
        raise _failed(shown, reason(exc)) from None
    finally:
        os.close(fd)
        if name is not None:
            _remove(name)  # gone already when it was renamed into place


def _publish(name: str, real: str, shown: Path, folder: str, *, force: bool) -> None:
    """A complete temporary file becomes the target: replacing it with --force, else only if still absent."""
    if force:
        os.replace(name, real)
    else:
        _link_new(name, real, shown)
    _sync_folder(folder)


def backup_database(source: sqlite3.Connection, source_path: Path, target: Path, *, force: bool) -> Path:
    """SQLite's online backup of `source` into `target` (safe while others write), published like an export.
    SQLite copies page by page: memory stays small."""
    return write_database(source.backup, source_path, target, force=force)


def write_database(fill: Callable[[sqlite3.Connection], None], source_path: Path | None, target: Path, *, force: bool) -> Path:
    """A SQLite file that `fill` writes through the connection it is given, published like an export.

    SQLite needs a file name to write to, so the file is made under a pid-named temporary file that
    sweep() deletes if this process is killed."""
    shown = target.expanduser()
    real, old = _prepare(target, force=force, protect=source_path)
    folder = os.path.dirname(real)
    sweep(folder)
    name = _temp_name(real)
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
            _adopt(fd, old)
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(name, real, shown, folder, force=force)
    except OSError as exc:
        raise _failed(shown, reason(exc)) from None
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if source_path is not None and ("malformed" in text or "not a database" in text):
            raise LedgerError(f"{source_path}: 台账文件已损坏；请从备份恢复") from None
        # SQLite reports a full disk as "full" or (a write refused outright, as past RLIMIT_FSIZE) "I/O"
        why = "磁盘空间不足或超出文件大小限制" if "full" in text else "磁盘 I/O 错误（磁盘可能已满或超出文件大小限制）" if "i/o" in text else str(exc)
        raise _failed(shown, why) from None
    finally:
        _remove(name)
    return target


def text_writer(f: BinaryIO, encoding: str = "utf-8") -> io.TextIOWrapper:
    """Text on top of the binary file replace_atomically yields (closing it leaves the descriptor to us)."""
    return io.TextIOWrapper(f, encoding=encoding, newline="")
