"""Undo against the item's timeline (entries in day order), not the order they were typed in.

A review found: a note back-dated under a progress report blocked undoing that report (both moved 最近报送),
and forcing the undo set 最近报送 to 空 although the note's report stood; a forced undo took effect after the
first later change only, leaving progress 50% beside 未启动 (and `check --full` passing)."""

from __future__ import annotations

from conftest import by


def _point(run, number: str = "5") -> tuple:  # noqa: ANN001
    p = run.json("show", number)
    return p["progress"], p["status"], p["reported"], p["note"]


def test_a_report_back_dated_under_the_undone_one_shows_through(run, ledger):
    run("update", "5", "--progress", "40", "--date", "2022-06-20")  # #1
    run("update", "5", "--note", "6月1日已召开部署会", "--date", "2022-06-01")  # #2: earlier in the timeline
    undone = run.json("undo", "1")
    assert undone["effective"] == "2022-06-20"
    assert _point(run) == (0, "not_started", "2022-06-01", "6月1日已召开部署会")
    assert run.json("show", "5", "--as-of", "2022-06-25")["reported"] == "2022-06-01"
    assert run("check", "--full").exit_code == 0


def test_a_later_report_of_another_field_does_not_block_the_undo_and_keeps_its_day(run, ledger):
    run("update", "5", "--progress", "40", "--date", "2022-06-20", "--by", "张三")  # #1
    run("update", "5", "--note", "周报", "--by", "李四")  # #2, 06-30: moves 最近报送 only
    run("undo", "1", "--by", "张三")
    assert _point(run) == (0, "not_started", "2022-06-30", "周报")
    assert run.json("log", "5")[0]["by"] == by("张三")


def test_a_forced_undo_takes_effect_after_the_last_later_change_and_keeps_its_report(run, ledger):
    run("update", "5", "--progress", "40", "--date", "2022-06-10")  # #1
    run("update", "5", "--note", "补记", "--date", "2022-06-01")  # #2, under #1
    run("update", "5", "--progress", "50", "--by", "张三")  # #3, 06-30: stands on #1's progress
    error = run("undo", "1", code=6).stderr
    assert "#3" in error and "张三" in error and _point(run)[0] == 50
    forced = run.json("undo", "1", "--force")
    assert forced["effective"] == "2022-06-30"
    assert forced["changes"] == {"progress": [50, 0], "status": ["in_progress", "not_started"]}
    assert _point(run) == (0, "not_started", "2022-06-30", "补记")  # 张三's report of 06-30 stands
    assert run.json("show", "5", "--as-of", "2022-06-20")["progress"] == 40  # the past as it was recorded
    assert run("check", "--full").exit_code == 0


def test_a_forced_undo_of_progress_alone_brings_the_status_along(run, ledger):
    run("update", "5", "--progress", "40", "--date", "2022-06-01")  # #1
    run("update", "5", "--progress", "60", "--date", "2022-06-05")  # #2: progress alone (进行中 already)
    run("update", "5", "--progress", "100", "--evidence", "国开发〔2022〕10号", "--by", "张三")  # #3: 办结
    run("undo", "2", code=6)
    forced = run.json("undo", "2", "--force")
    assert forced["changes"]["progress"] == [100, 40] and forced["changes"]["status"] == ["pending_review", "in_progress"]
    assert _point(run)[:2] == (40, "in_progress")
    assert run("check", "--full").exit_code == 0


def test_a_forced_undo_that_no_status_can_follow_is_refused_and_writes_nothing(run, ledger):
    run("update", "5", "--status", "受阻", "--date", "2022-06-01")  # #1: status alone
    run("update", "5", "--progress", "100", "--evidence", "文号", "--by", "张三")  # #2: 办结 over it
    before = run.json("log")
    error = run("undo", "1", "--force", code=6).stderr
    assert "不能强行撤销记录 #1：撤销后进度 100% 与状态“未启动”矛盾" in error
    assert run.json("log") == before and _point(run)[:2] == (100, "pending_review")
