"""The supervision loop on the bundled plan: 填报 in three parts, 办结 with evidence, 审核 (销号 / 退办),
延期 with a reason, task lists declared complete, checkpoints, and the lights that follow from them.
Today is 2022-06-30 unless a test says otherwise (conftest); monthly reports are due on the 25th."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import by, dump
from gkplan.ledger.schema import SCHEMA_VERSION

V4 = Path(__file__).parent / "data" / "ledger_v4.db"
V5 = Path(__file__).parent / "data" / "ledger_v5.db"  # made by gkplan at schema 5 (issue 8's first landing)


def test_a_report_in_three_parts_is_what_show_and_the_exports_carry(run, ledger, tmp_path):
    entry = run.json("update", "17", "--progress", "60", "--done", "已完成方案初稿", "--problem", "经费未落实",
                     "--next", "报教育部审批")  # fmt: skip
    assert entry["note"] == "已完成方案初稿"
    p = run.json("show", "17")
    assert (p["progress"], p["note"], p["problem"], p["next"], p["reported"]) == (60, "已完成方案初稿", "经费未落实",
                                                                                  "报教育部审批", "2022-06-30")  # fmt: skip
    shown = run("show", "17").stdout
    assert "存在问题" in shown and "经费未落实" in shown and "下一步计划" in shown
    run("export", "-f", "json", "-o", str(tmp_path / "e.json"))
    import json

    point = next(x for x in json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["points"] if x["id"] == 17)
    assert (point["problem"], point["next"]) == ("经费未落实", "报教育部审批")


def test_the_offices_opinion_is_in_the_history_and_the_departments_report_stays_the_progress(run, ledger):
    """销号 "同意销号", a task list confirmed: each wrote itself over the department's 进展, which the published
    page and the bulletin show; they are the entry's notes now. A 退办's reason is the 进展 until the next report."""
    run("update", "3", "--progress", "100", "--evidence", "国开发〔2022〕9号", "--note", "方案已印发")
    run("review", "3", "--accept", "--note", "同意销号")
    shown = run.json("show", "3")
    assert (shown["note"], shown["history"][0]["note"]) == ("方案已印发", "同意销号")
    run("update", "17", "--note", "筹建方案已报教育部")
    run("task", "complete", "17")
    assert run.json("show", "17")["note"] == "筹建方案已报教育部"
    run("update", "21", "--progress", "100", "--evidence", "规划", "--note", "规划已完成")
    run("review", "21", "--return", "--note", "佐证不全")
    assert run.json("show", "21")["note"] == "佐证不全"
    assert run("check", "--full").exit_code == 0


def test_banjie_needs_evidence_and_waits_for_review(run, ledger):
    before = dump(ledger)
    assert "须附佐证" in run("update", "3", "--progress", "100", code=2).stderr
    assert dump(ledger) == before  # refused: nothing written
    run("update", "3", "--progress", "60", "--date", "2022-06-01")
    run("update", "3", "--status", "已完成", "--evidence", "国开发〔2022〕9号")
    p = run.json("show", "3")
    assert (p["status"], p["progress"], p["light"], p["evidence"], p["closed"]) == (
        "pending_review", 100, "review", "国开发〔2022〕9号", "2022-06-30")  # fmt: skip
    assert [r["id"] for r in run.json("list", "--status", "待销号")] == [3]  # the office's review queue
    # 退办: a reason is required; back to 进行中 at the progress it had before its 办结 report
    assert "须写明原因" in run("review", "3", "--return", code=2).stderr
    run("review", "3", "--return", "--note", "佐证不全", "--by", "督查办 王五")
    p = run.json("show", "3")
    assert (p["status"], p["progress"], p["closed"]) == ("in_progress", 60, None)
    assert p["history"][0]["action"] == "review" and p["history"][0]["note"] == "佐证不全"
    assert "不在待销号状态" in run("review", "3", "--accept", code=6).stderr
    # reported again, accepted: 已完成, with the reviewer and the day in the history
    run("update", "3", "--progress", "100", "--evidence", "验收报告")
    entry = run.json("review", "3", "--accept", "--by", "督查办 王五")
    assert (entry["by"], entry["effective"], entry["changes"]["status"]) == (by("督查办 王五"), "2022-06-30", ["pending_review", "done"])
    assert run.json("show", "3")["light"] == "done"
    run("undo", "--by", "督查办 王五")
    assert run.json("show", "3")["status"] == "pending_review"
    assert run("check").exit_code == 0


def test_a_point_is_not_accepted_with_a_target_below_its_lower_bound_or_a_task_open(run, ledger):
    run("update", "7", "--progress", "100", "--evidence", "年度工作总结")
    refused = run("review", "7", "--accept", code=6).stderr
    assert "7.1、7.2 尚未销号" in refused and "总招生数" in refused  # no actual counts as below
    for task in ("7.1", "7.2"):
        run("task", "update", task, "--progress", "100", "--evidence", "印发文件")
        run("review", task, "--accept")
    run("target", "set", "7", "招生", "--actual", "150万")  # below 160万
    assert "总招生数" in run("review", "7", "--accept", code=6).stderr
    entry = run.json("review", "7", "--accept", "--override", "教育部核定口径")
    assert entry["note"] == "特批：教育部核定口径" and run.json("show", "7")["status"] == "done"


def test_a_banjie_before_the_due_date_is_not_overdue_while_it_waits_but_a_late_one_is(run, ledger):
    run("update", "3", "--due", "2022-06-15", "--date", "2022-04-01")
    run("update", "5", "--due", "2022-06-15", "--date", "2022-04-01")
    run("update", "3", "--progress", "100", "--evidence", "换届完成", "--date", "2022-06-10")  # on time
    run("update", "5", "--progress", "100", "--evidence", "会议纪要", "--date", "2022-06-20")  # late
    lights = {p["id"]: p["light"] for p in run.json("list", "--section", "1")}
    assert (lights[3], lights[5]) == ("review", "red")
    assert [r["id"] for r in run.json("report", "--overdue") if r["kind"] == "point"] == [5]


def test_a_later_due_date_is_an_extension_with_a_reason_and_the_original_is_kept(run, ledger):
    before = dump(ledger)
    assert "即延期，须写明理由" in run("update", "22", "--due", "2023-03-31", code=2).stderr
    assert dump(ledger) == before
    run("update", "22", "--due", "2023-03-31", "--reason", "等待教育部批复", "--date", "2022-05-10")
    run("update", "22", "--due", "2023-06-30", "--reason", "批复推迟")
    run("update", "22", "--due", "2023-05-31")  # earlier: no reason, not an extension
    p = run.json("show", "22")
    assert (p["due"], p["due_original"]) == ("2023-05-31", "2022-12-31")
    assert [(e["from"], e["to"], e["reason"]) for e in p["extensions"]] == [
        ("2022-12-31", "2023-03-31", "等待教育部批复"), ("2023-03-31", "2023-06-30", "批复推迟")]  # fmt: skip
    assert "延期" in run("show", "22").stdout and "等待教育部批复" in run("show", "22").stdout
    assert "--reason 只用于延期" in run("update", "22", "--note", "x", "--reason", "y", code=2).stderr


def test_any_closed_item_can_be_reopened_with_a_reason_and_a_progress_below_100(run, ledger):
    run("update", "3", "--progress", "100", "--evidence", "验收")
    run("review", "3", "--accept")
    assert "须写明原因" in run("update", "3", "--status", "受阻", "--progress", "70", code=2).stderr
    assert "--progress" in run("update", "3", "--status", "受阻", "--note", "复查发现问题", code=6).stderr
    run("update", "3", "--status", "受阻", "--progress", "70", "--note", "复查发现问题")
    p = run.json("show", "3")
    assert (p["status"], p["progress"], p["light"]) == ("blocked", 70, "yellow")  # 受阻 is at least yellow


def test_task_complete_switches_a_point_to_its_tasks_and_undo_switches_it_back(run, ledger, tmp_path, monkeypatch):
    run("update", "17", "--progress", "60")
    run("task", "add", "17", "挂牌成立国家老年大学", "--weight", "3")
    p = run.json("show", "17")
    assert (p["progress"], p["task_progress"], p["follows"]) == (60, 0, False)  # adding a task moves nothing
    config = tmp_path / "c.toml"
    config.write_text("[lights]\ndiverge = 70\n", encoding="utf-8")
    checks = {c["check"]: c for c in run.json("check")}
    assert checks["填报与任务"]["warning"] and "第 17 项" in checks["填报与任务"]["detail"]  # a warning: exit 0
    monkeypatch.setenv("GKPLAN_CONFIG", str(config))
    assert not {c["check"]: c for c in run.json("check")}["填报与任务"]["warning"]  # 60 points apart, within 70
    monkeypatch.delenv("GKPLAN_CONFIG")
    run("task", "complete", "17")
    assert (run.json("show", "17")["progress"], run.json("show", "17")["follows"]) == (0, True)
    assert "已确认完整" in run("update", "17", "--progress", "70", code=6).stderr
    run("undo")
    assert (run.json("show", "17")["progress"], run.json("show", "17")["follows"]) == (60, False)
    assert "没有任务" in run("task", "complete", "3", code=6).stderr
    assert run("check").exit_code == 0


def test_lights_for_deferred_blocked_late_tasks_and_nobody_reporting(run, ledger, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-06-20")  # before June's report day
    run("update", "2", "--status", "暂缓", "--note", "待上级部署", "--due", "2022-06-01")
    run("update", "3", "--status", "受阻", "--note", "人员调整")
    run("task", "add", "18", "课程体系方案", "--due", "2022-06-10")  # a task past due
    run("update", "18", "--progress", "60", "--note", "推进中")
    lights = {p["id"]: p["light"] for p in run.json("list")}
    assert (lights[2], lights[3], lights[18]) == ("deferred", "yellow", "yellow")
    assert 2 not in [r["id"] for r in run.json("report", "--overdue")]  # 暂缓 is not overdue
    rows = run.json("report", "--overdue")
    assert [(r["kind"], str(r["id"])) for r in rows] == [("point", "18"), ("task", "18.2")]  # the task under its point
    rows = run.json("list", "--light", "red")
    assert [(r["kind"], str(r["id"]), r["light"]) for r in rows] == [("point", "18", "yellow"), ("task", "18.2", "red")]
    monkeypatch.setenv("GKPLAN_TODAY", "2022-06-26")  # the 25th has passed: who said nothing in June is 未报送
    lights = {p["id"]: p["light"] for p in run.json("list")}
    assert (lights[1], lights[3], lights[18], lights[2]) == ("unreported", "yellow", "yellow", "deferred")
    assert run.json("report", "--overview")["total"]["unreported"] == 36
    assert lights == {p["id"]: p["light"] for p in run.json("list", "--as-of", "2022-06-26")}


def test_checkpoints_set_what_progress_is_expected(run, ledger, tmp_path, monkeypatch):
    config = tmp_path / "c.toml"  # report day at the month's end, so that only the checkpoint decides
    config.write_text("[periods]\nreport_day = 31\n", encoding="utf-8")
    monkeypatch.setenv("GKPLAN_CONFIG", str(config))
    run("update", "17", "--progress", "30", "--date", "2022-06-01")
    assert run.json("show", "17")["light"] == "green"  # the straight line expects 33% on 06-30
    run("checkpoint", "add", "17", "2022-06-30", "60")
    p = run.json("show", "17")
    assert (p["light"], p["checkpoints"]) == ("yellow", [{"date": "2022-06-30", "progress": 60}])  # 30 < 60 − 20
    assert run.json("show", "17", "--as-of", "2022-06-29")["light"] == "green"  # the checkpoint is effective from today
    assert "之间" in run("checkpoint", "add", "17", "2023-06-30", "80", code=2).stderr
    assert "递增" in run("checkpoint", "add", "17", "2022-09-30", "50", code=2).stderr
    run("checkpoint", "rm", "17", "2022-06-30")
    assert run.json("show", "17")["light"] == "green"
    run("undo")
    assert run.json("show", "17")["light"] == "yellow"


def test_a_version_4_ledger_migrates_and_keeps_its_reported_progress(run, tmp_path, monkeypatch):
    db = tmp_path / "v4.db"
    shutil.copy(V4, db)
    monkeypatch.setenv("GKPLAN_DB", str(db))
    assert run.json("show", "17")["progress"] == 50  # version 4 had switched 17 to its task: it keeps that value
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert run.json("show", "3")["status"] == "done"  # done in version 4 stays 销号
    assert run("check").exit_code == 0
    run("update", "17", "--progress", "70", "--done", "升级后第一次填报")  # and reports its own from now on
    assert run.json("show", "17")["progress"] == 70
    assert run.json("show", "17", "--as-of", "2022-05-31")["progress"] == 50


def test_a_version_5_ledger_migrates_and_reads_as_before(run, tmp_path, monkeypatch):
    db = tmp_path / "v5.db"
    shutil.copy(V5, db)
    monkeypatch.setenv("GKPLAN_DB", str(db))
    p17 = run.json("show", "17")
    assert (p17["progress"], p17["problem"], p17["task_progress"]) == (60, "经费未落实", 40)
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [e["reason"] for e in run.json("show", "3")["extensions"]] == ["换届推迟"]
    assert run.json("show", "8")["status"] == "done"
    assert [t["approx"] for t in run.json("target", "list", "--point", "7") if t["metric"] == "总招生数"] == [True]  # 160万人左右
    assert run("check").exit_code == 0
    run("update", "5", "--co-dept", "财务部")  # what version 6 adds works on it
    assert [r["id"] for r in run.json("list", "--dept", "财务部", "--role", "co")] == [5]
    assert run.json("show", "17", "--as-of", "2022-05-11")["progress"] == 60
    assert run("check").exit_code == 0


def test_report_counts_extensions_and_extended_points_per_department(run, ledger):
    run("update", "3", "--due", "2023-01-31", "--reason", "换届推迟", "--date", "2022-05-01")
    run("update", "3", "--due", "2023-03-31", "--reason", "再次推迟", "--date", "2022-06-01")
    run("update", "5", "--due", "2022-10-31", "--date", "2022-06-02")  # earlier: no 延期
    run("update", "32", "--due", "2023-01-31", "--reason", "预算调整", "--date", "2022-06-03")
    rows = {r["group"]: r for r in run.json("report")}
    assert (rows["组织部"]["extended"], rows["组织部"]["extensions"]) == (1, 2)
    assert (rows["财务部"]["extended"], rows["财务部"]["extensions"]) == (1, 1)
    assert (rows["宣传部"]["extended"], rows["宣传部"]["extensions"]) == (0, 0)
    may = {r["group"]: r for r in run.json("report", "--as-of", "2022-05-15")}
    assert (may["组织部"]["extensions"], may["财务部"]["extended"]) == (1, 0)  # reissued as it stood then
    total = run.json("report", "--overview")["total"]
    assert (total["extended"], total["extensions"]) == (2, 3)
    run("undo")  # 财务部's
    assert run.json("report", "--by", "leader")[0]["extended"] == 0
    rows = {r["group"]: r for r in run.json("report")}
    assert (rows["财务部"]["extended"], rows["财务部"]["extensions"]) == (0, 0)
    assert "延期（项/次）" in run("report").stdout and "1/2" in run("report").stdout


def test_no_extension_request_names_the_command_that_makes_one_for_a_point_and_for_a_task(run, ledger):
    """A review found the hint for a task naming `gkplan update 17.2`, which refuses a task's number."""
    assert "部门用 gkplan update 17 --due 日期 --reason 理由 申请" in run("review", "17", "--accept-extension", code=6).stderr
    hint = run("review", "17.2", "--reject-extension", code=6).stderr
    assert "任务 17.2没有待审批的延期申请；部门用 gkplan task update 17.2 --due 日期 --reason 理由 申请" in hint


def test_a_point_the_office_closed_stays_closed_whatever_its_tasks_report(run, ledger):
    """销号 is the office's: a point that follows its tasks and was accepted (with --override, its tasks still
    awaiting review) went back to 进行中 on a task's later report; it keeps 已完成 and shows the tasks' mean beside."""
    run("task", "complete", "7")
    run("task", "update", "7.1", "--progress", "100", "--evidence", "9号")
    run("task", "update", "7.2", "--progress", "100", "--evidence", "10号")
    accepted = run.json("review", "7", "--accept", "--override", "任务另行验收")["id"]
    run("task", "update", "7.2", "--progress", "90", "--note", "发现还差一点")
    shown = run.json("show", "7")
    assert (shown["status"], shown["progress"], shown["task_progress"]) == ("done", 100, 95)
    assert run("check", "--full").exit_code == 0
    run("undo", str(accepted))  # the office takes its 销号 back: the point follows its tasks again
    assert (run.json("show", "7")["status"], run.json("show", "7")["progress"]) == ("in_progress", 95)
