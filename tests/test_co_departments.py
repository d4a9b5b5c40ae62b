"""协办 (issue 8 §6): `--co-dept` on update, task add and task update — each edit a history entry,
undoable, as-of readable; bad names refused with one line and an unchanged ledger."""

from __future__ import annotations

from conftest import dump


def test_co_departments_are_added_and_removed_on_a_point(run, ledger):
    run("update", "17", "--co-dept", "财务部", "--co-dept", "信息化", "--date", "2022-04-10")
    assert run.json("show", "17")["co"] == ["财务部", "信息化部"]  # a part of a name resolves as --dept does
    run("update", "17", "--co-dept", "-财务部", "--date", "2022-05-10")
    assert run.json("show", "17")["co"] == ["信息化部"]
    assert run.json("show", "17", "--as-of", "2022-04-30")["co"] == ["财务部", "信息化部"]
    assert run.json("show", "17", "--as-of", "2022-04-01")["co"] == []
    assert "协办部门 财务部、信息化部 → 信息化部" in run("log", "17").stdout
    run("undo")
    assert run.json("show", "17")["co"] == ["财务部", "信息化部"]
    assert all(c["ok"] for c in run.json("check"))


def test_a_co_department_change_is_not_a_progress_report(run, ledger):
    run("update", "17", "--co-dept", "财务部")
    point = run.json("show", "17")
    assert point["reported"] is None and point["progress"] == 0


def test_tasks_take_co_departments_when_added_and_updated(run, ledger):
    run("task", "add", "17", "平台上线", "--co-dept", "信息化部", "--co-dept", "财务部")
    assert run.json("task", "list", "--point", "17")[-1]["co"] == ["信息化部", "财务部"]
    run("task", "update", "17.3", "--co-dept=-财务部")
    assert run.json("task", "list", "--point", "17")[-1]["co"] == ["信息化部"]
    assert all(c["ok"] for c in run.json("check"))


def test_bad_co_departments_are_refused_and_change_nothing(run, ledger):
    run("update", "17", "--co-dept", "财务部")
    before = dump(ledger)
    cases = [
        (("update", "17", "--co-dept", "不存在的部门"), "没有名为“不存在的部门”的部门"),
        (("update", "17", "--co-dept", "国家老年大学筹建领导小组"), "牵头（负责）部门“国家老年大学筹建领导小组”不能同时是协办部门"),
        (("update", "17", "--co-dept=-信息化部"), "“信息化部”不是第 17 项的协办部门（现有：财务部）"),
        (("update", "17", "--co-dept", "部"), "可指多个部门"),
        (("update", "17", "--co-dept=-"), "--co-dept 须写部门名"),
        (("task", "add", "17", "x", "--co-dept", "国家老年大学筹建领导小组"), "不能同时是协办部门"),
        (("task", "add", "17", "x", "--dept", "财务部", "--co-dept", "财务部"), "“财务部”不能同时是协办部门"),
        (("task", "update", "17.1", "--co-dept", "国家老年大学筹建领导小组"), "不能同时是协办部门"),
    ]
    for args, message in cases:
        result = run(*args, code=None)
        assert result.exit_code != 0 and message in result.stderr and result.stderr.count("\n") == 1, (args, result.stderr)
    assert dump(ledger) == before
