"""A large seed read by a second process while this one writes the ledger.

A 100,000-point YAML seed takes longer to read (libyaml's events made into values, in Python) than to write; a
JSON one, about half as long. On a machine with a second core a child process reads it — the same
YamlStreamSource or JsonSource, with their checks swapped out as CHECKED_THERE says — and sends this one the
values (JSON's: the checked points) as pickled frames on a pipe; the pipe bounds what is held between the two
(the child waits while this process writes). The values carry no positions: at the first problem found on
either side, the child is stopped and the seed read again here, from its start, by the same reader as ever,
which reports every problem where it is; the load then fails. A seed that loads, the usual case, is read once.

The child reads, as its stdin, the descriptor open_regular opened and checked, not the seed's name, so it reads
that very file; it gets this process's sys.path and isolation flags, not the working directory's modules (`-P`).
It is a process group of its own, out of reach of the terminal's Ctrl-C (this process takes it and rolls back),
and ends when the pipe closes: when this process stops reading, exits or is killed. Should the child die, the
load stops with a SeedError and the ledger is rolled back; a bug in it prints its own traceback first.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from gkplan.errors import Problem, SeedError
from gkplan.seed import NumberSet, SeedSource

if TYPE_CHECKING:
    import subprocess

    from gkplan.seed_model import Point

FRAME = 500  # points a frame: some 50–550 KB of pickle, within the widened pipe
# Where a kind's points are checked: on whichever side leaves the two closer to even. YAML's reading costs more
# than the ledger's writing, so its points are checked here (100k: 0.64 of a load read here; 0.80 checked
# there); JSON's reading is cheap, so its points are checked there (0.77; 0.91 checked here).
CHECKED_THERE = frozenset({"json"})
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

    # A Ctrl-C between the fork and the `try` below would leave the child running, unreaped: it is held until then.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if hasattr(signal, "pthread_sigmask") else None
    try:
        try:
            # the seed is the child's stdin (whatever number it has here: 0 or 1 when gkplan's own is closed); the
            # child is a process group of its own, so that the terminal's Ctrl-C, meant for gkplan, never reaches it
            proc = subprocess.Popen([sys.executable, *_flags(), "-c", _CHILD, kind, str(path), *sys.path], stdin=file,
                                    stdout=subprocess.PIPE, process_group=0, bufsize=1 << 16)  # fmt: skip
        except OSError:  # (no process to be had: out of memory or of processes)
            return None
        files = [file]  # (and the reader of its own a second reading opens: all closed at the end, however it comes)
        try:
            _let_go(held)  # (a Ctrl-C held meanwhile raises here, and the child is stopped)
            _widen(proc.stdout)
            source = ChildSource(path, proc, files, kind)
        except BaseException:  # (Ctrl-C while the head is read, or the head's own SeedError)
            _stop(proc, files)
            raise
    finally:
        _let_go(held)
    weakref.finalize(source, _stop, proc, files)  # however it is dropped: a load that failed before its points
    return source


def _let_go(held: set | None) -> None:
    """The signal mask as it was before a Ctrl-C was held (a pending one is then delivered); `set()`: none held."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _flags() -> list[str]:
    """This interpreter's flags that bear on how the child starts: isolation, and how argv's bytes are read."""
    flags = ["-I"] if sys.flags.isolated else ["-P", *(["-E"] if sys.flags.ignore_environment else []),
                                               *(["-s"] if sys.flags.no_user_site else [])]  # fmt: skip
    return [*flags, *(["-X", "utf8"] if sys.flags.utf8_mode else [])]


class _Unplaced(Exception):
    """A problem's position was asked for: the values came without them."""


class ChildSource(SeedSource):
    """The child's values (checked here, or already there: CHECKED_THERE), with no positions: the first problem on
    either side has the seed read again in this process (`_again`), which reports every problem where it is, as it
    always has; the load then fails. A seed that loads (the usual case) is read once."""

    def __init__(self, path: Path, proc: subprocess.Popen, files: list[BinaryIO], kind: str) -> None:
        super().__init__(path)
        self._proc, self._pipe, self._files, self._kind = proc, proc.stdout, files, kind
        self._local: SeedSource | None = None
        kind, *rest = self._frame()
        try:
            if kind == "head":
                self._check_head(rest[0], self._unplaced)
        except _Unplaced:
            kind = "problem"
        if kind != "head" or self._problems:  # (the child's own problem, or one found here)
            self._local = self._again()
            self.plan, self.sections, self._problems = self._local.plan, self._local.sections, self._local._problems

    def _unplaced(self, loc: tuple) -> Any:
        raise _Unplaced

    def _again(self) -> SeedSource:
        """The seed read again, here: the child stopped first, the file read from its start."""
        _stop(self._proc)
        # a reader of its own: the child moved the offset it shares with the first, whose buffer knows nothing of it
        file = os.fdopen(os.dup(self._files[0].fileno()), "rb")
        self._files.append(file)
        file.seek(0)
        return _reader(self._kind)(self.path, file)

    def points(self) -> Iterator[Point]:
        check, problems, index, checked = self._point, self._problems, 0, self._kind in CHECKED_THERE
        try:
            if self._local is not None:  # (read here since the head)
                yield from self._local.points()
                self.numbers = self._local.numbers
                return
            kind = "items"
            while kind == "items":
                kind, items, *numbers = self._frame()
                for raw in items:
                    if checked:  # (a point, checked there)
                        point = raw
                    else:
                        try:
                            point = check(raw, index, self._unplaced)
                        except _Unplaced:
                            point = None
                        if point is None or problems:  # (no point without a problem, placed or not)
                            kind = "problem"
                            break
                        index += 1
                    yield point
            if numbers and numbers[0] is not None:  # (the end: the numbers of the points checked there, for `not_in_seed`)
                self.numbers = NumberSet.from_bytes(numbers[0])
            if kind == "problem":  # every problem, each where it is: the seed read again, here
                local = self._local = self._again()
                for _ in local.points():
                    pass
                # (the child's own reader cannot find none; should it, the points taken so far must not be kept)
                if local.ok:
                    raise RuntimeError("seed_child: the second reading found no problem")
                self._problems, self.numbers = local._problems, local.numbers
        finally:
            _stop(self._proc, self._files)

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


def _stop(proc: subprocess.Popen, files: Sequence[BinaryIO] = ()) -> None:
    """The child's pipe closed and the child ended and reaped (killed: it has sent all, or is no longer wanted);
    the seed's `files` here closed too."""
    if proc.stdout is not None:
        proc.stdout.close()
    if proc.returncode is None:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    for file in files:
        file.close()


def child(kind: str, name: str) -> None:
    """The child's side: read the seed (`kind`: json or yaml) on stdin, send what its source yields and reports."""
    import pickle

    _let_go(set())  # (started while its parent held Ctrl-C: the mask is inherited)
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


def _reader(kind: str) -> type[SeedSource]:
    """The streaming reader of a kind of seed: the child's, and this process's when it reads a seed again."""
    if kind == "json":
        from gkplan.seed_json import JsonSource

        return JsonSource
    from gkplan.seed_yaml_stream import YamlStreamSource

    return YamlStreamSource


def _read(kind: str, path: Path, send: Any) -> None:
    """The seed's values as its reader reads them (checked only where CHECKED_THERE says): the head, then the points
    in frames; a "problem" frame as soon as the reader reports one (gkplan reads the seed itself then, for every
    problem and its position)."""
    import gc

    Source, checks = _reader(kind), kind in CHECKED_THERE

    class Values(Source):  # type: ignore[valid-type, misc]
        def _check_head(self, data: dict[str, Any], locate: Any) -> None:
            self.head = data  # (checked by gkplan too: it needs the plan and sections, for its checks and the ledger)
            if checks:
                super()._check_head(data, locate)

        def _point(self, raw: Any, index: int, locate: Any) -> Any:
            return super()._point(raw, index, locate) if checks else (raw,)  # ((raw,): never None, a point may be null)

    gc.freeze()  # (as load() does: what is imported by now kept out of the collections the values set off)
    os.lseek(0, 0, os.SEEK_SET)  # (the file's offset is gkplan's too, and its buffer read ahead)
    with os.fdopen(0, "rb") as file:  # (closed on every path, the head's problems included)
        _send_values(Values, path, file, checks, send)


def _send_values(Values: Any, path: Path, file: BinaryIO, checks: bool, send: Any) -> None:
    try:
        source = Values(path, file)
    except (SeedError, OSError):
        send(("problem", []))
        return
    if not source.ok:
        send(("problem", []))
        return
    send(("head", source.head))
    items, failed = [], False
    try:
        for point in source.points():
            if not source.ok:
                break
            items.append(point if checks else point[0])
            if len(items) >= FRAME:
                send(("items", items))
                items = []
    except BrokenPipeError:  # (sending, not reading: child() ends quietly)
        raise
    except OSError:  # a disk that fails mid-seed
        failed = True
    send(("problem", items) if failed or not source.ok else ("end", items, bytes(source.numbers) if checks else None))
