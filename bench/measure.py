"""How one whole process is timed and sized, how samples are summarised, and the machine line.

Every figure is a whole process (start-up included), its peak memory the child's own max RSS
(os.wait4). Questions that are compared run in alternation, so both sides see the same load.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


TIME = "/usr/bin/time"  # GNU time: a small parent whose child's max RSS is the child's own


def measured_env(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The environment every measured process starts from: this one without the interpreter's settings
    (PYTHONUNBUFFERED writes a line at a time, PYTHONDONTWRITEBYTECODE with no .pyc compiles every import,
    PYTHONPATH could put other code first), so that a figure is the same from any shell."""
    return {k: v for k, v in environ.items() if not k.startswith("PYTHON")}


def peak_of(cmd: list[str], env: dict[str, str]) -> float | None:
    """The command's own peak MiB, started from a small parent (None without GNU time). Linux gives a child
    the max RSS its parent had when it started (vfork and exec keep it), so a child of this runner, whose
    own size is some 20 MiB, never shows less than that; GNU time is some 2 MiB."""
    if not os.path.exists(TIME):
        return None
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
        subprocess.run([TIME, "-f", "%M", "-o", f.name, "--", *cmd], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        text = f.read().strip().splitlines()
    return int(text[-1]) / 1024 if text and text[-1].isdigit() else None


def run(cmd: list[str], env: dict[str, str], stdin: Path | None = None, cwd: Path | None = None) -> tuple[float, float, int, float]:
    """Seconds, max RSS (MiB; see peak_of), exit status and user CPU seconds of one whole process (output
    discarded). The user time is the program's own work (SQLite's included); the seconds add the kernel's, above
    all reading the pages of a ledger larger than the page cache, which grows faster than the ledger does."""
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as inp:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=inp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), usage.ru_utime


@dataclass
class Sample:
    """One side of one question: its times, its peak memory, what failed."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    reset: object = None  # called (outside the timing) before every run
    ok: tuple[int, ...] = (0,)  # exit statuses that are answers (Taskwarrior's 1: nothing matched)
    times: list[float] = field(default_factory=list)
    user: list[float] = field(default_factory=list)  # user CPU seconds, run by run
    peak: float = 0.0
    failures: list[str] = field(default_factory=list)
    own_peak: bool = False  # the peak came from GNU time's warm-up run

    def warm_up(self) -> None:
        """One run before the timed ones, not timed: warms the page cache and takes the peak memory."""
        if self.reset:
            self.reset()
        mib = peak_of([part.replace("{i}", "9") for part in self.cmd], self.env)
        if mib is not None:
            self.peak, self.own_peak = mib, True

    def once(self, i: int) -> None:
        if self.reset:
            self.reset()
        command = [part.replace("{i}", str(i)) for part in self.cmd]
        seconds, mib, code, user = run(command, self.env)
        if code not in self.ok:
            self.failures.append(f"exit {code}: {' '.join(command)}")
        self.times.append(seconds)
        self.user.append(user)
        if not self.own_peak:  # without GNU time: the runner's size is the least this can show
            self.peak = max(self.peak, mib)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def alternate(samples: list[Sample], runs: int) -> list[Sample]:
    """Each sample `runs` times, in turn (A B A B …): a comparison sees one machine load. A warm-up
    run of each first (its peak memory measured from a small parent, its time not kept)."""
    for s in samples:
        s.warm_up()
    for i in range(runs):
        for s in samples:
            s.once(i)
    return samples


def fmt(values: list[float]) -> str:
    """median (min–max), in ms below a second."""
    if not values:
        return "—"
    med = statistics.median(values)
    scale, unit, digits = (1000, "ms", 0) if med < 1 else (1, "s", 2)
    lo, hi = min(values) * scale, max(values) * scale
    if len(values) == 1:
        return f"{med * scale:.{digits}f} {unit}"
    return f"{med * scale:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def ratio(ours: Sample, theirs: Sample) -> str:
    if not ours.times or not theirs.times:
        return "—"
    return f"{ours.median / theirs.median:.2f}"


def peak(s: Sample) -> str:
    return f"{s.peak:.0f}" if s.times else "—"


def machine(python: str) -> str:
    """The machine line every table carries."""
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"], capture_output=True,
                             text=True).stdout.strip()  # fmt: skip
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.system()} {platform.release()}, Python {version}, load average at start {load:.2f}")  # fmt: skip


def progress(message: str) -> None:
    """Progress goes to stderr: stdout is the Markdown."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (numbers right-aligned where the header says MiB or ratio)."""
    align = ["---:" if ("MiB" in h or h.startswith(("ratio", "×"))) else "---" for h in header]
    return [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |", *(f"| {' | '.join(r)} |" for r in rows)]
