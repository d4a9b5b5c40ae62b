"""The commands as a user runs them: filters, show, update, reports, history, and every bad input."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import by, dump

from gkplan.ledger.schema import SCHEMA_VERSION


# -- list ---------------------------------------------------------------------------------------


def test_list_by_department_finds_points_with_that_department(run, ledger):
    assert run.ids("--dept", "教务部") == [7, 21]
    assert run.ids("--dept", "教务") == [7, 21]  # a unique partial name
    assert run.ids("--dept", "审计部") == [4]  # one of two departments on point 4
    assert run.ids("--dept", "应用型本科教育筹备工作组") == [7]
    assert run.ids("--dept", "校长办公室") == [36, 37, 39]
    assert run.ids("--dept", "教务部", "--dept", "审计部") == [4, 7, 21]


def test_list_by_leader_section_status_and_search(run, ledger):
    assert run.ids("--leader", "李松") == [7, 8, 9, 21, 25, 28]
    assert run.ids("--leader", "鞠传进", "--dept", "教务部") == [7]  # filters combine
    assert run.ids("--section", "3") == run.ids("--section", "三") == [14, 15, 16]
    assert run.ids("--section", "老年大学") == [17, 18]
    assert run.ids("--search", "老年大学") == [17, 18, 19]
    assert run.ids("--search", "海外学习中心", "--leader", "范贤睿") == [29]
    run("update", "12", "--progress", "30")
    assert run.ids("--status", "进行中") == run.ids("--status", "in_progress") == [12]
    assert len(run.ids("--status", "未启动")) == 38


def test_list_overdue_and_due_before_follow_the_as_of_date(run, ledger):
    run("update", "3", "--due", "2022-05-31", "--date", "2022-04-01")
    run("update", "5", "--due", "2022-06-15", "--date", "2022-04-01")
    run("update", "5", "--progress", "100", "--evidence", "办结文号", "--date", "2022-06-10")
    assert run.ids("--overdue") == [3]  # today is 2022-06-30; 5 reported 办结 before its due date, waits for review
    assert run.ids("--overdue", "--as-of", "2022-05-31") == []
    assert run.ids("--overdue", "--as-of", "2022-06-01") == [3]
    assert run.ids("--due-before", "2022-06-30") == [3, 5]
    assert run.ids("--due-before", "2022年6月1日") == [3]
    rows = run.json("list", "--dept", "组织部")
    assert {r["id"]: (r["days_left"], r["overdue"]) for r in rows} == {3: (-30, True), 5: (-15, False)}


def test_unknown_names_are_errors_that_name_the_closest(run, ledger):
    before = dump(ledger)
    r = run("list", "--dept", "教务科研处", code=3)
    assert "没有名为“教务科研处”的部门" in r.stderr and "教务部" in r.stderr
    r = run("list", "--dept", "部", code=3)
    assert "可指多个部门" in r.stderr
    r = run("list", "--leader", "李四", code=3)
    assert "校领导" in r.stderr
    run("list", "--section", "11", code=3)
    run("list", "--status", "finished", code=2)
    assert dump(ledger) == before


@pytest.mark.parametrize("value", ["x' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE points; --"])
def test_filter_values_are_parameters_not_sql(run, ledger, value):
    before = dump(ledger)
    assert run.ids("--search", value) == []
    run("list", "--dept", value, code=3)
    assert dump(ledger) == before


def test_csv_has_a_header_and_one_row_per_point(run, ledger):
    out = run("list", "--dept", "教务部", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["7", "21"]
    assert rows[0]["departments"] == "教务部、应用型本科教育筹备工作组"
    assert rows[0]["status_label"] == "未启动" and rows[0]["progress"] == "0"


def test_table_shows_chinese_labels(run, ledger):
    out = run("list", "--dept", "教务部").stdout
    for label in ("编号", "工作要点", "校领导", "牵头部门", "进度", "状态", "截止日期"):
        assert label in out
    assert "促进学历教育创优提质" in out and "共 2 项" in out
    assert "\x1b[" not in out  # NO_COLOR


# -- show ---------------------------------------------------------------------------------------


def test_show_has_the_whole_point(run, ledger):
    run("update", "18", "--progress", "20", "--note", "成立工作专班")
    p = run.json("show", "18")
    assert p["id"] == 18 and p["section"] == 4 and p["section_title"] == "积极筹建国家老年大学"
    assert p["title"] == "持续做好老年教育" and p["leaders"] == ["刘臣"]
    assert (p["status"], p["progress"], p["due"], p["days_left"]) == ("in_progress", 20, "2022-12-31", 184)
    assert p["history"][0]["note"] == "成立工作专班"
    table = run("show", "18").stdout
    assert "持续做好老年教育" in table and "剩 184 天" in table and "20%" in table


def test_show_unknown_or_malformed_id(run, ledger):
    assert "没有编号为 40 的工作要点" in run("show", "40", code=3).stderr
    assert "要点编号应为正整数" in run("show", "abc", code=2).stderr
    run("show", "-1", code=2)


# -- update -------------------------------------------------------------------------------------


def test_update_progress_moves_status_and_is_recorded(run, ledger):
    entry = run.json("update", "18", "--progress", "60", "--note", "已汇聚课程 60 万门")
    assert entry["changes"] == {
        "progress": [0, 60], "status": ["not_started", "in_progress"], "reported": [None, "2022-06-30"],
        "note": [None, "已汇聚课程 60 万门"],
    }  # fmt: skip
    assert entry["by"] == "督查办" and entry["note"] == "已汇聚课程 60 万门"
    assert entry["at"][:2] == "20" and ("+" in entry["at"][10:] or "-" in entry["at"][10:] or entry["at"].endswith("Z"))
    entry = run.json("update", "18", "--progress", "100", "--evidence", "办结文号")
    assert entry["changes"]["status"] == ["in_progress", "pending_review"]  # a 办结 report, not yet 销号
    assert "重新打开须写明原因" in run("update", "18", "--status", "进行中", "--progress", "90", code=2).stderr
    entry = run.json("update", "18", "--status", "进行中", "--progress", "90", "--note", "还差验收")
    assert entry["changes"]["progress"] == [100, 90] and entry["changes"]["status"] == ["pending_review", "in_progress"]
    entry = run.json("update", "18", "--status", "done", "--evidence", "验收报告")
    assert entry["changes"]["status"] == ["in_progress", "pending_review"]
    p = run.json("show", "18")
    assert (p["progress"], p["status"], p["evidence"]) == (100, "pending_review", "验收报告")
    assert len(p["history"]) == 4


def test_note_alone_is_a_progress_report(run, ledger):
    entry = run.json("update", "22", "--note", "召开部署会", "--by", "改革发展部 张三")
    assert entry["changes"] == {"note": [None, "召开部署会"], "reported": [None, "2022-06-30"]}
    assert entry["by"] == by("改革发展部 张三")
    log = run.json("log", "22")
    assert [h["note"] for h in log] == ["召开部署会"]
    assert run.json("show", "22")["note"] == "召开部署会"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2022-09-30", "2022-09-30"), ("2022/9/30", "2022-09-30"), ("2022年9月30日", "2022-09-30"),
     ("+14d", "2022-07-14"), ("+2w", "2022-07-14"), ("+1m", "2022-07-30"), ("20220930", "2022-09-30")],
)  # fmt: skip
def test_update_due_accepts_the_ways_people_write_dates(run, ledger, text, expected):
    entry = run.json("update", "22", "--due", text)
    assert entry["changes"] == {"due": ["2022-12-31", expected]}
    assert run.json("show", "22")["due"] == expected


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["18"], 2, "没有要修改的内容"),
        (["18", "--progress", "101"], 2, "进度应为 0–100 的整数"),
        (["18", "--progress", "-5"], 2, "进度应为 0–100 的整数"),
        (["18", "--progress", "六十"], 2, "进度应为 0–100 的整数"),
        (["18", "--progress", "1e2"], 2, "进度应为 0–100 的整数"),
        (["18", "--status", "finished"], 2, "未知状态"),
        (["18", "--due", "2022-02-30"], 2, "无法识别的日期"),
        (["18", "--due", "next friday"], 2, "无法识别的日期"),
        (["18", "--note", "   "], 2, "--note 不能为空"),
        (["18", "--note", "x" * 6000], 2, "--note 过长"),
        (["18", "--note", "a\x07b"], 2, "控制字符"),
        (["18", "--due", "2022-12-31"], 2, "没有变化"),
        (["18", "--progress", "100"], 2, "须附佐证"),
        (["18", "--due", "2023-03-31"], 2, "即延期，须写明理由"),
        (["18", "--reason", "等批复"], 2, "--reason 只用于延期"),
        (["18", "--note", "x", "--done", "y"], 2, "同一项"),
        (["18", "--progress", "50", "--status", "done"], 6, "矛盾"),
        (["99", "--progress", "10"], 3, "没有编号为 99"),
        (["x", "--progress", "10"], 2, "要点编号应为正整数"),
        (["18", "--progress", "10", "--format", "xml"], 2, "未知输出格式"),
        (["18", "--progress", "10", "--by", "  "], 2, "记录人"),
    ],
)  # fmt: skip
def test_bad_updates_are_refused_and_change_nothing(run, ledger, args, code, message):
    before = dump(ledger)
    result = run("update", *args, code=code)
    assert message in result.stderr and result.stderr.startswith("错误：")
    assert result.stdout == ""
    assert dump(ledger) == before


def test_reopening_a_done_point_needs_a_progress(run, ledger):
    run("update", "18", "--progress", "100", "--evidence", "办结文号")
    before = dump(ledger)
    assert "请同时用 --progress" in run("update", "18", "--status", "进行中", code=6).stderr
    assert dump(ledger) == before


def test_bare_progress_without_a_terminal_is_a_clear_error(run, ledger):
    before = dump(ledger)
    result = run("update", "18", "--progress", code=2)
    assert "没有终端可以询问" in result.stderr
    result = run("update", "18", "--progress", "--note", "x", code=2)
    assert "没有终端可以询问" in result.stderr
    assert dump(ledger) == before


def test_bare_task_progress_without_a_terminal_is_a_clear_error(run, ledger):
    before = dump(ledger)
    result = run("task", "update", "18.1", "--progress", code=2)
    assert "没有终端可以询问" in result.stderr and "新的进度" not in result.stderr
    assert dump(ledger) == before


# -- reports ------------------------------------------------------------------------------------


def test_report_overdue_most_overdue_first(run, ledger):
    for args in (["3", "--due", "2022-06-01"], ["12", "--due", "2022-04-30"], ["20", "--due", "2022-06-29", "--progress", "50"],
                 ["24", "--due", "2022-05-01", "--progress", "100", "--evidence", "办结文号"]):  # fmt: skip
        run("update", *args, "--date", "2022-04-01")
    rows = [r for r in run.json("report", "--overdue") if r["kind"] == "point"]  # (each followed by its red tasks)
    # 24 waits for review, so is not overdue; it heads its seed task 24.1, which is
    assert [(r["id"], r["days_overdue"]) for r in rows] == [(12, 61), (3, 29), (20, 1), (24, None)]
    assert [(r["id"], r["days_overdue"]) for r in run.json("report", "--overdue") if r["kind"] == "task"] == [("20.1", 1), ("24.1", 60)]
    assert rows[0]["leaders"] == ["鞠传进"] and rows[0]["departments"] == ["乡村振兴工作领导小组"]
    assert [r["id"] for r in run.json("report", "--overdue", "--as-of", "2022-06-15") if r["kind"] == "point"] == [12, 3, 24]
    assert run.json("report", "--overdue", "--as-of", "2022-01-01") == []
    assert "逾期天数" in run("report", "--overdue").stdout


def test_report_by_department_leader_and_section(run, ledger):
    run("task", "update", "7.1", "--progress", "100", "--evidence", "办结文号")
    run("task", "update", "7.2", "--progress", "100", "--evidence", "办结文号")
    run("task", "complete", "7")  # from now on point 7 is its tasks' roll-up: 100, a 办结 report
    assert "未达下限" in run("review", "7", "--accept", code=6).stderr  # 7.1 and 7.2 not 销号, 总招生数 not reported
    for item in ("7.1", "7.2"):
        run("review", item, "--accept")
    assert "任务" not in run("review", "7", "--accept", code=6).stderr.split("不能销号")[1]
    run("review", "7", "--accept", "--override", "招生数以年报为准")
    run("task", "update", "21.1", "--progress", "50")
    run("task", "complete", "21")
    run("update", "21", "--due", "2022-06-01")  # earlier: no reason needed
    by_dept = {r["group"]: r for r in run.json("report")}
    assert by_dept["教务部"] == {
        "group": "教务部", "points": 2, "pending_review": 0, "done": 1, "in_progress": 1, "not_started": 0,
        "blocked": 0, "deferred": 0, "overdue": 1, "red": 1, "yellow": 0, "green": 0, "unreported": 0, "review": 0,
        "mean_progress": 75.0, "extended": 0, "extensions": 0,
    }  # fmt: skip
    assert by_dept["党委办公室"]["points"] == 4  # points 2, 36, 37, 39
    assert by_dept["（未指定）"]["points"] == 1  # point 38
    by_leader = {r["group"]: r["points"] for r in run.json("report", "--by", "leader")}
    assert by_leader["李松"] == 6 and by_leader["鞠传进"] == 10 and by_leader["（未指定）"] == 2
    assert sum(by_leader.values()) == 39 + 1  # point 7 has two leaders
    by_section = run.json("report", "--by", "section")
    assert [r["points"] for r in by_section] == [5, 8, 3, 2, 3, 4, 3, 3, 4, 4]
    assert by_section[1]["group"] == "切实提高教育教学质量" and by_section[1]["mean_progress"] == 12.5
    run("report", "--by", "color", code=2)


def test_log_is_newest_first_and_filters(run, ledger):
    run("update", "3", "--progress", "10")
    run("update", "4", "--progress", "20")
    run("update", "3", "--progress", "30")
    assert [(h["point"], h["changes"]["progress"]) for h in run.json("log")] == [(3, [10, 30]), (4, [0, 20]), (3, [0, 10])]
    assert [h["changes"]["progress"][1] for h in run.json("log", "3")] == [30, 10]
    assert len(run.json("log", "--limit", "2")) == 2
    assert run.json("log", "--since", "2100-01-01") == []
    assert len(run.json("log", "--since", "2000-01-01")) == 3
    run("log", "77", code=3)
    run("log", "--limit", "x", code=2)


def test_depts_and_leaders_list_names_with_counts(run, ledger):
    depts = {r["name"]: r for r in run.json("depts")}
    assert depts["教务部"]["count"] == 2 and depts["教务部"]["points"] == [7, 21]
    assert depts["改革发展部"]["points"] == [22, 26, 27]
    assert list(depts)[0] == "宣传部"  # document order
    leaders = {r["name"]: r["count"] for r in run.json("leaders")}
    assert leaders == {"曹国永": 2, "刘臣": 5, "刘向虹": 3, "李松": 6, "鞠传进": 10, "范贤睿": 9, "荆德刚": 3}


def test_names_come_in_one_order_on_either_engine(run, ledger):
    names = [r["name"] for r in run.json("depts")]
    assert names.index("纪检监察部") < names.index("审计部")  # both first lead point 4, named there in this order
    named = run("list", "--dept", "学", code=3).stderr.split("部门：", 1)[1].split("；")[0].split("、")
    assert named == sorted(named) and len(named) == 9


# -- the ledger file ------------------------------------------------------------------------------


def test_db_option_overrides_the_environment(run, tmp_path, monkeypatch):
    other = tmp_path / "other.db"
    with monkeypatch.context() as env:
        env.setenv("GKPLAN_DB", str(other))
        run("depts")  # GKPLAN_DB may create a ledger; --db only opens one
    run("--db", str(other), "update", "3", "--progress", "10")
    assert run.json("show", "3")["progress"] == 0  # GKPLAN_DB's ledger is untouched
    assert run.json("--db", str(other), "show", "3")["progress"] == 10


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("hello, not a database " * 100), "不是 SQLite 数据库文件"),
        (lambda p: p.mkdir(), "是一个目录"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE x (a)").connection.commit(), "不是 gkplan 台账"),
    ],
)
def test_a_file_that_is_not_a_ledger_is_refused(run, tmp_path, make, message):
    path = tmp_path / "x.db"
    make(path)
    result = run("--db", str(path), "list", code=5)
    assert message in result.stderr and str(path) in result.stderr


@pytest.mark.sqlite_only
def test_a_ledger_from_a_newer_gkplan_is_refused(run, ledger):
    conn = sqlite3.connect(ledger)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    assert "更新版本的 gkplan" in run("list", code=5).stderr


def test_a_missing_directory_is_refused(run, tmp_path, monkeypatch):
    assert "没有台账" in run("--db", str(tmp_path / "no" / "x.db"), "list", code=5).stderr
    monkeypatch.setenv("GKPLAN_DB", str(tmp_path / "no" / "x.db"))
    assert "所在目录不存在" in run("list", code=5).stderr


def test_default_location_is_under_xdg_data_home(run, tmp_path, monkeypatch):
    monkeypatch.delenv("GKPLAN_DB")
    run("list")
    assert (tmp_path / "xdg" / "gkplan" / "ledger.db").exists()


def test_long_tables_show_a_limit_and_say_how_many_more(run, ledger):
    out = run("list", "--limit", "5").stdout
    assert "显示前 5 项，另有 34 项未显示" in out and "--limit 0" in out
    assert "共 39 项" in run("list", "--limit", "0").stdout
    assert len(run.json("list", "--limit", "5")) == 39  # JSON always has every row
    assert "显示前 3 个任务，另有 71 个任务未显示" in run("task", "list", "--limit", "3").stdout
    run("list", "--limit", "-1", code=2)


V3 = Path(__file__).parent / "data" / "ledger_v3.db"  # made by gkplan 0.1 (schema 3): updates, tasks, an undo


def test_a_version_3_ledger_migrates_with_its_history_intact(run, tmp_path, monkeypatch):
    db = tmp_path / "v3.db"
    shutil.copy(V3, db)
    monkeypatch.setenv("GKPLAN_DB", str(db))
    monkeypatch.setenv("GKPLAN_TODAY", "2026-12-01")  # its changes were recorded on 2026-11-26
    assert run.ids("--dept", "教务部") == [7, 21]
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert run.json("show", "3")["progress"] == 40
    assert run.json("show", "17")["progress"] == 17  # (50 × 1 + 0 × 2) / 3, from its tasks
    assert run.json("show", "22")["due"] == "2022-09-30"
    assert [t["id"] for t in run.json("task", "list", "--point", "18")] == []  # removed in version 3: stays removed
    log = run.json("log")
    assert [h["id"] for h in log if h["action"] != "migrate"][-10:] == list(range(10, 0, -1))  # numbers kept
    undone = next(h for h in log if h["id"] == 8)
    assert undone["undone_by"] == 9 and next(h for h in log if h["id"] == 9)["undoes"] == 8
    assert run("check").exit_code == 0
    assert run.json("show", "3", "--as-of", "2026-11-25")["progress"] == 0  # before it was recorded
    monkeypatch.setenv("GKPLAN_USER", "张三")
    assert run.json("undo")["undoes"] == 10  # 张三's own latest change: point 7 blocked
    assert run.json("show", "7")["status"] == "not_started"
