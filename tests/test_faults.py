"""Nothing lost under load, faults and bad input: concurrent writers, SIGKILL, a full disk, broken files.

Each test says its figure in its name or its assertion (8 × 50 writers, 60 kills, …).
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import db_env, fingerprint

REPO = Path(__file__).resolve().parents[1]
WORKER = """
import sys
from typer.testing import CliRunner
from gkplan.cli import full_app
app = full_app()
runner, worker = CliRunner(), int(sys.argv[1])
for n in range(50):
    args = ["update", "18", "--note", f"w{worker}-{n}"] if n % 2 else ["task", "add", "17", f"w{worker}-{n}"]
    result = runner.invoke(app, args)
    if result.exit_code != 0:
        print(result.stdout, result.stderr, repr(result.exception), file=sys.stderr)
        sys.exit(1)
"""


def _env(db: Path) -> dict[str, str]:
    return os.environ | {"GKPLAN_DB": db_env(db), "NO_COLOR": "1", "GKPLAN_TODAY": "2022-06-30", "GKPLAN_USER": "测试"}


def _gkplan(db: Path, *args: str, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    return subprocess.run([sys.executable, "-m", "gkplan", *args], env=_env(db), capture_output=True, text=True, **kw)


def snapshot(db: Path) -> dict:
    """The ledger's meaning, without the clock: what 'the state before or after' a command is."""
    conn = sqlite3.connect(db)
    try:
        return {
            "points": conn.execute("SELECT plan, id, title, progress, status, note, due FROM points ORDER BY plan, id").fetchall(),
            "tasks": conn.execute(
                "SELECT plan, point, seq, title, progress, status, note, removed FROM tasks ORDER BY plan, point, seq"
            ).fetchall(),
            "targets": conn.execute("SELECT plan, point, metric, actual FROM targets ORDER BY plan, point, metric").fetchall(),
            "history": [(*row[:8], _timeless(row[8]), *row[9:]) for row in conn.execute(
                "SELECT id, plan, point, entity, ref, action, effective, by, changes, note, cause, undoes FROM history ORDER BY id"
            )],
        }
    finally:
        conn.close()


def _timeless(changes: str) -> dict:
    """An entry's changes less the clock: a task a load adds carries the second it was created."""
    data = json.loads(changes)
    for old_new in data.values():
        for side in old_new if isinstance(old_new, list) else ():
            if isinstance(side, dict):
                side.pop("created_at", None), side.pop("updated_at", None)
    return data


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_8_writers_making_50_changes_each_lose_nothing(isolated):
    assert _gkplan(isolated, "depts").returncode == 0
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(i)], env=_env(isolated), stderr=subprocess.PIPE, text=True)
        for i in range(8)
    ]
    errors = [w.communicate(timeout=600)[1] for w in workers]
    assert [w.returncode for w in workers] == [0] * 8, errors
    conn = sqlite3.connect(isolated)
    history = conn.execute("SELECT count(*) FROM history").fetchone()[0]
    seqs = [r[0] for r in conn.execute("SELECT seq FROM tasks WHERE point = 17 ORDER BY seq")]
    last_note = conn.execute("SELECT note FROM history WHERE point = 18 ORDER BY id DESC LIMIT 1").fetchone()[0]
    point_note = conn.execute("SELECT note FROM points WHERE id = 18").fetchone()[0]
    conn.close()
    assert history == 400  # every change recorded
    assert seqs == list(range(1, 203))  # 200 tasks added at once beside the seed's two: no number twice, none lost
    assert point_note == last_note  # the point shows the last change that was recorded
    assert _gkplan(isolated, "check").returncode == 0


def _kill_at_random(db: Path, args: list[str], rng: random.Random) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "gkplan", *args], env=_env(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.02, 0.35))
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_60_kills_during_load_update_and_undo_leave_before_or_after(isolated, tmp_path):
    rng = random.Random(20220331)
    assert _gkplan(isolated, "depts").returncode == 0
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    edited = tmp_path / "edited.yaml"
    edited.write_text(seed.replace("title: ", "title: 新"), encoding="utf-8")  # a load that changes every point
    plans = [
        (["load", str(edited)], ["load"]),
        (["update", "18", "--progress", "55", "--note", "x"], ["update", "18", "--progress", "5", "--note", "y"]),
        (["undo"], ["update", "3", "--progress", "7"]),
    ]
    kills = 0
    for command, reset in plans:
        for _ in range(20):
            _gkplan(isolated, *reset)  # a known starting point (this may fail, e.g. nothing changes: fine)
            before = snapshot(isolated)
            copy = tmp_path / "after.db"
            shutil.copy(isolated, copy)
            _gkplan(copy, *command)
            after = snapshot(copy)
            copy.unlink()
            _kill_at_random(isolated, command, rng)
            kills += 1
            assert integrity(isolated) == "ok"
            state = snapshot(isolated)
            assert state in (before, after), command
    assert kills == 60
    assert _gkplan(isolated, "check").returncode == 0


def _limited(limit: int):  # noqa: ANN202
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_is_a_clear_error_and_changes_nothing(isolated, tmp_path):
    assert _gkplan(isolated, "depts").returncode == 0
    before, raw = snapshot(isolated), isolated.read_bytes()
    out = subprocess.run(
        [sys.executable, "-m", "gkplan", "update", "18", "--progress", "40", "--note", "满" * 4000],
        env=_env(isolated), capture_output=True, text=True, preexec_fn=_limited(2048),
    )  # fmt: skip
    assert out.returncode == 5, out.stderr
    assert "Traceback" not in out.stderr and ("磁盘" in out.stderr or "I/O" in out.stderr)
    assert snapshot(isolated) == before and isolated.read_bytes() == raw
    target = tmp_path / "台账.xlsx"
    out = subprocess.run(
        [sys.executable, "-m", "gkplan", "export", "-o", str(target)],
        env=_env(isolated), capture_output=True, text=True, preexec_fn=_limited(4096),
    )  # fmt: skip
    assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
    assert not target.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_broken_ledger_files_are_named_with_what_to_do(isolated, tmp_path):
    assert _gkplan(isolated, "depts").returncode == 0
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(isolated.read_bytes()[: isolated.stat().st_size // 3])
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    for path in (truncated, garbage):
        out = _gkplan(path, "list")
        assert out.returncode == 5 and str(path) in out.stderr and "Traceback" not in out.stderr, out.stderr
    newer = tmp_path / "newer.db"
    shutil.copy(isolated, newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 42")
    conn.commit()
    conn.close()
    out = _gkplan(newer, "list")
    assert out.returncode == 5 and "请升级 gkplan" in out.stderr


@pytest.mark.parametrize("value", ["x", "1.5", "²", ""])
@pytest.mark.parametrize(("command", "table"), [("depts", "point_departments"), ("leaders", "point_leaders")])
def test_a_point_number_that_is_not_a_number_is_a_mistyped_record(isolated, tmp_path, command, table, value):
    """A ledger file edited by hand: a department's or leader's point stored as text. One line naming the file
    and `gkplan check`, in every format (it was a traceback: `int('x')`), and the file is left as it was."""
    assert _gkplan(isolated, command).returncode == 0
    damaged = tmp_path / "damaged.db"
    shutil.copy(isolated, damaged)
    conn = sqlite3.connect(damaged)
    conn.execute(f"UPDATE {table} SET point = ? WHERE rowid = (SELECT max(rowid) FROM {table})", (value,))
    conn.commit()
    conn.close()
    before = damaged.read_bytes()
    for fmt in ("table", "json", "csv"):
        out = _gkplan(damaged, command, "--format", fmt)
        assert out.returncode == 5 and "Traceback" not in out.stderr, out.stderr
        assert out.stderr.strip().splitlines()[-1] == f"错误：{damaged}: 台账中有格式错误的记录；请运行 gkplan check"
    assert damaged.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="root ignores file modes without setpriv")
def test_a_read_only_ledger_reads_but_refuses_writes(isolated, tmp_path):
    assert _gkplan(isolated, "depts").returncode == 0
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "ledger.db"
    shutil.copy(isolated, db)
    raw = db.read_bytes()
    db.chmod(0o444)
    folder.chmod(0o555)  # nor can WAL's -shm file be made beside it
    # root reads and writes whatever the modes say, unless it gives up that capability
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    try:
        command = [*prefix, sys.executable, "-m", "gkplan"]
        read = subprocess.run([*command, "list", "--format", "json"], env=_env(db), capture_output=True, text=True)
        write = subprocess.run([*command, "update", "18", "--progress", "5"], env=_env(db), capture_output=True, text=True)
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert "Traceback" not in read.stderr + write.stderr
    assert write.returncode == 5 and "只读" in write.stderr and str(db) in write.stderr, write.stderr
    assert read.returncode == 0 and len(json.loads(read.stdout)) == 39, read.stderr
    assert db.read_bytes() == raw


# -- a catalogue of bad invocations: each refused, readable, no traceback, the file untouched -----------

BAD = [
    ["show", "0"], ["show", "abc"], ["show", "99999"], ["show", "-5"], ["show", "1" * 40], ["show", ""],
    ["list", "--dept", "不存在"], ["list", "--dept", ""], ["list", "--leader", "张三"], ["list", "--section", "99"],
    ["list", "--section", "十一"], ["list", "--status", "完结"], ["list", "--due-before", "2022-02-30"],
    ["list", "--due-before", "明天的明天"], ["list", "--as-of", "0000-01-01"], ["list", "--format", "yaml"],
    ["list", "--light", "blue"], ["list", "--as-of", "9999-12-31"], ["report", "--as-of", "3000-01-01"], ["list", "--dept", "x' OR 1=1 --"], ["list", "--leader", "'; DROP TABLE points; --"],
    ["update", "18"], ["update", "18", "--progress", "-1"], ["update", "18", "--progress", "101"],
    ["update", "18", "--progress", "1e9"], ["update", "18", "--progress", "五十"], ["update", "18", "--progress", "9" * 50],
    ["update", "18", "--status", "完结"], ["update", "18", "--due", "2022-13-01"], ["update", "18", "--due", "+9999999d"],
    ["update", "18", "--note", ""], ["update", "18", "--note", "a\x00b"], ["update", "18", "--note", "长" * 10_000_000],
    ["update", "18", "--by", "\x1b[31m"], ["update", "17", "--date", "2022-01-01", "--note", "x"], ["update", "99999", "--note", "x"],
    ["update", "18", "--progress", "50", "--status", "已完成"],
    ["report", "--by", "color"], ["report", "--as-of", "yesterday-ish"], ["log", "--limit", "-1"], ["log", "--since", "x"],
    ["log", "999"], ["task", "add", "99", "x"], ["task", "add", "17", ""], ["task", "add", "17", "x", "--weight", "1e3"],
    ["task", "update", "17.99", "--progress", "5"], ["task", "update", "1.2.3", "--progress", "5"], ["task", "rm", "17"],
    ["target", "set", "7", "不存在", "--actual", "5"], ["target", "set", "7", "总招生数", "--actual", "nan"],
    ["target", "set", "7", "总招生数", "--actual", "1e99"], ["remind", "--within", "-3d"], ["stale", "--days", "x"],
    ["export", "-f", "docx", "-o", "x.docx"], ["backup", "/nonexistent/dir/x.db"],
]  # fmt: skip


def test_at_least_40_bad_invocations_are_refused_cleanly(run, ledger):
    assert len(BAD) >= 40
    digest = fingerprint(ledger)
    for args in BAD:
        result = run(*args, code=None)
        assert result.exit_code not in (0, None), args
        assert result.stderr.strip(), args
        assert "Traceback" not in result.stderr, args
        assert fingerprint(ledger) == digest, args


BAD_SEEDS = {
    "malformed": "plan: [\n",
    "empty": "",
    "list": "- 1\n- 2\n",
    "no points": "plan: {title: x, issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\n",
    "duplicate": "plan: {title: x, issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\npoints:\n"
                 "  - {number: 1, section: 1, title: a, text: a, leads: [{leader: 甲}]}\n"
                 "  - {number: 1, section: 1, title: a, text: a, leads: [{leader: 甲}]}\n",
    "control characters": "plan: {title: \"a\\x07b\", issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\n"
                          "points: [{number: 1, section: 1, title: a, text: a, leads: [{leader: 甲}]}]\n",
    "not utf-8": "plan: {title: \xff}\n",
    "target range upside down": "plan: {title: x, issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\n"
                                "points: [{number: 1, section: 1, title: a, text: a, leads: [{leader: 甲}],"
                                " targets: [{metric: m, unit: 个, min: 5, max: 3}]}]\n",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_SEEDS))
def test_bad_seed_files_leave_the_ledger_byte_for_byte(run, ledger, tmp_path, name):
    path = tmp_path / "seed.yaml"
    text = BAD_SEEDS[name]
    path.write_bytes(text.encode("latin-1") if name == "not utf-8" else text.encode("utf-8"))
    digest = fingerprint(ledger)
    result = run("load", str(path), code=4)
    assert result.stderr.startswith("错误：") and str(path) in result.stderr
    assert fingerprint(ledger) == digest


def test_an_export_taken_while_others_write_reads_one_consistent_snapshot(run, ledger, tmp_path, monkeypatch):
    """Another process changes a task between the export's reading of points and of tasks: the export
    still shows the point and its tasks as they stood together."""
    from gkplan import export, rules

    run("task", "add", "17", "老年教育平台上线", "--weight", "3")
    run("task", "complete", "17")  # 17's progress is its tasks' roll-up
    read_tasks = export.iter_tasks

    def tasks_after_a_colleague_wrote(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        assert _gkplan(ledger, "task", "update", "17.1", "--progress", "90").returncode == 0
        return read_tasks(*args, **kw)

    monkeypatch.setattr(export, "iter_tasks", tasks_after_a_colleague_wrote)
    run("export", "-f", "json", "-o", str(tmp_path / "e.json"))
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    point = next(p for p in data["points"] if p["id"] == 17)
    tasks = [(t["weight"], t["progress"], t["status"]) for t in data["tasks"] if t["point"] == 17]
    assert point["progress"] == rules.rollup(tasks, point["status"])[0] == 0  # as before the colleague's change
    assert run.json("show", "17")["progress"] == 18  # which did land: (90 × 1 + 0 × 1 + 0 × 3) / 5


def test_no_writable_home_is_one_clear_line(tmp_path):
    env = {k: v for k, v in _env(tmp_path / "x.db").items() if k not in ("GKPLAN_DB", "XDG_DATA_HOME")}
    out = subprocess.run([sys.executable, "-m", "gkplan", "list"], env=env | {"HOME": "/proc/nowhere"},
                         capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 5 and "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "--db" in out.stderr


def test_a_new_ledger_follows_the_umask_and_a_killed_creation_leaves_nothing_behind(tmp_path):
    db = tmp_path / "new.db"
    out = subprocess.run([sys.executable, "-m", "gkplan", "depts"], env=_env(db), capture_output=True, text=True,
                         preexec_fn=lambda: os.umask(0o027))  # fmt: skip
    assert out.returncode == 0 and (db.stat().st_mode & 0o777) == 0o640
    rng = random.Random(7)
    for _ in range(8):
        other = tmp_path / "killed.db"
        _kill_at_random(other, ["depts"], rng)
        assert not other.exists() or integrity(other) == "ok"
    assert _gkplan(tmp_path / "killed.db", "depts").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["killed.db", "new.db"]


def test_a_full_disk_during_load_names_the_ledger_and_changes_nothing(isolated, tmp_path):
    assert _gkplan(isolated, "depts").returncode == 0
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    other = tmp_path / "2023.yaml"
    other.write_text(seed.replace("year: 2022", "year: 2023").replace("〔2022〕", "〔2023〕"), encoding="utf-8")
    raw = isolated.read_bytes()
    out = subprocess.run([sys.executable, "-m", "gkplan", "load", str(other)], env=_env(isolated), capture_output=True,
                         text=True, preexec_fn=_limited(16384))  # fmt: skip
    assert out.returncode == 5 and str(isolated) in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert isolated.read_bytes() == raw
    assert _gkplan(isolated, "check").returncode == 0


def test_a_config_file_behind_a_folder_the_user_cannot_enter_is_one_line(tmp_path):
    env = _env(tmp_path / "l.db") | {"GKPLAN_CONFIG": "/proc/1/root/config.toml"}
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 and shutil.which("setpriv") else []
    if not prefix:
        pytest.skip("needs root and setpriv to be another user")
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="gkplan-cfg-", dir="/tmp"))
    try:
        shared.chmod(0o777)
        env["GKPLAN_DB"] = str(shared / "l.db")
        out = subprocess.run([*prefix, sys.executable, "-m", "gkplan", "list"], env=env | {"HOME": str(shared)},
                             capture_output=True, text=True)  # fmt: skip
        assert out.returncode == 2 and "Traceback" not in out.stderr and "配置文件无法读取" in out.stderr, out.stderr
        # and a ledger behind a folder this user may not enter: one line, no traceback
        hidden = subprocess.run([*prefix, sys.executable, "-m", "gkplan", "list"],
                                env=env | {"HOME": str(shared), "GKPLAN_DB": str(tmp_path / "l.db"), "GKPLAN_CONFIG": ""},
                                capture_output=True, text=True)  # fmt: skip
        assert hidden.returncode == 5 and "Traceback" not in hidden.stderr and "无法访问台账" in hidden.stderr, hidden.stderr
    finally:
        shutil.rmtree(shared)
