"""The benchmark's one entry point: every section, every size, Markdown for docs/performance.md on stdout.

    python bench/run.py --sizes 10000,100000,1000000 --runs 5 --workdir /var/tmp/gkplan-bench > perf.md
    python bench/run.py --only startup                       # one section (progress on stderr)
    python bench/run.py --only memory,growth --sizes 1000000 --runs-large 3

Sections: startup (every command's cold start on the bundled plan against `python -c "import sqlite3"`),
memory (every command's time and peak memory at each size, every output format and export), growth (each
question's median across the sizes), floor (gkplan against bench/floor/'s stdlib scripts), tw (against
Taskwarrior's nearest report, at sizes up to 100,000), ratios (table ÷ CSV, as-of ÷ today), pg (the shared
ledger on a local PostgreSQL server: bench/pg.py). Data for each size is made once and kept in the work
directory (bench/data.py); every figure is a whole process, its peak the child's max RSS. Nothing here
asserts a time: it is a measurement, not a test. Run it on a quiet machine: a busy one's figures are re-run.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402
import data  # noqa: E402
import measure  # noqa: E402
import sections  # noqa: E402
from measure import machine, progress  # noqa: E402

SECTIONS = ("startup", "memory", "growth", "floor", "tw", "ratios", "pg")
TW_UP_TO = 100_000  # Taskwarrior keeps every task in memory and rewrites its files: a million is minutes a question


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated numbers of records")
    parser.add_argument("--runs", type=int, default=5, help="runs of each question")
    parser.add_argument("--startup-runs", type=int, default=9, help="runs of each cold start")
    parser.add_argument("--match", default="", help="only questions whose label contains one of these (comma-separated; 1,000,000 is one term)")
    parser.add_argument("--runs-large", type=int, default=3, help="runs at 1,000,000 records and more")
    parser.add_argument("--gkplan", default=str(Path(sys.executable).parent / "gkplan"))
    parser.add_argument("--workdir", type=Path, default=Path("/var/tmp/gkplan-bench"), help="where each size's data is kept")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown here")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))} (known: {', '.join(SECTIONS)})")
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    gk = str(Path(args.gkplan).absolute())
    venv_python = Path(gk).parent / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = measure.measured_env(os.environ) | {"NO_COLOR": "1", "COLUMNS": "160", "GKPLAN_USER": "bench"}
    base.pop("GKPLAN_DB", None)
    b = sections.Bench(gk, python, python, base, args.workdir.resolve(), args.runs, args.runs_large,
                       args.startup_runs, sections.Bench.terms(args.match),
                       shlex.join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]))  # fmt: skip

    everything: list[str] = []
    lines = ["<!-- made by bench/run.py -->", f"Machine: {machine(python)}; gkplan {gk}.", "",
             f"Reproduce: `{b.argv}` (sections one at a time: `--only SECTION`).", ""]  # fmt: skip
    if "startup" in only:
        lines += ["### Cold start", "", *sections.startup(b), ""]
    for n in sizes:
        wanted = [s for s in ("memory", "floor", "tw", "ratios") if s in only and (s != "tw" or n <= TW_UP_TO)]
        if not wanted and not ("growth" in only and len(sizes) > 1):
            continue
        ds = data.dataset(b.work, n, gk, python, base)
        part: list[str] = []
        if "memory" in wanted:
            part += ["#### Every command: time and peak memory", "", *sections.every_command(b, ds), ""]
        elif "growth" in only:  # growth alone: only the questions the growth table reads
            sections.every_command(b, ds, only_growth=True)
        if "floor" in wanted:
            part += ["#### Against the floor", "", *sections.floor(b, ds), ""]
        if "tw" in wanted:
            part += ["#### Against Taskwarrior", "", *compare.taskwarrior(b, ds), ""]
        if "ratios" in wanted:
            part += ["#### Table ÷ CSV, as of a day ÷ today", "", *compare.ratios(b, ds), ""]
        lines += [f"### N = {n:,}", "", *part] if part else []
        lines = _emit(lines, everything)  # each size as it is done: a long run's early figures are kept
    if "growth" in only and len(b.results) > 1:
        lines += ["### Growth from size to size", "", *sections.growth(b), ""]
    if "pg" in only:
        n = 100_000 if 100_000 in sizes or not sizes else min(sizes[0], TW_UP_TO)
        progress(f"PostgreSQL at {n:,} records (bench/pg.py)")
        result = subprocess.run([python, str(Path(__file__).with_name("pg.py")), "--n", str(n), "--runs", str(args.runs),
                                 "--gkplan", gk], capture_output=True, text=True)  # fmt: skip
        lines += [result.stdout if result.returncode == 0 else
                  f"bench/pg.py failed (exit {result.returncode}): {result.stderr.strip().splitlines()[-1:]}", ""]  # fmt: skip
    _emit(lines, everything)
    sections.cleanup(b)  # the exports' files
    if args.out:
        args.out.write_text("\n".join(everything) + "\n", encoding="utf-8")
    return 0


def _emit(lines: list[str], everything: list[str]) -> list[str]:
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    everything += lines
    return []


if __name__ == "__main__":
    sys.exit(main())
