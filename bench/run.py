"""Time gkplan against Taskwarrior on the same N records and write a Markdown table.

    python bench/run.py --n 100000 --runs 5 --out docs/performance.md

Each question is asked of gkplan and of Taskwarrior in alternation (so both see the same machine
load), as whole processes; the table gives medians, min–max, peak memory (max RSS of the child)
and the ratio gkplan ÷ Taskwarrior measured in the same run. Taskwarrior gets its own throwaway
data directory and rc file. Without `task` on PATH (or with --without-taskwarrior) only gkplan is
timed. This is a measurement, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402


def run(cmd: list[str], env: dict[str, str], stdin: Path | None = None) -> tuple[float, float, int]:
    """Seconds, peak MiB and exit status of one whole process."""
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as inp:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=inp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


class Question:
    def __init__(self, name: str, ours: list[str], theirs: list[str] | None, *, reset=None, target: str = "") -> None:  # noqa: ANN001
        self.name, self.ours, self.theirs, self.reset, self.target = name, ours, theirs, reset, target
        self.times: dict[str, list[float]] = {"gkplan": [], "taskwarrior": []}
        self.memory: dict[str, float] = {"gkplan": 0.0, "taskwarrior": 0.0}
        self.failures: list[str] = []


def ask(q: Question, runs: int, envs: dict[str, dict[str, str]]) -> None:
    for i in range(runs):
        for who, cmd in (("gkplan", q.ours), ("taskwarrior", q.theirs)):
            if cmd is None:
                continue
            if q.reset:
                q.reset(who)
            command = [part.replace("{i}", str(i)) for part in cmd]
            seconds, mib, code = run(command, envs[who])
            if code != 0:
                q.failures.append(f"{who} exited {code}: {' '.join(command)}")
            q.times[who].append(seconds)
            q.memory[who] = max(q.memory[who], mib)


def fmt(values: list[float]) -> str:
    if not values:
        return "—"
    med = statistics.median(values)
    unit, scale = ("ms", 1000) if med < 1 else ("s", 1)
    return f"{med * scale:.{0 if unit == 'ms' else 2}f} {unit} ({min(values) * scale:.{0 if unit == 'ms' else 2}f}–{max(values) * scale:.{0 if unit == 'ms' else 2}f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here (default: print it)")
    parser.add_argument("--gkplan", default=str(Path(sys.executable).parent / "gkplan"))
    parser.add_argument("--without-taskwarrior", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    task = None if args.without_taskwarrior else shutil.which("task")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="gkplan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # generated in a child process: the runner stays small, and the peak memory that a child process
    # reports (which starts from a copy of its parent's) is the child's own
    subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), str(args.n), str(work)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    seed_yaml, seed_json, tw_json = (work / f"seed-{args.n}.yaml", work / f"seed-{args.n}.json", work / f"taskwarrior-{args.n}.json")
    # Taskwarrior has no as-of date: shift its due dates so that its today is our AS_OF
    shift = date.today() - generate.AS_OF
    shifted = work / f"taskwarrior-{args.n}-today.json"
    with tw_json.open(encoding="utf-8") as src, shifted.open("w", encoding="utf-8") as dst:
        for line in src:
            rec = json.loads(line)
            due = date(int(rec["due"][:4]), int(rec["due"][4:6]), int(rec["due"][6:8])) + shift
            rec["due"] = due.strftime("%Y%m%dT000000Z")
            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")

    db = work / "ledger.db"
    base = os.environ | {"NO_COLOR": "1", "COLUMNS": "160", "GKPLAN_USER": "bench"}
    envs = {
        "gkplan": base | {"GKPLAN_DB": str(db), "GKPLAN_TODAY": generate.AS_OF.isoformat()},
        "taskwarrior": base | {"TASKRC": str(work / "taskrc"), "TASKDATA": str(work / "task")},
    }
    (work / "taskrc").write_text(
        f"data.location={work / 'task'}\nconfirmation=off\nverbose=nothing\nhooks=off\nrecurrence=off\n", encoding="utf-8"
    )

    def fresh(who: str) -> None:
        if who == "gkplan":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        else:
            shutil.rmtree(work / "task", ignore_errors=True)
            (work / "task").mkdir()

    gk = args.gkplan
    tw = [task] if task else None
    bundled = base | {"GKPLAN_DB": str(work / "bundled.db")}
    run([gk, "depts"], bundled)  # create the small ledger once
    startup = Question("cold start: `list --dept 教务部`, bundled 39-point plan, table", [gk, "list", "--dept", "教务部"],
                       [sys.executable, "-c", "import sqlite3"], target="≤ 100 ms and ≤ 5× `python -c \"import sqlite3\"`")  # fmt: skip
    ask(startup, max(args.runs, 9), {"gkplan": bundled, "taskwarrior": base})

    load = Question(f"load {args.n:,} records (`load seed.json` / `task import`)", [gk, "load", str(seed_json)],
                    tw and [*tw, "import", str(shifted)], reset=fresh, target="faster than `task import`")  # fmt: skip
    ask(load, args.runs, envs)
    load_yaml = Question(f"load {args.n:,} records from YAML (`load seed.yaml`)", [gk, "load", str(seed_yaml)], None, reset=fresh)
    ask(load_yaml, 1 if args.n > 20_000 else args.runs, envs)
    run([gk, "load", str(seed_json)], envs["gkplan"])  # leave both loaded for the questions below
    # three reports a record on average, spread over the plan's days: the history the as-of questions replay
    subprocess.run([sys.executable, str(Path(__file__).with_name("history.py")), str(db), str(3 * args.n)], check=True,
                   cwd=Path(__file__).parent, env=envs["gkplan"])  # fmt: skip
    if tw:
        fresh("taskwarrior")
        run([*tw, "import", str(shifted)], envs["taskwarrior"])

    dept = generate.records(1)[0]["department"]  # the first record's (same seed): surely has records
    middle = str(max(1, args.n // 2))
    questions = [
        Question(f"`list --dept {dept}` (table, all rows)", [gk, "list", "--dept", dept], tw and [*tw, f"project:{dept}", "list"], target="≤ 1/5"),
        Question("`report --overdue` (table, all rows)", [gk, "report", "--overdue"], tw and [*tw, "+OVERDUE", "list"], target="≤ 1/5"),
        Question("`report` (by department)", [gk, "report"], tw and [*tw, "summary"], target="≤ 1/5"),
        Question(f"`show {middle}`", [gk, "show", middle], tw and [*tw, middle, "info"], target="≤ 1/5"),
        Question(f"`update {middle} --progress N`", [gk, "update", middle, "--progress", "1{i}", "--note", "第 {i} 次"],
                 tw and [*tw, middle, "modify", "+p{i}"], target="≤ 1/5"),
    ]  # fmt: skip
    for q in questions:
        ask(q, args.runs, envs)

    plain = [
        Question("`report --overdue`: table ÷ CSV of the same rows", [gk, "report", "--overdue"],
                 [gk, "report", "--overdue", "--format", "csv"], target="≤ 2×"),
        Question(f"`list --dept {dept}`: table ÷ CSV of the same rows", [gk, "list", "--dept", dept],
                 [gk, "list", "--dept", dept, "--format", "csv"], target="≤ 2×"),
    ]  # fmt: skip
    day = (generate.AS_OF - timedelta(days=365)).isoformat()
    plain += [
        Question(f"`report --as-of {day}` ÷ `report` (today)", [gk, "report", "--as-of", day], [gk, "report"], target="≤ 2×"),
        Question(f"`list --dept {dept} --as-of {day}` ÷ `list --dept {dept}`", [gk, "list", "--dept", dept, "--as-of", day],
                 [gk, "list", "--dept", dept], target="≤ 2×"),
        Question(f"`report --overdue --as-of {day}` ÷ `report --overdue`", [gk, "report", "--overdue", "--as-of", day],
                 [gk, "report", "--overdue"], target="≤ 2×"),
    ]  # fmt: skip
    for q in plain:
        ask(q, args.runs, {"gkplan": envs["gkplan"], "taskwarrior": envs["gkplan"]})

    other = f"Taskwarrior {subprocess.run([task, '--version'], capture_output=True, text=True).stdout.strip()}" if task else "no Taskwarrior"
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{other}; N = {args.n:,}, {args.runs} runs each (cold start: {max(args.runs, 9)}), the two tools in alternation.",
        "",
        "| question | gkplan median (min–max) | gkplan peak | other median (min–max) | other peak | ratio | target |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
    ]
    for q in [startup, load, load_yaml, *questions, *plain]:
        ours, theirs = q.times["gkplan"], q.times["taskwarrior"]
        ratio = f"{statistics.median(ours) / statistics.median(theirs):.2f}" if ours and theirs else "—"
        peak_theirs = f"{q.memory['taskwarrior']:.0f} MiB" if theirs else "—"
        lines.append(
            f"| {q.name} | {fmt(ours)} | {q.memory['gkplan']:.0f} MiB | {fmt(theirs)} | {peak_theirs} | {ratio} | {q.target} |"
        )
    failures = [f for q in [startup, load, load_yaml, *questions, *plain] for f in q.failures]
    lines += ["", "Other: Taskwarrior for the first eight rows, `python -c \"import sqlite3\"` for the cold start, "
              "gkplan's own CSV output for the next two, and the same question for today for the last three "
              f"(the ledger has {3 * args.n:,} history entries spread over the plan's days)."]  # fmt: skip
    if failures:
        lines += ["", "Commands that failed:", *(f"- {f}" for f in sorted(set(failures)))]
    table = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    print(table)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
