"""A reader who may not write the ledger, finding no -wal/-shm, reads the file itself as immutable, without
SQLite's locks: no owner may open the ledger (and so write pages into the file) until that reader is done;
an owner who waits longer than the busy timeout is told so, and changes nothing.

Each reader here is held open mid-read (it waits for a line on its stdin), so the order is fixed, not raced.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_concurrency import AS_NOBODY, AS_ROOT_WITHOUT_OVERRIDE, _env, _gkplan, _json, _strangers, needs_setpriv, shared_dir  # noqa: F401

# A reader through gkplan's own open path (the Ledger a command opens): one read, then a wait, then the same read.
HELD_READER = """
import json, sys
from pathlib import Path
from gkplan.ledger import Ledger
ledger = Ledger(Path(sys.argv[1]))
def read():
    return [tuple(r) for r in ledger.conn.execute("SELECT id, note, progress FROM points ORDER BY id")]
first = read()
print(json.dumps({"readonly": ledger.readonly, "n": len(first)}), flush=True)
sys.stdin.readline()
second = read()
ledger.close()
print(json.dumps({"same": first == second}), flush=True)
"""

# The real CLI with the busy timeout shortened (a module constant, read when the turn is taken).
SHORTENED = """
import sys
from pathlib import Path
import gkplan.ledger.connection as connection
connection.BUSY_TIMEOUT_MS = 300
"""
SHORT_TIMEOUT = SHORTENED + """
sys.argv = ["gkplan", *sys.argv[1:]]
from gkplan import main
main()
"""


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def _held_reader(db: Path) -> subprocess.Popen:
    reader = subprocess.Popen(
        [*AS_NOBODY, sys.executable, "-c", HELD_READER, str(db)], env=_env(None, HOME="/nonexistent"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/",
    )  # fmt: skip
    line = reader.stdout.readline()
    assert line, reader.stderr.read()
    assert json.loads(line) == {"readonly": True, "n": 39}
    return reader


def _release(reader: subprocess.Popen) -> dict:
    out, err = reader.communicate("\n", timeout=60)
    assert reader.returncode == 0 and "Traceback" not in err, err
    return json.loads(out)


@pytest.fixture
def ledger(shared_dir: Path) -> Path:  # noqa: F811 - the fixture imported above
    """A closed ledger in a folder nobody may write: a reader finds no -wal/-shm and opens it immutable."""
    db = shared_dir / "ledger.db"
    assert _gkplan(db, "depts").returncode == 0
    db.chmod(0o644)
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    return db


@needs_setpriv
def test_an_owner_waits_for_an_immutable_reader_then_writes_and_the_file_never_changes_under_it(ledger):
    reader = _held_reader(ledger)
    try:
        before = _digest(ledger)
        owner = subprocess.Popen([sys.executable, "-m", "gkplan", "update", "18", "--note", "等读者"], env=_env(ledger),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/")  # fmt: skip
        with pytest.raises(subprocess.TimeoutExpired):  # before: it wrote and checkpointed into the file under the reader
            owner.wait(timeout=4)
        assert _digest(ledger) == before  # not one page of the file the reader reads has changed
    finally:
        result = _release(reader)
    assert result == {"same": True}
    out, err = owner.communicate(timeout=60)
    assert owner.returncode == 0, err
    assert "等读者" in [e["note"] for e in _json(ledger, "log", "18")]
    assert _strangers(ledger.parent) == []


@needs_setpriv
def test_an_owner_kept_waiting_past_the_busy_timeout_is_told_in_one_line_and_changes_nothing(ledger):
    reader = _held_reader(ledger)
    try:
        before = _digest(ledger)
        owner = subprocess.run([sys.executable, "-c", SHORT_TIMEOUT, "update", "18", "--note", "不该写入"], env=_env(ledger),
                               capture_output=True, text=True, cwd="/", timeout=60)  # fmt: skip
        assert owner.returncode == 5, owner.stderr
        assert owner.stderr.strip().count("\n") == 0 and "Traceback" not in owner.stderr, owner.stderr
        assert "正在读取" in owner.stderr and "请稍后再试" in owner.stderr and str(ledger) in owner.stderr, owner.stderr
        assert _digest(ledger) == before
    finally:
        assert _release(reader) == {"same": True}
    assert "不该写入" not in [e["note"] for e in _json(ledger, "log", "18")]
    assert not Path(f"{ledger}-wal").exists() and not Path(f"{ledger}-shm").exists()


@needs_setpriv
def test_a_reader_that_finds_the_owner_s_side_files_holds_no_turn_and_the_owner_writes_meanwhile(ledger):
    """A reader that reads through the -wal and -shm is kept safe by SQLite's own locks: no long turn for it."""
    keeper = subprocess.Popen([sys.executable, "-c", HELD_READER, str(ledger)], env=_env(None), cwd="/", text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert json.loads(keeper.stdout.readline())["readonly"] is False  # the owner's: the side files exist now
        reader = _held_reader(ledger)
        try:
            wrote = subprocess.run([sys.executable, "-c", SHORT_TIMEOUT, "update", "18", "--note", "同时"],
                                   env=_env(ledger), capture_output=True, text=True, cwd="/", timeout=60)  # fmt: skip
            assert wrote.returncode == 0, wrote.stderr
        finally:
            assert _release(reader) == {"same": True}  # its one read transaction: the same rows throughout
    finally:
        _release(keeper)
    assert "同时" in [e["note"] for e in _json(ledger, "log", "18")]


OWNER_HOLDING = """
from gkplan.ledger import Ledger
ledger = Ledger(Path(sys.argv[1]))
with ledger.transaction() as conn:
    conn.execute("UPDATE points SET note = '先存后关' WHERE id = 18")
print("saved", flush=True)
sys.stdin.readline()
ledger.close()
"""


@needs_setpriv
def test_an_owner_closing_past_the_busy_timeout_still_closes_and_keeps_what_it_saved(ledger):
    """A reader that cannot use the -shm an open owner made reads the file as immutable, and keeps its turn:
    the owner, once its change is saved, waits for the turn to close only as long as the timeout, then closes."""
    owner = subprocess.Popen([sys.executable, "-c", SHORTENED + OWNER_HOLDING, str(ledger)],
                             env=_env(None), cwd="/", text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert owner.stdout.readline().strip() == "saved"
        Path(f"{ledger}-shm").chmod(0o600)  # the reader may not even read it
        reader = _held_reader(ledger)
    finally:
        out, err = owner.communicate("\n", timeout=60)
    assert owner.returncode == 0 and "Traceback" not in err, err
    assert _release(reader) == {"same": True}
    assert _json(ledger, "show", "18")["note"] == "先存后关"
    assert _strangers(ledger.parent) == []




@needs_setpriv
def test_an_owner_who_must_read_immutable_takes_a_readers_shared_turn_not_an_exclusive_one(ledger):
    """The owner may write the file and folder, but a -shm it may not write (left by another user, no -wal) makes
    it read the file as immutable: it kept the exclusive turn it opened with until it closed, so a colleague's
    reader meanwhile waited out the busy timeout and failed, though two readers never stand in each other's way."""
    shm = Path(f"{ledger}-shm")
    shm.touch()
    os.chown(shm, 65534, 65534)
    owner = subprocess.Popen(
        [*AS_ROOT_WITHOUT_OVERRIDE, sys.executable, "-c", HELD_READER, str(ledger)], env=_env(None),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/",
    )  # fmt: skip
    try:
        line = owner.stdout.readline()
        assert line, owner.stderr.read()
        assert json.loads(line) == {"readonly": True, "n": 39}
        reader = subprocess.run([*AS_NOBODY, sys.executable, "-c", SHORT_TIMEOUT, "list", "--format", "json"],
                                env=_env(ledger, HOME="/nonexistent"), capture_output=True, text=True, cwd="/", timeout=60)  # fmt: skip
        assert reader.returncode == 0, reader.stderr  # before: 台账正被其他进程占用（有用户正在读取），请稍后再试
        assert len(json.loads(reader.stdout)) == 39
    finally:
        result = _release(owner)
    assert result == {"same": True}
