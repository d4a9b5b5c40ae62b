"""The shared ledger on a local PostgreSQL server beside the same ledger as a SQLite file, and concurrent writers.

    python bench/pg.py --n 100000 --runs 5 --out /tmp/pg.md

One ledger of N generated points is loaded into a SQLite file, then pushed (`gkplan admin push`) onto a
PostgreSQL server started here from the pgserver wheel (Unix socket, this machine), so both hold the same rows.
Each question is asked of both in alternation, as whole processes, cold (a new process each time): medians,
min–max and the ratio server ÷ file from the same run. Then W writers (W = 1, 8, 32; each a department's own
login) each run `gkplan update` on their own points until 64 updates are made; the table gives updates per
second and checks that the history grew by exactly 64 entries, numbered without a gap. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
from measure import fmt, measured_env, peak_of, run  # noqa: E402

UPDATES = 64


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--gkplan", default=str(Path(sys.executable).parent / "gkplan"))
    parser.add_argument("--updates", type=int, default=UPDATES, help="updates in all, for each number of writers")
    args = parser.parse_args()
    import pgserver
    import psycopg

    work = Path(tempfile.mkdtemp(prefix="gkplan-pg-bench."))
    server = pgserver.get_server(work / "pg", cleanup_mode="stop")
    host = server.get_uri().split("host=", 1)[1]
    try:
        dsn = lambda user, db="bench": f"postgresql://{user}@/{db}?host={host}"  # noqa: E731
        server.psql("CREATE DATABASE bench;")
        # written by a child: a parent that held the records would lend its size to every child's peak memory
        # (Linux counts the memory a process had before exec in its children's max RSS)
        subprocess.run([sys.executable, "-c", f"import generate; generate.write({args.n}, __import__('pathlib').Path({str(work)!r}))"],
                       cwd=Path(__file__).parent, check=True)  # fmt: skip
        seed_json = work / f"seed-{args.n}.json"
        db, gk = work / "ledger.db", args.gkplan
        base = measured_env(os.environ) | {"NO_COLOR": "1", "COLUMNS": "160", "GKPLAN_TODAY": generate.AS_OF.isoformat(), "GKPLAN_USER": "bench"}
        file_env = base | {"GKPLAN_DB": str(db)}
        subprocess.run([gk, "load", str(seed_json)], env=file_env, check=True, capture_output=True)
        subprocess.run([gk, "admin", "push", str(db), dsn("postgres")], env=base, check=True, capture_output=True)
        subprocess.run([gk, "admin", "user", "add", "office", "--office", "--dsn", dsn("postgres")], env=base, check=True,
                       capture_output=True)  # fmt: skip
        server_env = base | {"GKPLAN_DB": dsn("office")}
        with psycopg.connect(dsn("postgres"), autocommit=True) as conn:  # 教务部, unless a small plan has none
            dept, point = conn.execute("SELECT department, min(point) FROM point_departments GROUP BY department"
                                       " ORDER BY department <> '教务部', count(*) DESC LIMIT 1").fetchone()  # fmt: skip
        rows = []
        for name, cmd in ((f"cold `list --dept {dept}`", [gk, "list", "--dept", dept]),
                          ("cold `show`", [gk, "show", str(point)]),
                          ("cold `update`", [gk, "update", str(point), "--note", "第 {i} 次进展"])):  # fmt: skip
            times: dict[str, list[float]] = {"file": [], "server": []}
            # the peak from a small parent (GNU time): this runner, with psycopg loaded, would lend its size to every child
            peak = {who: peak_of([c.replace("{i}", f"{who}w") for c in cmd], env) for who, env in (("file", file_env),
                                                                                                ("server", server_env))}  # fmt: skip
            own = {who: value is not None for who, value in peak.items()}
            peak = {who: value or 0.0 for who, value in peak.items()}
            for i in range(args.runs):
                for who, env in (("file", file_env), ("server", server_env)):
                    seconds, mib, code, _ = run([c.replace("{i}", f"{who}{i}") for c in cmd], env)
                    assert code == 0, (name, who, code)
                    times[who].append(seconds)
                    if not own[who]:
                        peak[who] = max(peak[who], mib)
            ratio = statistics.median(times["server"]) / statistics.median(times["file"])
            rows.append(f"| {name} | {fmt(times['file'])} | {fmt(times['server'])} | {ratio:.2f} | {peak['server']:.0f} MiB |")
        writers = concurrent(gk, base, dsn, psycopg, args.updates)
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    import platform

    table = "\n".join([
        f"### The shared ledger (PostgreSQL 16, local server, Unix socket) at {args.n:,} points",
        "", f"`python bench/pg.py --n {args.n} --runs {args.runs}` on {platform.machine()}, {os.cpu_count()} cores;"
        " medians of the runs (min–max); ratio = server ÷ file from the same run.", "",
        "| question | SQLite file | PostgreSQL | ratio | peak memory (server) |", "| --- | --- | --- | --- | --- |", *rows, "",
        f"Concurrent `gkplan update` ({args.updates} in all, each writer a department's own login on its own points):", "",
        "| writers | wall time | updates per second | history grew by | numbered without a gap |", "| --- | --- | --- | --- | --- |",
        *writers, "",
    ])  # fmt: skip
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    print(table)
    return 0


def concurrent(gk: str, base: dict[str, str], dsn, psycopg, updates: int) -> list[str]:  # noqa: ANN001
    """W writers, each a department's login updating the first point it leads, `updates` in all."""
    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        leads = conn.execute(
            "SELECT r.role, min(d.point) FROM gkplan_roles r JOIN point_departments d ON d.department = r.department"
            " WHERE r.department NOT IN ('党委办公室', '校长办公室') GROUP BY r.role ORDER BY r.role").fetchall()  # fmt: skip
        for role, _ in leads:
            conn.execute(f'CREATE ROLE "w_{role}" LOGIN IN ROLE "{role}"')
    out = []
    for writers in (1, 8, 32):
        chosen = [leads[i % len(leads)] for i in range(writers)]
        jobs = [chosen[i % writers] for i in range(updates)]
        with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
            before = conn.execute("SELECT count(*) FROM history").fetchone()[0]
        start = time.perf_counter()

        def one(job: tuple[str, int], k: list[int] = [0]) -> int:  # noqa: B006 - a counter shared by the threads
            k[0] += 1
            env = base | {"GKPLAN_DB": dsn(f"w_{job[0]}")}
            return subprocess.run([gk, "update", str(job[1]), "--note", f"进展 {k[0]}"], env=env, capture_output=True).returncode

        with ThreadPoolExecutor(max_workers=writers) as pool:
            codes = list(pool.map(one, jobs))
        wall = time.perf_counter() - start
        with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
            count, top = conn.execute("SELECT count(*), max(id) FROM history").fetchone()
        assert codes == [0] * updates, codes
        out.append(f"| {writers} | {wall:.2f} s | {updates / wall:.1f} | {count - before} | {'yes' if top == count else 'no'} |")
    return out


if __name__ == "__main__":
    sys.exit(main())
