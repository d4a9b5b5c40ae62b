"""Promises the project makes outside the code: the README's commands, and a light read path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## 快速开始", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick)
    assert len(commands) == 2
    assert "gkplan" in commands[0] and "pytest" in commands[1]
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def _loaded(tmp_path, argv: list[str], names: tuple[str, ...]) -> list[str]:
    """Which of `names` a gkplan command has imported by the time it ends, on a bundled ledger."""
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    subprocess.run([sys.executable, "-m", "gkplan", "depts"], env=env, capture_output=True, check=True)
    probe = (
        f"import sys\nsys.argv = {['gkplan', *argv]!r}\nfrom gkplan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', sorted(m for m in {names!r} if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    import ast

    return ast.literal_eval(out.stderr.rsplit("LOADED ", 1)[1].strip())  # the list the probe printed


def test_read_commands_import_neither_pydantic_yaml_nor_sqlite_utils(tmp_path):
    heavy = ("pydantic", "yaml", "sqlite_utils", "rich", "dateutil")
    assert _loaded(tmp_path, ["list", "--dept", "教务部", "--format", "json"], heavy) == []


def test_load_checks_the_seed_without_pydantic(tmp_path):
    """The seed is checked by seed_check.py (issue 11: pydantic and building its models cost ~60 ms of `load`'s
    start-up); pydantic is no longer a dependency, so it must not come back through the loader."""
    names = ("pydantic", "pydantic_core", "gkplan.seed_check", "yaml")
    assert _loaded(tmp_path, ["load"], names) == ["gkplan.seed_check"]  # the bundled plan: its JSON twin (gkplan.bundled)
    assert _loaded(tmp_path, ["load", str(REPO / "data" / "workpoints_2022.yaml")], names) == ["gkplan.seed_check", "yaml"]
    # nor the C extensions only other commands use: array (a table too long to hold in memory), termios (getpass)
    assert _loaded(tmp_path, ["load"], ("array", "termios", "getpass")) == []


def test_a_table_listing_imports_only_what_it_draws_with(tmp_path):
    """The cold start the benchmark measures: `list --dept` as a table needs neither json nor csv, nor any
    of the optional or heavy libraries (a module-level `import json` in the ledger once crept back in)."""
    names = ("json", "csv", "pydantic", "yaml", "rich", "openpyxl", "psycopg", "datasette", "pypinyin", "chinese_calendar",
             "gkplan.dates_zh", "gkplan.complete", "gkplan.clihelp")  # fmt: skip
    assert _loaded(tmp_path, ["list", "--dept", "教务部"], names) == []
    assert _loaded(tmp_path, ["list", "--dept", "教务", "--due-before", "2022-10-01"], names) == []
    assert _loaded(tmp_path, ["show", "17"], names) == []  # its checkpoints read by json's C scanner (jsonread)


def test_the_help_page_is_drawn_by_its_own_module(tmp_path):
    """clihelp lays out help pages; a command that draws none never imports it (nor rich, for either)."""
    assert _loaded(tmp_path, ["show", "--help"], ("gkplan.clihelp", "rich")) == ["gkplan.clihelp"]
    assert _loaded(tmp_path, ["show", "17"], ("gkplan.clihelp",)) == []


def test_workbooks_are_written_without_openpyxl(tmp_path):
    """The export, `-o FILE.xlsx` of a listing and the bulletin write their XLSX with zipfile (xlsx_book.py):
    openpyxl (some 70 ms of importing) is not a dependency at all: the tests read workbooks back with it."""
    heavy = ("openpyxl", "et_xmlfile", "lxml")
    for argv in (["export", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx")], ["list", "-o", str(tmp_path / "l.xlsx")],
                 ["bulletin", "--period", "2022-06", "-o", str(tmp_path / "b.xlsx")]):  # fmt: skip
        assert _loaded(tmp_path, argv, heavy) == [], argv
        assert (tmp_path / argv[-1]).stat().st_size > 0


def test_the_fill_in_sheet_is_written_and_read_back_without_openpyxl(tmp_path):
    """`sheet` writes its protected, validated workbook with zipfile too (xlsx_guard.py; issue 11: openpyxl made it
    11.75× Python's start-up), and `import` reads it with zipfile and expat (xlsx_read.py; it was 9.6×)."""
    heavy = ("openpyxl", "et_xmlfile", "lxml")
    path = tmp_path / "s.xlsx"
    assert _loaded(tmp_path, ["sheet", "--dept", "教务部", "-o", str(path)], (*heavy, "json", "hashlib")) == []
    assert path.stat().st_size > 0
    assert _loaded(tmp_path, ["import", str(path)], (*heavy, "json", "hashlib")) == []


CLI_MODULES = ("gkplan.cli_points", "gkplan.cli_reports", "gkplan.cli_tasks", "gkplan.cli_loop", "gkplan.cli_supervise",
               "gkplan.cli_bulletin", "gkplan.cli_sheet", "gkplan.cli_admin")  # fmt: skip


@pytest.mark.parametrize(("argv", "module"), [
    (["show", "17"], "gkplan.cli_points"), (["task", "list"], "gkplan.cli_tasks"), (["target", "list"], "gkplan.cli_tasks"),
    (["stale"], "gkplan.cli_supervise"), (["remind"], "gkplan.cli_supervise"), (["bulletin"], "gkplan.cli_bulletin"),
    (["review", "--help"], "gkplan.cli_loop"), (["checkpoint", "--help"], "gkplan.cli_loop"), (["report"], "gkplan.cli_reports"),
], ids=" ".join)  # fmt: skip
def test_a_command_imports_its_own_module_and_never_rich(tmp_path, argv, module):
    """Every command starts alone: Typer is given only it (or its group), the other commands' modules are never
    imported, and nothing imports Rich (the detail view is drawn by render.detail)."""
    assert _loaded(tmp_path, argv, (*CLI_MODULES, "rich")) == [module]


@pytest.mark.parametrize("argv", [["--help"], [], ["--version"], ["lst"]], ids=" ".join)
def test_root_help_version_and_an_unknown_command_import_no_command(tmp_path, argv):
    """Root help lists every command from cli_index.py: no command's module is imported for it (building
    them all cost ~15 ms, 6.3× Python's start against the 5× target), and nothing imports Rich."""
    assert _loaded(tmp_path, argv, (*CLI_MODULES, "rich")) == []


def test_pinyin_and_the_workday_calendar_load_only_when_a_name_or_date_needs_them(tmp_path):
    names = ("pypinyin", "chinese_calendar", "gkplan.dates_zh")
    assert _loaded(tmp_path, ["list", "--dept", "jwb", "--due-before", "年底前"], names) == ["gkplan.dates_zh", "pypinyin"]
    assert _loaded(tmp_path, ["list", "--due-before", "10个工作日"], names) == ["chinese_calendar", "gkplan.dates_zh"]


def test_a_write_loads_neither_openssl_nor_getpass_when_the_login_is_in_the_environment(tmp_path, monkeypatch):
    """`update` chains its entry with CPython's own SHA-256 and reads $USER itself: hashlib (OpenSSL) and
    getpass (termios, pwd) cost ~3.5 ms of a write's start."""
    monkeypatch.delenv("GKPLAN_USER")
    for variable in ("LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("USER", "zhang")
    assert _loaded(tmp_path, ["update", "17", "--progress", "40"], ("hashlib", "getpass", "_hashlib")) == []


def test_load_without_a_login_variable_reads_the_passwd_name_without_getpass(tmp_path):
    """With no $GKPLAN_USER, $LOGNAME, $USER, … (cron, a container) the recorder is the passwd entry's name,
    read with pwd as getpass.getuser would, but without importing getpass and termios (~1.5M instructions)."""
    pwd = pytest.importorskip("pwd")
    env = {k: v for k, v in os.environ.items() if k not in ("GKPLAN_USER", "LOGNAME", "USER", "LNAME", "USERNAME")}
    env |= {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    probe = (
        "import sys\nsys.argv = ['gkplan', 'load']\nfrom gkplan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('getpass', 'termios') if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stderr.rsplit("LOADED ", 1)[1].strip() == "[]"
    subprocess.run([sys.executable, "-m", "gkplan", "update", "17", "--progress", "40"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    log = subprocess.run([sys.executable, "-m", "gkplan", "log", "--format", "json"], env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert f'"{pwd.getpwuid(os.getuid())[0]}"' in log.stdout


def test_a_command_makes_only_the_shared_options_it_declares(tmp_path):
    """cliopts makes each shared option on its first import (~5.8M instructions for all ~30 at every start):
    `load` takes --by and --format, never `update`'s --due or `list`'s filters."""
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    probe = (
        "import sys\nsys.argv = ['gkplan', 'load']\nfrom gkplan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "made = vars(sys.modules['gkplan.cliopts'])\n"
        "print('MADE', sorted(n for n in ('ByOpt', 'FormatOpt', 'DueOpt', 'DeptFilter', 'ProgressOpt') if n in made),"
        " file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stderr.rsplit("MADE ", 1)[1].strip() == "['ByOpt', 'FormatOpt']"


@given(st.text(max_size=50), st.dictionaries(st.sampled_from(("id", "by", "note", "changes")), st.text(max_size=20)))
def test_the_history_chain_is_sha256_as_hashlib_computes_it(previous, values):
    import hashlib
    import json

    from gkplan.ledger.chain import entry_hash

    entry = dict.fromkeys(("id", "plan", "point", "entity", "ref", "action", "effective", "at", "by", "changes", "note",
                           "cause", "undoes"), None) | values  # fmt: skip
    fields = [entry[k] for k in ("id", "plan", "point", "entity", "ref", "action", "effective", "at", "by", "changes",
                                 "note", "cause", "undoes")]  # fmt: skip
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert entry_hash(previous, entry) == hashlib.sha256((previous + text).encode("utf-8")).hexdigest()


def test_a_groups_subcommand_is_built_alone(tmp_path):
    """`task list` gives Typer only `task list` (building the group's other commands cost ~4 ms); `task`
    alone, its help or a name it lacks still gets the whole group, which names the close ones."""
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db")}
    subprocess.run([sys.executable, "-m", "gkplan", "depts"], env=env, capture_output=True, check=True)

    def unbuilt(argv: list[str]) -> list[str]:
        probe = (f"import sys\nsys.argv = {['gkplan', *argv]!r}\nfrom gkplan.cli import main\n"
                 "try:\n    main()\nexcept SystemExit:\n    pass\nfrom gkplan import clikit, cli_tasks\n"
                 "print('UNBUILT', sorted(n for o, n, _, _ in clikit._pending if o is cli_tasks.task_app), file=sys.stderr)\n")
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        import ast

        return ast.literal_eval(out.stderr.rsplit("UNBUILT ", 1)[1].strip())

    left = unbuilt(["task", "list"])
    assert "add" in left and "list" not in left
    assert unbuilt(["task", "lst"]) == [] and unbuilt(["task", "--help"]) == []


@pytest.mark.parametrize("argv", [["remind"], ["missing"], ["bulletin"], ["brief", "--leader", "李松"]], ids=" ".join)
def test_the_supervision_views_as_tables_never_import_json(tmp_path, argv):
    """remind, missing, bulletin and brief decode owners, checkpoints and history changes with json's C scanner
    (ledger.jsonread): `import json` cost each of them ~20M instructions of its start (json.decoder's patterns)."""
    assert _loaded(tmp_path, [*argv, "--as-of", "2022-07-15"], ("json", "rich")) == []
