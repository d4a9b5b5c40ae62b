"""The installed `gkplan` command, as a person runs it: from any directory, and at a real terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "gkplan"


def _env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1", "COLUMNS": "120"}


def test_installed_command_runs_from_any_directory(tmp_path):
    assert BIN.exists(), "gkplan is not installed in this environment: pip install '.[test]'"
    out = subprocess.run(
        [str(BIN), "list", "--dept", "教务部", "--format", "json"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert [p["id"] for p in json.loads(out.stdout)] == [7, 21]
    assert "已新建台账" in out.stderr


def test_python_dash_m_and_version(tmp_path):
    out = subprocess.run([sys.executable, "-m", "gkplan", "--version"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("gkplan ")


def test_user_error_exits_nonzero_without_traceback(tmp_path):
    out = subprocess.run([str(BIN), "show", "400"], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True)
    assert out.returncode == 3
    assert out.stderr.strip().endswith("错误：没有编号为 400 的工作要点")
    assert "Traceback" not in out.stderr


class Terminal:
    """The installed gkplan at a pseudo-terminal: read until a prompt shows, type an answer."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: gkplan at a terminal
            os.execve(str(BIN), [str(BIN), *argv], env)
        self.screen = b""
        self.typed_at = 0  # markers are looked for in what came after the last answer typed

    def read_until(self, marker: str, seconds: float = 20) -> None:
        end = time.monotonic() + seconds
        while marker.encode() not in self.screen[self.typed_at:] and time.monotonic() < end:
            if select.select([self.fd], [], [], 0.2)[0]:
                try:
                    self.screen += os.read(self.fd, 4096)
                except OSError:
                    break

    def type(self, text: str) -> None:
        self.typed_at = len(self.screen)
        os.write(self.fd, text.encode())

    def exit_code(self, seconds: float = 60) -> int:
        """The child's exit code; a child still waiting for an answer after `seconds` is killed and the test
        fails, instead of the whole suite waiting for it forever (a prompt missed on a loaded machine)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            self.read_until("\0", 0.2)  # keep reading what it prints, so that it never blocks on a full terminal
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        pytest.fail("gkplan at the terminal did not finish:\n" + self.screen.decode(errors="replace"))


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_bare_progress_asks_at_the_terminal(tmp_path):
    env = _env(tmp_path)
    subprocess.run([str(BIN), "depts"], env=env, capture_output=True, check=True)
    term = Terminal(["update", "5", "--progress", "--note", "终端输入"], env)  # a point without tasks
    term.read_until("新的进度")
    term.type("abc\n")  # a wrong answer is asked again
    term.read_until("进度应为")
    term.type("60\n")
    term.read_until("已更新")
    assert term.exit_code() == 0, term.screen.decode(errors="replace")
    out = subprocess.run([str(BIN), "show", "5", "--format", "json"], env=env, capture_output=True, text=True, check=True)
    shown = json.loads(out.stdout)
    assert (shown["progress"], shown["note"]) == (60, "终端输入")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_bare_progress_on_a_point_with_tasks_asks_for_each_task(tmp_path):
    env = _env(tmp_path)
    subprocess.run([str(BIN), "task", "update", "17.2", "--weight", "3"], env=env, capture_output=True, check=True)
    term = Terminal(["update", "17", "--progress"], env)  # the seed's document 17.1 and milestone 17.2
    term.read_until("新的进度")  # first the point's own progress …
    assert "第 17 项" in term.screen.decode(errors="replace")
    term.type("30\n")
    term.read_until("新的进度")  # … then each task's
    assert "任务 17.1" in term.screen[term.typed_at:].decode(errors="replace")
    term.type("80\n")
    term.read_until("新的进度", 5)
    assert "任务 17.2" in term.screen[term.typed_at:].decode(errors="replace")
    term.type("\n")  # Enter keeps 17.2 as it is
    assert term.exit_code() == 0, term.screen.decode(errors="replace")
    out = subprocess.run([str(BIN), "show", "17", "--format", "json"], env=env, capture_output=True, text=True, check=True)
    shown = json.loads(out.stdout)
    assert [t["progress"] for t in shown["task_list"]] == [80, 0]
    assert (shown["progress"], shown["task_progress"]) == (30, 20)  # reported; the roll-up (80 × 1 + 0 × 3) / 4


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_half_way_through_the_questions_writes_nothing(tmp_path):
    env = _env(tmp_path)
    subprocess.run([str(BIN), "depts"], env=env, capture_output=True, check=True)
    before = subprocess.run([str(BIN), "log", "--format", "json"], env=env, capture_output=True, text=True, check=True).stdout
    term = Terminal(["update", "17", "--progress", "--note", "不该写入"], env)
    term.read_until("新的进度")
    term.type("40\n")  # the point's own: answered …
    term.read_until("新的进度")
    term.type("80\n")  # … 17.1's: answered …
    term.read_until("新的进度", 5)
    term.type("\x03")  # … then Ctrl-C at the second question
    term.read_until("已取消")
    assert term.exit_code() == 130 and "已取消，未做任何修改" in term.screen.decode(), term.screen.decode(errors="replace")
    after = subprocess.run([str(BIN), "log", "--format", "json"], env=env, capture_output=True, text=True, check=True).stdout
    assert after == before
    shown = json.loads(subprocess.run([str(BIN), "show", "17", "--format", "json"], env=env, capture_output=True,
                                      text=True, check=True).stdout)  # fmt: skip
    assert [t["progress"] for t in shown["task_list"]] == [0, 0] and shown["note"] is None
