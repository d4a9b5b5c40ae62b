"""Cold start (issue 11): what a command does between `python` starting and the shell getting its exit code,
beyond its own work. The figures are in docs/performance.md; these tests pin how, never how fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# A gkplan started as the console script starts it, with something that the interpreter's teardown would
# announce: an object freed only when the modules are torn down at exit.
PROBE = """
import sys
class Canary:
    def __del__(self):
        sys.stderr.write("TEARDOWN\\n")
canary = Canary()
{before}
sys.argv = ["gkplan", *{argv!r}]
from gkplan import main
main()
"""


def _gkplan(tmp_path: Path, argv: list[str], before: str = "") -> subprocess.CompletedProcess:
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    if not (tmp_path / "l.db").exists():
        subprocess.run([sys.executable, "-m", "gkplan", "load"], env=env, capture_output=True, check=True)
    return subprocess.run([sys.executable, "-c", PROBE.format(argv=argv, before=before)], env=env, capture_output=True, text=True)


def test_a_command_ends_without_the_interpreters_teardown(tmp_path):
    """Freeing the ~200 modules a command imports, object by object, cost some 35M instructions at exit (a tenth
    of a command's cold start): gkplan.main ends the process once its output is flushed."""
    out = _gkplan(tmp_path, ["plans", "--format", "json"])
    assert out.returncode == 0, out.stderr
    assert "TEARDOWN" not in out.stderr
    assert json.loads(out.stdout)[0]["plan"] == "2022"  # the output is whole: flushed before the end


@pytest.mark.parametrize(("argv", "code"), [(["show", "999"], 3), (["list", "--format", "bogus"], 2), (["lst"], 2)],
                         ids=("not-found", "bad-format", "unknown-command"))  # fmt: skip
def test_the_exit_code_and_the_error_line_are_kept(tmp_path, argv, code):
    out = _gkplan(tmp_path, argv)
    assert out.returncode == code, out.stderr
    assert out.stderr.strip() and "TEARDOWN" not in out.stderr and "Traceback" not in out.stderr


def test_exit_handlers_run_as_at_the_interpreters_exit(tmp_path):
    """An atexit handler (logging's, which psycopg imports on every server command; coverage's) still runs,
    once, after the command's output and before the end; only the teardown after it is left out. One that
    fails is reported as the interpreter reports it and changes neither the exit code nor the output."""
    handler = "import atexit\natexit.register(lambda: sys.stderr.write('HANDLER\\n'))"
    out = _gkplan(tmp_path, ["plans", "--format", "json"], before=handler)
    assert (out.returncode, out.stderr.split()) == (0, ["HANDLER"])
    assert json.loads(out.stdout)[0]["plan"] == "2022"
    failing = "import atexit\natexit.register(lambda: 1 / 0)\natexit.register(lambda: sys.stderr.write('LAST\\n'))"
    out = _gkplan(tmp_path, ["show", "999"], before=failing)
    assert out.returncode == 3
    assert "LAST" in out.stderr and "ZeroDivisionError" in out.stderr and "TEARDOWN" not in out.stderr
    assert out.stderr.index("LAST") < out.stderr.index("ZeroDivisionError")  # last registered, first run


def test_another_thread_gets_the_interpreters_own_exit(tmp_path):
    """A thread still running is waited for by the interpreter's exit, with its teardown."""
    # a thread that ends only once the main thread has (at the interpreter's exit): alive whenever gkplan ends
    thread = "import threading\nthreading.Thread(target=lambda: (threading.main_thread().join(), sys.stderr.write('THREAD\\n'))).start()"
    out = _gkplan(tmp_path, ["plans"], before=thread)
    assert (out.returncode, out.stderr.split()) == (0, ["THREAD", "TEARDOWN"])


def test_the_ledger_is_closed_before_the_end(tmp_path):
    """No teardown closes a forgotten connection any more: each command closes its ledger itself, so SQLite's
    -wal and -shm files are gone when it ends, after a read and after a write."""
    for argv in (["list"], ["update", "17", "--progress", "30", "--note", "进展"], ["export", "--format", "json", "-o", str(tmp_path / "e.json")]):
        out = _gkplan(tmp_path, argv)
        assert out.returncode == 0, out.stderr
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("l.db")) == ["l.db"], argv
    assert json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["points"][16]["progress"] == 30


def _loaded(tmp_path: Path, argv: list[str], names: tuple[str, ...]) -> list[str]:
    """Which of `names` a command has imported by the time it ends (as tests/test_project.py asks it)."""
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    if not (tmp_path / "l.db").exists():
        subprocess.run([sys.executable, "-m", "gkplan", "load"], env=env, capture_output=True, check=True)
    probe = (f"import sys\nsys.argv = {['gkplan', *argv]!r}\nfrom gkplan.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print('LOADED', sorted(m for m in {names!r} if m in sys.modules), file=sys.stderr)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stderr.rsplit("LOADED ", 1)[1].strip().replace("'", '"'))


VIEWS = ("gkplan.render.items", "gkplan.render.records", "gkplan.render.detail", "gkplan.render.sheet")


@pytest.mark.parametrize("argv", [["--help"], ["export", "--format", "csv", "-o", "e.csv"], ["export", "--format", "md", "-o", "e.md"],
                                  ["publish", "-o", "p.db"]], ids=" ".join)  # fmt: skip
def test_a_command_that_draws_no_table_loads_no_view(tmp_path, argv):
    """gkplan.render imports its views (items, records, detail, sheet: ~3M instructions) when one is first asked
    for: root help, the exports and `publish` only say where they wrote."""
    argv = [str(tmp_path / a) if a.startswith(("e.", "p.")) else a for a in argv]
    assert _loaded(tmp_path, argv, VIEWS) == []


def test_a_view_loads_when_a_command_draws_it(tmp_path):
    assert _loaded(tmp_path, ["plans"], VIEWS) == ["gkplan.render.detail", "gkplan.render.items", "gkplan.render.records"]
    assert _loaded(tmp_path, ["show", "17"], VIEWS) == ["gkplan.render.detail", "gkplan.render.items"]


def test_the_cli_is_imported_without_collections_and_set_aside_after(tmp_path):
    """The collector walked what the CLI's import makes (~100,000 long-lived objects) again and again: ~10M
    instructions of every cold start. None runs while it is imported; then it is frozen (gc.freeze), the
    collector on again for the command, a young collection every 7,000 allocations (~2M instructions of a cold
    `load`: some 20 collections fewer); an exit with the interpreter's teardown (here: a thread to wait for)
    unfreezes it first."""
    spy = ("import atexit, gc\n_freeze = gc.freeze\n"
           "def freeze():\n    sys.stderr.write(f\"FREEZE {gc.isenabled()} {'gkplan.cli' in sys.modules}\\n\")\n    _freeze()\n"
           "gc.freeze = freeze\n"
           "atexit.register(lambda: sys.stderr.write(f'EXIT {gc.isenabled()} {gc.get_freeze_count()} {gc.get_threshold()}\\n'))\n"
           # a thread still running: the interpreter's own exit (with its teardown) follows gkplan's end
           "import threading\nthreading.Thread(target=threading.main_thread().join).start()")  # fmt: skip
    out = _gkplan(tmp_path, ["plans"], before=spy)
    assert (out.returncode, out.stderr.split("\n")[:2]) == (0, ["FREEZE False True", "EXIT True 0 (7000, 10, 10)"]), out.stderr


def test_a_load_names_its_author_without_the_update_rules(tmp_path):
    """who and now live in gkplan.author: a load, into a new ledger or an existing one, never imports
    gkplan.actions (the update rules and their NamedTuple, ~1.5M instructions of a cold `gkplan load`)."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    env = os.environ | {"GKPLAN_DB": str(fresh / "l.db"), "NO_COLOR": "1"}
    probe = ("import sys\nsys.argv = ['gkplan', 'load', '--format', 'json']\nfrom gkplan.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('gkplan.actions', 'gkplan.author') if m in sys.modules), file=sys.stderr)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stderr.rsplit("LOADED ", 1)[1].strip() == "['gkplan.author']"
    assert (fresh / "l.db").exists()
    assert _loaded(tmp_path, ["load"], ("gkplan.actions", "gkplan.author")) == ["gkplan.author"]
