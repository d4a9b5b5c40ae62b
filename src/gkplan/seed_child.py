"""A large seed read by a second process: the parse and the checks there, the ledger's writes here.

A 100,000-point YAML seed takes about as long to read and check (libyaml's events made into values and
validated, in Python) as to write; a JSON one, half as long. On a machine with a second core a child process
does the reading — the same YamlStreamSource or JsonSource, unchanged — and hands this one the checked points
and the problems, in the order it met them, as pickled frames on a pipe. The pipe bounds what is held between
the two: the child waits while this process writes. What reaches the user is the same points and the same
problems at the same positions (the seed tests run both ways).

The child reads, as its stdin, the descriptor open_regular opened and checked, not the seed's name, so it reads
that very file; it gets this process's sys.path and isolation flags, not the working directory's modules (`-P`).
It is a process group of its own, out of reach of the terminal's Ctrl-C (this process takes it and rolls back),
and ends when the pipe closes: when this process stops reading, exits or is killed. Should the child die, the
load stops with a SeedError and the ledger is rolled back; a bug in it prints its own traceback first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from gkplan.errors import Problem, SeedError
from gkplan.seed import SeedSource

if TYPE_CHECKING:
    import subprocess

    from gkplan.seed_model import Point

FRAME = 500  # points a frame: some 50–550 KB of pickle, within the widened pipe
_CHILD = "import sys; sys.path[:] = sys.argv[3:]; from gkplan.seed_child import child; child(sys.argv[1], sys.argv[2])"


def available() -> bool:
    """A second process may read: a second core to run it on, descriptors to hand over (not Windows)."""
    affinity = getattr(os, "sched_getaffinity", None)  # (the cores this process may use: Linux)
    cores = len(affinity(0)) if affinity else os.cpu_count() or 1
    return os.name == "posix" and bool(sys.executable) and cores >= 2


def spawn(path: Path, file: BinaryIO, kind: str) -> SeedSource | None:
    """The seed read by a child process, or None where none is available(): the caller reads it here."""
    if not available():
        return None
    import subprocess
    import weakref

    try:
        # the seed is the child's stdin (whatever number it has here: 0 or 1 when gkplan's own is closed); the
        # child is a process group of its own, so that the terminal's Ctrl-C, meant for gkplan, never reaches it
        proc = subprocess.Popen([sys.executable, *_flags(), "-c", _CHILD, kind, str(path), *sys.path], stdin=file,
                                stdout=subprocess.PIPE, process_group=0, bufsize=1 << 16)  # fmt: skip
    except OSError:  # (no process to be had: out of memory or of processes)
        return None
    file.close()  # (the child has its own copy of the descriptor)
    try:
        _widen(proc.stdout)
        source = ChildSource(path, proc)
    except BaseException:  # (Ctrl-C while the head is read, or the head's own SeedError)
        _stop(proc)
        raise
    weakref.finalize(source, _stop, proc)  # however the source is dropped: a load that failed before its points
    return source


def _flags() -> list[str]:
    """This interpreter's flags that bear on how the child starts: isolation, and how argv's bytes are read."""
    flags = ["-I"] if sys.flags.isolated else ["-P", *(["-E"] if sys.flags.ignore_environment else []),
                                               *(["-s"] if sys.flags.no_user_site else [])]  # fmt: skip
    return [*flags, *(["-X", "utf8"] if sys.flags.utf8_mode else [])]


class ChildSource(SeedSource):
    """The child's frames replayed: the plan and sections as it checked them, then its points and problems."""

    def __init__(self, path: Path, proc: subprocess.Popen) -> None:
        super().__init__(path)
        self._proc, self._pipe = proc, proc.stdout
        kind, *rest = self._frame()
        if kind == "fatal":  # what opening the source (YamlStreamSource, JsonSource) raised
            raise SeedError(rest[0])
        self.plan, self.sections, problems = rest
        self._problems.extend(problems)

    def points(self) -> Iterator[Point]:
        problem, append = Problem, self._problems.append
        try:
            while True:
                kind, items, *end = self._frame()
                for item in items:
                    if type(item) is problem:
                        append(item)
                    else:
                        yield item
                if kind == "end":
                    self.numbers._bits = bytearray(end[0])
                    return
        finally:
            _stop(self._proc)

    def _frame(self) -> tuple:
        import pickle

        try:
            return pickle.load(self._pipe)  # (the child's frames: its sys.stdout is its stderr while it reads)
        except (EOFError, pickle.UnpicklingError):  # no frame, or one cut short: the child has died
            self._pipe.close()
            code = self._proc.wait()
            how = f"被信号 {-code} 终止" if code < 0 else f"退出码 {code}"
            raise SeedError([Problem(str(self.path), None, None, None, None, f"读取种子文件的子进程意外退出（{how}）")]) from None


def _widen(pipe: Any) -> None:
    """A pipe that holds what the child sends while this process writes a batch (Linux's default 64 KB holds
    less than one frame, and the child would wait on every batch): 1 MiB where the system allows it."""
    import fcntl

    if not hasattr(fcntl, "F_SETPIPE_SZ"):  # (not Linux)
        return
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except OSError:  # (more than /proc/sys/fs/pipe-max-size: the pipe keeps its size)
        pass


def _stop(proc: subprocess.Popen) -> None:
    """The child's pipe closed and the child ended and reaped (killed: it has sent all, or is no longer wanted)."""
    if proc.stdout is not None:
        proc.stdout.close()
    if proc.returncode is None:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def child(kind: str, name: str) -> None:
    """The child's side: read the seed (`kind`: json or yaml) on stdin, send what its source yields and reports."""
    import pickle

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames may reach the pipe

    def send(frame: tuple) -> None:
        pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        _read(kind, Path(name), send)
    except BrokenPipeError:  # the parent stopped reading (it failed, was interrupted, or was killed)
        os._exit(0)
    out.close()


def _read(kind: str, path: Path, send: Any) -> None:
    import gc

    if kind == "json":
        from gkplan.seed_json import JsonSource as Source
    else:
        from gkplan.seed_yaml_stream import YamlStreamSource as Source

    gc.freeze()  # (as load() does: what is imported by now kept out of the collections the values set off)
    os.lseek(0, 0, os.SEEK_SET)  # (the file's offset is gkplan's too: it read the first bytes)
    try:
        source = Source(path, os.fdopen(0, "rb"))
    except SeedError as exc:
        send(("fatal", exc.problems))
        return
    except OSError as exc:  # (open_seed's words for the same)
        send(("fatal", [_unreadable(path, exc)]))
        return
    problems = source._problems
    send(("head", source.plan, source.sections, list(problems)))
    told, items = len(problems), []
    try:
        for point in source.points():
            if len(problems) > told:  # (those of the points before this one)
                items += problems[told:]
                told = len(problems)
            items.append(point)
            if len(items) >= FRAME:
                send(("items", items))
                items = []
    except BrokenPipeError:  # (sending, not reading: child() ends quietly)
        raise
    except OSError as exc:  # a disk that fails mid-seed: one more problem, and the load is rolled back
        problems.append(_unreadable(path, exc))
    send(("end", items + problems[told:], bytes(source.numbers._bits)))


def _unreadable(path: Path, exc: OSError) -> Problem:
    return Problem(str(path), None, None, None, None, f"无法读取种子文件：{exc.strerror or exc}")
