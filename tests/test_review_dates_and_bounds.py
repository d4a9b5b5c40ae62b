"""What a day of office work found (twelfth stop's review): dates that were silently wrong, due dates the seed
would refuse, a period before the plan reported as all clear, an overdue count that counted headings, a
target's value coming back as a float, an export named .pdf holding a workbook. Each refused with one
Chinese line (exit 2) and nothing written, or shown right."""

from __future__ import annotations

import pytest

from conftest import dump


@pytest.mark.parametrize("option", [["update", "20", "--due"], ["report", "--as-of"], ["log", "--since"],
                                    ["update", "20", "--progress", "10", "--date"]])  # fmt: skip
@pytest.mark.parametrize("written", ["12月", "30日", "5日", "2022年", "220630", "2206", "2022-6"])
def test_a_month_or_day_alone_or_a_date_missing_a_part_is_refused(run, ledger, monkeypatch, option, written):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-11-20")
    before = dump(ledger)
    error = run(*option, written, code=2).stderr
    assert error.startswith("错误：") and error.count("\n") == 1 and written in error
    assert dump(ledger) == before


def test_a_due_date_outside_its_point_is_refused_as_the_seed_refuses_it(run, ledger):
    before = dump(ledger)
    assert "应晚于它的开始日期 2022-03-31" in run("update", "17", "--due", "2021-01-01", code=2).stderr
    assert "早于第 17 项的开始日期" in run("task", "add", "17", "测试任务", "--due", "1999-01-01", code=2).stderr
    error = run("task", "add", "21", "后置任务", "--due", "2023-06-30", code=2).stderr
    assert "晚于第 21 项的截止日期 2022-12-31" in error and "gkplan update 21 --due 2023-06-30" in error
    assert "晚于第 17 项的截止日期" in run("task", "update", "17.1", "--due", "2023-01-31", "--reason", "顺延", code=2).stderr
    # a task due with its point was pushed later with no reason and no 延期 recorded: now it must follow its point
    assert "晚于第 17 项的截止日期" in run("task", "update", "17.1", "--due", "2023-01-31", code=2).stderr
    assert dump(ledger) == before
    # within the point: as before; and once the point itself is extended, its task may follow
    assert run.json("task", "add", "21", "中期任务", "--due", "2022-10-31")["changes"]["task"][1]["due"] == "2022-10-31"
    run("update", "17", "--due", "2023-03-31", "--reason", "延期")  # (17.1, due with its point, moves with it)
    assert run.json("task", "update", "17.1", "--due", "2023-01-31")["changes"]["due"][1] == "2023-01-31"


def test_a_points_due_date_is_not_moved_before_its_unfinished_tasks(run, ledger):
    """The other side of the rule above: moving the point's due date earlier than a task's left the task due after
    its point, which the seed, `task add` and `task update` all refuse."""
    run("task", "add", "17", "测试任务", "--due", "2022-10-31")  # 17.3; 17.2 (挂牌) is due with the point, 12-31
    before = dump(ledger)
    error = run("update", "17", "--due", "2022-09-30", code=2).stderr
    assert error == ("错误：第 17 项的截止日期不能提前到 2022-09-30：未完成的任务 17.2、17.3 的截止日期在这之后（最晚 2022-12-31）；"
                     "请先调整任务：gkplan task update 17.2 --due 日期\n")
    assert dump(ledger) == before
    run("task", "update", "17.2", "--due", "2022-09-30")
    run("task", "update", "17.3", "--progress", "100", "--evidence", "方案")  # 待销号: not finished until accepted
    assert "任务 17.3" in run("update", "17", "--due", "2022-09-30", code=2).stderr
    run("review", "17.3", "--accept")
    assert run.json("update", "17", "--due", "2022-09-30")["changes"]["due"] == ["2022-12-31", "2022-09-30"]
    run("task", "add", "5", "后来删除的任务", "--due", "2022-12-01")  # a task removed holds nothing back
    run("task", "rm", "5.1")
    assert run.json("update", "5", "--due", "2022-11-30")["changes"]["due"] == ["2022-12-31", "2022-11-30"]


def test_an_undo_does_not_leave_a_task_due_after_its_point(run, ledger):
    """Undoing the point's 延期 after its task followed it put the task after its point (exit 0); an undo that
    leaves the dates in order still goes through."""
    first = run.json("update", "7", "--due", "2023-01-31", "--reason", "延期")["id"]
    run("task", "update", "7.1", "--due", "2023-01-20")
    before = dump(ledger)
    error = run("undo", str(first), code=2).stderr
    assert "不能撤销记录 #%d：撤销后任务 7.1 的截止日期 2023-01-20 晚于第 7 项的截止日期 2022-12-31" % first in error
    assert dump(ledger) == before
    run("undo")  # the task's own change first, then the point's
    assert run.json("undo", str(first))["changes"]["due"] == ["2023-01-31", "2022-12-31"]
    assert run("check").exit_code == 0
    # a task brought back by an undo, due after its point (the review's)
    run("task", "update", "7.2", "--due", "2022-12-20")
    removed = run.json("task", "rm", "7.2")["id"]
    run("update", "7", "--due", "2022-11-30")
    before = dump(ledger)
    assert "撤销后任务 7.2 的截止日期 2022-12-20 晚于第 7 项的截止日期 2022-11-30" in run("undo", str(removed), code=2).stderr
    assert dump(ledger) == before


def test_a_reload_does_not_move_a_point_before_a_task_added_to_it(run, ledger, tmp_path):
    """A seed giving point 8 an earlier due date than a task the office added to it was loaded (exit 0)."""
    from conftest import REPO

    run("task", "add", "8", "自加任务", "--due", "2022-12-01")
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    old = "    title: 健全质量保证体系\n"
    assert old in seed
    (tmp_path / "earlier.yaml").write_text(seed.replace(old, old + "    due: 2022-10-31\n"), encoding="utf-8")
    before = dump(ledger)
    error = run("load", str(tmp_path / "earlier.yaml"), code=6).stderr
    assert "重新载入后第 8 项的截止日期 2022-10-31 早于它未完成的任务 8.2 的截止日期 2022-12-01" in error
    assert dump(ledger) == before
    run("task", "update", "8.2", "--due", "2022-10-31")
    assert run.json("load", str(tmp_path / "earlier.yaml"))["changed"] == 1
    assert run.json("show", "8")["due"] == "2022-10-31"

    # the other way round (the review's): a seed's task moved past a point whose date the office moved
    milestone = "{title: 挂牌成立国家老年大学, kind: 里程碑, due: 2022-12-31}"
    assert milestone in seed
    for name, day in (("d.yaml", "2022-10-31"), ("e.yaml", "2022-12-15")):
        (tmp_path / name).write_text(seed.replace(milestone, milestone.replace("2022-12-31", day)), encoding="utf-8")
    run("load", str(tmp_path / "d.yaml"))
    run("update", "17", "--due", "2022-11-30")
    before = dump(ledger)
    error = run("load", str(tmp_path / "e.yaml"), code=6).stderr
    assert "重新载入后第 17 项的截止日期 2022-11-30 早于它未完成的任务 17.2 的截止日期 2022-12-15" in error
    assert dump(ledger) == before


def test_a_late_report_out_of_date_order_names_the_item_it_is_about(run, ledger):
    """A task's report dated before its recorded one was refused naming its point ("第 7 项在 …")."""
    run("task", "update", "7.2", "--progress", "30", "--date", "2022-06-20")
    run("update", "7", "--progress", "10", "--date", "2022-06-25")
    before = dump(ledger)
    error = run("task", "update", "7.2", "--progress", "20", "--date", "2022-06-10", code=6).stderr
    assert error.startswith("错误：任务 7.2 在 2022-06-20 已有进度或状态的记录 #1"), error
    assert run("update", "7", "--progress", "5", "--date", "2022-06-21", code=6).stderr.startswith("错误：第 7 项在 2022-06-25")
    assert dump(ledger) == before


def test_a_statistic_is_not_dated_after_its_record(run, ledger):
    before = dump(ledger)
    error = run("target", "set", "13", "专业", "--actual", "5", "--as-of", "2022-07-31", code=2).stderr  # today 06-30
    assert "统计日期" in error and "2022-07-31" in error
    assert dump(ledger) == before
    assert run.json("target", "set", "13", "专业", "--actual", "5", "--as-of", "2022-06-15")["changes"]["actual_as_of"][1] == "2022-06-15"


@pytest.mark.parametrize("command", [["missing"], ["bulletin", "--format", "json"], ["sheet", "--dept", "教务部"]])
def test_a_period_before_the_plan_is_refused_not_reported_all_clear(run, ledger, command):
    error = run(*command, "--period", "2021-12", code=2).stderr
    assert error == "错误：填报期 2021-12 早于计划的开始日期 2022-03-31；请换一个填报期\n"


def test_the_overdue_count_leaves_out_points_shown_only_above_their_overdue_tasks(run, ledger, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-11-20")
    run("task", "add", "19", "平台上线", "--due", "2022-11-10")  # 19 itself is due at the year's end
    run("update", "20", "--due", "2022-11-01")  # 20 is overdue, with its tasks
    rows = run.json("report", "--overdue")
    late = [str(r["id"]) for r in rows if r["days_overdue"] is not None]
    assert "19" in [str(r["id"]) for r in rows] and "19" not in late  # shown, as its task's heading
    table = run("report", "--overdue", "--limit", "0").stdout
    assert f"共 {len(late)} 项逾期" in table and len(late) < len(rows)
    assert f"共 {len(late)} 项逾期" in run("report", "--overdue", "--limit", "500").stdout
    shown = run("report", "--overdue", "--limit", "1").stdout
    assert f"显示前 1 项逾期，另有 {len(late) - 1} 项逾期未显示" in shown


def test_undoing_a_target_value_records_the_number_as_it_was_written(run, ledger):
    run("target", "set", "7", "总招生数", "--actual", "158万")
    undone = run.json("undo")
    assert undone["changes"]["actual"] == [1580000, None] and isinstance(undone["changes"]["actual"][0], int)
    assert "实际值 1580000 → 空" in run("log", "7").stdout


@pytest.mark.parametrize("name,error", [
    ("报告.pdf", "从文件名 报告.pdf 看不出导出格式"), ("台账", "从文件名 台账 看不出导出格式"),
])  # fmt: skip
def test_an_export_without_a_format_takes_its_name_and_refuses_an_unknown_one(run, ledger, tmp_path, name, error):
    assert error in run("export", "-o", str(tmp_path / name), code=2).stderr
    assert not (tmp_path / name).exists()


def test_an_export_takes_its_format_from_the_name_or_refuses_a_name_that_says_another(run, ledger, tmp_path):
    run("export", "-o", str(tmp_path / "要点.csv"))
    assert (tmp_path / "要点.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # the CSV, with Excel's BOM
    run("export", "-o", str(tmp_path / "通报.md"))
    assert (tmp_path / "通报.md").read_text(encoding="utf-8").startswith("#")
    run("export", "-o", str(tmp_path / "台账.xlsx"))
    assert (tmp_path / "台账.xlsx").read_bytes()[:2] == b"PK"
    assert "与文件名 x.xlsx 的后缀不符" in run("export", "--format", "csv", "-o", str(tmp_path / "x.xlsx"), code=2).stderr
    run("export", "--format", "md", "-o", str(tmp_path / "通报.txt"))  # a name of no format: as asked
    assert (tmp_path / "通报.txt").read_text(encoding="utf-8").startswith("#")
