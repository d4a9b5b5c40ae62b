"""The benchmark's smoke tests at a few hundred records: the generator, the command catalogue, the floor
scripts (they print the rows gkplan prints and write what it writes: a real correctness check), and every
section of bench/run.py. Times are never asserted."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import commands  # noqa: E402
import data  # noqa: E402
import generate  # noqa: E402
import measure  # noqa: E402

GK = str(Path(sys.executable).parent / "gkplan")
N = 300


def test_generator_writes_the_same_records_three_ways(tmp_path):
    seed_yaml, seed_json, tw = generate.write(39, tmp_path)
    as_yaml = yaml.safe_load(seed_yaml.read_text(encoding="utf-8"))
    as_json = json.loads(seed_json.read_text(encoding="utf-8"))
    tasks = [json.loads(line) for line in tw.read_text(encoding="utf-8").splitlines()]
    assert len(as_yaml["points"]) == len(as_json["points"]) == len(tasks) == 39
    assert [p["title"] for p in as_json["points"]] == [t["description"] for t in tasks]
    overdue = [p for p in as_json["points"] if p["due"] < generate.AS_OF.isoformat()]
    assert len(overdue) == 13  # a third


def test_the_catalogue_has_arguments_for_every_command(tmp_path):
    """A new command makes this fail until bench/commands.py says how to start it (or why it cannot)."""
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "x.db")}
    found = commands.discover(GK, env)
    assert {c.path[0] for c in found} >= {"list", "show", "update", "report", "export", "check", "bulletin", "task"}
    assert ("task", "list") in {c.path for c in found} and "ndjson" in next(c for c in found if c.path == ("list",)).formats
    questions, unknown = commands.startup(found, "/out", "/sheet.xlsx")
    assert unknown == []
    # Only the server's admin commands stand in as --help: every other command runs for real, on a copy
    # with its prior state made first where it needs one (a checkpoint to remove, a report to review).
    helps = {q.args[0] for q in questions if q.args[-1] == "--help" and q.args != ["--help"]}
    assert helps == {"admin"}


@pytest.fixture(scope="module")
def bench_data(tmp_path_factory):
    """N generated points with 3 × N history entries, one point blocked and one extended (延期)."""
    work = tmp_path_factory.mktemp("bench")
    base = {k: v for k, v in os.environ.items() if k != "GKPLAN_DB"} | {"NO_COLOR": "1", "GKPLAN_USER": "bench"}
    ds = data.dataset(work, N, GK, sys.executable, base)
    env = ds.env(base)
    for args in (["update", "30", "--status", "blocked"], ["update", "31", "--due", "2026-01-01", "--reason", "推迟"],
                 ["update", "32", "--progress", "100", "--evidence", "文号"]):  # fmt: skip
        subprocess.run([GK, *args], env=env, check=True, capture_output=True)
    sql = work / "floor.sql"
    subprocess.run([sys.executable, str(BENCH / "floor" / "prepare.py"), str(ds.db), env["GKPLAN_TODAY"], str(sql)], check=True)
    return ds, env, sql


def floor(script: str, db: Path, sql: Path, *args: str, env: dict[str, str] | None = None) -> list[list[str]]:
    out = subprocess.run([sys.executable, str(BENCH / "floor" / script), str(db), str(sql), *args], capture_output=True,
                         text=True, check=True, env=env).stdout  # fmt: skip
    return [line.split("\t") for line in out.splitlines()]


def gkplan_csv(env: dict[str, str], *args: str, columns: list[str]) -> list[list[str]]:
    out = subprocess.run([GK, *args, "--format", "csv"], env=env, capture_output=True, text=True, check=True).stdout
    return [[row[c].replace("true", "True") for c in columns] for row in csv.DictReader(io.StringIO(out))]


def test_the_floor_prints_the_rows_gkplan_prints(bench_data):
    ds, env, sql = bench_data
    report = floor("report.py", ds.db, sql)
    assert report == gkplan_csv(env, "report", columns=[
        "group", "points", "done", "in_progress", "not_started", "blocked", "deferred", "overdue", "red", "yellow", "green",
        "mean_progress", "pending_review", "unreported", "extended", "extensions"])  # fmt: skip
    assert sum(int(r[14]) for r in report) == 1 and sum(int(r[5]) for r in report) == 1  # the extension and the 受阻 counted
    overdue = floor("overdue.py", ds.db, sql)
    assert len(overdue) >= N // 3 - 5
    assert overdue == gkplan_csv(env, "report", "--overdue", columns=[
        "id", "title", "days_overdue", "due", "progress", "status_label", "leaders", "departments"])  # fmt: skip
    dept = generate.records(1)[0]["department"]
    listed = floor("list_dept.py", ds.db, sql, dept)
    assert listed and listed == gkplan_csv(env, "list", "--dept", dept, columns=[
        "id", "title", "leaders", "departments", "role", "progress", "status_label", "light", "due", "days_left"])  # fmt: skip
    shown = floor("show.py", ds.db, sql, "31")
    point = json.loads(subprocess.run([GK, "show", "31", "--format", "json"], env=env, capture_output=True, text=True,
                                      check=True).stdout)  # fmt: skip
    assert shown[0][:4] == [str(point["id"]), point["title"], point["section_title"], json.dumps(point["leads"], ensure_ascii=False)]
    assert shown[0][5:9] == [point["status_label"], point["light"], point["due"], str(point["days_left"])]
    assert [int(r[0]) for r in shown[1:]] == [h["id"] for h in point["history"]]
    logged = floor("log.py", ds.db, sql)
    history = [json.loads(line) for line in subprocess.run([GK, "log", "--format", "ndjson"], env=env, capture_output=True,
                                                            text=True, check=True).stdout.splitlines()]  # fmt: skip
    assert len(logged) > N and [(int(r[0]), r[1], r[3]) for r in logged] == [(h["id"], h["effective"], h["by"]) for h in history]


def test_the_floor_update_writes_what_gkplan_writes(bench_data, tmp_path):
    ds, env, sql = bench_data
    ours, theirs = data.copy_ledger(ds.db, tmp_path / "ours.db"), data.copy_ledger(ds.db, tmp_path / "floor.db")
    subprocess.run([GK, "update", "100", "--progress", "77", "--note", "进展"], env=env | {"GKPLAN_DB": str(ours)}, check=True,
                   capture_output=True)  # fmt: skip
    floor("update.py", theirs, sql, "100", "77", "进展", env=env)

    def after(db: Path) -> tuple:
        e = env | {"GKPLAN_DB": str(db)}
        shown = json.loads(subprocess.run([GK, "show", "100", "--format", "json"], env=e, capture_output=True, check=True).stdout)
        last = shown["history"][0]
        subprocess.run([GK, "check"], env=e, check=True, capture_output=True)  # the hash chain and the replay agree
        return ({k: shown[k] for k in ("progress", "status", "note", "reported", "light")},
                {k: last[k] for k in ("id", "effective", "by", "action", "changes", "note")})  # fmt: skip

    assert after(theirs) == after(ours)


@pytest.mark.skipif(not Path(measure.TIME).exists(), reason="no GNU time")
def test_the_peak_is_the_commands_own_whatever_its_options(bench_data):
    """GNU time takes the command's own --format for its own, unless told where its options end."""
    ds, env, _ = bench_data
    assert measure.peak_of([GK, "report", "--overdue", "--format", "json"], env) is not None


def test_match_splits_terms_at_commas_but_not_inside_a_number():
    """`--match "load 1,000,000 records (JSON"` once ran every question with "000" in its label (show 500000 …)."""
    import sections

    assert sections.Bench.terms("load 1,000,000 records (JSON") == ("load 1,000,000 records (JSON",)
    assert sections.Bench.terms("depts,leaders,,load 100,000 records (YAML,--format csv") == (
        "depts", "leaders", "load 100,000 records (YAML", "--format csv")
    assert sections.Bench.terms("") == ()


def test_every_section_runs(tmp_path):
    out = tmp_path / "perf.md"
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--sizes", "60,120", "--runs", "1", "--runs-large", "1", "--startup-runs", "1",
         "--only", "startup,memory,growth,floor,tw,ratios", "--match", "report --overdue,load 60 records (JSON,(copy,Typer's import",
         "--gkplan", GK, "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    text = out.read_text(encoding="utf-8")
    assert "[bench " in result.stderr and "Machine: " in text and "Reproduce: `python bench/run.py --sizes 60,120" in text
    for heading in ("### Cold start", "### N = 60", "### N = 120", "#### Every command", "#### Against the floor",
                    "#### Table ÷ CSV", "### Growth from size to size"):  # fmt: skip
        assert heading in text
    assert "| `report --overdue` | " in text and "| `report --overdue --format ndjson` | " in text
    assert "| Typer's import alone, against show's floor: `python -c \"import sqlite3, typer\"` | " in text
    growth = text.split("### Growth from size to size")[1]
    assert "| `report --overdue` | " in growth and "| `floor of report --overdue` | " in growth  # the floor's growth beside
    row = next(line for line in growth.splitlines() if line.startswith("| `report --overdue` | "))
    assert "× user CPU 60 → 120" in growth and float(row.split("|")[-2]) > 0  # the user time's growth, the program's own
    # the writers of the cold-start table ran for real, each on a copy after the state it needs
    assert "| `review 17.2 --accept (copy, after its 办结 report)` | " in text and "| `task rm 17.1 (copy)` | " in text
    assert "Commands that failed" not in text
    if shutil.which("task"):
        assert "| `load 60 records (JSON)` | " in text and "`task +OVERDUE list`" in text


def test_measured_processes_start_without_the_interpreters_settings():
    env = measure.measured_env({"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": "/x", "PATH": "/bin"})
    assert env == {"PATH": "/bin"}


def test_the_growth_table_has_each_step_and_over_three_sizes_the_whole_range():
    import sections

    def sample(seconds: float, user: float) -> measure.Sample:
        return measure.Sample("q", [], {}, times=[seconds] * 3, user=[user] * 3)

    b = sections.Bench(gk="", python="", real_python="", base={}, work=Path("."), runs=3, runs_large=3, startup_runs=1,
                       match=(), argv="")  # fmt: skip
    b.results = {10: {"q": sample(1.0, 0.5)}, 100: {"q": sample(8.0, 4.0)}, 1000: {"q": sample(96.0, 40.0)}}
    lines = sections.growth(b)
    header = next(line for line in lines if line.startswith("| question"))
    row = next(line for line in lines if line.startswith("| `q`"))
    cells = dict(zip([c.strip() for c in header.split("|")], [c.strip() for c in row.split("|")]))
    assert cells["× 10 → 100"] == "8.0" and cells["× 100 → 1,000"] == "12.0" and cells["× 10 → 1,000"] == "96.0"
    assert cells["× user CPU 10 → 100"] == "8.0" and cells["× user CPU 10 → 1,000"] == "80.0"
    del b.results[1000]  # two sizes: the step is the range
    assert "× 10 → 100" in sections.growth(b)[2] and "1,000" not in "".join(sections.growth(b))


def test_the_server_benchmark_runs_and_loses_no_update(tmp_path):
    out = tmp_path / "pg.md"
    result = subprocess.run([sys.executable, str(BENCH / "pg.py"), "--n", "39", "--runs", "1", "--updates", "8", "--out", str(out),
                             "--gkplan", GK], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    table = out.read_text(encoding="utf-8")
    assert "| cold `list --dept " in table and "| cold `update` |" in table
    assert [line.split(" | ")[3:5] for line in table.splitlines() if line.startswith(("| 1 |", "| 8 |", "| 32 |"))] == [["8", "yes |"]] * 3


def test_the_export_floor_writes_the_records_gkplan_exports(bench_data, tmp_path):
    ds, env, sql = bench_data
    subprocess.run([GK, "export", "--format", "json", "-o", str(tmp_path / "gk.json")], env=env, check=True, capture_output=True)
    floor("export.py", ds.db, sql, str(tmp_path / "floor.json"))
    ours, theirs = (json.loads((tmp_path / f"{who}.json").read_text(encoding="utf-8")) for who in ("gk", "floor"))
    assert theirs["as_of"] == ours["as_of"] and theirs["plan"] == ours["plan"]["key"]
    assert len(theirs["points"]) == N and len(theirs["history"]) > N
    for key in ("points", "history"):  # every field the floor writes, as gkplan writes it
        assert [{k: r[k] for k in f} for r, f in zip(ours[key], theirs[key])] == theirs[key]
    assert [len(theirs[k]) for k in ("tasks", "targets")] == [len(ours[k]) for k in ("tasks", "targets")]


def test_the_csv_and_markdown_export_floors_write_the_bytes_gkplan_writes(bench_data, tmp_path):
    """The same file to the byte: the BOM and headers, the labels, a formula neutralised, the Markdown escapes."""
    ds, env, sql = bench_data
    db = data.copy_ledger(ds.db, tmp_path / "hostile.db")
    env = env | {"GKPLAN_DB": str(db)}
    subprocess.run([GK, "update", "33", "--note", "=1+1 | <b>[链接](javascript:x)"], env=env, check=True, capture_output=True)
    for fmt, script in (("csv", "export_csv.py"), ("md", "export_md.py")):
        ours, theirs = tmp_path / f"gk.{fmt}", tmp_path / f"floor.{fmt}"
        subprocess.run([GK, "export", "--format", fmt, "-o", str(ours)], env=env, check=True, capture_output=True)
        floor(script, db, sql, str(theirs))
        assert theirs.read_bytes() == ours.read_bytes() and len(ours.read_bytes()) > 100 * N
    assert "'=1+1 | <b>[链接](javascript:x)" in (tmp_path / "floor.csv").read_text(encoding="utf-8-sig")
    assert "- 最新进展：=1+1 ｜ &lt;b&gt;\\[链接\\](javascript:x)" in (tmp_path / "floor.md").read_text(encoding="utf-8")


def test_the_remind_floor_prints_the_notices_gkplan_prints(bench_data):
    ds, env, sql = bench_data
    notices = json.loads(subprocess.run([GK, "remind", "--format", "json"], env=env, capture_output=True, check=True).stdout)
    ours = []
    for n in notices:
        ours.append([n["department"], "、".join(n["leaders"])])
        ours += [[i["id"], i["title"], ",".join(i["reasons"]), i["due"], str(i["days_left"]), str(i["progress"]),
                  "、".join(i["leaders"])] for i in n["items"]]  # fmt: skip
    theirs = floor("remind.py", ds.db, sql)
    assert theirs == ours and len(notices) > 10
    reasons = {r[2] for r in theirs if len(r) > 2}
    assert {"overdue", "yellow", "due_soon"} <= reasons  # each way onto a notice, the 受阻 point's yellow among them
    assert ["30"] == [r[0] for r in theirs if r[0] == "30"] and not [r for r in theirs if r[0] == "32"]  # 待销号: none


def test_nocli_draws_what_the_commands_draw(bench_data):
    """bench/nocli.py, the floor section's gkplan-without-Typer reference, does the commands' work: the same table."""
    ds, env, _ = bench_data
    env = env | {"COLUMNS": "160"}
    for ours, theirs in ((["show", "31"], ["show", "31"]), (["report", "--overdue"], ["overdue"])):
        cli = subprocess.run([GK, *ours], env=env, capture_output=True, text=True, check=True).stdout
        bare = subprocess.run([sys.executable, str(BENCH / "nocli.py"), str(ds.db), env["GKPLAN_TODAY"], *theirs], env=env,
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert bare == cli and cli.count("\n") > 10
