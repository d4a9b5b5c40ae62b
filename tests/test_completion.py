"""Shell completion through the shells' own protocol: gkplan started as the completion scripts start it
(`_GKPLAN_COMPLETE` and the variables each shell sets), the scripts themselves, their installation, and a
normal command that never loads the completion module."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GKPLAN = [sys.executable, "-m", "gkplan"]
STATUSES = ["未启动", "进行中", "已完成", "受阻", "暂缓", "待销号"]


@pytest.fixture
def ledger(isolated: Path) -> Path:
    subprocess.run([*GKPLAN, "depts"], capture_output=True, check=True)  # the bundled plan
    return isolated


def gkplan(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*GKPLAN, *args], env=os.environ | (env or {}), capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr)
    return done


def bash(line: str, **env: str) -> list[str]:
    """What bash's completion function would put in COMPREPLY for `line` (the word under the cursor last)."""
    words = line.split(" ")
    done = gkplan(env={"_GKPLAN_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1), **env})
    return [word for word in done.stdout.splitlines() if word]  # no candidate: one empty line


def other(shell: str, line: str, **env: str) -> str:
    """zsh and fish hand the whole line (`_TYPER_COMPLETE_ARGS`); PowerShell also the word to complete."""
    word = line.rsplit(" ", 1)[-1]
    extra = {"_TYPER_COMPLETE_FISH_ACTION": "get-args"} if shell == "fish" else {}
    if shell == "powershell":
        extra = {"_TYPER_COMPLETE_WORD_TO_COMPLETE": word}
    return gkplan(env={"_GKPLAN_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line, **extra, **env}).stdout


def test_commands_and_options_complete_every_command_not_just_the_named_one(ledger):
    top = bash("gkplan ")
    assert {"list", "show", "update", "report", "task", "export", "bulletin", "admin"} <= set(top)
    assert "update" in bash("gkplan task ")
    assert bash("gkplan list --le") == ["--leader"]
    assert "--install-completion" in bash("gkplan --")
    assert bash("gkplan --show-completion ") == ["bash", "zsh", "fish", "powershell", "pwsh"]


@pytest.mark.parametrize("typed", ["jw", "jwb", "jiaowu", "jiaowubu", "教务", "教务处"])
def test_a_department_completes_from_pinyin_initials_full_pinyin_or_part_of_its_name(ledger, typed):
    assert bash(f"gkplan list --dept {typed}") == ["教务部"]


def test_department_and_leader_names_complete_on_every_command_that_takes_them(ledger):
    assert bash("gkplan list --leader lis") == ["李松"]
    assert bash("gkplan list --leader lisong") == ["李松"]
    assert bash("gkplan brief --leader ls") == ["李松"]
    assert bash("gkplan list --dept 党办") == ["党委办公室"]
    assert bash("gkplan task list --dept cwb") == ["财务部"]
    assert bash("gkplan update 17 --co-dept cwb") == ["财务部"]
    assert bash("gkplan remind --dept jwb") == ["教务部"]
    assert len(bash("gkplan list --dept ")) >= 30  # every department of the plan


def test_point_and_task_numbers_of_the_current_plan(ledger):
    assert bash("gkplan show 17") == ["17"]
    assert bash("gkplan show 1") == ["1", *[str(n) for n in range(10, 20)]]
    assert bash("gkplan update 3") == ["3", *[str(n) for n in range(30, 40)]]
    assert bash("gkplan log 17") == ["17"]
    assert bash("gkplan task update 17") == ["17.1", "17.2"]
    assert bash("gkplan task update 17.") == ["17.1", "17.2"]
    assert bash("gkplan review 17") == ["17", "17.1", "17.2"]
    assert bash("gkplan --plan ") == ["2022"]


def test_statuses_lights_and_formats(ledger):
    assert bash("gkplan list --status ") == STATUSES
    assert bash("gkplan update 17 --status 进") == ["进行中"]
    assert bash("gkplan task update 17.1 --status 已") == ["已完成"]
    assert bash("gkplan list --light r") == ["red", "review"]
    assert bash("gkplan list --light 红") == ["red"]
    assert bash("gkplan list --format ") == ["table", "json", "ndjson", "csv"]
    assert bash("gkplan list -f j") == ["json"]
    assert bash("gkplan export --format ") == ["xlsx", "csv", "json", "md"]


def test_zsh_fish_and_powershell_protocols(ledger):
    zsh = other("zsh", "gkplan list --dept jwb")
    assert zsh.startswith("_arguments") and '"教务部"' in zsh
    assert '"17":' in other("zsh", "gkplan show 17")  # with the point's title as the candidate's help
    assert other("fish", "gkplan update 17 --status 进").splitlines() == ["进行中"]
    assert other("fish", "gkplan list --dept jiaowu").splitlines() == ["教务部"]
    assert other("powershell", "gkplan task update 17.").splitlines()[0].startswith("17.1:::")
    assert other("powershell", "gkplan list --leader lisong").splitlines() == ["李松::: "]


def test_without_a_ledger_there_are_no_candidates_and_none_is_made(tmp_path):
    missing = tmp_path / "none" / "ledger.db"
    assert bash("gkplan list --dept jw", GKPLAN_DB=str(missing)) == []
    assert bash("gkplan show 1", GKPLAN_DB=str(missing)) == []
    assert bash("gkplan --db /no/such/file.db list --dept jw") == []
    assert not missing.exists() and not missing.parent.exists()
    assert bash("gkplan list --format ", GKPLAN_DB=str(missing)) == ["table", "json", "ndjson", "csv"]  # fixed lists still


def test_the_db_option_on_the_line_is_the_ledger_completed_from(ledger, tmp_path):
    other_db = tmp_path / "other.db"
    shutil.copyfile(ledger, other_db)
    assert bash(f"gkplan --db {other_db} list --dept jwb", GKPLAN_DB=str(tmp_path / "absent.db")) == ["教务部"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell", "pwsh"])
def test_show_completion_prints_typers_script_for_the_gkplan_protocol(shell):
    script = gkplan("--show-completion", shell).stdout
    assert "_GKPLAN_COMPLETE=complete_" in script or '$Env:_GKPLAN_COMPLETE = "complete_powershell"' in script
    assert "gkplan" in script


def test_show_completion_without_a_shell_detects_it_and_an_unknown_shell_is_a_usage_error():
    bad = gkplan("--show-completion", "tcsh", check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    assert "不支持的 shell" in bad.stderr and "bash / zsh / fish / powershell" in bad.stderr
    alone = gkplan("--show-completion", env={"SHELL": "/bin/bash"}, check=False)
    assert alone.returncode in (0, 2)
    assert "_GKPLAN_COMPLETE" in alone.stdout if alone.returncode == 0 else "请写明" in alone.stderr


def test_install_completion_writes_the_script_where_the_shell_reads_it(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = gkplan("--install-completion", "bash", env={"HOME": str(home)})
    script = home / ".bash_completions" / "gkplan.sh"
    assert "_GKPLAN_COMPLETE=complete_bash" in script.read_text()
    assert f"source '{script}'" in (home / ".bashrc").read_text()
    assert "已为 bash 安装" in done.stderr and str(script) in done.stderr
    gkplan("--install-completion", "fish", env={"HOME": str(home)})
    assert "_GKPLAN_COMPLETE=complete_fish" in (home / ".config" / "fish" / "completions" / "gkplan.fish").read_text()
    gkplan("--install-completion", "zsh", env={"HOME": str(home)})
    assert "_GKPLAN_COMPLETE=complete_zsh" in (home / ".zfunc" / "_gkplan").read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_itself_sources_the_script_and_completes(ledger, tmp_path):
    """The generated script in a real bash: its function called as bash's `complete -F` calls it."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    wrapper = bin_ / "gkplan"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gkplan "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    script = tmp_path / "gkplan.sh"
    script.write_text(gkplan("--show-completion", "bash").stdout, encoding="utf-8")
    probe = (
        f"source '{script}'\n"
        'COMP_WORDS=(gkplan list --dept jwb); COMP_CWORD=3; _gkplan_completion gkplan; printf "%s\\n" "${COMPREPLY[@]}"\n'
        'COMP_WORDS=(gkplan task update 17); COMP_CWORD=3; _gkplan_completion gkplan; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = os.environ | {"PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["教务部", "17.1", "17.2"]


def test_help_names_the_completion_options_in_chinese():
    text = gkplan("--help").stdout
    assert "--install-completion [SHELL]" in text and "安装命令补全" in text
    assert "--show-completion [SHELL]" in text


def test_a_normal_command_never_imports_the_completion_module(ledger):
    probe = (
        "import sys\nsys.argv = ['gkplan', 'list', '--dept', '教务部']\nfrom gkplan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'gkplan.complete' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "教务部" in done.stdout
    assert done.stderr.rsplit("LOADED ", 1)[1].strip() == "False"
