"""Temporary files: how a file gkplan writes exists before it takes its name, and how a killed writer's are found.

An export is written to an unnamed file (Linux O_TMPFILE) where the system has one and can name it at the end;
elsewhere, and for the instant a finished file is renamed over an old one, the name carries the writer's pid, and
`sweep` deletes such files whose writer no longer runs. Separate from files.py (the checks and the publishing a
writer goes through), because this is the part that differs from system to system and filesystem to filesystem.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from gkplan.errors import Conflict
from gkplan.file_guard import SIDE_SUFFIXES

_TEMP = re.compile(r"^\..*\.gkplan-(\d+)-[0-9a-f]+\.tmp(?:-wal|-shm|-journal)?$")


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


def temp_name(real: str) -> str:
    folder, base = os.path.split(real)
    # the pid is what sweep() checks; the name is cut so that a long target name still fits
    return os.path.join(folder, f".{base[:120]}.gkplan-{os.getpid()}-{os.urandom(4).hex()}.tmp")  # (not secrets: it imports hashlib and random)


def remove_temp(name: str) -> None:
    for suffix in ("", *SIDE_SUFFIXES):
        try:
            os.unlink(name + suffix)
        except OSError:
            pass


def adopt(fd: int, old: os.stat_result | None) -> None:
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


def name_unnamed(fd: int, real: str, shown: Path, old: os.stat_result | None, *, force: bool) -> str | None:
    """Link the finished unnamed file in: straight to the target (None returned), or — to rename it over an
    existing file — to a temporary name that is returned (for that instant sweep() knows it)."""
    proc = f"/proc/self/fd/{fd}"
    name = temp_name(real) if force else real
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
    name = temp_name(real)
    out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        size, offset = os.fstat(fd).st_size, 0
        while offset < size:
            sent = os.sendfile(out, fd, offset, size - offset)
            if sent == 0:
                raise OSError(errno.EIO, "short copy")
            offset += sent
        adopt(out, old)
        os.fsync(out)
    except BaseException:
        os.close(out)
        remove_temp(name)
        raise
    os.close(out)
    return name


def open_unnamed(folder: str) -> int | None:
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
            os.link(f"/proc/self/fd/{probe}", name := temp_name(os.path.join(folder, "probe")), follow_symlinks=True)
        finally:
            os.close(probe)
        os.unlink(name)
        return fd
    except OSError:
        os.close(fd)
        return None
