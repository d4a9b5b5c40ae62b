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


# -- list --dept with roles, remind to co-operating departments (issue 8 §6) -------------------------------


def test_list_dept_includes_points_a_department_co_operates_on_with_its_role(run, ledger):
    run("update", "3", "--co-dept", "财务部", "--date", "2022-04-10")
    run("update", "18", "--co-dept", "财务部", "--date", "2022-05-01")
    run("update", "18", "--co-dept", "-财务部", "--date", "2022-06-10")
    rows = run.json("list", "--dept", "财务部")
    assert [(r["id"], r["role"]) for r in rows] == [(3, "co"), (32, "lead")]  # 18 no longer
    may = run.json("list", "--dept", "财务部", "--as-of", "2022-05-15")
    assert [(r["id"], r["role"]) for r in may] == [(3, "co"), (18, "co"), (32, "lead")]
    assert [r["id"] for r in run.json("list", "--dept", "财务部", "--as-of", "2022-04-01")] == [32]
    assert [r["id"] for r in run.json("list", "--dept", "财务部", "--role", "co")] == [3]
    assert [r["id"] for r in run.json("list", "--dept", "财务部", "--role", "牵头")] == [32]
    assert [r["id"] for r in run.json("list", "--dept", "组织部", "--role", "co")] == []  # never co-operated
    table = run("list", "--dept", "财务部", "--as-of", "2022-05-15").stdout
    assert "角色" in table and "协办" in table and "牵头" in table
    csv_rows = run("list", "--dept", "财务部", "--format", "csv").stdout.splitlines()
    assert csv_rows[0].endswith(",role") and csv_rows[1].endswith(",co")
    assert "须与 --dept 同用" in run("list", "--role", "co", code=2).stderr
    assert "未知角色" in run("list", "--dept", "财务部", "--role", "主办", code=2).stderr


def test_a_department_that_only_co_operates_is_known_to_list_and_remind(run, ledger, monkeypatch):
    run("task", "update", "21.1", "--co-dept", "国际部", "--due", "2022-06-01")  # 国际部 leads point 30 too
    run("update", "5", "--co-dept", "资产管理公司")  # one that leads nothing of section 1
    assert [(r["id"], r["role"]) for r in run.json("list", "--dept", "资产管理公司", "--role", "co")] == [(5, "co")]
    notices = {n["department"]: n for n in run.json("remind")}
    intl = {i["id"]: i for i in notices["国际部"]["items"]}
    assert intl["21.1"]["role"] == "co" and intl["21.1"]["reasons"] == ["overdue"]  # told, but not chased for reports
    assert intl["30"]["role"] == "lead" and "unreported" in intl["30"]["reasons"]
    assert "任务 21.1（协办） 学科发展五年规划：已逾期 29 天" in run("remind", "--dept", "国际部").stdout
    missing = run.json("missing", "--dept", "国际部")
    assert "21.1" not in [i["id"] for g in missing["departments"] for i in g["items"]]  # reporting is the lead's


def test_list_wide_shows_the_task_roll_up_beside_the_reported_progress(run, ledger):
    run("update", "17", "--progress", "30")
    run("task", "update", "17.1", "--progress", "80", "--date", "2022-06-01")
    rows = {r["id"]: r for r in run.json("list")}
    assert (rows[17]["progress"], rows[17]["task_progress"], rows[3]["task_progress"]) == (30, 40, None)
    assert run.json("list", "--as-of", "2022-05-31")[16]["task_progress"] == 0
    wide = run("list", "--wide", "--dept", "国家老年大学筹建领导小组").stdout
    assert "任务汇总" in wide and "40%" in wide and "30%" in wide
    assert "task_progress" in run("list", "--wide", "--format", "csv").stdout.splitlines()[0]
