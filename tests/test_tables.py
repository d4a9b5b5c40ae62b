"""Tables that fit (issue 10): at 60, 80 and 120 columns every line fits, a row is one line, ids, progress,
lights and due dates are whole, titles keep 6 CJK characters and departments 4, and the columns left out
are named under the table. Widths here are measured with unicodedata, independently of gkplan's own."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.render.text import Table
from gkplan.render.width import cell_width, wrap
from gkplan.render import width

WIDTHS = (60, 80, 120)
AMBIGUOUS_TITLES = (13, 14, 22)  # 办好“互联网+”中等职业教育, …“四个平台”建设, 深入实施“十四五”…


def cells(text: str, ambiguous: bool = False) -> int:
    wide = ("W", "F", "A") if ambiguous else ("W", "F")
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in wide else 1 for ch in text)


def fits(out: str, width: int, ambiguous: bool = False) -> list[str]:
    lines = out.splitlines()
    too_wide = [line for line in lines if cells(line, ambiguous) > width]
    assert not too_wide, (width, too_wide)
    return lines


def shown(whole: str, line: str, least: int) -> bool:
    """`whole` is on the line, or at least its first `least` characters and an ellipsis."""
    return whole in line or any(whole[:n] + "…" in line for n in range(least, len(whole)))


def row(lines: list[str], key: str) -> str:
    """The table row that starts with the id `key`."""
    found = [line for line in lines if re.match(rf"\s*{re.escape(key)}\s", line)]
    assert len(found) == 1, (key, found)
    return found[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_list_fits_and_keeps_what_must_not_be_cut(run, ledger, monkeypatch, width):
    points = run.json("list")
    monkeypatch.setenv("COLUMNS", str(width))
    lines = fits(run("list").stdout, width)
    header = lines[0]
    for p in points:
        line = row(lines, str(p["id"]))
        assert f" {p['progress']}%" in line and p["due"] in line and ("未报" in line)  # all unreported on 2022-06-30
        assert shown(p["title"], line, 6), (width, p["title"], line)
        if "牵头部门" in header:
            assert shown("、".join(p["departments"]) or "各部门", line, 4), (width, line)
    dropped = [h for h in ("剩余", "状态", "校领导") if h not in header]
    if dropped:
        assert lines[-1] == f"未显示：{'、'.join(dropped)}（加 --wide 显示）"
    assert bool(dropped) == (width < 120)


@pytest.mark.parametrize("width", WIDTHS)
def test_task_list_is_one_line_a_task(run, ledger, monkeypatch, width):
    tasks = run.json("task", "list")
    monkeypatch.setenv("COLUMNS", str(width))
    lines = fits(run("task", "list").stdout, width)
    assert len(lines) == len(tasks) + 2 + 1 + (1 if lines[-1].startswith("未显示") else 0)  # head, rule, count
    for t in tasks:
        line = row(lines, t["id"])
        assert f" {t['progress']}%" in line and t["effective_due"] in line
        assert shown(t["title"], line, 6), (width, t["title"], line)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", [("report",), ("report", "--by", "leader"), ("report", "--overview"),
                                  ("report", "--overdue", "--as-of", "2023-01-31"), ("target", "list")])  # fmt: skip
def test_reports_fit(run, ledger, monkeypatch, width, args):
    monkeypatch.setenv("COLUMNS", str(width))
    lines = fits(run(*args).stdout, width)
    if args == ("report",):  # two departments never read the same (资产管… and 终身教… once did)
        groups = [line.split("  ")[0] for line in lines[3:] if line and not line.startswith(("合计", "未显示"))]
        for name in groups:
            assert not name.endswith("…") or cells(name[:-1]) >= 8, name
        assert len(set(groups)) == len(groups)
    if args[1:2] == ("--overdue",):
        for p in run.json(*args):
            line = row(lines, str(p["id"]))
            assert p["due"] in line and f" {p['days_overdue']} " in line and f"{p['progress']}%" in line


@pytest.mark.parametrize("width", WIDTHS)
def test_show_wraps_its_tables_within_the_width(run, ledger, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    out = run("show", "17").stdout
    fits(out, width)
    tasks = out.split("任务清单\n")[1].split("\n\n")[0].splitlines()
    assert "".join(column(tasks, "任务")) == "国家老年大学建设方案挂牌成立国家老年大学"  # wrapped, never cut
    assert "".join(column(tasks, "截止日期")) == "2022-12-31" * 2 and "…" not in out


def column(lines: list[str], name: str) -> list[str]:
    """The text under the header `name`, line by line (wrapped cells continue on the next lines)."""
    head = lines[0]
    start = cells(head[: head.index(name)])
    rest = head[head.index(name) + len(name) :]
    gap = len(rest) - len(rest.lstrip(" "))
    end = start + cells(name) + gap if rest.strip() else 10**6  # where the next header starts
    out = []
    for line in lines[2:]:
        if line.startswith("未显示"):
            break
        taken, used = [], 0
        for ch in line:
            if start <= used < end:
                taken.append(ch)
            used += cells(ch)
        out.append("".join(taken).strip())
    return [piece for piece in out if piece]


def test_show_to_a_file_is_80_columns_wide(run, ledger, monkeypatch):
    monkeypatch.delenv("COLUMNS")
    out = run("show", "27").stdout
    fits(out, 80)
    assert "1500万元" in out and "…" not in out


def test_wide_shows_every_column_and_every_title_whole(run, ledger, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = run("list", "--wide").stdout
    assert all(h in out.splitlines()[0] for h in ("剩余", "状态", "校领导", "任务汇总", "协办部门", "最近报送"))
    assert "以终身教育平台为牵引统筹推进“四个平台”建设" in out and "未显示" not in out
    assert "剩余" in run("task", "list", "--wide").stdout.splitlines()[0]
    assert "延期（项/次）" in run("report", "--wide").stdout


def _columns(lines: list[str], ids: tuple[int, ...], mark: str, ambiguous: bool) -> set[int]:
    """Where on screen `mark` (a leader's name) starts on the rows of `ids`: one place when they line up."""
    starts = set()
    for pid in ids:
        line = row(lines, str(pid))
        starts.add(cells(line[: line.index(mark)], ambiguous))
    return starts


@pytest.mark.parametrize(
    ("env", "ambiguous"),
    [({"LANG": "C.UTF-8"}, False), ({"LANG": "zh_CN.UTF-8"}, True), ({"LC_ALL": "ja_JP.UTF-8", "LANG": "C"}, True),
     ({"LANG": "zh_CN.UTF-8", "GKPLAN_AMBIGUOUS_WIDE": "0"}, False), ({"LANG": "C", "GKPLAN_AMBIGUOUS_WIDE": "1"}, True)],
)  # fmt: skip
@pytest.mark.parametrize("width", WIDTHS)
def test_titles_with_quotation_marks_line_up(run, ledger, monkeypatch, env, ambiguous, width):
    """13, 14 and 22 hold “ ”: drawn wide in a CJK terminal, they must be counted so there, and only there."""
    for name in ("LC_ALL", "LC_CTYPE", "LANG", "GKPLAN_AMBIGUOUS_WIDE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", str(width))
    lines = fits(run("list", "--section", "2", "--section", "3", "--section", "6").stdout, width, ambiguous)
    assert len({cells(line, ambiguous) for line in lines[2:] if "未报" in line}) == 1  # every row ends at one column
    bar = lines[1]
    assert len(_columns(lines, (12, 13, 14), "未报", ambiguous) | _columns(lines, (22, 23), "未报", ambiguous)) == 1, lines
    assert cells(bar) <= width


def test_the_config_file_can_say_ambiguous_is_wide(run, ledger, monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[display]\nambiguous_wide = true\n", encoding="utf-8")
    for name in ("LC_ALL", "LC_CTYPE", "GKPLAN_AMBIGUOUS_WIDE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    monkeypatch.setenv("GKPLAN_CONFIG", str(config))
    lines = run("list", "--section", "6").stdout.splitlines()
    assert len(_columns(lines, (22, 23), "未报", True)) == 1
    config.write_text("[display]\nambiguous_wide = 1\n", encoding="utf-8")
    assert "ambiguous_wide 应为 true 或 false" in run("list", code=None).stderr


# free-form titles: the layout itself, without a ledger
_TEXT = st.text(st.sampled_from("国家开放大学老年教育“”‘’…—①×abc XYZ0123+-"), min_size=0, max_size=40)


@settings(max_examples=200, deadline=None)
@given(titles=st.lists(_TEXT, min_size=1, max_size=6), depts=st.lists(_TEXT, min_size=1, max_size=6),
       width=st.integers(60, 200), ambiguous=st.booleans())  # fmt: skip
def test_any_titles_fit_any_width(titles, depts, width, ambiguous):
    import os

    os.environ["GKPLAN_AMBIGUOUS_WIDE"] = "1" if ambiguous else "0"
    try:
        t = Table("编号", "工作要点", "校领导", "牵头部门", "进度", "状态", "灯", "截止日期", "剩余", drop=("剩余", "状态", "校领导"))
        rows = [(str(i + 1), title, "李松、鞠传进", depts[i % len(depts)], f"{i * 7 % 101}%", "进行中", "黄", "2022-12-31", "剩 184 天")
                for i, title in enumerate(titles)]  # fmt: skip
        for r in rows:
            t.add_row(*r)
        lines = list(t.lines(max_width=width))
        fits("\n".join(lines), width, ambiguous)
        assert len(lines) == 2 + len(rows) + (1 if lines[-1].startswith("未显示") else 0)
        for r, line in zip(rows, lines[2:]):
            assert line.lstrip().startswith(r[0] + " ") and r[4] in line and "2022-12-31" in line and "黄" in line
            assert shown(r[1], line, 6) or cells(r[1]) <= 12 and r[1].rstrip() in line
        ends = {cells(line, ambiguous) for line in lines[2 : 2 + len(rows)] if line.endswith(("2022-12-31", "天"))}
        assert len(ends) <= 1  # the last column lines up
    finally:
        del os.environ["GKPLAN_AMBIGUOUS_WIDE"]


@given(text=_TEXT, width=st.integers(2, 80))
def test_wrapped_lines_fit_and_keep_every_character(text, width):
    lines = wrap(text, width)
    assert all(cell_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_one_width_for_tables_and_exports():
    from gkplan.xlsx import width  # what sizes the columns of every workbook gkplan writes

    for text in ("国家开放大学", "“四个平台”", "abc", "１５００万元", "①"):
        assert width(text) == cell_width(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30), ambiguous=st.booleans())
def test_the_two_ways_of_measuring_agree(text, ambiguous):
    """A short table measures its text a character at a time; a long one with the compiled pattern (it takes
    ~3 ms to compile): both give every text the same width."""
    import re

    from gkplan.render import width as w

    wide = ("W", "F", "A") if ambiguous else ("W", "F")
    pattern = re.compile("[" + "".join(f"{lo}-{hi}" for lo, hi in w._WIDE) + "]")
    rest = pattern.sub("", text)
    by_pattern = 2 * (len(text) - len(rest)) + w._by_hand(rest, wide)
    assert w._by_hand(text, wide) == by_pattern


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", [("log",), ("stale", "--days", "1"), ("plans",), ("diff", "2022-01-01", "2022-07-01")], ids=" ".join)
def test_the_other_listings_fit_and_say_what_they_left_out(run, ledger, monkeypatch, width, args):
    """log, stale, plans and diff keep one line a row too: their least needed columns give way first, the
    footer names them, and --wide brings them back."""
    run("update", "13", "--progress", "30", "--note", "办好“互联网+”中等职业教育的专项调研已经完成，形成报告初稿并征求意见")
    run("update", "22", "--progress", "10", "--status", "受阻", "--note", "等待批复")
    monkeypatch.setenv("COLUMNS", str(width))
    lines = fits(run(*args).stdout, width)
    entries = run.json(*args)
    if args[0] == "log":
        for h in entries:  # every entry on its own line, its number and object whole
            line = row(lines, f"#{h['id']}")
            assert (f"第 {h['point']} 项" if h["entity"] == "point" else f"任务 {h['point']}.{h['ref']}") in line
    if args[0] == "stale":
        assert sum(1 for line in lines if re.match(r"\s*(第 \d+ 项|任务 [\d.]+)\s", line)) == len(entries)
    dropped = [line for line in lines if line.startswith("未显示：")]
    if dropped:
        assert dropped[0].endswith("（加 --wide 显示）")
        wide = run(*args, "--wide").stdout
        header = wide.splitlines()[1 if args[0] in ("stale", "diff") else 0]
        assert all(name in header for name in dropped[0][4:].split("（")[0].split("、"))


@pytest.mark.parametrize("width", [None, 60, 100])
@pytest.mark.parametrize("color", [False, True])
def test_a_table_of_every_row_draws_the_same_from_memory_and_from_its_file(monkeypatch, width, color):
    """A table of every row holds its rows (Table.hold): in memory up to a budget, beyond it in a temporary file.
    Drawn from the file (a budget of a few rows) it is the same, line for line, as drawn from memory."""
    from gkplan.render import held

    rows = [(str(i), ("工作要点“互联网+”" * (i % 4)) + f"第{i}项 → 完成", ("进行中", "cyan") if i % 3 else "未启动",
             "李松、鞠传进" if i % 2 else "", f"{i * 7 % 101}%", ("红", "red") if i % 5 == 0 else "绿")
            for i in range(1, 400)]  # fmt: skip
    heads = ("编号", "工作要点", "状态", "校领导", "进度", "灯")

    def drawn(budget: int, together: bool = False) -> list[str]:
        monkeypatch.setattr(held, "BUDGET", budget)
        t = Table(*heads, drop=("状态", "校领导"), title="标题")
        if together:  # as a listing holds them: every row from one iterator (Table.hold_all, a batch at a time)
            t.hold(rows[0])
            t.hold_all(r for r in rows[1:])
        else:
            for r in rows:
                t.hold(r)
        t.caption = f"共 {t.count} 项"
        assert (t.held.file is None) == (budget > 1 << 20)
        return list(t.lines(color=color, max_width=width))

    in_memory, from_file = drawn(1 << 30), drawn(2000)
    assert from_file == in_memory
    assert drawn(1 << 30, together=True) == drawn(2000, together=True) == in_memory
    short = Table(*heads, drop=("状态", "校领导"), title="标题")
    for r in rows:
        short.add_row(*r)
    short.caption = f"共 {len(rows)} 项"
    assert list(short.lines(color=color, max_width=width)) == in_memory  # as a short table draws them
    assert len(in_memory) >= len(rows) + 3 and in_memory[-1].startswith(("共 399 项", "未显示"))


@pytest.mark.parametrize(("numbers", "count", "most"), [(40_000, 7, 1), (18_000, 55, 5)])
def test_a_table_of_a_few_very_long_rows_sends_each_to_its_file_as_it_comes(numbers, count, most):
    """Rows whose cells are very long (a leader's every point number at a million points) are weighed as they come
    and go to the temporary file one by one, not after the next hundred rows (seven such rows were 112 MiB). Rows
    each just under a quarter of the budget (a department's 18,000 point numbers) go a few at a time: counted one
    by one, none was ever over the quarter, and all 55 stayed in memory (`depts` at 1M: 91 MiB)."""
    long = "、".join(map(str, range(numbers)))
    t = Table("校领导", "要点数", "要点编号")
    t.styled = False
    kept = []

    def rows():
        for i in range(count):
            kept.append(len(t.held.texts) // 3 if t.held is not None else 0)
            yield [f"领导{i}", str(numbers), long]

    t.hold_all(rows())
    assert t.held.file is not None and max(kept) <= most  # rows in memory: a few at most, never all of them
    lines = list(t.lines())
    assert len(lines) == 2 + count and all(line.endswith(str(numbers - 1)) for line in lines[2:])
    assert long not in width._widths  # measured, not remembered: the cache of widths held all 55 (14 MB at 1M)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(st.sampled_from("国家开放大学ａ（）“”…—①×é\u0301 abcXYZ0123+-%\u3000\uff61"), max_size=12), max_size=9),
       ambiguous=st.booleans())  # fmt: skip
def test_a_long_tables_quick_widths_agree_with_cell_width(texts, ambiguous):
    """A long table measures its rows' cells together, at C speed where they are ASCII and wide-block characters
    only (width.row_widths): every cell gets the width cell_width gives it, whatever else the row holds."""
    import os

    from gkplan.render import width as w

    os.environ["GKPLAN_AMBIGUOUS_WIDE"] = "1" if ambiguous else "0"
    measured = w._measured
    try:
        w.settle()
        w.speed_up()
        w._measured = w._BY_HAND  # (cell_width past its texts measured by hand: the patterns' ways)
        expected = [w._by_hand(t, ("W", "F", "A") if ambiguous else ("W", "F")) for t in texts]
        assert w.row_widths(texts, "".join(texts)) == expected
        assert [w.cell_width(t) for t in texts] == expected
    finally:
        w._measured = measured
        del os.environ["GKPLAN_AMBIGUOUS_WIDE"]


@pytest.mark.parametrize("budget", [1 << 30, 3000])
def test_a_table_of_every_row_measures_and_escapes_as_a_short_one_does(monkeypatch, budget):
    """Held rows are measured and shown `visible` a batch at a time: rows with control characters, ambiguous
    and combining characters among plain ones draw as the same rows added one at a time do, before and after the
    quick measure starts (some hundred rows in), from memory and from the file."""
    from gkplan.render import held

    monkeypatch.setattr(held, "BUDGET", budget)
    odd = ("标题\x1b[31m红", "“引号”…", "e\u0301tude", "全角　空格", "ab\u202ecd", "")
    rows = [(str(i), f"工作要点{i}" + (odd[i % len(odd)] if i % 7 == 0 else ""), ("进行中", "cyan"), f"{i % 101}%")
            for i in range(1, 700)]  # fmt: skip
    for width in (None, 40):
        held_table, short = Table("编号", "工作要点", "状态", "进度"), Table("编号", "工作要点", "状态", "进度")
        held_table.styled = False
        for r in rows:
            held_table.hold(r)
            short.add_row(*r)
        assert list(held_table.lines(max_width=width)) == list(short.lines(max_width=width))
        assert any("\\x1b" in line for line in short.lines()) and any("\\u202e" in line for line in short.lines())


def test_a_plain_list_draws_each_row_as_the_wide_one_begins(run, ledger, monkeypatch):
    """A plain table's rows come from the ledger's brief rows (no dict), the wide one's from full records: on a
    terminal wide enough for both, each plain row is where its wide row begins, cell for cell."""
    run("update", "3", "--due", "2022-05-31", "--date", "2022-04-01")  # overdue
    run("update", "4", "--due", "2022-06-30", "--date", "2022-04-01")  # due today
    run("update", "5", "--progress", "100", "--evidence", "办结文号")
    run("review", "5", "--accept")  # done
    run("update", "22", "--progress", "10", "--status", "受阻", "--note", "等待批复")
    monkeypatch.setenv("COLUMNS", "400")
    plain, wide = run("list").stdout.splitlines(), run("list", "--wide").stdout.splitlines()
    points = run.json("list")
    assert plain[0].rstrip() == wide[0][: len(plain[0].rstrip())]
    shown = {"逾期 30 天": 0, "今天到期": 0, "—": 0, "受阻": 0, "按分工": 0}
    for p in points:
        line = row(plain, str(p["id"])).rstrip()
        assert row(wide, str(p["id"])).startswith(line), (line, row(wide, str(p["id"])))
        shown = {k: n + (k in line) for k, n in shown.items()}
    assert all(shown.values()), shown  # every kind of cell the brief rows make was drawn
