"""The seed read once more (issue 8 §8): milestones (里程碑) with their dates, deliverables assigned to
the lead whose scope they fall in, point 38's 实施方案 for every lead department, and the seed's
start / checkpoints / co_departments — loaded as the base state and reloaded as history entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MILESTONES = {  # point → the milestones the text commits it to (judgment calls: see the seed's comments)
    4: ["召开学校 2022 年全面从严治党会议"],
    10: ["启动国家开放大学名师培养计划"],
    14: ["成立国家终身教育平台建设工作专班"],
    15: ["完成数据中心升级扩容", "完成“AI小开”、数字网上服务大厅、大规模网络考试等智能应用的推广"],
    16: ["完成等保测评"],
    17: ["挂牌成立国家老年大学"],
    18: ["成立老年教育高端智库"],
    19: ["启动第二批博士科研基金项目", "办好年度全体学术委员会议", "成立学术委员会青年工作委员会"],
    20: ["成立工程中心建设和运行管理委员会"],
    22: ["召开“十四五”规划部署工作会"],
    24: ["举办2022年全国社区教育工作推进及成果展示系列活动"],
    27: ["启动实施基层开放大学发展援助计划"],
    34: ["完成职工之家、老干部之家、健身房、智慧教室等改造工程"],
}


def tasks(run, *args: str) -> list[dict]:
    return run.json("task", "list", *args)


def test_each_point_has_exactly_the_milestones_read_from_the_text(run, ledger):
    found: dict[int, list[str]] = {}
    for t in tasks(run):
        if t["kind"] == "milestone":
            found.setdefault(t["point"], []).append(t["title"])
    assert found == MILESTONES


def test_milestones_are_due_on_the_date_the_text_gives_else_on_the_points(run, ledger):
    by_title = {t["title"]: t for t in tasks(run)}
    assert by_title["挂牌成立国家老年大学"]["effective_due"] == "2022-12-31"  # 力争年底前挂牌成立
    assert by_title["挂牌成立国家老年大学"]["deliverable"] == "里程碑"
    for point, titles in MILESTONES.items():
        due = run.json("show", str(point))["due"]
        assert all(by_title[t]["effective_due"] == due for t in titles)


def test_every_milestone_title_rests_on_words_of_its_point(run, ledger):
    for point, titles in MILESTONES.items():
        text = run.json("show", str(point))["text"]
        for title in titles:
            verb = title[:2]
            assert verb in text, (point, title)


def test_point_7s_documents_belong_to_the_teaching_reform_lead_only(run, ledger):
    docs = tasks(run, "--point", "7")
    assert [(t["title"], t["departments"], t["kind"]) for t in docs] == [
        ("教学改革方案", ["教务部"], "document"), ("重点专业建设管理办法", ["教务部"], "document")]
    assert run.ids("--dept", "应用型本科教育筹备工作组") == [7]  # the point itself is still shared


def test_point_38s_plan_is_one_task_per_lead_department(run, ledger):
    leads = [d["name"] for d in run.json("depts")]
    rows = tasks(run, "--point", "38")
    assert sorted(t["departments"] for t in rows) == sorted([d] for d in leads if d)
    assert len(rows) == 31 and all(t["title"] == f"贯彻落实工作要点实施方案（{t['departments'][0]}）" for t in rows)
    by_dept = {t["departments"][0]: t["co"] for t in rows}
    assert by_dept["教务部"] == ["改革发展部", "党委办公室", "校长办公室"]  # 会商改革发展和党政办公室/校长办公室
    assert by_dept["改革发展部"] == ["党委办公室", "校长办公室"]


def test_documents_stay_documents_and_keep_their_numbers(run, ledger):
    rows = tasks(run)
    assert sum(t["kind"] == "document" for t in rows) == 27 + 31
    assert [t["title"] for t in tasks(run, "--point", "17")] == ["国家老年大学建设方案", "挂牌成立国家老年大学"]


def test_the_bundled_seed_loads_checks_and_reloads_unchanged(run, ledger):
    result = run.json("load")
    assert (result["changed"], result["tasks_added"]) == (0, 0)
    assert all(c["ok"] for c in run.json("check"))


# -- the format: a small seed --------------------------------------------------------------------

def _seed(tmp_path: Path, **point: object) -> Path:
    base = {"number": 1, "section": 1, "title": "一项", "text": "一项。内容。", "due": "2023-10-31",
            "leads": [{"leader": "甲", "departments": ["办公室"]}]}
    data = {"plan": {"title": "测试", "issued": "2023-01-01", "year": 2023},
            "sections": [{"number": 1, "title": "甲"}], "points": [base | point]}  # fmt: skip
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


FULL = {
    "start": "2023-03-01", "co_departments": ["财务部", "人事部"],
    "checkpoints": [{"date": "2023-06-30", "progress": 40}, {"date": "2023-09-30", "progress": 80}],
    "deliverables": ["方案", {"title": "挂牌", "kind": "里程碑", "due": "2023-09-30", "department": "办公室",
                              "co_departments": ["财务部"]}],
}


def test_the_seed_gives_points_start_checkpoints_and_co_departments(run, isolated, tmp_path):
    run("load", str(_seed(tmp_path, **FULL)))
    point = run.json("show", "1")
    assert point["start"] == "2023-03-01" and point["co"] == ["财务部", "人事部"]
    assert point["checkpoints"] == [{"date": "2023-06-30", "progress": 40}, {"date": "2023-09-30", "progress": 80}]
    doc, milestone = tasks(run, "--point", "1")
    assert (doc["kind"], doc["deliverable"], doc["effective_due"], doc["co"]) == ("document", "文件", "2023-10-31", [])
    assert (milestone["kind"], milestone["effective_due"], milestone["departments"], milestone["co"]) == (
        "milestone", "2023-09-30", ["办公室"], ["财务部"])
    assert point["history"] == []  # the first load is the state before any change
    assert all(c["ok"] for c in run.json("check"))


def test_a_reload_records_what_moved_and_keeps_what_the_user_changed(run, isolated, tmp_path, monkeypatch):
    run("load", str(_seed(tmp_path, **FULL)))
    monkeypatch.setenv("GKPLAN_TODAY", "2023-05-01")
    moved = FULL | {"co_departments": ["财务部"], "checkpoints": [{"date": "2023-07-31", "progress": 50}],
                    "deliverables": ["方案", FULL["deliverables"][1] | {"due": "2023-08-31", "kind": "milestone"},
                                     {"title": "验收", "kind": "里程碑"}]}  # fmt: skip
    result = run.json("load", str(_seed(tmp_path, **moved)))
    assert (result["changed"], result["tasks_added"]) == (1, 1)
    point = run.json("show", "1")
    assert point["co"] == ["财务部"] and point["checkpoints"] == [{"date": "2023-07-31", "progress": 50}]
    # the reload, and what the point takes from its tasks again (the milestone's earlier date: `late`)
    assert [h["action"] for h in point["history"] if h.get("entity", "point") == "point"] == ["derive", "load"]
    assert [t["effective_due"] for t in tasks(run, "--point", "1")] == ["2023-10-31", "2023-08-31", "2023-10-31"]
    before = run.json("show", "1", "--as-of", "2023-04-01")
    assert before["co"] == ["财务部", "人事部"] and before["checkpoints"][0] == {"date": "2023-06-30", "progress": 40}
    assert [t["effective_due"] for t in tasks(run, "--point", "1", "--as-of", "2023-04-01")] == ["2023-10-31", "2023-09-30"]
    assert all(c["ok"] for c in run.json("check"))
    again = run.json("load", str(_seed(tmp_path, **moved)))
    assert (again["changed"], again["tasks_added"]) == (0, 0)


@pytest.mark.parametrize(("point", "message"), [
    ({"start": "2022-12-01"}, "字段 start：2022-12-01 不在计划的起止日期（2023-01-01 至 2023-12-31）之内"),
    ({"start": "2023-11-01"}, "start（2023-11-01）应早于 due（2023-10-31）"),
    ({"checkpoints": [{"date": "2023-10-31", "progress": 50}]}, "字段 checkpoints[0].date：2023-10-31 应在要点的开始日期"),
    ({"checkpoints": [{"date": "2023-06-30", "progress": 50}, {"date": "2023-05-31", "progress": 60}]},
     "字段 checkpoints[1].date：2023-05-31 应晚于前一个节点（2023-06-30）"),
    ({"checkpoints": [{"date": "2023-05-31", "progress": 50}, {"date": "2023-06-30", "progress": 40}]},
     "字段 checkpoints[1].progress：40 小于前一个节点的进度（50）"),
    ({"checkpoints": [{"date": "2023-05-31", "progress": 101}]}, "字段 checkpoints[0].progress：应不大于 100"),
    ({"checkpoints": [{"date": "2023-05-31", "progress": 10, "note": "x"}]}, "字段 checkpoints[0].note："),
    ({"deliverables": [{"title": "挂牌", "kind": "活动"}]}, "字段 deliverables[0].kind："),
    ({"deliverables": [{"title": "挂牌", "due": "2023-11-30"}]}, "字段 deliverables[0].due：2023-11-30 应在要点的"),
    ({"deliverables": [{"title": "挂牌", "owner": "x"}]}, "字段 deliverables[0].owner："),
    ({"deliverables": ["挂牌", {"title": "挂牌"}]}, "deliverables 中有重复的文件名"),
    ({"deliverables": [{"title": "挂牌", "department": "财\u202e务部"}]}, "U+202E"),
    ({"co_departments": ["办公室"]}, "部门“办公室”已是牵头部门"),
    ({"co_departments": ["财务部", "财务部"]}, "co_departments 中有重复的部门"),
    ({"co_departments": ["财\x1b务部"]}, "U+001B"),
])  # fmt: skip
def test_bad_new_fields_are_refused_with_their_position(run, isolated, tmp_path, point, message):
    result = run("load", str(_seed(tmp_path, **point)), code=4)
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not isolated.exists()
