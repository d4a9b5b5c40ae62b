"""Two versions of gkplan's code asked the same questions in alternation: the ratio new ÷ old, from the same run.

    python bench/ab.py --old /tmp/old/src --new /tmp/new/src --db /var/tmp/gkplan-bench/n100000/ledger.db \\
        --today 2023-07-01 --runs 5 "diff 2022-07-01 2023-07-01 --format csv" "export --format xlsx -o /tmp/ab.xlsx --force"

Each `src` is a tree holding the `gkplan` package (`git archive <commit> src | tar -x -C DIR`), compiled first;
each question runs as `python -m gkplan …` with that tree first on PYTHONPATH, cold, its output to a pipe.
`--new-db`: the new code's copy of the ledger, when the new code has a newer schema (it would upgrade the old's copy).
For a change to a measured path when the whole bench is not re-run (docs/performance.md says which).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import statistics
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--new-db", help="the new code's ledger (default: --db)")
    parser.add_argument("--today", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="an interpreter with gkplan's dependencies")
    parser.add_argument("questions", nargs="+", help="each a command line after `gkplan`, quoted")
    args = parser.parse_args()
    for tree in (args.old, args.new):
        compileall.compile_dir(tree, quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"GKPLAN_DB": args.db, "GKPLAN_TODAY": args.today, "NO_COLOR": "1", "COLUMNS": "160"}
    for question in args.questions:
        times: dict[str, list[float]] = {"old": [], "new": []}
        outputs: dict[str, bytes] = {}
        for _ in range(args.runs):
            for side in ("old", "new"):
                start = time.perf_counter()
                done = subprocess.run([args.python, "-m", "gkplan", *shlex.split(question)], capture_output=True,
                                      env=env | {"PYTHONPATH": getattr(args, side),
                                                 "GKPLAN_DB": args.new_db or args.db if side == "new" else args.db})  # fmt: skip
                times[side].append(time.perf_counter() - start)
                if done.returncode:
                    sys.exit(f"{side}: gkplan {question} exited {done.returncode}: {done.stderr.decode()[-300:]}")
                outputs[side] = done.stdout
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        same = "same output" if outputs["old"] == outputs["new"] else "outputs differ"
        print(f"`{question}`: old {old:.3f} s ({min(times['old']):.3f}–{max(times['old']):.3f}), "
              f"new {new:.3f} s ({min(times['new']):.3f}–{max(times['new']):.3f}), new ÷ old {new / old:.3f}; {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
