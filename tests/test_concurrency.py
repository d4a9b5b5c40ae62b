"""Many processes, several names, other users: still one ledger, nothing acknowledged lost, nothing left behind.

Every scenario drives `python -m gkplan` in separate processes, started together; each test names its figures
(12 processes × 3 rounds, 6 migrations, 4 × 25 writes through three names, …).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
V3 = REPO / "tests" / "data" / "ledger_v3.db"
NOBODY = 65534


def _env(db: Path | None, **extra: str) -> dict[str, str]:
    env = os.environ | {"NO_COLOR": "1", "GKPLAN_TODAY": "2022-06-30", "GKPLAN_USER": "测试", "COLUMNS": "120"}
    env.pop("GKPLAN_DB", None)
    if db is not None:
        env["GKPLAN_DB"] = str(db)
    return env | extra


def _start(db: Path | None, *args: str, prefix: tuple[str, ...] = (), **extra: str) -> subprocess.Popen:
    """`python -m gkplan ARGS`, or `python -c SCRIPT ARGS` for a worker that runs many commands."""
    if prefix == AS_NOBODY:
        extra = {"HOME": "/nonexistent"} | extra  # nobody's home, not root's (which nobody may not read)
    return subprocess.Popen(
        [*prefix, sys.executable, *(args if args[0] == "-c" else ("-m", "gkplan", *args))], env=_env(db, **extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/",
    )  # fmt: skip


def _gkplan(db: Path | None, *args: str, prefix: tuple[str, ...] = (), **extra: str) -> subprocess.CompletedProcess:
    proc = _start(db, *args, prefix=prefix, **extra)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _all(procs: list[tuple[object, subprocess.Popen]]) -> list[tuple[object, subprocess.CompletedProcess]]:
    """Wait for processes started together; none may print a traceback or give up on a busy ledger."""
    done = []
    for tag, proc in procs:
        out, err = proc.communicate(timeout=300)
        result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        assert "Traceback" not in err + out, (tag, err)
        assert "占用" not in err and "locked" not in err.lower() and "busy" not in err.lower(), (tag, err)
        done.append((tag, result))
    return done


def _json(db: Path, *args: str, **extra: str) -> list | dict:
    out = _gkplan(db, *args, "--format", "json", **extra)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _check(db: Path, *root: str) -> None:
    out = _gkplan(db, *root, "check")
    assert out.returncode == 0, out.stdout + out.stderr


def _notes(db: Path, point: int = 18) -> list[str]:
    return [e["note"] for e in _json(db, "log", str(point)) if e["entity"] == "point" and e["note"]]


def _pragma(db: Path, name: str) -> object:
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)  # leaves no -wal/-shm behind
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# -- 1. many processes on a path with no ledger yet ---------------------------------------------------------


def test_12_processes_at_once_on_no_ledger_make_one_ledger_and_lose_nothing_3_rounds(tmp_path):
    for rnd in range(3):
        folder = tmp_path / f"round{rnd}"
        folder.mkdir()
        db = folder / "ledger.db"
        procs = []
        for i in range(12):
            kind = ("update", "task", "list")[i % 3]
            args = {"update": ("update", "18", "--note", f"w{rnd}-{i}"), "task": ("task", "add", "17", f"t{rnd}-{i}"),
                    "list": ("list",)}[kind]  # fmt: skip
            procs.append(((kind, f"{rnd}-{i}"), _start(db, *args)))
        results = _all(procs)
        assert [r.returncode for _, r in results] == [0] * 12, [r.stderr for _, r in results]
        created = [tag for tag, r in results if "已新建台账" in r.stderr]
        assert len(created) == 1, created  # one process made it; the others used that one
        assert _leftovers(folder, {"ledger.db"}) == []  # no .ledger.db.*.new, no -wal/-shm once all have closed
        notes = _notes(db)
        assert sorted(notes) == sorted(f"w{tag}" for (kind, tag), _ in results if kind == "update")
        titles = [t["title"] for t in _json(db, "task", "list", "--point", "17")]
        assert sorted(t for t in titles if t.startswith("t")) == sorted(f"t{tag}" for (kind, tag), _ in results if kind == "task")
        plans = _json(db, "plans")
        assert [(p["plan"], p["points"]) for p in plans] == [("2022", 39)]
        _check(db)


# -- 2. concurrent loads on a fresh path ---------------------------------------------------------------


def test_10_concurrent_loads_of_two_plans_on_no_ledger_hold_each_plan_once(tmp_path):
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    assert "year: 2022" in seed and "国开发〔2022〕1号" in seed
    second = tmp_path / "workpoints_2023.yaml"
    second.write_text(seed.replace("year: 2022", "year: 2023").replace("国开发〔2022〕1号", "国开发〔2023〕1号"), encoding="utf-8")
    db = tmp_path / "ledger.db"
    procs = [(i, _start(db, "load", *([str(second)] if i % 2 else []))) for i in range(10)]
    results = _all(procs)
    assert [r.returncode for _, r in results] == [0] * 10, [r.stderr for _, r in results]
    plans = _json(db, "plans")
    assert sorted((p["plan"], p["document"], p["points"]) for p in plans) == [
        ("2022", "国开发〔2022〕1号", 39), ("2023", "国开发〔2023〕1号", 39)]  # fmt: skip
    assert _leftovers(tmp_path, {"ledger.db", second.name}) == []
    _check(db)


# -- 3. concurrent migrations ----------------------------------------------------------------------------


def _v3_history() -> list[tuple]:
    conn = sqlite3.connect(f"file:{V3}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT id, point, entity, ref, action, by, note FROM history ORDER BY id").fetchall()
    finally:
        conn.close()


def test_6_processes_migrating_one_version_3_ledger_at_once_migrate_it_once(tmp_path):
    old = _v3_history()
    assert old and _pragma(V3, "user_version") == 3
    db = tmp_path / "ledger.db"
    shutil.copy(V3, db)
    commands = [("list",), ("show", "3"), ("update", "18", "--note", "迁移时"), ("log",), ("report",), ("task", "list")]
    results = _all([(c, _start(db, *c, GKPLAN_TODAY="2026-12-01")) for c in commands])
    assert [r.returncode for _, r in results] == [0] * 6, [r.stderr for _, r in results]
    assert _pragma(db, "user_version") == 6
    conn = sqlite3.connect(db)
    try:
        new = conn.execute(
            "SELECT id, point, entity, ref, action, by, note FROM history WHERE action != 'migrate' AND id <= ? ORDER BY id",
            (old[-1][0],),
        ).fetchall()  # fmt: skip
        assert conn.execute("SELECT count(*) FROM history WHERE note = '迁移时'").fetchone()[0] == 1
        assert conn.execute("SELECT value FROM meta WHERE key = 'migrated_from'").fetchone()[0] == "3"
    finally:
        conn.close()
    assert [tuple(r) for r in new] == [tuple(r) for r in old]  # the version 3 records, each once, numbers kept
    _check(db)


# -- 6. commands that never create a ledger ----------------------------------------------------------------


def test_check_backup_export_and_an_explicit_db_that_does_not_exist_create_nothing(tmp_path):
    existing = tmp_path / "real.db"
    assert _gkplan(existing, "depts").returncode == 0  # a real ledger in the same directory
    missing = tmp_path / "nowhere" / "ledger.db"
    fresh = tmp_path / "fresh.db"
    typo = tmp_path / "reall.db"  # a typo of real.db, beside it
    cases = [
        (fresh, ("check",)), (fresh, ("backup", str(tmp_path / "b.db"))),
        (fresh, ("export", "-f", "json", "-o", str(tmp_path / "e.json"))),
        (existing, ("--db", str(typo), "list")), (existing, ("--db", str(typo), "update", "18", "--progress", "5")),
        (existing, ("--db", str(typo), "load")), (None, ("--db", str(missing), "list")),
        (existing, ("--db", str(typo), "check")), (None, ("--db", str(fresh), "task", "add", "17", "x")),
    ]  # fmt: skip
    for env_db, args in cases:
        out = _gkplan(env_db, *args, XDG_DATA_HOME=str(tmp_path / "xdg"))
        named = Path(args[1]) if args[0] == "--db" else env_db
        assert out.returncode == 5, (args, out.stderr)
        assert "没有台账" in out.stderr and str(named) in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
        assert not named.exists(), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.db"]


# -- 7. files that are not gkplan ledgers --------------------------------------------------------------------


def _other_app(path: Path, user_version: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"  # a table name gkplan also uses
        "INSERT INTO contacts (name) VALUES ('张三'), ('李四'), ('王五');"
        f"INSERT INTO meta VALUES ('app', 'contacts'); PRAGMA user_version = {user_version};"
    )
    conn.close()


@pytest.mark.parametrize("kind", ["other app", "other app with user_version 2", "other app in WAL mode", "empty", "text"])
def test_a_file_that_is_not_a_gkplan_ledger_is_refused_and_left_as_it_was(tmp_path, kind):
    path = tmp_path / "data.db"
    if kind.startswith("other app"):
        _other_app(path, 2 if "user_version" in kind else 0)
        if "WAL" in kind:
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.close()
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path.write_text("学校工作要点\n一、党的建设\n", encoding="utf-8")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    raw, mtime = path.read_bytes(), path.stat().st_mtime_ns
    commands = [("list",), ("update", "18", "--progress", "5"), ("load",), ("check",), ("backup", str(tmp_path / "b.db"))]
    for n, args in enumerate(commands):
        for how in (("env", "option")[n % 2],):  # GKPLAN_DB and --db in turn
            out = _gkplan(path, *args) if how == "env" else _gkplan(None, "--db", str(path), *args)
            assert out.returncode == 5, (kind, args, out.stdout, out.stderr)
            assert "不是" in out.stderr and "台账" in out.stderr and str(path) in out.stderr, out.stderr
            assert "Traceback" not in out.stderr
            assert path.read_bytes() == raw and path.stat().st_mtime_ns == mtime, (kind, args)
            assert sorted(p.name for p in tmp_path.iterdir()) == ["data.db"], (kind, args)


# -- 4, 5. users who may only read ------------------------------------------------------------------------

AS_NOBODY = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
# root reads and writes whatever the modes say, unless it gives up that capability (as in test_faults)
AS_ROOT_WITHOUT_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")
needs_setpriv = pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0, reason="needs setpriv, run as root")


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A 0755 directory that uid 65534 can reach (pytest's tmp_path is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="gkplan-conc-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for p in [folder, *folder.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(folder)


def _strangers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.stat().st_uid != os.geteuid())


@needs_setpriv
@pytest.mark.parametrize("folder_mode", [0o755, 0o1777], ids=["owner's directory", "directory anyone may write, like /tmp"])
def test_a_reader_without_write_permission_leaves_nothing_that_locks_the_owner_out(shared_dir, folder_mode):
    db = shared_dir / "ledger.db"
    assert _gkplan(db, "depts").returncode == 0
    db.chmod(0o644)
    shared_dir.chmod(folder_mode)
    owner = AS_ROOT_WITHOUT_OVERRIDE  # the owner, bound by file modes like any user: a -shm of nobody's would stop it
    assert _leftovers(shared_dir, {"ledger.db"}) == []  # closed: no -wal, no -shm
    read = _gkplan(db, "list", "--format", "json", prefix=AS_NOBODY)
    assert read.returncode == 0 and len(json.loads(read.stdout)) == 39, read.stderr
    write = _gkplan(db, "update", "18", "--progress", "5", prefix=AS_NOBODY)
    assert write.returncode == 5 and "只读" in write.stderr and str(db) in write.stderr, write.stderr
    assert "Traceback" not in read.stderr + write.stderr
    assert _strangers(shared_dir) == [] and _leftovers(shared_dir, {"ledger.db"}) == []
    wrote = _gkplan(db, "update", "18", "--progress", "5", prefix=owner)
    assert wrote.returncode == 0, wrote.stderr
    # and while the owner is writing (its -wal and -shm exist): 4 readers and 4 writers at once
    procs = [(("read", i), _start(db, "show", "18", "--format", "json", prefix=AS_NOBODY)) for i in range(4)]
    procs += [(("write", i), _start(db, "update", "18", "--note", f"主人{i}", prefix=owner)) for i in range(4)]
    results = _all(procs)
    assert [r.returncode for _, r in results] == [0] * 8, [r.stderr for _, r in results]
    assert _strangers(shared_dir) == []
    assert _gkplan(db, "update", "18", "--progress", "6", prefix=owner).returncode == 0
    assert sorted(n for n in _notes(db) if n.startswith("主人")) == [f"主人{i}" for i in range(4)]
    _check(db)


@needs_setpriv
@pytest.mark.parametrize("who", ["uid 65534", "root without dac_override"])
def test_a_version_3_ledger_the_user_cannot_write_is_read_without_migrating_it(shared_dir, who):
    folder = shared_dir / "ro"
    folder.mkdir()
    db = folder / "ledger.db"
    shutil.copy(V3, db)
    raw = db.read_bytes()
    db.chmod(0o444)
    folder.chmod(0o555)
    prefix = AS_NOBODY if who == "uid 65534" else AS_ROOT_WITHOUT_OVERRIDE
    extra = {"GKPLAN_TODAY": "2026-12-01"}
    try:
        listed = _gkplan(db, "list", "--format", "json", prefix=prefix, **extra)
        shown = _gkplan(db, "show", "3", "--format", "json", prefix=prefix, **extra)
        write = _gkplan(db, "update", "18", "--progress", "5", prefix=prefix, **extra)
    finally:
        folder.chmod(0o755)
    assert "Traceback" not in listed.stderr + shown.stderr + write.stderr
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 39, listed.stderr
    assert shown.returncode == 0 and json.loads(shown.stdout)["progress"] == 40, shown.stderr
    assert write.returncode == 5 and "只读" in write.stderr and str(db) in write.stderr, write.stderr
    assert db.read_bytes() == raw and _pragma(db, "user_version") == 3  # not migrated
    assert _leftovers(folder, {"ledger.db"}) == []


# -- 8. one ledger, several names ---------------------------------------------------------------------------

NAMES_WORKER = """
import json, sys
from typer.testing import CliRunner
from gkplan.cli import full_app
app, runner = full_app(), CliRunner()
worker, names = int(sys.argv[1]), sys.argv[2:]
for n in range(25):
    name = names[(worker + n) % len(names)]
    result = runner.invoke(app, ["--db", name, "update", "18", "--note", f"w{worker}-{n}", "--format", "json"])
    if result.exit_code != 0 or result.exception and not isinstance(result.exception, SystemExit):
        print(result.stdout, result.stderr, repr(result.exception), file=sys.stderr)
        sys.exit(1)
    print(json.loads(result.stdout)["id"], flush=True)
"""


def test_4_writers_x_25_through_a_ledger_s_name_a_later_hard_link_and_a_symlink_lose_nothing(tmp_path):
    db = tmp_path / "ledger.db"
    assert _gkplan(db, "depts").returncode == 0
    (tmp_path / "elsewhere").mkdir()
    hard = tmp_path / "elsewhere" / "hard.db"
    os.link(db, hard)  # made after the ledger was created
    sym = tmp_path / "sym.db"
    sym.symlink_to(hard)  # a symlink to the hard link
    names = [str(db), str(hard), str(sym)]
    workers = [
        subprocess.Popen([sys.executable, "-c", NAMES_WORKER, str(w), *names], env=_env(None), text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for w in range(4)
    ]  # fmt: skip
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, [err for _, err in outputs]
    acknowledged = sorted(int(line) for out, _ in outputs for line in out.split())
    assert len(acknowledged) == 100 == len(set(acknowledged))
    for name in (db, hard, sym):
        entries = _json(name, "log", "18")
        assert sorted(e["id"] for e in entries if e["note"] and e["note"].startswith("w")) == acknowledged, name
        _check(name)
    assert not Path(f"{hard}-wal").exists() and not Path(f"{hard}-shm").exists()
    assert (tmp_path / "elsewhere").iterdir().__next__() == hard and len(list((tmp_path / "elsewhere").iterdir())) == 1


# -- 9. every kind of writer at once ------------------------------------------------------------------------

MIXED_WORKER = """
import json, re, sqlite3, sys
from typer.testing import CliRunner
from gkplan.cli import full_app
app, runner = full_app(), CliRunner()
worker, db, folder, rounds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
log, added = [], []

def run(*args):
    result = runner.invoke(app, list(args))
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    log.append({"args": list(args), "code": result.exit_code, "out": result.stdout, "err": result.stderr
                + (repr(result.exception) if crashed else "")})
    return result

for n in range(rounds):
    op = (worker + n) % 8
    if op == 0:
        run("update", "18", "--note", f"w{worker}-{n}", "-f", "json")
    elif op == 1:
        r = run("task", "add", "17", f"w{worker}-{n}", "-f", "json")
        if r.exit_code == 0:
            added.append(json.loads(r.stdout)["ref"])
    elif op == 2:
        run("task", "rm", f"17.{added.pop()}", "-f", "json") if added else run("update", "3", "--note", f"w{worker}-{n}", "-f", "json")
    elif op == 3:
        run("target", "set", "7", "招生", "--actual", str(1000 * worker + n), "-f", "json")
    elif op == 4:
        run("undo", "-f", "json")
    elif op == 5:
        run("load")
    elif op == 6:
        out = f"{folder}/export-{worker}.json"
        if run("export", "-f", "json", "-o", out, "--force").exit_code == 0:
            with open(out, encoding="utf-8") as f:
                log[-1]["file"] = "json" if json.load(f) else "empty"
    else:
        out = f"{folder}/backup-{worker}-{n}.db"
        if run("backup", out, "--force").exit_code == 0:
            conn = sqlite3.connect(out)
            log[-1]["file"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
            conn.close()
            log[-1]["check"] = runner.invoke(app, ["--db", out, "check"]).exit_code
print(json.dumps(log))
"""


def test_8_processes_mixing_every_kind_of_write_lose_no_acknowledged_change(tmp_path):
    db = tmp_path / "ledger.db"
    assert _gkplan(db, "depts").returncode == 0
    files = tmp_path / "out"
    files.mkdir()
    workers = [
        subprocess.Popen([sys.executable, "-c", MIXED_WORKER, str(w), str(db), str(files), "16"],
                         env=_env(db, GKPLAN_USER=f"用户{w}"), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for w in range(8)
    ]  # fmt: skip
    logs = []
    for w, proc in enumerate(workers):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        logs += [(w, c) for c in json.loads(out)]
    assert len(logs) == 8 * 16
    for w, c in logs:
        assert "Traceback" not in c["err"] and "Error(" not in c["err"], c
        assert "占用" not in c["err"] and "locked" not in c["err"].lower() and "busy" not in c["err"].lower(), c
        if c["args"][0] == "undo":
            assert c["code"] in (0, 6), c  # nothing left to undo, or a later change conflicts
        elif c["args"][:2] == ["task", "rm"]:
            assert c["code"] in (0, 4), c  # the task may have been taken back by this user's undo
        else:
            assert c["code"] == 0, c
    history = {e["id"]: e for e in _json(db, "log")}
    writes = [(w, c) for w, c in logs if c["code"] == 0 and c["args"][0] in ("update", "task", "target", "undo")]
    assert len(writes) > 50
    for w, c in writes:
        entry = json.loads(c["out"])
        assert entry["by"] == f"用户{w}", c
        stored = history.get(entry["id"])
        assert stored is not None, c
        assert (stored["action"], stored["by"], stored["changes"], stored["note"]) == (
            entry["action"], entry["by"], entry["changes"], entry["note"]), c  # fmt: skip
    files_made = [c for _, c in logs if c["args"][0] in ("export", "backup") and c["code"] == 0]
    assert len(files_made) >= 16 and all(c["file"] in ("json", "ok") for c in files_made), files_made
    assert all(c["check"] == 0 for c in files_made if c["args"][0] == "backup")
    assert not [p.name for p in files.iterdir() if p.name.startswith(".")]  # no temporary files left
    _check(db)


RACE_WORKER = """
import sys
from typer.testing import CliRunner
from gkplan.cli import full_app
app, runner = full_app(), CliRunner()
refused = []
for n in range(int(sys.argv[2])):
    args = ["show", "18", "-f", "json"] if sys.argv[1] == "read" else ["update", "18", "--note", f"n{n}"]
    result = runner.invoke(app, args)
    if result.exit_code != 0:
        refused.append(result.stderr.strip())
print(len(refused), refused[:1])
"""


@needs_setpriv
def test_readers_in_a_directory_they_may_write_never_make_the_owner_s_writes_read_only(shared_dir):
    shared_dir.chmod(0o1777)
    db = shared_dir / "ledger.db"
    assert _gkplan(db, "depts").returncode == 0
    db.chmod(0o644)
    procs = [(("read", i), _start(None, "-c", RACE_WORKER, "read", "60", prefix=AS_NOBODY, GKPLAN_DB=str(db))) for i in range(3)]
    procs += [(("write", i), _start(None, "-c", RACE_WORKER, "write", "30", prefix=AS_ROOT_WITHOUT_OVERRIDE,
                                    GKPLAN_DB=str(db))) for i in range(2)]  # fmt: skip
    results = _all(procs)
    assert [r.returncode for _, r in results] == [0] * 5, [r.stderr for _, r in results]
    assert [r.stdout.split()[0] for _, r in results] == ["0"] * 5, [r.stdout for _, r in results]
    assert _strangers(shared_dir) == []
    assert sorted(_notes(db)) == sorted(f"n{n}" for n in range(30) for _ in range(2))  # each write once, none lost


def test_writers_through_a_version_3_ledger_s_name_and_its_hard_link_lose_nothing_4_rounds_of_8(tmp_path):
    for rnd in range(4):
        folder = tmp_path / f"round{rnd}"
        (folder / "elsewhere").mkdir(parents=True)
        db, hard = folder / "ledger.db", folder / "elsewhere" / "hard.db"
        shutil.copy(V3, db)
        os.link(db, hard)
        procs = [(i, _start(None, "--db", str((db, hard)[i % 2]), "update", "18", "--note", f"链{i}",
                            GKPLAN_TODAY="2026-12-01")) for i in range(8)]  # fmt: skip
        results = _all(procs)
        assert [r.returncode for _, r in results] == [0] * 8, [r.stderr for _, r in results]
        for name in (db, hard):
            log = _json(name, "log", "18", GKPLAN_TODAY="2026-12-01")
            assert sorted(e["note"] for e in log if (e["note"] or "").startswith("链")) == [f"链{i}" for i in range(8)], name
