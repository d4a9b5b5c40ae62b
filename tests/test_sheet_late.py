"""A past period's sheet imported late, and a status the ledger already has (a review found both).

A sheet of 2022-06 reports on 06-30. A value it gives for a field that a record after 06-30 set again would
be recorded under that record and never show: the import said 已导入 (with --force, 以本表为准) while the
ledger kept the other value, and a second preview then failed with "没有变化". Now the row is refused at
its cell, as a late progress report already was. And 已完成 picked for an item already 待销号 (which is what
a department's 已完成 means) is no change, not a problem that refuses the whole file."""

from __future__ import annotations

from conftest import dump
from test_sheet import fill, make


def test_a_past_periods_value_under_a_later_record_is_refused_at_its_cell(run, ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-15")
    path = make(run, tmp_path)  # 2022-06: reports on 06-30
    run("update", "21", "--problem", "督查办填的问题", "--by", "督查办")  # #1, 07-15, after the sheet was made
    fill(path, {("21", "存在问题"): "部门填的问题", ("7", "本期进度"): 30})
    before = dump(ledger)
    for args in ((), ("--apply",), ("--apply", "--force")):
        result = run("import", str(path), *args, code=6)
        assert "第 21 项的“存在问题”在 2022-07-15 已有记录 #1" in result.stderr
        assert "晚于本表的填报日 2022-06-30：本表的值记在 2022-06-30，不会成为现值" in result.stderr
        assert dump(ledger) == before  # nothing of the file, 7's progress included
    assert run.json("show", "21")["problem"] == "督查办填的问题"


def test_the_same_holds_when_the_record_came_before_the_sheet_was_made(run, ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-15")
    run("update", "21", "--problem", "督查办填的问题")  # #1, 07-15: no conflict, the sheet shows it
    path = make(run, tmp_path)
    fill(path, {("21", "存在问题"): "部门填的问题"})
    assert "第 21 项的“存在问题”在 2022-07-15 已有记录 #1" in run("import", str(path), "--apply", code=6).stderr
    assert run.json("show", "21")["problem"] == "督查办填的问题"
    fill(path, {("21", "存在问题"): "督查办填的问题", ("21", "下一步计划"): "六月的计划"})  # a field nobody set since
    run("import", str(path), "--apply")
    shown = run.json("show", "21")
    assert (shown["problem"], shown["next"]) == ("督查办填的问题", "六月的计划")


def test_the_current_periods_sheet_is_not_held_back_by_earlier_records(run, ledger, tmp_path):
    run("update", "21", "--problem", "五月的问题", "--date", "2022-05-20")
    path = make(run, tmp_path)  # 2022-06, today 06-30: reports on today
    fill(path, {("21", "存在问题"): "六月的问题"})
    run("import", str(path), "--apply")
    assert run.json("show", "21")["problem"] == "六月的问题"


def test_done_picked_for_an_item_already_waiting_for_review_is_no_change(run, ledger, tmp_path):
    path = make(run, tmp_path)
    fill(path, {("7.2", "状态"): "已完成", ("7.2", "办结佐证"): "国开发〔2022〕10号"})
    run("import", str(path), "--apply")
    assert run.json("task", "list", "--point", "7")[1]["status"] == "pending_review"
    before = dump(ledger)
    again = run("import", str(path), "--apply")  # the same file sent twice
    assert "没有需要导入的修改" in again.stdout and dump(ledger) == before
    run("task", "update", "7.1", "--progress", "100", "--evidence", "文件已印发")
    fresh = make(run, tmp_path, name="fresh.xlsx")  # shows 7.1 as 待销号; the clerk picks 已完成 from the list
    fill(fresh, {("7.1", "状态"): "已完成", ("7.1", "进展情况"): "已印发"})
    rows = run.json("import", str(fresh), "--apply")
    assert [(r["id"], r["field"]) for r in rows] == [("7.1", "note")]
    assert run.json("task", "list", "--point", "7")[0]["status"] == "pending_review"
