"""Issue 8 §3 and §7 as an office lives them: reports in April, June, September and December on the bundled
plan; who has not reported (missing), reminders with reasons (remind), the monthly bulletin (通报) and a
leader's page (brief).

Hand computations below use the plan's start 2022-03-31 and due date 2022-12-31 (275 days): on 06-30 the
expected progress is 91/275 = 33.1 %, on 05-31 61/275 = 22.2 %; point 17, extended to 2023-03-31, expects
91/365 = 24.9 % on 06-30. Defaults: on_track ±5, behind_by 20, report day the 25th."""

from __future__ import annotations

import json

import pytest

from gkplan.rules import pace


def at(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("GKPLAN_TODAY", day)


@pytest.fixture
def year(run, monkeypatch):  # noqa: ANN001, ANN201
    """The ledger made on 2022-04-01 and reported on through the year; each step leaves the clock on its day."""

    def april() -> None:
        at(monkeypatch, "2022-04-01")
        run("depts")
        at(monkeypatch, "2022-04-25")
        run("update", "3", "--progress", "10", "--done", "已部署", "--date", "2022-04-20")
        run("update", "8", "--progress", "20", "--done", "起草质量标准", "--date", "2022-04-20")
        run("update", "17", "--progress", "10", "--done", "成立筹建工作组", "--date", "2022-04-22")

    def june() -> None:
        at(monkeypatch, "2022-06-28")
        run("task", "add", "21", "联合华东师范大学举办工作坊", "--due", "2022-06-15", "--date", "2022-05-10")
        run("update", "3", "--progress", "40", "--done", "完成支部评估", "--problem", "部分支部换届滞后",
            "--next", "督促换届", "--date", "2022-06-20")  # fmt: skip
        run("update", "8", "--progress", "100", "--evidence", "国开发〔2022〕20号", "--date", "2022-06-15")
        run("update", "17", "--due", "2023-03-31", "--reason", "待教育部批复", "--date", "2022-06-10")
        run("task", "update", "17.2", "--due", "2023-03-31", "--reason", "待教育部批复", "--date", "2022-06-10")  # 挂牌
        run("update", "10", "--status", "受阻", "--done", "完成调研", "--problem", "编制未批", "--next", "再次报批",
            "--date", "2022-06-18")  # fmt: skip
        run("update", "21", "--progress", "30", "--done", "学科规划初稿", "--date", "2022-06-20")

    def september() -> None:
        at(monkeypatch, "2022-09-28")
        run("review", "8", "--accept", "--override", "质量标准已并入", "--date", "2022-07-05")
        run("update", "3", "--progress", "70", "--done", "换届完成", "--date", "2022-09-20")
        run("update", "10", "--status", "进行中", "--progress", "50", "--done", "编制获批", "--date", "2022-09-20")
        run("task", "update", "21.2", "--progress", "100", "--evidence", "工作坊纪要", "--date", "2022-09-10")

    def december() -> None:
        at(monkeypatch, "2022-12-28")
        run("update", "3", "--progress", "100", "--evidence", "年度总结", "--date", "2022-12-20")
        run("update", "17", "--progress", "80", "--done", "挂牌筹备", "--date", "2022-12-15")

    return {"april": april, "june": june, "september": september, "december": december}


def by_department(bulletin: dict) -> dict[str, dict]:
    return {d["department"]: d for d in bulletin["departments"]}


def test_pace_is_within_on_track_points_of_the_expected_progress():
    assert pace(38, 33.1, 5) == "on_track" and pace(28, 33, 5) == "on_track" and pace(38, 33, 5) == "on_track"
    assert pace(39, 33.1, 5) == "ahead" and pace(28, 33.2, 5) == "behind"


# -- missing ---------------------------------------------------------------------------------------


def test_missing_lists_per_department_what_has_not_reported_in_the_period(run, monkeypatch, year):
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-07-05")
    june = run.json("missing", "--period", "2022-06")
    assert (june["period"], june["start"], june["end"], june["as_of"]) == ("2022-06", "2022-06-01", "2022-06-30", "2022-06-30")
    groups = {g["department"]: g for g in june["departments"]}
    assert [i["id"] for i in groups["组织部"]["items"]] == ["5", "38.3"]  # 3 reported in June; 5 and its 实施方案 never
    assert groups["组织部"]["leaders"] == ["刘臣"]
    # 21 reported; its tasks did not; 7 is 教务部's too (李松's part), and 8 is 待销号, so owes nothing
    assert [i["id"] for i in groups["教务部"]["items"]] == ["7", "7.1", "7.2", "21.1", "21.2", "38.8"]
    assert groups["教务部"]["leaders"] == ["李松"]
    assert [i["id"] for i in groups["质量监控部"]["items"]] == ["8.1", "38.10"]
    assert "8" not in [i["id"] for g in groups.values() for i in g["items"]]
    assert [i["id"] for i in groups["国家老年大学筹建领导小组"]["items"]] == ["17", "17.1", "17.2", "38.17"]  # an extension is no report
    assert groups["学生工作与教师发展部"]["points"] == 1 and groups["学生工作与教师发展部"]["tasks"] == 8  # 10.1–10.6, 11.1, 38.12

    april = {g["department"]: g for g in run.json("missing", "--period", "2022-04")["departments"]}
    assert "组织部" in april and [i["id"] for i in april["组织部"]["items"]] == ["5", "38.3"]
    assert "3" not in [i["id"] for g in april.values() for i in g["items"]]
    only = run.json("missing", "--period", "2022-06", "--dept", "教务")
    assert [g["department"] for g in only["departments"]] == ["教务部"]
    rows = run("missing", "--period", "2022-06", "--dept", "组织部", "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("department,leaders,kind,id") and rows[1].startswith("组织部,刘臣,point,5,")
    text = run("missing", "--period", "2022-06", "--dept", "组织部").stdout
    assert "2022-06 填报期" in text and "锻造高素质专业化干部人才队伍" in text and "从未报送" in text


def test_missing_defaults_to_the_period_of_the_as_of_day_up_to_that_day(run, monkeypatch, year):
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-06-28")
    now = run.json("missing")
    assert (now["period"], now["as_of"]) == ("2022-06", "2022-06-28")
    early = run.json("missing", "--as-of", "2022-06-16", "--dept", "质量监控部")  # 8 reported 办结 on 06-15
    assert [i["id"] for g in early["departments"] for i in g["items"]] == ["8.1", "38.10"]
    before = run.json("missing", "--as-of", "2022-06-14", "--dept", "质量监控部")
    assert [i["id"] for g in before["departments"] for i in g["items"]] == ["8", "8.1", "38.10"]
    assert "尚未开始；请用 --as-of 指定更晚的日期" in run("missing", "--period", "2022-09", code=2).stderr
    assert "无法识别的填报期" in run("missing", "--period", "十三月", code=2).stderr
    assert run.json("missing", "--period", "六月")["period"] == "2022-06"  # a month without a year: the plan's
    run("missing", "--dept", "不存在的部门", code=3)


# -- remind ----------------------------------------------------------------------------------------


def test_remind_says_why_and_goes_to_the_leader_of_the_departments_part(run, monkeypatch, year):
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-06-30")
    notices = {n["department"]: n for n in run.json("remind")}
    teaching = notices["教务部"]
    assert teaching["leaders"] == ["李松"]  # point 7's other lead (鞠传进) has 应用型本科教育筹备工作组
    assert notices["应用型本科教育筹备工作组"]["leaders"] == ["鞠传进"]
    reasons = {i["id"]: i["reasons"] for i in teaching["items"]}
    assert reasons["21.2"] == ["overdue", "unreported"]  # due 06-15, never reported
    assert reasons["21"] == ["yellow"]  # reported in June; its task is overdue
    assert reasons["7"] == ["yellow", "unreported"]
    assert teaching["items"][0]["id"] == "21.2"  # most overdue first
    assert [i["id"] for i in notices["学生工作与教师发展部"]["items"]][0] == "10"
    assert notices["学生工作与教师发展部"]["items"][0]["reasons"] == ["yellow"]  # 受阻, reported
    assert "组织部" in notices and [i["id"] for i in notices["组织部"]["items"]] == ["5", "38.3"]  # 3 is ahead and reported
    assert [i["id"] for i in notices["质量监控部"]["items"]] == ["8.1", "38.10"]  # 8 waits for review: nothing to chase
    party = notices["党委办公室"]
    assert party["leaders"] == ["刘臣", "荆德刚"]
    assert {i["id"]: i["leaders"] for i in party["items"]}["36"] == ["荆德刚"]
    text = run("remind", "--dept", "教务部").stdout
    assert "致 教务部（分管校领导：李松）：" in text
    assert "任务 21.2 联合华东师范大学举办工作坊：已逾期 15 天、本期未报送（从未报送）" in text
    assert "第 21 项 加快重点学科建设：黄灯" in text
    flat = run("remind", "--dept", "组织部", "--format", "csv").stdout.splitlines()
    assert flat[0].startswith("department,leaders,kind,id,point,title,reasons") and "unreported" in flat[1]


def test_remind_chases_reports_only_once_the_report_day_is_near(run, monkeypatch, year):
    year["april"]()
    at(monkeypatch, "2022-04-26")
    late = run.json("remind", "--dept", "组织部")  # April's report day (04-25) has passed: 5 never reported
    assert [(i["id"], i["reasons"]) for n in late for i in n["items"]] == [("5", ["unreported"]), ("38.3", ["unreported"])]
    at(monkeypatch, "2022-05-02")
    assert run.json("remind", "--dept", "组织部") == []  # both green, and May's report is due on 05-25: not yet
    ids = [i["id"] for n in run.json("remind", "--dept", "组织部", "--within", "30d") for i in n["items"]]
    assert ids == ["3", "5", "38.3"]
    assert run.json("remind", "--as-of", "2022-01-01") == []


# -- the bulletin ----------------------------------------------------------------------------------


def test_the_june_bulletin_counts_what_an_office_checks_by_hand(run, monkeypatch, year):
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-07-05")
    b = run.json("bulletin", "--period", "2022-06")
    assert set(b) == {"plan", "period", "as_of", "totals", "departments", "items", "targets"}
    assert b["plan"]["key"] == "2022" and b["period"]["key"] == "2022-06" and b["period"]["previous"] == "2022-05"
    assert b["as_of"] == "2022-06-30"
    t = b["totals"]
    assert (t["points"], t["done"], t["pending_review"], t["red"], t["yellow"]) == (39, 0, 1, 0, 2)
    assert (t["ahead"], t["on_track"], t["behind"]) == (2, 1, 36)  # 3 (40 %) and 8 ahead; 21 (30 %) on track
    assert (t["overdue"], t["extensions"], t["extended"]) == (1, 2, 2)  # task 21.2; point 17's 延期 and its 挂牌's
    assert t["on_time_rate"] == 50.0  # 8 on time; 21.2 due 06-15, not done
    missing = run.json("missing", "--period", "2022-06")
    assert t["unreported"] == len({i["id"] for g in missing["departments"] for i in g["items"]})
    change = t["change"]
    assert (change["pending_review"], change["overdue"], change["extensions"], change["yellow"]) == (1, 1, 2, 2)

    d = by_department(b)
    for dept in d.values():
        assert {"department", "points", "ahead", "on_track", "behind", "unreported", "overdue", "extensions",
                "on_time_rate", "rank", "change"} <= set(dept)  # fmt: skip
    assert b["departments"][0]["department"] == "质量监控部" and d["质量监控部"]["rank"] == 1
    assert d["质量监控部"]["on_time_rate"] == 100.0 and d["质量监控部"]["ahead"] == 1
    assert d["组织部"]["rank"] == 2  # nothing due yet; mean of 40 − 33.1 and 0 − 33.1: −13.1, the best of the rest
    assert d["组织部"]["deviation"] == -13.1 and (d["组织部"]["ahead"], d["组织部"]["behind"], d["组织部"]["unreported"]) == (1, 1, 2)
    assert d["国家老年大学筹建领导小组"]["rank"] == 3 and d["国家老年大学筹建领导小组"]["extensions"] == 2
    assert d["教务部"]["on_time_rate"] == 0.0 and d["教务部"]["overdue"] == 1
    assert (d["教务部"]["on_track"], d["教务部"]["behind"]) == (1, 1)  # 21 on track, 7 behind
    named = [x for x in b["departments"] if x["rank"] is not None]
    assert named[-1]["department"] == "教务部" and d["教务部"]["rank"] == len(named)
    assert b["departments"][-1]["department"] == "（未指定）" and b["departments"][-1]["rank"] is None
    assert d["学生工作与教师发展部"]["behind"] == 2
    assert d["质量监控部"]["change"]["rank"] == 0  # first in May too (20 % against 22.2 %)
    assert d["组织部"]["change"]["behind"] == -1

    items = {i["id"]: i for i in b["items"]}
    assert list(items) == ["21.2", "10", "21"]  # red first
    assert items["10"]["problem"] == "编制未批" and items["10"]["next"] == "再次报批" and items["10"]["note"] == "完成调研"
    assert items["21"]["leaders"] == ["李松"] and items["21"]["expected"] == 33.1
    assert {g["metric"] for g in b["targets"]} >= {"总招生数"} and "attainment" in b["targets"][0]


def test_a_bulletin_reissued_later_is_byte_identical(run, monkeypatch, year, tmp_path):
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-07-05")
    july = run("bulletin", "--period", "2022-06", "--format", "json").stdout
    run("bulletin", "--period", "2022-06", "-o", str(tmp_path / "通报.json"))
    year["september"]()
    year["december"]()
    at(monkeypatch, "2023-01-10")
    assert run("bulletin", "--period", "2022-06", "--format", "json").stdout == july
    assert (tmp_path / "通报.json").read_text(encoding="utf-8") == july
    assert run("bulletin", "--period", "2022-06", "--as-of", "2022-06-30", "--format", "json").stdout == july


def test_the_december_bulletin_rates_on_time_completion_against_the_original_due_date(run, monkeypatch, year):
    for step in ("april", "june", "september", "december"):
        year[step]()
    at(monkeypatch, "2023-01-10")
    b = run.json("bulletin", "--period", "2022-12")
    d = by_department(b)
    assert d["组织部"]["on_time_rate"] == 100.0  # 3 reported 办结 on 12-20; 5's due date (12-31) has not passed
    assert d["质量监控部"]["on_time_rate"] == 100.0  # 8 closed 06-15, 销号 07-05
    assert d["教务部"]["on_time_rate"] == 0.0  # 21.2 closed 09-10, due 06-15
    assert d["国家老年大学筹建领导小组"]["on_time_rate"] is None  # extended to 2023-03-31, original 12-31 not passed
    assert b["totals"]["on_time_rate"] == 66.7  # 2 of 3
    assert (b["totals"]["done"], b["totals"]["pending_review"]) == (1, 1)  # 8 销号; 3 待销号
    assert [i["id"] for i in b["items"] if i["light"] == "red"] == ["21.2"]  # reported 办结 after its due date
    sept = run.json("bulletin", "--period", "2022-09")
    assert sept["totals"]["done"] == 1 and by_department(sept)["学生工作与教师发展部"]["behind"] == 2  # 10: 50 % < 66.5 − 5
    q3 = run.json("bulletin", "--period", "2022-Q3")
    assert q3["period"] | {} == {"key": "2022-Q3", "start": "2022-07-01", "end": "2022-09-30", "report_day": "2022-09-25",
                                 "previous": "2022-Q2"}  # fmt: skip


def test_bulletin_files_and_formats(run, monkeypatch, year, tmp_path):
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-07-05")
    md = tmp_path / "通报-2022-06.md"
    run("bulletin", "--period", "2022-06", "-o", str(md))
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 国家开放大学 2022 年工作要点 进展通报（2022-06）")
    assert "| 1 | 质量监控部 | 1 | 1 | 0 | 0 | 2 | 0 | 0 | 100% | 持平 |" in text
    assert "## 红灯事项" in text and "任务 21.2 联合华东师范大学举办工作坊" in text and "  - 问题：编制未批" in text
    assert run("bulletin", "--period", "2022-06", "--format", "md").stdout == text
    assert "已存在" in run("bulletin", "--period", "2022-06", "-o", str(md), code=6).stderr
    run("bulletin", "--period", "2022-06", "-o", str(md), "--force")
    xlsx = tmp_path / "通报.xlsx"
    run("bulletin", "--period", "2022-06", "-o", str(xlsx))
    from openpyxl import load_workbook

    book = load_workbook(xlsx)
    assert book.sheetnames == ["汇总 2022-06", "各部门", "红黄灯事项", "量化指标"]
    assert [c.value for c in book["各部门"][2]][:2] == [1, "质量监控部"]
    assert [c.value for c in book["红黄灯事项"][2]][:2] == ["红灯", "21.2"]
    rows = run("bulletin", "--period", "2022-06", "--format", "csv").stdout.splitlines()
    assert rows[0] == "rank,department,points,ahead,on_track,behind,unreported,overdue,extensions,extended,on_time_rate,deviation"
    assert rows[1].startswith("1,质量监控部,1,1,0,0,2,0,0,0,100.0,")  # 8.1 and 38.10 unreported
    screen = run("bulletin", "--period", "2022-06").stdout
    assert "国家开放大学 2022 年工作要点 进展通报（2022-06）" in screen and "红灯事项（1 项）" in screen
    assert "问题：编制未批" in screen and "按期办结率 50%" in screen
    assert "无法从文件名" in run("bulletin", "-o", str(tmp_path / "a.pdf"), code=2).stderr
    run("bulletin", "--format", "xlsx", code=2)  # a workbook only to a file
    run("bulletin", "-o", str(tmp_path / "b.json"))  # July so far: as of today
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["as_of"] == "2022-07-05"


# -- a leader's page --------------------------------------------------------------------------------


def test_brief_shows_a_leaders_parts_and_what_waits_for_them(run, monkeypatch, year):
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-06-30")
    page = run.json("brief", "--leader", "李松")
    assert page["leader"] == "李松" and page["period"]["key"] == "2022-06"
    assert page["departments"] == ["教务部", "质量监控部", "学习资源部", "学分银行", "实验学院"]
    points = {p["id"]: p for p in page["points"]}
    assert list(points) == ["7", "8", "9", "21", "25", "28", "38"]  # 38: their departments' 实施方案
    assert points["7"]["departments"] == ["教务部"]  # only their part of point 7
    assert [t["id"] for t in points["21"]["tasks"]] == ["21.1", "21.2"]
    waiting = page["waiting"]
    assert [i["id"] for i in waiting["pending_review"]] == ["8"]
    assert [i["id"] for i in waiting["red"]] == ["21.2"]
    assert waiting["extensions"] == []
    changed = [(c["point"], c["entity"], c["effective"]) for c in page["changes"]]
    assert changed == [(8, "point", "2022-06-15"), (21, "point", "2022-06-20")]  # June only, theirs only

    jing = run.json("brief", "--leader", "荆德刚")
    assert [(e["entity"], e["point"], e["reason"], e["due"]) for e in jing["waiting"]["extensions"]] == [
        ("point", 17, "待教育部批复", ["2022-12-31", "2023-03-31"]),
        ("task", 17, "待教育部批复", ["2022-12-31", "2023-03-31"])]  # fmt: skip
    ju = run.json("brief", "--leader", "鞠传进")
    assert {p["id"]: p["departments"] for p in ju["points"]}["7"] == ["应用型本科教育筹备工作组"]
    screen = run("brief", "--leader", "李松").stdout
    assert "李松 分管工作一览（截至 2022-06-30，填报期 2022-06）" in screen
    assert "待销号 1 项：第 8 项 健全质量保证体系" in screen and "红灯（逾期） 1 项：任务 21.2" in screen
    assert "2022-06-20 第 21 项 进度 0% → 30%" in screen
    assert run.json("brief", "--leader", "李松", "--as-of", "2022-05-31")["waiting"]["pending_review"] == []
    run("brief", "--leader", "王五", code=3)

    run("task", "add", "36", "修订教学工作会议制度", "--dept", "教务部", "--date", "2022-06-30")  # 荆德刚's point
    other = {p["id"]: p for p in run.json("brief", "--leader", "李松")["points"]}["36"]
    assert other["lead"] is False and [t["id"] for t in other["tasks"]] == ["36.1"]
    assert "36.1" not in [t["id"] for p in run.json("brief", "--leader", "荆德刚")["points"] for t in p.get("tasks", [])]
    assert "（其他校领导牵头）" in run("brief", "--leader", "李松").stdout


def test_remind_text_words_every_reason_of_every_item_as_its_json_gives_it(run, monkeypatch, year):
    """The notice text names each item's reasons, in their order, with the json's days, status and report day."""
    year["april"]()
    year["june"]()
    at(monkeypatch, "2022-06-30")
    words = {
        "overdue": lambda i: f"已逾期 {-i['days_left']} 天" if i["days_left"] is not None and i["days_left"] < 0 else "逾期",
        "due_soon": lambda i: "今天到期" if i["days_left"] == 0 else f"即将到期（还剩 {i['days_left']} 天）",
        "yellow": lambda i: "黄灯（受阻）" if i["status"] == "blocked" else "黄灯（进度落后或临近截止）",
        "unreported": lambda i: f"本期未报送（上次报送 {i['reported']}）" if i["reported"] else "本期未报送（从未报送）",
    }
    for within in ("14", "200"):
        notices = run.json("remind", "--within", within)
        text = run("remind", "--within", within).stdout
        seen = set()
        for n in notices:
            for i in n["items"]:
                what = f"第 {i['id']} 项" if i["kind"] == "point" else f"任务 {i['id']}"
                what += "（协办）" if i["role"] == "co" else ""
                assert f"{what} {i['title']}：{'、'.join(words[r](i) for r in i['reasons'])}；截止 {i['due']}" in text
                seen.update(i["reasons"])
        assert {"overdue", "yellow", "unreported"} <= seen
    assert "due_soon" in seen
