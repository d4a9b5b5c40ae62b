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


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_bare_progress_asks_at_the_terminal(tmp_path):
    env = _env(tmp_path)
    subprocess.run([str(BIN), "depts"], env=env, capture_output=True, check=True)
    pid, fd = pty.fork()
    if pid == 0:  # the child: gkplan at a terminal
        os.execve(str(BIN), [str(BIN), "update", "18", "--progress", "--note", "终端输入"], env)
    screen = b""

    def read_until(marker: bytes, seconds: float = 20) -> None:
        nonlocal screen
        end = time.monotonic() + seconds
        while marker not in screen and time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    screen += os.read(fd, 4096)
                except OSError:
                    break

    read_until("新的进度".encode())
    os.write(fd, "abc\n".encode())  # a wrong answer is asked again
    read_until("进度应为".encode())
    os.write(fd, b"60\n")
    read_until("已更新".encode())
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, screen.decode(errors="replace")
    out = subprocess.run([str(BIN), "show", "18", "--format", "json"], env=env, capture_output=True, text=True, check=True)
    shown = json.loads(out.stdout)
    assert (shown["progress"], shown["note"]) == (60, "终端输入")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_bare_progress_on_a_point_with_tasks_asks_for_each_task(tmp_path):
    env = _env(tmp_path)
    subprocess.run([str(BIN), "task", "add", "17", "挂牌成立国家老年大学", "--weight", "3"], env=env, capture_output=True, check=True)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(str(BIN), [str(BIN), "update", "17", "--progress"], env)
    screen = b""

    def read_until(marker: bytes, seconds: float = 20) -> None:
        nonlocal screen
        end = time.monotonic() + seconds
        while marker not in screen and time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    screen += os.read(fd, 4096)
                except OSError:
                    break

    read_until("任务 17.1".encode())
    read_until("新的进度".encode())
    os.write(fd, b"80\n")
    read_until("任务 17.2".encode())
    read_until("新的进度".encode(), 5)
    os.write(fd, b"\n")  # Enter keeps 17.2 as it is
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, screen.decode(errors="replace")
    out = subprocess.run([str(BIN), "show", "17", "--format", "json"], env=env, capture_output=True, text=True, check=True)
    shown = json.loads(out.stdout)
    assert [t["progress"] for t in shown["task_list"]] == [80, 0]
    assert shown["progress"] == 20  # (80 × 1 + 0 × 3) / 4
