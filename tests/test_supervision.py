"""Issue 3's workflow as a user drives it: tasks, seed commitments, targets, lights, exports, reminders, undo."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from conftest import REPO, dump, server

# -- tasks ---------------------------------------------------------------------------------------


def test_tasks_are_numbered_per_point_and_roll_up_by_weight(run, ledger):
    # the seed's document and its milestone (力争年底前挂牌成立国家老年大学)
    assert [t["id"] for t in run.json("task", "list", "--point", "17")] == ["17.1", "17.2"]
    entry = run.json("task", "add", "17", "老年教育平台上线", "--due", "2022-12-20", "--owner", "王五", "--weight", "3")
    assert (entry["point"], entry["ref"], entry["action"]) == (17, "3", "add")
    run("task", "update", "17.1", "--progress", "50")
    p = run.json("show", "17")
    assert (p["progress"], p["task_progress"]) == (0, 10)  # reported progress stands; the roll-up beside it
    run("task", "complete", "17")  # the task list is complete: the point follows its tasks
    assert run.json("show", "17")["progress"] == 10  # (50×1 + 0×1 + 0×3) / 5
    run("task", "update", "17.3", "--progress", "45")
    p = run.json("show", "17")
    assert (p["progress"], p["status"]) == (37, "in_progress")  # (50 + 135) / 5 = 37
    run("task", "update", "17.2", "--progress", "4")
    assert run.json("show", "17")["progress"] == 38  # (50 + 4 + 135) / 5 = 37.8
    assert [t["id"] for t in p["task_list"]] == ["17.1", "17.2", "17.3"]
    assert p["task_list"][2]["owner"] == "王五" and p["task_list"][2]["effective_due"] == "2022-12-20"
    run("task", "update", "17.1", "--status", "已完成", "--evidence", "办结文号")
    run("task", "update", "17.2", "--status", "已完成", "--evidence", "挂牌仪式")
    run("task", "update", "17.3", "--progress", "100", "--evidence", "办结文号")
    assert (run.json("show", "17")["progress"], run.json("show", "17")["status"]) == (100, "pending_review")
    assert "任务清单" in run("show", "17").stdout


def test_a_point_with_tasks_refuses_a_direct_progress(run, ledger):
    run("task", "update", "17.1", "--progress", "10")
    run("update", "17", "--progress", "50")  # a task alone never takes the progress away from the department
    run("task", "complete", "17")  # from now on 17 follows its tasks
    assert run.json("show", "17")["progress"] == 5  # (10 + 0) / 2 with the seed's milestone 17.2
    before = dump(ledger)
    result = run("update", "17", "--progress", "50", code=6)
    assert "任务清单已确认完整" in result.stderr and "gkplan task update 17." in result.stderr
    run("update", "17", "--status", "已完成", code=6)
    assert dump(ledger) == before
    run("update", "17", "--status", "受阻", "--note", "等待批复")  # a status other than done is still the point's
    assert run.json("show", "17")["status"] == "blocked"


def test_task_list_filters_like_list(run, ledger):
    run("task", "add", "3", "换届工作", "--due", "2022-05-31", "--dept", "组织")
    assert [t["id"] for t in run.json("task", "list", "--dept", "教务部")] == ["7.1", "7.2", "21.1", "38.8"]
    assert [t["id"] for t in run.json("task", "list", "--overdue")] == ["3.1"]
    assert [t["id"] for t in run.json("task", "list", "--light", "red")] == ["3.1"]
    assert [t["id"] for t in run.json("task", "list", "--search", "学分银行")] == ["25.1", "38.24"]
    assert len(run.json("task", "list", "--section", "1")) == 5  # 1.1, 1.2, 2.1, the new 3.1 and 4.1
    rows = list(csv.DictReader(io.StringIO(run("task", "list", "--point", "10", "--format", "csv").stdout)))
    assert [r["title"] for r in rows] == ["教师工作量核算办法", "教师队伍建设规划", "青年教师导师制实施办法", "中青年骨干教师培养办法", "名师名教落实办法",
                                      "启动国家开放大学名师培养计划"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["task", "add", "99", "某任务"], 3, "没有编号为 99"),
        (["task", "add", "17", "  "], 2, "任务名称不能为空"),
        (["task", "add", "17", "某任务", "--weight", "0"], 2, "--weight"),
        (["task", "add", "17", "某任务", "--weight", "-1"], 2, "--weight"),
        (["task", "add", "17", "某任务", "--dept", "不存在部"], 3, "没有名为"),
        (["task", "add", "17", "某任务", "--due", "明年"], 2, "无法识别的日期"),
        (["task", "update", "17", "--progress", "5"], 2, "任务编号应写成"),
        (["task", "update", "17.x", "--progress", "5"], 2, "任务编号应写成"),
        (["task", "update", "17.9", "--progress", "5"], 3, "没有任务 17.9"),
        (["task", "update", "99.1", "--progress", "5"], 3, "没有编号为 99"),
        (["task", "update", "17.1"], 2, "没有要修改的内容"),
        (["task", "update", "17.1", "--progress", "200"], 2, "进度应为"),
        (["task", "rm", "17.5"], 3, "没有任务 17.5"),
        (["task", "list", "--point", "0"], 2, "要点编号应为正整数"),
        (["task", "list", "--light", "purple"], 2, "未知灯色"),
    ],
)  # fmt: skip
def test_bad_task_input_changes_nothing(run, ledger, args, code, message):
    before = dump(ledger)
    assert message in run(*args, code=code).stderr
    assert dump(ledger) == before


# -- the seed's commitments ----------------------------------------------------------------------


def test_seed_deliverables_are_tasks_with_form_document(run, ledger):
    tasks = [t for t in run.json("task", "list") if t["kind"] == "document"]  # milestones: test_seed_milestones.py
    assert len(tasks) == 27 + 31 and {t["deliverable"] for t in tasks} == {"文件"} and {t["origin"] for t in tasks} == {"seed"}
    by_point: dict[int, list[str]] = {}
    for t in tasks:
        by_point.setdefault(t["point"], []).append(t["title"])
    assert by_point[10] == ["教师工作量核算办法", "教师队伍建设规划", "青年教师导师制实施办法", "中青年骨干教师培养办法", "名师名教落实办法"]
    assert by_point[1] == ["学习宣传贯彻党的二十大精神工作方案", "党委理论学习中心组 2022 年学习计划"]
    assert by_point[19] == ["科研创新能力提升计划", "科研业绩积分办法（试行）"]
    assert by_point[17] == ["国家老年大学建设方案"]  # 优化 an existing plan
    assert 29 not in by_point  # 落实《关于推动现代职业教育高质量发展的意见》: implemented, not produced
    assert 5 not in by_point  # 落实 the cadre plan
    assert "关于加强办学体系意识形态工作的指导意见" not in by_point[2]
    texts = {p["id"]: p["text"].replace(" ", "") for p in run.json("list")}
    for point, titles in by_point.items():
        for title in titles:
            name = title.split("（")[0] if point == 38 else title  # point 38: one plan per lead department, named after it
            assert name.replace(" ", "") in texts[point]


def test_seed_targets_in_base_units(run, ledger):
    targets = {(t["point"], t["metric"]): t for t in run.json("target", "list")}
    assert len(targets) == 14
    t = targets[(7, "总招生数")]
    assert (t["unit"], t["target_min"], t["target_max"], t["actual"], t["due"]) == ("人", 1600000, 1600000, None, None)
    t = targets[(17, "汇聚整合老年教育课程资源")]
    assert (t["target_min"], t["target_max"], t["due"]) == (1000000, None, "2022-12-31")
    assert (targets[(23, "自主精品项目")]["target_min"], targets[(23, "自主精品项目")]["target_max"]) == (3, 5)
    assert targets[(27, "基层开放大学发展援助项目投入")]["target_min"] == 15000000
    assert targets[(27, "基层开放大学发展援助项目投入")]["unit"] == "元"
    assert targets[(28, "实验学院在校生数")]["target_min"] == 10000
    assert targets[(29, "在非洲建设的海外学习中心")]["due"] == "2024-12-31"
    texts = {p["id"]: p["text"] for p in run.json("list")}
    for (point, _), target in targets.items():
        assert target["source"] in texts[point]
    assert [t["point"] for t in run.json("target", "list", "--dept", "改革发展部")] == [27, 27]


def test_target_actuals_attainment_and_history(run, ledger):
    entry = run.json("target", "set", "7", "招生", "--actual", "158万", "--as-of", "2022-06-20", "--note", "春季招生")
    assert entry["changes"]["actual"] == [None, 1580000] and entry["entity"] == "target"
    t = run.json("target", "list", "--point", "7")[0]
    assert (t["actual"], t["actual_as_of"], t["attainment"], t["met"]) == (1580000, "2022-06-20", 98.8, True)  # 160万左右
    assert (t["low"], t["high"], t["light"]) == (1520000, 1680000, "done")
    run("target", "set", "23", "精品", "--actual", "3")
    t = run.json("target", "list", "--point", "23")[0]
    assert (t["met"], t["attainment"]) == (True, 100.0)  # a range is met at its lower bound
    assert run.json("log", "7")[0]["note"] == "春季招生"
    run.json("load")
    assert run.json("target", "list", "--point", "7")[0]["actual"] == 1580000  # re-loading keeps actuals
    before = dump(ledger)
    assert "没有名为" in run("target", "set", "7", "毕业生", "--actual", "1", code=3).stderr
    assert "没有量化指标" in run("target", "set", "3", "x", "--actual", "1", code=3).stderr
    assert "应为数值" in run("target", "set", "7", "招生", "--actual", "很多", code=2).stderr
    run("target", "set", "7", "招生", "--actual", "-5", code=2)
    assert dump(ledger) == before


def test_a_target_value_is_taken_as_target_list_shows_it_with_its_unit(run, ledger):
    """A review found 1500万元, 15门, 158万人 (how `target list` and the XLSX show values) refused as no number."""
    for point, metric, typed, value in (("27", "基层", "1500万元", 15_000_000), ("13", "自建", "15门", 15),
                                        ("7", "总招生数", "158万人", 1_580_000), ("7", "总招生数", "159 万 人", 1_590_000)):  # fmt: skip
        assert run.json("target", "set", point, metric, "--actual", typed)["changes"]["actual"][1] == value
    assert "应为数值" in run("target", "set", "13", "自建", "--actual", "15人", code=2).stderr  # another unit


# -- warning lights ------------------------------------------------------------------------------
# Plan start 2022-03-31, default due 2022-12-31: 275 days; on 2022-08-14 (day 136) 49.45% is expected.


@pytest.mark.parametrize(
    ("progress", "as_of", "light"),
    [
        ("50", "2023-01-01", "red"),       # past due, not done
        ("50", "2022-12-31", "yellow"),    # due today, below 80%
        ("79", "2022-12-02", "yellow"),    # due within 30 days, below 80%
        ("80", "2022-12-02", "green"),     # due within 30 days, at 80%
        ("79", "2022-11-30", "green"),     # 31 days left; expected 88.7%, 79 is within 20 points
        ("29", "2022-08-14", "yellow"),    # more than 20 points behind 49.45%
        ("30", "2022-08-14", "green"),     # 19.45 points behind: not yet
        ("100", "2023-06-01", "done"),
    ],
)  # fmt: skip
def test_lights_around_their_thresholds(run, ledger, progress, as_of, light, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"  # reports due on the 31st: no month's report day has passed on these days
    config.write_text("[periods]\nreport_day = 31\n", encoding="utf-8")
    monkeypatch.setenv("GKPLAN_CONFIG", str(config))
    run("update", "3", "--progress", progress, *(["--evidence", "会议纪要"] if progress == "100" else []))
    if progress == "100":
        run("review", "3", "--accept")
    assert run.json("show", "3", "--as-of", as_of)["light"] == light
    assert 3 in run.ids("--light", light, "--as-of", as_of)


def test_light_thresholds_come_from_the_config_file(run, ledger, tmp_path, monkeypatch):
    run("update", "3", "--progress", "35")
    assert run.json("show", "3", "--as-of", "2022-08-14")["light"] == "green"
    config = tmp_path / "config.toml"
    config.write_text("[lights]\nbehind_by = 10\n", encoding="utf-8")
    monkeypatch.setenv("GKPLAN_CONFIG", str(config))
    assert run.json("show", "3", "--as-of", "2022-08-14")["light"] == "yellow"
    config.write_text("[lights]\nbehind = 10\n", encoding="utf-8")
    assert "[lights] 只能包含" in run("show", "3", code=2).stderr


def test_reports_count_lights_per_group(run, ledger):
    run("update", "3", "--due", "2022-06-01")
    run("update", "5", "--progress", "100", "--evidence", "办结文号")
    run("review", "5", "--accept")
    groups = {r["group"]: r for r in run.json("report")}
    assert (groups["组织部"]["red"], groups["组织部"]["done"], groups["组织部"]["yellow"] + groups["组织部"]["green"]) == (1, 1, 0)
    ov = run.json("report", "--overview")
    assert ov["total"]["points"] == 39 and ov["total"]["red"] == 1 and ov["total"]["done"] == 1
    assert [s["points"] for s in ov["sections"]] == [5, 8, 3, 2, 3, 4, 3, 3, 4, 4]
    assert "红" in run("report", "--overview").stdout


# -- exports -------------------------------------------------------------------------------------


def test_xlsx_export_reads_back(run, ledger, tmp_path):
    from openpyxl import load_workbook

    run("update", "3", "--progress", "40", "--note", "=HYPERLINK(\"http://x\")")
    path = tmp_path / "台账.xlsx"
    run("export", "--format", "xlsx", "-o", str(path))
    book = load_workbook(path)
    assert book.sheetnames == ["概况", "要点", "任务", "指标", "历史"]
    points = book["要点"]
    assert points.freeze_panes == "B2" and points.max_row == 40
    header = [c.value for c in points[1]]
    assert header[:3] == ["编号", "部分", "工作要点"]
    row3 = {h: c.value for h, c in zip(header, points[4])}
    assert (row3["编号"], row3["进度"], row3["牵头部门"]) == (3, 40, "组织部")
    assert points.cell(row=4, column=header.index("进展情况") + 1).data_type == "s"  # text, not a formula
    assert book["任务"].max_row == 75 and book["指标"].max_row == 15 and book["历史"].max_row == 2
    assert points.column_dimensions["C"].width >= 2 * len("以终身教育平台为牵引统筹推进") // 2


def test_csv_export_has_bom_and_neutralises_formulas(run, ledger, tmp_path):
    run("update", "3", "--note", "=cmd|' /C calc'!A0")
    run("update", "4", "--note", "@SUM(A1)")
    path = tmp_path / "台账.csv"
    run("export", "--format", "csv", "-o", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 39 and rows[2]["进展情况"] == "'=cmd|' /C calc'!A0" and rows[3]["进展情况"] == "'@SUM(A1)"
    tasks = tmp_path / "任务.csv"
    run("export", "--format", "csv", "--table", "tasks", "-o", str(tasks))
    assert len(list(csv.reader(io.StringIO(tasks.read_text(encoding="utf-8-sig"))))) == 75
    run("export", "--format", "csv", "--table", "nope", "-o", str(tmp_path / "x.csv"), code=2)


def test_json_and_markdown_exports(run, ledger, tmp_path):
    run("update", "18", "--progress", "60", "--note", "开设专栏")
    run("export", "-f", "json", "-o", str(tmp_path / "a.json"))
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert {k: len(data[k]) for k in ("points", "tasks", "targets", "history")} == {"points": 39, "tasks": 74, "targets": 14, "history": 1}
    run("export", "-f", "md", "-o", str(tmp_path / "r.md"))
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert md.startswith("# 国家开放大学 2022 年工作要点 进展通报")
    assert "## 四、积极筹建国家老年大学" in md and "### 18. 持续做好老年教育" in md
    assert "最新进展：开设专栏" in md and "任务 10.5 名师名教落实办法" in md


def test_export_never_overwrites_without_force_and_leaves_no_temp_files(run, ledger, tmp_path):
    path = tmp_path / "a.json"
    path.write_text("keep", encoding="utf-8")
    assert "已存在" in run("export", "-f", "json", "-o", str(path), code=6).stderr
    assert path.read_text(encoding="utf-8") == "keep"
    run("export", "-f", "json", "-o", str(path), "--force")
    assert json.loads(path.read_text(encoding="utf-8"))["as_of"] == "2022-06-30"
    run("export", "-f", "pdf", "-o", str(tmp_path / "a.pdf"), code=2)
    run("export", "-f", "json", "-o", str(tmp_path / "missing" / "a.json"), code=5)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- reminders and stale items --------------------------------------------------------------------


def test_remind_groups_by_department_with_due_windows(run, ledger):
    run("update", "3", "--due", "2022-06-20")
    run("update", "12", "--due", "2022-07-10")
    run("task", "add", "21", "联合华东师范大学举办工作坊", "--due", "2022-07-05", "--owner", "赵六")
    notices = {n["department"]: n for n in run.json("remind", "--within", "14d")}
    # (on 06-30 every department is also chased for June's report: here, what is due)
    due = {d: [i for i in n["items"] if {"overdue", "due_soon"} & set(i["reasons"])] for d, n in notices.items()}
    due = {d: items for d, items in due.items() if items}
    assert set(due) == {"组织部", "乡村振兴工作领导小组", "教务部"}
    assert [(i["id"], i["days_left"]) for i in due["组织部"]] == [("3", -10)]
    assert notices["组织部"]["leaders"] == ["刘臣"]
    assert [i["id"] for i in due["教务部"]] == ["21.2"]
    assert list(run.json("remind", "--within", "5d", "--dept", "组织部")[0]["items"][0].values())[:2] == ["point", "3"]
    text = run("remind", "--within", "2w", "--dept", "教务部").stdout
    assert "致 教务部（分管校领导：李松）" in text and "任务 21.2 联合华东师范大学举办工作坊" in text and "责任人 赵六" in text
    assert run.json("remind", "--within", "1", "--as-of", "2022-01-01") == []
    run("remind", "--within", "soon", code=2)


def test_stale_lists_what_nobody_reported(run, ledger):
    run("update", "3", "--note", "已部署")
    rows = run.json("stale", "--days", "30")
    ids = [(r["kind"], r["id"]) for r in rows]
    assert ("point", "3") not in ids and ("point", "4") in ids and ("task", "17.1") in ids
    assert all(r["last_update"] is None for r in rows)
    far = run.json("stale", "--days", "0", "--as-of", "2100-01-01")
    assert ("point", "3") in [(r["kind"], r["id"]) for r in far]
    run("stale", "--days", "-3", code=2)


def test_stale_rows_carry_the_lights_list_shows(run, ledger):
    """A table leaves the light unworked (it shows none); JSON, NDJSON and CSV still carry each item's, as `list` has it."""
    seen = set()
    for day in ([], ["--as-of", "2023-01-15"]):  # (today's and the plan's end passed: different lights)
        lights = {str(p["id"]): p["light"] for p in run.json("list", *day)}
        lights |= {t["id"]: t["light"] for t in run.json("task", "list", *day)}
        rows = run.json("stale", "--days", "30", *day)
        assert rows and [r["light"] for r in rows] == [lights[r["id"]] for r in rows] and None not in lights.values()
        ndjson = [json.loads(line) for line in run("stale", "--days", "30", "--format", "ndjson", *day).stdout.splitlines()]
        table = list(csv.DictReader(io.StringIO(run("stale", "--days", "30", "--format", "csv", *day).stdout)))
        assert [r["light"] for r in ndjson] == [r["light"] for r in rows] == [r["light"] for r in table]
        seen |= {r["light"] for r in rows}
    assert len(seen) >= 2


# -- undo and backup ------------------------------------------------------------------------------


def test_undo_reverts_each_kind_of_change_and_goes_further_back(run, ledger):
    def records():  # noqa: ANN202 - every point, task and target, less the time each was last touched
        rows = run.json("list") + run.json("task", "list") + run.json("target", "list")
        return [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]

    start = records()
    run("update", "3", "--progress", "40", "--note", "第一次")
    after_point = run.json("show", "3")
    run("update", "3", "--note", "第二次")
    run("task", "add", "17", "新任务")
    run("task", "update", "17.1", "--progress", "80")
    run("task", "rm", "17.1")
    run("target", "set", "7", "招生", "--actual", "150万")
    assert run.json("target", "list", "--point", "7")[0]["actual"] == 1500000

    run("undo")  # the target
    assert run.json("target", "list", "--point", "7")[0]["actual"] is None
    run("undo")  # the removal
    assert [t["id"] for t in run.json("task", "list", "--point", "17")] == ["17.1", "17.2", "17.3"]
    assert run.json("show", "17")["task_progress"] == 27  # (80 + 0 + 0) / 3, beside the reported progress
    run("undo")  # the task update
    assert run.json("show", "17")["task_list"][0]["progress"] == 0
    run("undo")  # the task add
    assert [t["id"] for t in run.json("task", "list", "--point", "17")] == ["17.1", "17.2"]
    run("undo")  # the note
    p = run.json("show", "3")
    assert p["note"] == "第一次" and p["progress"] == after_point["progress"] == 40
    entry = run.json("undo")  # the progress
    assert entry["action"] == "undo" and entry["changes"]["progress"] == [40, 0]
    p = run.json("show", "3")
    assert (p["progress"], p["status"], p["note"]) == (0, "not_started", None)
    assert "没有可以撤销的修改" in run("undo", code=6).stderr
    history = run.json("log")
    # append-only: 6 changes, 1 derived from them (17.1's report is point 17's latest report), an undo for each
    assert len(history) == 14 and sum(h["action"] == "undo" for h in history) == 7
    assert all(h["undone_by"] for h in history if h["action"] != "undo")
    assert records() == start  # every record is back where it started; only the history has grown


def test_backup_is_a_consistent_copy(run, ledger, tmp_path):
    run("update", "3", "--progress", "40")
    copy = tmp_path / "备份.db"
    run("backup", str(copy))
    assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert server() is not None or dump(copy) == dump(ledger)  # (a server's rows: `check` and `show` below)
    assert run("--db", str(copy), "check").exit_code == 0
    assert run.json("--db", str(copy), "show", "3")["progress"] == 40
    assert "加 --force 也不行" in run("backup", str(copy), code=5).stderr  # (not "已存在；要覆盖请加 --force")
    run("update", "3", "--progress", "50")
    kept = copy.read_bytes()  # last night's backup is a ledger too: never replaced, even with --force (README)
    assert "不能覆盖，加 --force 也不行" in run("backup", str(copy), "--force", code=5).stderr
    assert copy.read_bytes() == kept and run.json("--db", str(copy), "show", "3")["progress"] == 40
    if server() is None:
        assert "台账文件本身" in run("backup", str(ledger), "--force", code=5).stderr


def test_seed_documents_alone_never_switch_a_reported_progress(run, ledger, tmp_path):
    run("update", "17", "--progress", "60", "--note", "方案已起草")  # 17.1 is a document the seed names
    assert run.json("show", "17")["progress"] == 60
    grown = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8").replace(
        "      - {title: 成立老年教育高端智库, kind: 里程碑}\n",
        "      - {title: 成立老年教育高端智库, kind: 里程碑}\n      - 老年教育课程体系方案\n", 1)  # fmt: skip
    run("update", "18", "--progress", "40")
    path = tmp_path / "grown.yaml"
    path.write_text(grown, encoding="utf-8")
    run("load", str(path))
    assert run.json("show", "18")["progress"] == 40 and run("check").exit_code == 0
    run("task", "update", "18.1", "--progress", "80")  # reports on the tasks: 18 still reports its own
    run("task", "update", "18.2", "--progress", "60")  # (the document the grown seed added)
    assert run.json("show", "18")["progress"] == 40 and run("check").exit_code == 0
    run("task", "complete", "18")  # declared complete: 18 follows its tasks
    assert run.json("show", "18")["progress"] == 70 and run("check").exit_code == 0
    run("undo")
    assert run.json("show", "18")["progress"] == 40 and run("check").exit_code == 0


def test_remind_as_ndjson_is_each_notice_of_the_json_on_its_own_line(run, ledger):
    """ndjson writes a notice an item at a time (a department's notice is tens of thousands of items at a million
    points): byte for byte what json.dumps makes of each notice of the JSON array, compact, one a line."""
    import json

    for extra in ([], ["--within", "60"], ["--dept", "教务部"]):
        notices = run.json("remind", *extra)
        lines = run("remind", *extra, "--format", "ndjson").stdout
        assert notices, extra
        assert lines == "".join(json.dumps(n, ensure_ascii=False, separators=(",", ":")) + "\n" for n in notices), extra


def test_stale_table_draws_the_json_rows_in_their_order(run, ledger, monkeypatch):
    """The table's rows (StaleRows from the cursor's tuples) are the JSON's (dicts), row for row and cell for cell."""
    run("update", "3", "--note", "已部署", "--date", "2022-04-10")
    run("update", "18", "--progress", "20", "--date", "2022-05-01")
    run("task", "update", "17.1", "--progress", "10", "--date", "2022-04-20")
    monkeypatch.setenv("COLUMNS", "400")
    rows = run.json("stale", "--days", "30")
    lines = run("stale", "--days", "30").stdout.splitlines()
    body = [line for line in lines if line.lstrip().startswith(("第 ", "任务 "))]
    assert len(body) == len(rows) and any(r["last_update"] for r in rows) and any(r["kind"] == "task" for r in rows)
    for r, line in zip(rows, body):
        what = f"第 {r['id']} 项" if r["kind"] == "point" else f"任务 {r['id']}"
        last = r["last_update"][:10] if r["last_update"] else "从未更新"
        days = "" if r["days_since"] is None else f" {r['days_since']} "
        assert line.lstrip().startswith(what) and last in line and days in line and f" {r['progress']}%" in line, (r, line)
        assert "、".join(r["departments"]) in line, (r, line)
