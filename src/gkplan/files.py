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

Here: the checks before writing and the publishing after; the temporary files are file_temp.py's, the SQLite
files (backups) file_backup.py's.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from gkplan.errors import Conflict, LedgerError
from gkplan.file_guard import APPLICATION_ID, SIDE_SUFFIXES, guard, is_ledger_file  # noqa: F401 - callers and tests import from here
from gkplan.file_temp import adopt, name_unnamed, open_unnamed, remove_temp, sweep, temp_name

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
    prepare(target, force=force, protect=protect)


def prepare(target: Path, *, force: bool, protect: Path | None) -> tuple[str, os.stat_result | None]:
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



def reason(exc: OSError) -> str:
    return _WHY.get(exc.errno or 0) or exc.strerror or str(exc)


def failed(shown: Path, why: str) -> LedgerError:
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


# -- the two ways of writing ------------------------------------------------------------------------


@contextmanager
def replace_atomically(target: Path, *, force: bool, protect: Path | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file to write; when the block ends well it becomes `target`, whole; otherwise nothing is left.

    `protect` is the ledger in use: it, its side files and any other open gkplan ledger are refused."""
    shown = target.expanduser()
    real, old = prepare(target, force=force, protect=protect)
    folder = os.path.dirname(real)
    sweep(folder)
    name = None
    try:
        fd = open_unnamed(folder)
        if fd is None:
            name = temp_name(real)
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise failed(shown, reason(exc)) from None
    try:
        with os.fdopen(fd, "wb", closefd=False) as f:
            yield f
        adopt(fd, old)
        os.fsync(fd)
        if name is None:  # unnamed until now
            name = name_unnamed(fd, real, shown, old, force=force)
        if name is not None:
            publish(name, real, shown, folder, force=force)
        else:
            _sync_folder(folder)
    except OSError as exc:
        raise failed(shown, reason(exc)) from None
    finally:
        os.close(fd)
        if name is not None:
            remove_temp(name)  # gone already when it was renamed into place


def publish(name: str, real: str, shown: Path, folder: str, *, force: bool) -> None:
    """A complete temporary file becomes the target: replacing it with --force, else only if still absent."""
    if force:
        os.replace(name, real)
    else:
        _link_new(name, real, shown)
    _sync_folder(folder)


def text_writer(f: BinaryIO, encoding: str = "utf-8") -> io.TextIOWrapper:
    """Text on top of the binary file replace_atomically yields (closing it leaves the descriptor to us)."""
    return io.TextIOWrapper(f, encoding=encoding, newline="")
