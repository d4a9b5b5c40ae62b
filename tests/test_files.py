"""Files gkplan writes (exports, backups): the modes a user expects, never a ledger, whole or nothing.

Driven through `python -m gkplan` in a subprocess where the process itself matters (umask, kill -9,
a file-size limit, dropped privileges); the in-process `run` fixture elsewhere.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gkplan.files import APPLICATION_ID, is_ledger_file
from conftest import db_env, execute

FORMATS = ("xlsx", "csv", "json", "md")
ROOT = os.geteuid() == 0


def _env(db: Path) -> dict[str, str]:
    return os.environ | {"GKPLAN_DB": db_env(db), "NO_COLOR": "1", "GKPLAN_TODAY": "2022-06-30", "GKPLAN_USER": "测试"}


def gkplan(db: Path, *args: str, preexec=None, cwd=None, prefix=(), env=None) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run(
        [*prefix, sys.executable, "-m", "gkplan", *args], env=_env(db) | (env or {}), capture_output=True, text=True,
        preexec_fn=preexec, cwd=cwd,
    )  # fmt: skip


def write(db: Path, kind: str, target: Path | str, *extra: str, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    """`gkplan export -f KIND -o TARGET` or, for kind 'backup', `gkplan backup TARGET`."""
    if kind == "backup":
        return gkplan(db, "backup", str(target), *extra, **kw)
    return gkplan(db, "export", "-f", kind, "-o", str(target), *extra, **kw)


def umask(mask: int):  # noqa: ANN201
    return lambda: os.umask(mask)


def leftovers(folder: Path) -> list[str]:
    """Anything in the folder that is neither a ledger (with its side files) nor a file a test made on purpose."""
    return sorted(p.name for p in folder.iterdir() if ".gkplan-" in p.name or p.name.endswith(".tmp"))


def complete_xlsx(path: Path, rows: int) -> bool:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return book.sheetnames == ["概况", "要点", "任务", "指标", "历史"] and book["要点"].max_row == rows
    finally:
        book.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def seeded(isolated: Path) -> Path:
    assert gkplan(isolated, "depts").returncode == 0
    return isolated


# -- 1. modes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_new_exports_and_backups_follow_the_umask(seeded, tmp_path, mask, mode):
    for kind in (*FORMATS, "backup"):
        target = tmp_path / f"new-{kind}.out"
        out = write(seeded, kind, target, preexec=umask(mask))
        assert out.returncode == 0, out.stderr
        assert stat.S_IMODE(target.stat().st_mode) == mode, (kind, oct(target.stat().st_mode))


def test_force_keeps_the_replaced_files_mode_group_and_owner(seeded, tmp_path):
    owner = (4321, 8765) if ROOT else (os.getuid(), os.getgid())
    for kind in (*FORMATS, "backup"):
        target = tmp_path / f"old-{kind}.out"
        target.write_text("旧内容", encoding="utf-8")
        target.chmod(0o604)
        if ROOT:
            os.chown(target, *owner)
        out = write(seeded, kind, target, "--force", preexec=umask(0o077))
        assert out.returncode == 0, out.stderr
        st = target.stat()
        assert target.read_bytes() != "旧内容".encode()
        assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o604, *owner), kind


@pytest.mark.skipif(not (ROOT and shutil.which("setpriv")), reason="needs root to make a file someone else owns")
def test_force_by_someone_who_may_not_chown_still_replaces_the_file(seeded, tmp_path):
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="gkplan-shared-"))  # pytest's own folders are closed to others
    folder.chmod(0o777)
    try:
        _replace_as_nobody(seeded, folder)
    finally:
        shutil.rmtree(folder)


def _replace_as_nobody(seeded: Path, folder: Path) -> None:
    target = folder / "通报.md"
    target.write_text("旧内容", encoding="utf-8")
    os.chown(target, 4321, 8765)  # not the writer's: chown is refused (EPERM) and ignored
    target.chmod(0o646)
    db = folder / "ledger.db"
    shutil.copy(seeded, db)
    os.chown(db, 65534, 65534)
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    home = {"HOME": str(folder), "GKPLAN_CONFIG": "", "XDG_CONFIG_HOME": str(folder)}  # root's own are closed to nobody
    out = gkplan(db, "export", "-f", "md", "-o", str(target), "--force", prefix=nobody, env=home)
    assert out.returncode == 0, out.stderr
    st = target.stat()
    assert target.read_text(encoding="utf-8").startswith("# 国家开放大学") and stat.S_IMODE(st.st_mode) == 0o646
    assert st.st_uid == 65534  # the writer's new file; the old owner could not be kept without privilege


def test_an_export_through_a_symlink_replaces_the_file_it_points_to(seeded, tmp_path):
    real = tmp_path / "shared" / "台账.json"
    real.parent.mkdir()
    real.write_text("{}", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert write(seeded, "json", link, "--force").returncode == 0
    assert link.is_symlink() and len(json.loads(real.read_text(encoding="utf-8"))["points"]) == 39


# -- 2. a ledger is never a target --------------------------------------------------------------------


def test_is_ledger_file_knows_ledgers_by_content_not_name(seeded, tmp_path):
    marked = tmp_path / "marked.dat"
    execute(marked, f"PRAGMA application_id = {APPLICATION_ID}", "CREATE TABLE other (x)")
    assert APPLICATION_ID == 1735094380
    legacy = tmp_path / "legacy.dat"
    execute(legacy, "CREATE TABLE points (id)", "CREATE TABLE history (id)")
    other = tmp_path / "other.db"
    execute(other, "CREATE TABLE points (id)")
    text = tmp_path / "x.db"
    text.write_text("SQLite format 3", encoding="utf-8")
    assert [is_ledger_file(p) for p in (seeded, marked, legacy, other, text, tmp_path / "none")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip


def _ways_to_name_a_ledger(ledger: Path, tmp_path: Path) -> dict[str, str]:
    """Each a path the user might give that ends at a ledger file or one of its side files."""
    # (names whose suffix names no format: -f xlsx with a .csv name is refused for the name before the target is looked at)
    (tmp_path / "sym.out").symlink_to(ledger)
    os.link(ledger, tmp_path / "hard.out")
    other = tmp_path / "其他台账.db"
    shutil.copy(ledger, other)
    marked = tmp_path / "新台账.db"  # what a later gkplan makes: the header says so, no tables yet
    execute(marked, "PRAGMA application_id = 1735094380")
    legacy = tmp_path / "旧台账.db"
    execute(legacy, "CREATE TABLE points (id)", "CREATE TABLE history (id)")
    for in_use in (other, marked, legacy):  # someone has each open: its write-ahead log lies beside it
        Path(f"{in_use}-wal").write_bytes(b"")
        Path(f"{in_use}-shm").write_bytes(b"")
    (tmp_path / "wal-link").symlink_to(f"{other}-wal")
    return {
        "itself": str(ledger), "relative": "./ledger.db", "symlink": str(tmp_path / "sym.out"),
        "hard link": str(tmp_path / "hard.out"), "its -wal": f"{ledger}-wal", "its -shm": f"./{ledger.name}-shm",
        "its -journal": f"{ledger}-journal", "another ledger": str(other), "application_id set": str(marked),
        "older ledger": str(legacy), "another's -shm": f"{other}-shm", "link to another's -wal": str(tmp_path / "wal-link"),
        "application_id's -journal": f"{marked}-journal",
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["csv", "xlsx", "backup"])
def test_no_export_or_backup_overwrites_a_ledger_even_with_force(seeded, tmp_path, kind):
    ways = _ways_to_name_a_ledger(seeded, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    for way, target in ways.items():
        out = write(seeded, kind, target, "--force", cwd=tmp_path)
        assert out.returncode == 5, (way, out.stderr)
        assert out.stderr.count("\n") == 1 and str(Path(target)) in out.stderr and "不能覆盖" in out.stderr, (way, out.stderr)
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before, way
    assert gkplan(seeded, "check").returncode == 0


def test_a_sqlite_file_that_is_not_a_ledger_is_replaced_with_force(seeded, tmp_path):
    other = tmp_path / "别的数据库.db"
    execute(other, "CREATE TABLE points (id)")  # no history table, no application_id: not ours
    out = write(seeded, "csv", other, "--force")
    assert out.returncode == 0, out.stderr
    assert other.read_bytes().startswith(b"\xef\xbb\xbf")


# -- 3. kill -9 at any moment ------------------------------------------------------------------------


def _kill_after(db: Path, args: list[str], delay: float, cwd: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gkplan", *args], env=_env(db), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )  # fmt: skip
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _timed(db: Path, args: list[str], cwd: Path) -> float:
    start = time.monotonic()
    out = gkplan(db, *args, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return time.monotonic() - start


def test_25_kills_during_an_xlsx_export_leave_no_partial_or_temporary_file(seeded, tmp_path):
    rng = random.Random(20220630)
    for n in range(40):  # a fuller history: more to write
        assert gkplan(seeded, "update", str(n % 39 + 1), "--note", f"第{n}次报送" + "进展" * 2000).returncode == 0
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "督查台账.xlsx"
    args = ["export", "-o", str(target), "--force"]
    took = _timed(seeded, args, out_dir)
    raw = seeded.read_bytes()
    target.unlink()
    for _ in range(25):
        _kill_after(seeded, args, rng.uniform(0, took * 1.1), out_dir)
        assert not target.exists() or complete_xlsx(target, 40)
        assert _timed(seeded, args, out_dir) > 0  # the next command works …
        assert leftovers(out_dir) == [] and sorted(p.name for p in out_dir.iterdir()) == [target.name]  # … and sweeps
        assert complete_xlsx(target, 40)
        target.unlink()
    assert seeded.read_bytes() == raw


def _big_ledger(tmp_path: Path) -> Path:
    """About 30 MB, so that SQLite's copy takes long enough for kills to land in it."""
    seed = tmp_path / "big.json"
    text = "，".join(f"第{i}段落实情况" * 40 for i in range(100))
    points = [
        {"number": i, "section": 1, "title": f"要点{i}", "text": f"{i}{text}", "leads": [{"leader": "甲", "departments": ["教务部"]}]}
        for i in range(1, 301)
    ]
    plan = {"title": "大台账", "issued": "2022-01-01", "year": 2022}
    seed.write_text(json.dumps({"plan": plan, "sections": [{"number": 1, "title": "一"}], "points": points}, ensure_ascii=False))
    db = tmp_path / "big.db"
    out = gkplan(db, "load", str(seed))
    assert out.returncode == 0, out.stderr
    seed.unlink()
    return db


def test_25_kills_during_a_backup_leave_no_partial_or_temporary_file(tmp_path):
    rng = random.Random(20220331)
    db = _big_ledger(tmp_path)
    assert db.stat().st_size > 20_000_000
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "备份.db"
    args = ["backup", str(target)]
    took = _timed(db, args, out_dir)
    raw = db.read_bytes()
    target.unlink()
    caught_writing = 0
    for _ in range(25):
        _kill_after(db, args, rng.uniform(0, took * 1.1), out_dir)
        caught_writing += bool(leftovers(out_dir))  # killed mid-copy: its temporary file is still there …
        if target.exists():
            assert integrity(target) == "ok"
            target.unlink()
        assert _timed(db, args, out_dir) > 0
        assert leftovers(out_dir) == [] and sorted(p.name for p in out_dir.iterdir()) == [target.name]  # … until now
        assert integrity(target) == "ok"
        target.unlink()
    assert caught_writing >= 3  # the kills did land while the backup was being written
    assert db.read_bytes() == raw


def test_without_o_tmpfile_exports_still_leave_nothing_behind(run, ledger, tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)  # as on a system or filesystem without it
    for kind in FORMATS:
        run("export", "-f", kind, "-o", str(tmp_path / f"a.{kind}"))
        run("export", "-f", kind, "-o", str(tmp_path / f"a.{kind}"), "--force")
    assert leftovers(tmp_path) == [] and complete_xlsx(tmp_path / "a.xlsx", 40)


# -- 4. a full disk ----------------------------------------------------------------------------------


def _limited(limit: int):  # noqa: ANN202
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("force", [False, True])
def test_a_file_size_limit_is_one_line_naming_the_file_and_leaves_nothing(seeded, tmp_path, force):
    assert gkplan(seeded, "update", "18", "--note", "满" * 5000).returncode == 0
    for n in range(12):  # every format well over the limit; the ledger's own -shm (32 KiB) still fits
        assert gkplan(seeded, "update", str(n + 1), "--note", "满" * 5000).returncode == 0
    raw = seeded.read_bytes()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for kind in (*FORMATS, "backup"):
        target = out_dir / f"台账.{kind}"
        if force:
            target.write_text("旧内容", encoding="utf-8")
        out = write(seeded, kind, target, *(["--force"] if force else []), preexec=_limited(40_000))
        assert out.returncode == 5, (kind, out.stderr)
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
        assert str(target) in out.stderr and "无法写入" in out.stderr, out.stderr
        assert "超出文件大小限制" in out.stderr or "磁盘" in out.stderr, out.stderr
        assert seeded.read_bytes() == raw, kind
        assert (target.read_text(encoding="utf-8") == "旧内容") if force else not target.exists()
        assert leftovers(out_dir) == [], kind
    assert gkplan(seeded, "check").returncode == 0


# -- 5. where the file cannot go -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*FORMATS, "backup"])
def test_a_target_that_cannot_be_written_is_one_clear_line(seeded, tmp_path, kind):
    fifo = tmp_path / "管道"
    os.mkfifo(fifo)
    cases = {
        tmp_path: "是一个目录",
        tmp_path / "没有的目录" / "a.out": "所在目录不存在",
        fifo: "不是普通文件",
    }
    raw = seeded.read_bytes()
    for target, words in cases.items():
        out = write(seeded, kind, target, "--force")
        assert (out.returncode, out.stderr.count("\n")) == (5, 1), (target, out.stderr)
        assert str(target) in out.stderr and words in out.stderr, out.stderr
    assert seeded.read_bytes() == raw


@pytest.mark.skipif(ROOT and not shutil.which("setpriv"), reason="root ignores file modes without setpriv")
@pytest.mark.parametrize("kind", ["xlsx", "md", "backup"])
def test_a_folder_without_write_permission_is_one_clear_line(seeded, tmp_path, kind):
    folder = tmp_path / "只读"
    folder.mkdir()
    folder.chmod(0o555)
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if ROOT else []
    try:
        out = write(seeded, kind, folder / "a.out", prefix=prefix)
    finally:
        folder.chmod(0o755)
    assert (out.returncode, out.stderr.count("\n")) == (5, 1), out.stderr
    assert str(folder / "a.out") in out.stderr and "没有写权限" in out.stderr, out.stderr
    assert list(folder.iterdir()) == []


def _unnamed_files_can_be_named(folder: Path) -> bool:
    fd = os.open(folder, os.O_TMPFILE | os.O_RDWR, 0o600)
    try:
        os.link(f"/proc/self/fd/{fd}", folder / "named", follow_symlinks=True)
    except OSError:
        return False
    finally:
        os.close(fd)
    os.unlink(folder / "named")
    return True


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="no O_TMPFILE here")
def test_where_an_unnamed_file_cannot_be_named_the_file_is_named_from_the_start(tmp_path):
    # else the finished file was copied under a name at the end: 318 MB in the kernel for a 100k JSON export
    from gkplan.files import replace_atomically

    with replace_atomically(tmp_path / "out.json", force=False) as f:
        named = os.fstat(f.fileno()).st_nlink == 1
        f.write(b"{}\n")
    assert named is not _unnamed_files_can_be_named(tmp_path)
    assert (tmp_path / "out.json").read_bytes() == b"{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
