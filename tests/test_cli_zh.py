"""Chinese throughout: every help page and usage error, Ctrl-C outside a command, the config file's
syntax errors; docs/cli.md as generated from the code; the line for a table shown past the plan's end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from gkplan import clizh
from gkplan.cli import full_app
from conftest import dump

REPO = Path(__file__).resolve().parents[1]
ROOT = typer.main.get_command(full_app())


def _paths(command=ROOT, path=()):  # noqa: ANN001, ANN202
    yield path
    for name in getattr(command, "commands", {}):
        yield from _paths(command.commands[name], (*path, name))


COMMANDS = list(_paths())
NAMES = {name for path in COMMANDS for name in path} | {"gkplan"}


def english(text: str) -> list[str]:
    """Runs of three or more English words left once option names, metavars, command names, examples,
    environment variables, paths and URLs are taken out."""
    kept = []
    examples = False
    for line in text.splitlines():
        if line.startswith("示例："):
            examples = True
            continue
        if examples and line.startswith("  "):
            continue  # an example: a command line, not a sentence
        examples = False
        line = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*(=\S*)?", " ", line)  # option names
        line = re.sub(r"\$\w+|\S+/\S+|\S+\.(db|toml|xlsx|csv|json|md|yaml)\b", " ", line)  # $ENV, paths, URLs, files
        line = re.sub(r"\b[A-Z][A-Z0-9_|]*\b", " ", line)  # metavars (ID, DATE, PATH|URL, FORMAT)
        line = " ".join(w for w in line.split(" ") if w not in NAMES)
        kept.append(line)
    return re.findall(r"[A-Za-z]+(?:[ \t]+[A-Za-z]+){2,}", "\n".join(kept))


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "gkplan")
def test_help_has_no_english_sentence(run, path):
    result = run(*path, "--help")
    assert result.stdout.startswith("用法："), result.stdout
    assert "选项：" in result.stdout and "显示本帮助并退出" in result.stdout
    assert english(result.stdout) == [], result.stdout
    for word in ("Usage", "Options", "Commands", "Arguments", "Show this message", "default:", "required"):
        assert word not in result.stdout


def test_help_lines_fit_the_terminal(run, monkeypatch):
    from gkplan.render import cell_width

    monkeypatch.setenv("COLUMNS", "80")
    for path in (("list",), ("update",), ()):
        page = run(*path, "-h").stdout
        assert max(cell_width(line) for line in page.splitlines()) <= 80, page


USAGE_ERRORS = [
    ("show",),  # a missing argument
    ("nosuch",),  # no such command
    ("lis",),  # … with the close ones
    ("list", "--bogus"),  # no such option
    ("list", "--lim", "3"),  # … with the close ones
    ("list", "--due-before"),  # an option without its value
    ("update", "1", "2", "--progress", "3"),  # an extra argument
    ("update", "--progress"),  # a bare --progress, and no ID: the placeholder never shows
    ("update", "17", "--progress", "-x"),
    ("export",),  # a required option
    ("task", "update"),
    ("task", "nosuch"),
    ("--db",),
    ("--plan", "2022"),  # no command
    ("admin", "user", "add"),
    ("checkpoint", "add", "17"),
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=" ".join)
def test_every_usage_error_is_one_chinese_line_and_2(run, args):
    result = run(*args, code=2)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    assert english(lines[0]) == [], lines[0]
    assert "\x00" not in lines[0] and "x00" not in lines[0] and "Error" not in lines[0]
    assert result.stdout == ""


def test_usage_errors_say_what_and_where(run):
    assert "缺少参数 ID（要点编号）" in run("show", code=2).stderr
    assert "用法：" in run("show", code=2).stderr and "-h" in run("show", code=2).stderr
    assert "没有命令 lis；是不是 list" in run("lis", code=2).stderr
    assert "没有选项 --lim；是不是 --light、--limit？" in run("list", "--lim", "3", code=2).stderr
    assert "选项 --due-before 缺少值" in run("list", "--due-before", code=2).stderr
    assert "缺少选项 --output/-o" in run("export", code=2).stderr
    assert "多余的参数：2" in run("update", "1", "2", "--progress", "3", code=2).stderr


def test_a_group_without_its_command_shows_its_help(run):
    result = run("task", code=2)
    assert result.stderr.startswith("用法：") and "命令：" in result.stderr


def test_a_bare_progress_after_a_valued_option_is_its_value(run, ledger):
    """`--note --progress`: --note takes the next word, as every option does; no placeholder is made."""
    run("update", "18", "--note", "--progress")
    assert run.json("log", "18")[0]["note"] == "--progress"


@pytest.mark.parametrize("raised", [KeyboardInterrupt, typer.Abort])
def test_ctrl_c_or_abort_while_the_line_is_read_is_one_line_and_130(run, ledger, monkeypatch, raised):
    def interrupted(self, ctx, args):  # noqa: ANN001, ANN202
        raise raised()

    monkeypatch.setattr(clizh.ZhCommand, "parse_args", interrupted)
    result = run("list", code=130)
    assert result.stderr == "已取消，未做任何修改\n"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("x = [\n", "值无效"),
        ("[lights\n", "节名后面应有 ]"),
        ("a = 1\na = 2\n", "同一个键赋了两次值"),
        ('x = "\\q"\n', "没有转义"),
        ("x y\n", "键后面应有 ="),
    ],
)
def test_a_config_file_with_a_syntax_error_is_told_in_chinese(run, ledger, tmp_path, monkeypatch, text, said):
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("GKPLAN_CONFIG", str(config))
    result = run("list", code=2)
    assert result.stderr.startswith(f"错误：{config}") and "配置文件不是有效的 TOML" in result.stderr
    assert said in result.stderr and english(result.stderr) == [], result.stderr


@pytest.mark.parametrize(("where", "said"), [("missing.toml", "不存在"), ("", "是一个目录")])
def test_gkplan_config_naming_no_file_is_one_line_not_the_defaults(run, ledger, tmp_path, monkeypatch, where, said):
    config = tmp_path / where
    monkeypatch.setenv("GKPLAN_CONFIG", str(config))
    before = dump(ledger)
    result = run("list", code=2)
    assert result.stderr == f"错误：{config}: GKPLAN_CONFIG 指定的配置文件{said}；请改正路径，或取消 GKPLAN_CONFIG 使用默认设置\n"
    assert dump(ledger) == before
    monkeypatch.setenv("GKPLAN_CONFIG", "")  # set but empty: as if unset, the default file (none here)
    run("list")


def test_the_reference_is_generated_from_the_code():
    """docs/cli.md regenerated equals the committed file: `python -m gkplan.clidoc > docs/cli.md`."""
    from gkplan.clidoc import reference

    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert reference() == committed, "docs/cli.md is out of date: python -m gkplan.clidoc > docs/cli.md"


def test_the_reference_lists_every_command_and_option(run):
    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for path in COMMANDS:
        title = " ".join(("gkplan", *path))
        assert f"## {title}\n" in doc
        section = doc.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
        for option in re.findall(r"(?m)^  ((?:-\w, )?--[\w-]+)", run(*path, "-h").stdout):
            assert f"`{option}" in section, (title, option)


# -- past the plan's end -----------------------------------------------------------------------------


def test_a_table_past_the_plans_end_says_so_once(run, ledger, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2026-11-26")
    result = run("list")
    notes = [line for line in result.stderr.splitlines() if "--as-of" in line]
    assert notes == ["提示：今天（2026-11-26）已过计划“2022”的结束日期 2022-12-31，逾期和灯色按今天计算；"
                     "要看计划期末的情况，请加 --as-of 2022-12-31"]  # fmt: skip
    assert "--as-of" not in result.stdout
    assert "--as-of" in run("report").stderr and "--as-of" in run("show", "17").stderr


def test_no_such_line_for_data_or_a_chosen_day(run, ledger, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2026-11-26")
    assert run("list", "--format", "json").stderr == ""
    assert run("list", "--as-of", "2022-12-31").stderr == ""
    monkeypatch.setenv("GKPLAN_TODAY", "2022-12-31")
    assert run("list").stderr == ""


def test_the_root_index_is_generated_from_the_commands():
    """cli_index.py, what root help lists without importing the commands, equals its regeneration."""
    from gkplan.clidoc import index

    committed = (REPO / "src" / "gkplan" / "cli_index.py").read_text(encoding="utf-8")
    assert index() == committed, "cli_index.py is out of date: python -m gkplan.clidoc --index > src/gkplan/cli_index.py"


@pytest.mark.parametrize("argv", [["--help"], [], ["lst"], ["--db", "x.db", "--plan", "2022"]], ids=" ".join)
def test_root_help_from_the_index_is_the_whole_trees(run, argv):
    """`gkplan --help` as a user runs it (from the index) prints what the whole command tree prints, and an
    unknown or missing command fails the same way."""
    import subprocess
    import sys

    def probe(call: str) -> subprocess.CompletedProcess:
        code = f"import sys\nfrom gkplan.cli import full_app, main\nsys.argv = ['gkplan', *{argv!r}]\n{call}\n"
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    whole, user = probe("full_app()()"), probe("main()")
    assert (user.returncode, user.stdout, user.stderr) == (whole.returncode, whole.stdout, whole.stderr)
    assert user.stdout.count("\n  ") > 30 or user.returncode == 2
