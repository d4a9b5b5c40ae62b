"""The benchmark's sections, each a list of Markdown lines: cold start, every command at a size, the floor.

(Taskwarrior, the table-versus-CSV and as-of ratios are in compare.py; the entry point is run.py.)
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import commands
import data
from measure import Sample, alternate, fmt, peak, progress, ratio, table

HERE = Path(__file__).resolve().parent
BUNDLED_TODAY = "2022-07-15"  # inside the bundled 2022 plan: its lights and reminders are those of a working day
MEMORY_TARGET = 60  # MiB, issue 11


@dataclass
class Bench:
    gk: str
    python: str  # the venv's interpreter (gkplan's own; the floor scripts run on it too)
    # the `python -c "import sqlite3"` of the cold start: the venv's interpreter itself (the binary, through the venv's
    # symlink; not a shell shim), so both sides start the same Python with the same site. Resolved out of the venv
    # it would also run the system site's .pth hooks, which gkplan never runs (on one machine a hook importing certifi
    # made `import sqlite3` take 38 ms instead of 15)
    real_python: str
    base: dict[str, str]
    work: Path
    runs: int
    runs_large: int  # at 1,000,000 records and more
    startup_runs: int
    match: tuple[str, ...]  # only questions whose label contains one of these (all when empty)
    argv: str  # how this run was started, for the reproduction lines
    results: dict[int, dict[str, Sample]] = field(default_factory=dict)  # N → question → gkplan's (or a floor's) sample
    found: list[commands.Command] = field(default_factory=list)

    def commands(self, env: dict[str, str]) -> list[commands.Command]:
        """The CLI's commands, read once a run."""
        if not self.found:
            self.found = commands.discover(self.gk, env)
        return self.found

    @staticmethod
    def terms(text: str) -> tuple[str, ...]:
        """`--match`'s terms: split at commas, except a number's thousands separator (labels say "load 1,000,000 records")."""
        import re

        return tuple(t for t in re.split(r",(?!\d{3}(?!\d))", text) if t)

    def wanted(self, label: str) -> bool:
        return not self.match or any(m in label for m in self.match)

    def runs_at(self, n: int) -> int:
        return self.runs_large if n >= 1_000_000 else self.runs

    @property
    def out(self) -> Path:
        (self.work / "out").mkdir(parents=True, exist_ok=True)
        return self.work / "out"


def _reset(q: commands.Q, db: Path, source: Path | None, gk: str, env: dict[str, str]):  # noqa: ANN202
    """What runs before each timed run of a question that writes."""
    if q.writes == "fresh":
        return lambda: [Path(f"{db}{s}").unlink(missing_ok=True) for s in ("", "-wal", "-shm")]
    if q.args[:1] == ["backup"]:  # a backup is a ledger: never replaced, even with --force
        return lambda: Path(q.args[1]).unlink(missing_ok=True)
    if q.writes.startswith("copy") and source is not None:  # the small plan: a new copy each run

        def again() -> None:
            data.copy_ledger(source, db)
            for args in q.before:
                subprocess.run([gk, *args], env=env, capture_output=True, check=True)

        return again
    return None


def startup(b: Bench) -> list[str]:
    """Every command's cold start on the bundled plan against `python -c "import sqlite3"`, in alternation."""
    bundled = b.work / "bundled.db"
    env = b.base | {"GKPLAN_DB": str(bundled), "GKPLAN_TODAY": BUNDLED_TODAY}
    for suffix in ("", "-wal", "-shm"):  # made anew: the gkplan being measured makes its own
        Path(f"{bundled}{suffix}").unlink(missing_ok=True)
    subprocess.run([b.gk, "load"], env=env, check=True, capture_output=True)
    sheet = b.out / "sheet-in.xlsx"
    subprocess.run([b.gk, "sheet", "--dept", "教务部", "-o", str(sheet), "--force"], env=env, capture_output=True)
    cmds = b.commands(env)
    questions, unknown = commands.startup(cmds, str(b.out), str(sheet))
    questions, runs = [q for q in questions if b.wanted(q.label)], b.startup_runs
    progress(f"cold start: {len(questions)} questions × {runs} runs, each beside `import sqlite3`")
    rows, failures = [], []
    for q in questions:
        db = b.work / "startup-scratch.db" if q.writes else bundled
        qenv = env | {"GKPLAN_DB": str(db)}
        ours = Sample(q.label, [b.gk, *q.args], qenv, _reset(q, db, bundled, b.gk, qenv))
        base = Sample("python", [b.real_python, "-c", "import sqlite3"], b.base)
        alternate([ours, base], runs)
        limit = 8 if "xlsx" in q.label else 5
        rows.append([f"`{q.label}`", fmt(ours.times), peak(ours), fmt(base.times), ratio(ours, base), f"≤ {limit}×"])
        failures += ours.failures
    out = [f"Cold start on the bundled 39-point plan (GKPLAN_TODAY={BUNDLED_TODAY}), {runs} runs each, in alternation"
           f" with `{b.real_python} -c \"import sqlite3\"`.", "",
           *table(["command", "gkplan median (min–max)", "peak MiB", "import sqlite3", "ratio", "target"], rows)]  # fmt: skip
    if unknown:
        out += ["", "Commands the benchmark has no arguments for (measured as `--help`): " + ", ".join(unknown)]
    return out + _failed(failures)


def every_command(b: Bench, ds: data.Dataset, only_growth: bool = False) -> list[str]:
    """Time and peak memory of every command at N records (each as a table and in each output format)."""
    env = ds.env(b.base)
    cmds = b.commands(env)
    dept, leader = "教务部", "曹国永"
    questions, missing = commands.at_size(cmds, ds.n, dept, leader, str(b.out), (str(ds.seed_json), str(ds.seed_yaml)))
    questions = [q for q in questions if b.wanted(q.label) and (not only_growth or "growth" in q.tags)]
    runs = b.runs_at(ds.n)
    progress(f"N = {ds.n:,}: {len(questions)} questions × {runs} runs")
    scratch = fresh = None
    rows, failures, mine = [], [], b.results.setdefault(ds.n, {})
    for q in questions:
        db = ds.db
        if q.writes == "copy":
            scratch = scratch or ds.scratch()
            db = scratch
        elif q.writes == "fresh":
            fresh = db = ds.dir / "fresh.db"
        progress(f"N = {ds.n:,}: {q.label}")
        s = Sample(q.label, [b.gk, *q.args], ds.env(b.base, db), _reset(q, db, None, b.gk, env))
        alternate([s], 1 if "load" in q.tags and "YAML" in q.label and ds.n > 100_000 else runs)
        mine[q.label.replace(str(max(1, ds.n // 2)), "N/2").replace(f"{ds.n:,}", "N")] = s  # the same key at every size
        over = "yes" if s.peak < MEMORY_TARGET else "**no**"
        rows.append([f"`{q.label}`", fmt(s.times), peak(s), over])
        failures += s.failures
    for path in (fresh, scratch):
        if path:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    out = [f"Every command at {ds.n:,} records ({data.history_size(ds.n):,} history entries), {runs} runs each"
           f" (YAML load at 1M: once); output to /dev/null or to a file with -o.", "",
           *table(["question", "median (min–max)", "peak MiB", f"< {MEMORY_TARGET} MiB"], rows)]  # fmt: skip
    if missing:
        out += ["", "Not measured at this size (they write or need a prior state or a server): " + ", ".join(missing)]
    return out + _failed(failures)


def growth(b: Bench) -> list[str]:
    """Each question's median at every size measured, and the factor between neighbouring sizes."""
    sizes = sorted(b.results)
    labels = [q for q in next(iter(b.results.values()), {}) if all(q in b.results[n] for n in sizes)]
    pairs = list(zip(sizes, sizes[1:]))
    # over three sizes or more, also the whole range: issue 11's "at most linearly from 10k to 1M" read as a whole
    span = [(sizes[0], sizes[-1])] if len(sizes) > 2 else []
    header = ["question", *(f"N = {n:,}" for n in sizes), *(f"× {b1:,} → {b2:,}" for b1, b2 in pairs + span),
              *(f"× user CPU {b1:,} → {b2:,}" for b1, b2 in pairs + span)]  # fmt: skip
    rows = []
    for q in labels:
        s = [b.results[n][q] for n in sizes]
        steps = list(zip(s, s[1:])) + ([(s[0], s[-1])] if span else [])
        rows.append([f"`{q}`", *(fmt(x.times) for x in s), *(f"{y.median / x.median:.1f}" for x, y in steps),
                     *(_cpu_growth(x, y) for x, y in steps)])  # fmt: skip
    return ["Medians by size (N/2: the middle point's number at each size); a factor at or below the"
            " growth in records is linear or better. User CPU: the medians of the user time, the program's own work, SQLite's"
            " included (the elapsed time adds the kernel's: handing SQLite the ledger's pages).", "",
            *table(header, rows)]  # fmt: skip


def _cpu_growth(small: Sample, large: Sample) -> str:
    import statistics

    if not small.user or not large.user or not statistics.median(small.user):
        return "—"
    return f"{statistics.median(large.user) / statistics.median(small.user):.1f}"


FLOOR = [  # (question, gkplan's arguments, floor script and its arguments, target)
    ("report", ["report"], ["report.py"], 1.3), ("report --overdue", ["report", "--overdue"], ["overdue.py"], 1.3),
    ("list --dept 教务部", ["list", "--dept", "教务部"], ["list_dept.py", "教务部"], 3.0),
    ("show {m}", ["show", "{m}"], ["show.py", "{m}"], 3.0),
    ("update {m} --progress N", ["update", "{m}", "--progress", "1{i}", "--note", "第 {i} 次"],
     ["update.py", "{m}", "1{i}", "第 {i} 次"], 3.0),
    # Taskwarrior has no history listing: `log` is measured against the floor (no target of its own; listings' 3×)
    ("log", ["log"], ["log.py"], 3.0), ("log --format ndjson", ["log", "--format", "ndjson"], ["log.py"], 3.0),
    # nor an export of the history: the whole JSON export against the same records written by the C encoder
    ("export --format json", ["export", "--format", "json", "-o", "{out}.json", "--force"], ["export.py", "{out}.json"], 3.0),
    # nor a CSV, Markdown or XLSX export (issue 11: "or the floor where it has none"): the exports' 3×
    *((f"export --format {f}", ["export", "--format", f, "-o", f"{{out}}.{f}", "--force"], [script, f"{{out}}.{f}"], 3.0)
      for f, script in (("csv", "export_csv.py"), ("md", "export_md.py"), ("xlsx", "export_xlsx.py"))),
    # remind has Taskwarrior's nearest report (its target, 1/5): the floor says how far from the least it is
    ("remind", ["remind"], ["remind.py"], 3.0),
]  # fmt: skip


TYPER = "Typer's import alone, against show's floor"
# gkplan's own work for the two questions whose floor target Typer's import spends (bench/nocli.py: no CLI)
NOCLI = [("show {m}", ["show", "{m}"], ["show.py", "{m}"]), ("report --overdue", ["overdue"], ["overdue.py"])]


def prepare_floor(b: Bench, ds: data.Dataset) -> Path:
    sql = ds.dir / "floor.sql"
    subprocess.run([b.python, str(HERE / "floor" / "prepare.py"), str(ds.db), ds.env({})["GKPLAN_TODAY"], str(sql)],
                   check=True)  # fmt: skip
    return sql


def floor(b: Bench, ds: data.Dataset) -> list[str]:
    """gkplan against the floor scripts on the same ledger, in alternation (writes: each on its own copy)."""
    sql, m, runs = prepare_floor(b, ds), str(max(1, ds.n // 2)), b.runs_at(ds.n)
    progress(f"N = {ds.n:,}: floor, {len(FLOOR)} questions × {runs} runs")
    rows, failures = [], []
    for label, ours, theirs, target in FLOOR:
        out = str(ds.dir / "floor-export")  # (+ the format's suffix)
        key = "floor of " + label.replace("{m}", "N/2")  # the growth table's: the same at every size
        label, ours, theirs = (label.replace("{m}", m), [a.replace("{m}", m).replace("{out}", out) for a in ours],
                               [a.replace("{m}", m).replace("{out}", out) for a in theirs])  # fmt: skip
        if not b.wanted(label):
            continue
        writes = ours[0] == "update"
        db_ours = ds.scratch("floor-gk.db") if writes else ds.db
        db_floor = ds.scratch("floor-floor.db") if writes else ds.db
        s1 = Sample(label, [b.gk, *ours], ds.env(b.base, db_ours))
        s2 = Sample("floor", [b.python, str(HERE / "floor" / theirs[0]), str(db_floor), str(sql), *theirs[1:]], ds.env(b.base))
        alternate([s1, s2], runs)
        b.results.setdefault(ds.n, {})[key] = s2  # how the least a program can do grows, beside gkplan's growth
        rows.append([f"`{label}`", fmt(s1.times), peak(s1), fmt(s2.times), peak(s2), ratio(s1, s2), f"≤ {target}×"])
        failures += s1.failures + s2.failures
        if writes:
            for p in (db_ours, db_floor):
                p.unlink(missing_ok=True)
        for written in ds.dir.glob("floor-export.*"):
            written.unlink()
    if b.wanted(TYPER):  # what the CLI framework alone costs against the cheapest floor: show's 3× budget, spent
        s1 = Sample(TYPER, [b.python, "-c", "import sqlite3, typer"], ds.env(b.base))
        s2 = Sample("floor", [b.python, str(HERE / "floor" / "show.py"), str(ds.db), str(sql), m], ds.env(b.base))
        alternate([s1, s2], runs)
        rows.append([f"{TYPER}: `python -c \"import sqlite3, typer\"`", fmt(s1.times), peak(s1), fmt(s2.times), peak(s2),
                     ratio(s1, s2), "reference: gkplan's CLI imports Typer"])  # fmt: skip
        failures += s1.failures + s2.failures
    for label, ours, theirs in NOCLI:
        label = f"gkplan's `{label.replace('{m}', m)}` without its CLI (`bench/nocli.py`)"
        if not b.wanted(label):
            continue
        s1 = Sample(label, [b.python, str(HERE / "nocli.py"), str(ds.db), ds.env({})["GKPLAN_TODAY"], *(a.replace("{m}", m) for a in ours)],
                    ds.env(b.base))  # fmt: skip
        s2 = Sample("floor", [b.python, str(HERE / "floor" / theirs[0]), str(ds.db), str(sql), *(a.replace("{m}", m) for a in theirs[1:])],
                    ds.env(b.base))  # fmt: skip
        alternate([s1, s2], runs)
        rows.append([label, fmt(s1.times), peak(s1), fmt(s2.times), peak(s2), ratio(s1, s2), "reference: what the CLI adds is the rest"])
        failures += s1.failures + s2.failures
    return [f"gkplan against the floor (bench/floor/: stdlib sqlite3 on gkplan's own ledger, the same rows, no layout)"
            f" at {ds.n:,} records, {runs} runs each in alternation.", "",
            *table(["question", "gkplan", "peak MiB", "floor", "peak MiB", "ratio", "target"], rows)] + _failed(failures)  # fmt: skip


def _failed(failures: list[str]) -> list[str]:
    return ["", "Commands that failed:", *(f"- {f}" for f in sorted(set(failures)))] if failures else []


def cleanup(b: Bench) -> None:
    shutil.rmtree(b.out, ignore_errors=True)
