"""Arguments that are not UTF-8 text (GBK typed at a terminal) are one Chinese usage line, never a crash; UTF-8
read under a C locale without Python's UTF-8 mode is taken as the text it is."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO, db_env, dump

GBK = "教务".encode("gbk").decode("utf-8", "surrogateescape")  # what Python makes of those bytes in argv


@pytest.mark.parametrize("args", [
    ["list", "--dept", GBK], ["list", "--leader", GBK], ["list", "--search", GBK], ["update", "3", "--co-dept", GBK],
    ["remind", "--dept", GBK], ["brief", "--leader", GBK], ["list", "--dept", f"教务{GBK}"], ["--plan", GBK, "list"],
])  # fmt: skip
def test_an_argument_that_is_not_utf8_is_one_chinese_usage_line(run, ledger, args):
    before = dump(ledger)
    result = run(*args, code=2)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("错误：参数 '")
    assert "\\xbd\\xcc\\xce\\xf1' 不是 UTF-8 文本" in result.stderr and not result.stdout
    assert dump(ledger) == before


def test_an_environment_variable_the_locale_cannot_read_is_one_line(isolated):
    done = _gkplan(isolated, b"depts", LC_ALL="C", PYTHONUTF8="0", GKPLAN_USER="督查办")
    assert done.returncode == 2 and done.stderr.count(b"\n") == 1 and b"Traceback" not in done.stderr
    assert b"GKPLAN_USER" in done.stderr and not isolated.exists()


def test_utf8_decoded_as_the_c_locale_is_read_as_utf8(run, ledger):
    escaped = "教务部".encode().decode("ascii", "surrogateescape")  # argv under LC_ALL=C, PYTHONUTF8=0
    assert run.ids("--dept", escaped) == run.ids("--dept", "教务部") != []


def _gkplan(ledger, *args: bytes, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "GKPLAN_DB": db_env(ledger), "PYTHONPATH": str(REPO / "src"), **env}
    return subprocess.run([sys.executable, "-m", "gkplan", *args], env=environ, capture_output=True)


@pytest.mark.parametrize("utf8_mode", ["1", "0"])
@pytest.mark.sqlite_only  # (a server's DSN names the office's login in Chinese: the next test's case)
def test_a_real_command_line_under_the_c_locale(ledger, utf8_mode):
    env = {"LC_ALL": "C", "PYTHONUTF8": utf8_mode, "GKPLAN_USER": "office"}  # (a Chinese one: the next test)
    done = _gkplan(ledger, b"list", b"--dept", "教务部".encode(), b"--format", b"json", **env)
    assert done.returncode == 0, done.stderr
    assert b'"id"' in done.stdout
    before = dump(ledger)
    done = _gkplan(ledger, b"list", b"--dept", "教务部".encode("gbk"), **env)
    assert done.returncode == 2 and done.stderr.count(b"\n") == 1 and b"Traceback" not in done.stderr
    assert b"'\\xbd\\xcc\\xce\\xf1\\xb2\\xbf' " in done.stderr
    assert dump(ledger) == before
