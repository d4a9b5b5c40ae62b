"""Nothing from the ledger reaches a terminal raw, and output that cannot be written fails cleanly.

Hostile text goes into the ledger with sqlite3 directly (the CLI refuses control characters in --note),
as a damaged or hand-edited ledger, or one written by another tool, could hold it.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import db_env, server
from test_installed import BIN, Terminal

# ESC (clear screen, a window-title OSC), BEL, CR, a C1 control (NEL, CSI), a right-to-left override
HOSTILE = "清屏\x1b[2J响铃\x07回车\r换行\n下一行\x85\x9b\u202e倒序"
RAW = ("\x1b", "\x07", "\r", "\x85", "\x9b", "\u202e")
SHOWN = ("\\x1b[2J", "\\x07", "\\x0d", "\\x85", "\\x9b", "\\u202e")
RARE = "表情😀与生僻字𠮷"  # neither is in GBK, nor of course in ASCII


def _env(db: Path, **extra: str) -> dict[str, str]:
    return os.environ | {"GKPLAN_DB": db_env(db), "NO_COLOR": "1", "GKPLAN_TODAY": "2022-06-30", "GKPLAN_USER": "测试"} | extra


def _gkplan(db: Path, *args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    if "stdout" not in kw:
        kw.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "gkplan", *args], env=env or _env(db), **kw)


def _write(db: Path, sql: str, *params: object) -> None:
    if server() is not None:  # the server's superuser, its triggers off: as one going behind gkplan's back
        import psycopg

        from gkplan.ledger.pg_connection import translate

        with psycopg.connect(server()) as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute(translate(sql), params)
        return
    conn = sqlite3.connect(db)
    try:
        if "history" in sql:  # the history is append-only: only someone going behind gkplan's back edits it
            conn.execute("DROP TRIGGER IF EXISTS history_append_only_update")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def _clean(text: str) -> None:
    """What a terminal would be handed: no control character but the newline, no Python traceback."""
    assert not [ch for ch in RAW if ch in text], [ch for ch in RAW if ch in text]
    assert "Traceback" not in text and "Exception ignored" not in text


@pytest.fixture
def hostile(run, ledger: Path) -> Path:
    """Point 18's title, note and department, a task's owner, and a history entry's `by` and note, hostile."""
    run("task", "add", "18", "编制老年大学章程", "--owner", "王五", "--due", "2022-07-10")
    run("update", "18", "--note", "进展")
    _write(ledger, "UPDATE points SET title = ?, note = ? WHERE id = 18", "标题" + HOSTILE, HOSTILE)
    _write(ledger, "UPDATE point_departments SET department = ? WHERE point = 18", "老年大学" + HOSTILE)
    _write(ledger, "UPDATE points SET department_key = ? WHERE id = 18", "老年大学" + HOSTILE)
    _write(ledger, "UPDATE tasks SET dept = ? WHERE dept = '老年大学'", "老年大学" + HOSTILE)  # its 实施方案 (38.18)
    _write(ledger, "UPDATE tasks SET owner = ? WHERE point = 18", "王五" + HOSTILE)
    _write(ledger, "UPDATE history SET by = ?, note = ? WHERE point = 18", "督查办" + HOSTILE, HOSTILE)
    return ledger


VIEWS = [
    ["list"], ["list", "--dept", "倒序"], ["show", "18"], ["log"], ["log", "18"], ["task", "list", "--point", "18"],
    ["remind", "--within", "30d"], ["stale", "--days", "0", "--as-of", "2999-01-01"], ["report"], ["report", "--overdue", "--as-of", "2023-01-31"],
    ["depts"],
]  # fmt: skip


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_control_characters_in_the_ledger_are_shown_escaped(run, hostile, args, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # every cell whole: a table fitted to a terminal is test_tables.py's
    out = run(*args).stdout
    _clean(out)
    assert "\\x1b[2J" in out  # visible, not dropped: the reader sees that something odd is stored
    for line in out.splitlines():
        if "下一行" in line and args[0] != "show":  # a table cell stays on one line: the newline is a space
            assert "换行 下一行" in line


def test_the_detail_view_keeps_the_notes_lines_and_escapes_the_rest(run, hostile):
    out = run("show", "18").stdout
    _clean(out)
    assert all(shown in out for shown in SHOWN)
    assert "第 18 项  标题清屏\\x1b[2J响铃\\x07" in out


def test_json_and_csv_keep_the_stored_text_exact(run, hostile):
    shown = run.json("show", "18")
    assert shown["note"] == HOSTILE and shown["title"] == "标题" + HOSTILE
    assert [h["by"] for h in run.json("log", "18")][0] == "督查办" + HOSTILE
    assert HOSTILE in run("list", "--format", "csv").stdout


def test_messages_quoting_user_text_are_escaped(run, ledger, tmp_path):
    target = tmp_path / "通报\x1b[2J.md"
    result = run("export", "-f", "md", "-o", str(target))
    assert "已导出到" in result.stderr and "\\x1b[2J.md" in result.stderr
    _clean(result.stderr)
    result = run("list", "--dept", "教务\x1b]0;x\x07", code=None)
    assert result.exit_code == 3 and result.stderr.startswith("错误：")
    _clean(result.stderr)


def test_messages_quoting_ledger_text_are_escaped(run, hostile):
    result = run("list", "--dept", "老年大学", code=3)  # two departments match: both are named
    assert result.stderr.count("\n") == 1  # one line, the stored newline a space
    assert "老年大学清屏\\x1b[2J响铃\\x07回车\\x0d换行 下一行\\x85\\x9b\\u202e倒序；" in result.stderr
    _clean(result.stderr)


def test_markdown_export_escapes_html_and_links(run, ledger, tmp_path):
    run("task", "add", "18", "A & B | <b>粗</b>")
    _write(ledger, "UPDATE points SET title = ?, note = ? WHERE id = 18",
           '<img src=x onerror="alert(1)">标题', "<script>alert('x')</script> 见[链接](javascript:alert(1))\n# 标题")  # fmt: skip
    target = tmp_path / "通报.md"
    run("export", "-f", "md", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    for raw in ("<script", "<img", "<b>", "[链接](", " & ", "\n# 标题"):
        assert raw not in text, raw
    assert "见\\[链接\\](javascript:alert(1)) # 标题" in text  # brackets escaped: text, not a link
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in text and "&lt;img src=x onerror=" in text
    assert "A &amp; B ｜ &lt;b&gt;粗&lt;/b&gt;" in text
    assert "### 18. &lt;img" in text  # still the heading of point 18, on one line


# -- output that cannot be written: one Chinese line, exit 8, never a traceback ----------------------


def _closed_stdout() -> None:
    os.close(1)


def test_a_closed_stdout_is_one_line_and_exit_8(ledger):
    out = _gkplan(ledger, "list", preexec_fn=_closed_stdout, text=True)
    assert (out.returncode, out.stderr) == (8, "错误：结果无法输出：标准输出已关闭\n")
    out = _gkplan(ledger, "--help", preexec_fn=_closed_stdout, text=True)
    assert (out.returncode, out.stderr) == (8, "错误：结果无法输出：标准输出已关闭\n")


def test_a_change_saved_before_output_failed_says_so(ledger):
    out = _gkplan(ledger, "update", "18", "--progress", "30", "--note", "已部署", preexec_fn=_closed_stdout, text=True)
    assert out.returncode == 8
    assert out.stderr == "错误：修改已保存，但结果无法输出：标准输出已关闭\n"
    shown = json.loads(_gkplan(ledger, "show", "18", "--format", "json").stdout)
    assert (shown["progress"], shown["note"]) == (30, "已部署")  # saved: running it again would record it twice


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line_and_exit_8(ledger):
    with open("/dev/full", "w") as full:
        out = _gkplan(ledger, "list", stdout=full, stderr=subprocess.PIPE, text=True)
        assert (out.returncode, out.stderr) == (8, "错误：结果无法输出：磁盘已满\n")
        out = _gkplan(ledger, "update", "18", "--note", "满", stdout=full, stderr=subprocess.PIPE, text=True)
        assert (out.returncode, out.stderr) == (8, "错误：修改已保存，但结果无法输出：磁盘已满\n")
        out = _gkplan(ledger, "show", "18", stdout=full, stderr=subprocess.PIPE, text=True)  # drawn by Rich
        assert (out.returncode, out.stderr) == (8, "错误：结果无法输出：磁盘已满\n")


def test_a_file_size_limit_is_one_line_and_exit_8(ledger, tmp_path):
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))  # the ledger's 32 KiB -shm still fits

    with (tmp_path / "out.json").open("w") as f:
        out = _gkplan(ledger, "list", "--format", "json", stdout=f, stderr=subprocess.PIPE, text=True, preexec_fn=limited)
    assert (out.returncode, out.stderr) == (8, "错误：结果无法输出：文件超过允许的大小\n")


def test_a_closed_pipe_exits_8_quietly_like_head(ledger):
    _write(ledger, "UPDATE points SET note = ?", "很长的说明" * 40_000)  # 39 × 600 KB of JSON, far past a pipe's buffer
    proc = subprocess.Popen([sys.executable, "-m", "gkplan", "list", "--format", "json"], env=_env(ledger),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdout.readline() == b"[\n"  # what `| head -1` reads before it exits
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert (proc.wait(timeout=60), err) == (8, "")  # no BrokenPipeError, no "Exception ignored"


def test_a_closed_pipe_after_a_saved_change_still_says_it_was_saved(ledger):
    proc = subprocess.Popen([sys.executable, "-m", "gkplan", "update", "18", "--note", "已报送"], env=_env(ledger),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    proc.stdout.close()  # before gkplan writes anything
    err = proc.stderr.read().decode()
    assert (proc.wait(timeout=60), err) == (8, "错误：修改已保存，但结果无法输出：管道的读取方已退出\n")


# -- characters the terminal's encoding cannot show: replaced, never a crash --------------------------


@pytest.mark.parametrize(
    "locale",
    [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "gbk"}, {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
     {"LANG": "zh_CN.GBK", "LC_ALL": "zh_CN.GBK", "PYTHONIOENCODING": "gbk"}],
    ids=lambda env: " ".join(f"{k}={v}" for k, v in env.items()),
)  # fmt: skip
def test_characters_the_terminal_cannot_show_are_replaced(ledger, tmp_path, locale):
    _write(ledger, "UPDATE points SET title = ?, note = ? WHERE id = 18", "标题" + RARE, RARE)
    encoding = locale["PYTHONIOENCODING"]
    env = _env(ledger, **locale)
    for args in (["list"], ["show", "18"], ["log", "18"], ["list", "--format", "csv"], ["show", "400"]):
        out = _gkplan(ledger, *args, env=env)
        assert out.returncode == (3 if args == ["show", "400"] else 0), out.stderr.decode(errors="replace")
        text, err = out.stdout.decode(encoding), out.stderr.decode(encoding)  # valid in the terminal's encoding
        assert "Traceback" not in err
        if args in (["list"], ["show", "18"]):
            assert "?" in text
        if encoding == "gbk" and args in (["list"], ["show", "18"]):
            assert "标题表情?与生僻字?" in text  # only what GBK lacks is replaced
    # JSON stays exact whatever the terminal: non-ASCII is escaped rather than replaced
    shown = json.loads(_gkplan(ledger, "show", "18", "--format", "json", env=env).stdout)
    assert shown["note"] == RARE
    # a file is UTF-8 whatever the terminal: the report's lights are intact
    target = tmp_path / "通报.md"
    assert _gkplan(ledger, "export", "-f", "md", "-o", str(target), env=env).returncode == 0
    text = target.read_text(encoding="utf-8")
    assert "⚪ 未报送" in text and RARE in text  # (on 06-30 the June reports are past due)


# -- Ctrl-C: one Chinese line and 130 ----------------------------------------------------------------


def _prepared(tmp_path: Path) -> dict[str, str]:
    env = _env(tmp_path / "l.db", COLUMNS="120")
    subprocess.run([str(BIN), "task", "add", "17", "挂牌成立国家老年大学"], env=env, capture_output=True, check=True)
    return env


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_at_a_prompt_cancels_in_chinese(tmp_path):
    env = _prepared(tmp_path)
    before = subprocess.run([str(BIN), "log", "--format", "json"], env=env, capture_output=True, check=True).stdout
    term = Terminal(["update", "18", "--progress", "--note", "不会保存"], env)
    term.read_until("新的进度")
    term.asleep_at_the_question()
    term.type("\x03")  # Ctrl-C, as the terminal sends it
    term.read_until("已取消")
    code = term.exit_code()
    screen = term.screen.decode(errors="replace")
    assert code == 130 and "已取消，未做任何修改" in screen, screen
    assert "Aborted" not in screen and "Traceback" not in screen
    after = subprocess.run([str(BIN), "log", "--format", "json"], env=env, capture_output=True, check=True).stdout
    assert after == before


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_after_a_saved_change_says_it_was_saved(run, ledger, monkeypatch):
    from gkplan import render

    def interrupted(*args, **kw):  # noqa: ANN002, ANN003, ANN202 - Ctrl-C while the saved change is being shown
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(render, "change", interrupted)
        result = run("update", "18", "--progress", "30", code=130)
    assert result.stderr == "已取消；此前的修改已保存，可用 gkplan log 查看\n"
    assert run.json("show", "18")["progress"] == 30


def test_ctrl_c_inside_a_command_is_one_line_and_130(run, ledger, monkeypatch):
    from gkplan import reports

    def interrupted(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(reports, "summary", interrupted)
    result = run("report", code=130)
    assert result.stderr == "已取消，未做任何修改\n"


STARTING = """
import builtins, os, signal, sys
real = builtins.__import__
def importing(name, *args, **kw):
    if name == "typer":  # Ctrl-C while the CLI is still loading
        builtins.__import__ = real
        os.kill(os.getpid(), signal.SIGINT)
    return real(name, *args, **kw)
builtins.__import__ = importing
sys.argv = ["gkplan", "list"]
from gkplan import main
main()
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_ctrl_c_while_the_cli_loads_is_one_line_and_130(ledger):
    out = subprocess.run([sys.executable, "-c", STARTING], env=_env(ledger), capture_output=True, text=True)
    assert (out.returncode, out.stderr) == (130, "已取消，未做任何修改\n")


def test_json_listing_writer_is_json_dumps_byte_for_byte() -> None:
    """A JSON listing is written by render.jsontext.pretty (json's indenting encoder is pure Python and slow):
    it must give exactly what json.dumps(indent=2) gives, for any record, non-ASCII escaped or not."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from gkplan.render.jsontext import pretty as _pretty

    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                          max_leaves=12)  # fmt: skip
    records = st.dictionaries(st.text(), values, max_size=6)

    @settings(max_examples=300, deadline=None)
    @given(records, st.booleans())
    def same(record: dict, ascii_only: bool) -> None:
        expected = json.dumps(record, ensure_ascii=ascii_only, indent=2).replace("\n", "\n  ")
        assert _pretty(ascii_only)(record, "  ") == expected

    same()
    assert _pretty(False)({"k": {1: "a"}, "t": ("x",)}, "  ") == json.dumps({"k": {1: "a"}, "t": ("x",)}, indent=2).replace("\n", "\n  ")


def test_an_unbuffered_stdout_gets_a_buffer_when_it_is_no_terminal(monkeypatch):
    """PYTHONUNBUFFERED (set in many containers) made every line of a result a write of its own: `log --format
    ndjson` piped on took 1.4 times as long. Off a terminal, stdout now writes in blocks."""
    import io

    from gkplan import cli

    r, w = os.pipe()
    unbuffered = io.TextIOWrapper(io.FileIO(w, "wb"), encoding="utf-8", write_through=True)  # what -u makes
    monkeypatch.setattr(sys, "stdout", unbuffered)
    cli._streams()
    assert sys.stdout is not unbuffered
    sys.stdout.write("一行\n" * 100)
    os.set_blocking(r, False)
    with pytest.raises(BlockingIOError):  # nothing has reached the pipe: one block, when flushed
        os.read(r, 65536)
    sys.stdout.flush()
    assert os.read(r, 65536).decode() == "一行\n" * 100
    os.close(r)


def test_a_result_is_the_same_with_pythonunbuffered(isolated):
    env = os.environ | {"GKPLAN_DB": str(isolated), "GKPLAN_TODAY": "2022-06-30", "NO_COLOR": "1"}
    args = [sys.executable, "-m", "gkplan", "list", "--format", "ndjson"]
    plain = subprocess.run(args, env={k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}, capture_output=True)
    unbuffered = subprocess.run(args, env=env | {"PYTHONUNBUFFERED": "1"}, capture_output=True)
    assert plain.returncode == unbuffered.returncode == 0 and plain.stdout == unbuffered.stdout
    assert plain.stdout.count(b"\n") == 39
