"""Comparisons at one size: gkplan against Taskwarrior's nearest report, a table against the CSV of the
same rows, and a question as of a past day against the same question for today. In alternation."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import data
import generate
from measure import Sample, alternate, fmt, peak, progress, ratio, table
from sections import Bench, _failed


NO_TASKWARRIOR = ("export --format csv", "export --format md", "export --format xlsx")  # Taskwarrior exports JSON only


def taskwarrior(b: Bench, ds: data.Dataset) -> list[str]:
    tw_env = data.taskwarrior(ds, b.base)
    if tw_env is None:
        return ["Taskwarrior (`task`) is not installed: no comparison."]
    task, m, dept, out = shutil.which("task"), str(max(1, ds.n // 2)), "教务部", b.out
    pairs = [  # (question, gkplan, Taskwarrior, which Taskwarrior report)
        (f"list --dept {dept}", ["list", "--dept", dept], [f"project:{dept}", "list"], "`task project:X list`"),
        ("list (all)", ["list"], ["list"], "`task list`"),
        ("report --overdue", ["report", "--overdue"], ["+OVERDUE", "list"], "`task +OVERDUE list`"),
        ("report", ["report"], ["summary"], "`task summary`"),
        (f"show {m}", ["show", m], [m, "info"], "`task ID info`"),
        (f"update {m} --progress N", ["update", m, "--progress", "1{i}", "--note", "第 {i} 次"], [m, "modify", "+p{i}"],
         "`task ID modify`"),
        ("log", ["log"], ["all"], "`task all` (no history listing: every task)"),
        # Taskwarrior's dates were shifted so that its today is our as-of day
        ("remind", ["remind"], ["due.before:today+14d", "list"], "`task due.before:today+14d list`"),
        # modified.before:today-30d would list nothing (every task was imported today): entry is the nearest
        ("stale", ["stale"], ["entry.before:today-30d", "list"], "`task entry.before:today-30d list`"),
        *((f"export --format {f}", ["export", "--format", f, "-o", f"{out}/export.{f}", "--force"], ["export"], "`task export`")
          for f in ("json", "csv", "md", "xlsx")),
    ]  # fmt: skip
    runs = b.runs_at(ds.n)
    progress(f"N = {ds.n:,}: Taskwarrior, {len(pairs) + 1} questions × {runs} runs")
    scratch = ds.scratch("tw-gk.db")
    rows, failures = [], []
    for label, ours, theirs, which in [p for p in pairs if b.wanted(p[0])]:
        db = scratch if ours[0] == "update" else ds.db
        s1 = Sample(label, [b.gk, *ours], ds.env(b.base, db))
        s2 = Sample(which, [task, *theirs], tw_env, ok=(0, 1))
        alternate([s1, s2], runs)
        # no history listing in Taskwarrior, nor a CSV, Markdown or XLSX export: their target is the floor's (issue 11:
        # "or the floor where it has none"); `task export` stays beside them for scale
        target = "none here: the floor, ≤ 3×" if label == "log" or label in NO_TASKWARRIOR else "≤ 0.20"
        rows.append([f"`{label}`", fmt(s1.times), peak(s1), which, fmt(s2.times), peak(s2), ratio(s1, s2), target])
        failures += s1.failures + s2.failures
    fresh, tw_load = ds.dir / "tw-load.db", ds.dir / "task-load"
    label, label_yaml = f"load {ds.n:,} records (JSON)", f"load {ds.n:,} records (YAML)"
    if not (b.wanted(label) or b.wanted(label_yaml)):
        scratch.unlink(missing_ok=True)
        return _tw_table(b, ds, runs, rows, failures)
    load_env = tw_env | {"TASKDATA": str(tw_load), "TASKRC": str(ds.dir / "taskrc-load")}
    (ds.dir / "taskrc-load").write_text((ds.dir / "taskrc").read_text().replace(str(ds.dir / "task"), str(tw_load)))
    def fresh_ledger() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{fresh}{suffix}").unlink(missing_ok=True)

    # the two seeds and `task import` in one alternation: each ratio is of the same run
    loads = [(text, Sample(f"load {kind}", [b.gk, "load", str(seed)], ds.env(b.base, fresh), fresh_ledger), target)
             for text, kind, seed, target in ((label, "JSON", ds.seed_json, "≤ 0.70"), (label_yaml, "YAML", ds.seed_yaml, "≤ 1.00"))
             if b.wanted(text)]  # fmt: skip
    s2 = Sample("import", [task, "import", str(ds.dir / f"taskwarrior-{ds.n}-today.json")], load_env,
                lambda: (shutil.rmtree(tw_load, ignore_errors=True), tw_load.mkdir()))
    alternate([*(s for _, s, _ in loads), s2], runs)
    for text, s1, target in loads:
        rows.append([f"`{text}`", fmt(s1.times), peak(s1), "`task import`", fmt(s2.times), peak(s2), ratio(s1, s2), target])
        failures += s1.failures
    failures += s2.failures
    for p in (scratch, fresh):
        p.unlink(missing_ok=True)
    shutil.rmtree(tw_load, ignore_errors=True)
    return _tw_table(b, ds, runs, rows, failures)


def _tw_table(b: Bench, ds: data.Dataset, runs: int, rows: list[list[str]], failures: list[str]) -> list[str]:
    return [f"gkplan against Taskwarrior's nearest report at {ds.n:,} records, {runs} runs each in alternation"
            " (Taskwarrior's due dates shifted so that its today is the as-of day 2023-07-01).", "",
            *table(["question", "gkplan", "peak MiB", "Taskwarrior", "median", "peak MiB", "ratio", "target"], rows)] + _failed(failures)  # fmt: skip


def ratios(b: Bench, ds: data.Dataset) -> list[str]:
    """Table ÷ CSV of the same rows, and as of a year ago ÷ today (the history replayed)."""
    dept, day, env, runs = "教务部", (generate.AS_OF - timedelta(days=365)).isoformat(), ds.env(b.base), b.runs_at(ds.n)
    pairs = [
        ("report --overdue: table ÷ CSV", ["report", "--overdue"], ["report", "--overdue", "--format", "csv"], "≤ 2×"),
        (f"list --dept {dept}: table ÷ CSV", ["list", "--dept", dept], ["list", "--dept", dept, "--format", "csv"], "≤ 2×"),
        (f"report --as-of {day} ÷ today", ["report", "--as-of", day], ["report"], "≤ 2×"),
        (f"list --dept {dept} --as-of {day} ÷ today", ["list", "--dept", dept, "--as-of", day], ["list", "--dept", dept], "≤ 2×"),
        (f"report --overdue --as-of {day} ÷ today", ["report", "--overdue", "--as-of", day], ["report", "--overdue"], "≤ 2×"),
        # (the replay with the most to join: each point's latest report as of the day; it once scanned them per point)
        (f"stale --as-of {day} ÷ today", ["stale", "--as-of", day], ["stale"], "≤ 2×"),
    ]  # fmt: skip
    progress(f"N = {ds.n:,}: ratios, {len(pairs)} pairs × {runs} runs")
    rows, failures = [], []
    for label, a, c, target in [p for p in pairs if b.wanted(p[0])]:
        s1, s2 = Sample(label, [b.gk, *a], env), Sample(label, [b.gk, *c], env)
        alternate([s1, s2], runs)
        rows.append([f"`{label}`", fmt(s1.times), peak(s1), fmt(s2.times), peak(s2), ratio(s1, s2), target])
        failures += s1.failures + s2.failures
    return [f"gkplan against itself at {ds.n:,} records, {runs} runs each in alternation.", "",
            *table(["question", "first", "peak MiB", "second", "peak MiB", "ratio", "target"], rows)] + _failed(failures)  # fmt: skip
