"""What departments do through gkplan on the shared ledger once the office has shaped it: report on a point
that has 协办 departments, backfill an earlier day, and what the server itself refuses of a login's raw SQL."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from test_pg_ledger import gk, shared  # noqa: F401 - a fixture, used by name
from test_sheet import fill


def test_lead_and_co_departments_report_on_a_point_with_co_departments(run, shared):  # noqa: F811
    _, login = shared
    jwb, cw = login("教务部"), login("财务部")
    run("update", "21", "--co-dept", "财务部")  # the office names a 协办 department
    for dsn, note in ((jwb, "牵头报送"), (cw, "协办报送")):
        done = gk(dsn, "update", "21", "--note", note)
        assert done.returncode == 0, done.stderr
    task = gk(jwb, "task", "update", "21.1", "--progress", "10")  # moves the point's summary (reported) too
    assert task.returncode == 0, task.stderr
    assert run.json("show", "21")["note"] == "协办报送"
    refused = gk(cw, "update", "21", "--co-dept", "信息化部")  # who co-operates is the office's to say
    assert refused.returncode == 10 and refused.stderr.startswith("错误：权限不足"), refused.stderr
    assert run.json("show", "21")["co"] == ["财务部"]
    assert run("check").exit_code == 0


SEED = """plan: {{title: 测试计划, issued: 2022-01-01, year: {year}}}
sections:
  - {{number: 1, title: 甲}}
points:
  - {{number: 1, section: 1, title: 一, text: 一。, due: 2022-12-31, co_departments: [财务部],
      leads: [{{leader: 张三, departments: [{dept}]}}]}}
"""


def login(dsn: str, user: str) -> str:
    return dsn.replace("//postgres@", f"//{user}@")


def test_the_lead_department_reports_on_a_point_the_seed_gives_co_departments(run, pgdb, tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED.format(year=2022, dept="教务部"), encoding="utf-8")
    run("admin", "init", pgdb, "--seed", str(seed))
    run("admin", "user", "add", "zs", "--dept", "教务部", "--dsn", pgdb)
    done = gk(login(pgdb, "zs"), "update", "1", "--progress", "10")
    assert done.returncode == 0, done.stderr


def test_a_department_backfills_an_earlier_day_on_its_points_and_tasks(run, shared, tmp_path):  # noqa: F811
    _, login = shared
    jwb = login("教务部")
    assert gk(jwb, "update", "21", "--problem", "六月的问题").returncode == 0
    for args in (("update", "7", "--note", "a", "--date", "2022-06-10"), ("update", "7", "--note", "b", "--date", "2022-06-01"),
                 ("task", "update", "7.1", "--note", "c", "--date", "2022-06-20"),
                 ("task", "update", "7.1", "--note", "d", "--date", "2022-06-05")):  # fmt: skip
        done = gk(jwb, *args)
        assert done.returncode == 0, (args, done.stderr)
    assert run.json("show", "7")["note"] == "a" and run.json("show", "7", "--as-of", "2022-06-05")["note"] == "b"
    assert [t["note"] for t in run.json("task", "list", "--point", "7", "--as-of", "2022-06-10")][0] == "d"
    sheet = str(tmp_path / "教务部-2022-05.xlsx")  # the sheet of an earlier period, imported after those entries
    assert gk(jwb, "sheet", "--dept", "教务部", "--period", "2022-05", "-o", sheet).returncode == 0
    fill(Path(sheet), {("21", "进展情况"): "五月的进展"})
    imported = gk(jwb, "import", sheet, "--apply")
    assert imported.returncode == 0, imported.stderr
    assert run.json("show", "21", "--as-of", "2022-05-31")["note"] == "五月的进展"
    refused = gk(jwb, "update", "17", "--note", "x", "--date", "2022-06-01")  # not its point: still refused
    assert refused.returncode == 10, refused.stderr
    assert run("check").exit_code == 0


def test_a_server_ledger_made_before_a_rule_gets_it_from_the_next_admin_command(run, pgdb, monkeypatch):
    run("admin", "init", pgdb)
    run("admin", "user", "add", "dcb", "--office", "--dsn", pgdb)
    with psycopg.connect(pgdb, autocommit=True) as conn:  # as an earlier gkplan made it: no backfill for departments
        conn.execute("DROP POLICY department_replay ON point_states")
    monkeypatch.setenv("GKPLAN_DB", login(pgdb, "dcb"))
    rules = {c["check"]: c for c in run.json("check", code=None)}["服务器规则"]
    assert not rules["ok"] and "point_states 的策略 department_replay" in json.dumps(rules, ensure_ascii=False)
    run("admin", "roles", "--dsn", pgdb)
    assert all(c["ok"] for c in run.json("check"))
    with psycopg.connect(pgdb, autocommit=True) as conn:  # one whose words were another gkplan's (no mark then)
        conn.execute("ALTER POLICY department_append ON point_states WITH CHECK (false)")
        conn.execute("COMMENT ON TABLE gkplan_roles IS NULL")
    assert "规则不是本版本 gkplan 的" in run("check", code=7).stdout
    run("admin", "roles", "--dsn", pgdb)
    with psycopg.connect(pgdb) as conn:
        check = conn.execute("SELECT with_check FROM pg_policies WHERE tablename = 'point_states' AND policyname = 'department_append'")
        assert "gkplan_closed_by" in check.fetchone()[0]


def test_a_department_backfills_before_a_closing_the_office_has_since_reopened(run, shared):  # noqa: F811
    _, login = shared
    jwb = login("教务部")
    run("update", "7", "--progress", "100", "--evidence", "国开发〔2022〕9号", "--date", "2022-06-05")
    run("review", "7", "--accept", "--override", "另行验收", "--date", "2022-06-10")
    run("update", "7", "--status", "进行中", "--progress", "80", "--note", "退回补充材料", "--date", "2022-06-20")
    done = gk(jwb, "update", "7", "--problem", "早先的问题", "--date", "2022-06-01")  # replays the 销号's state too
    assert done.returncode == 0, done.stderr
    assert run.json("show", "7", "--as-of", "2022-06-15")["status"] == "done"
    assert run("check").exit_code == 0


def test_a_department_that_a_later_plan_brings_gets_its_role_from_admin(run, pgdb, tmp_path):
    first, second = tmp_path / "2022.yaml", tmp_path / "2023.yaml"
    first.write_text(SEED.format(year=2022, dept="教务部"), encoding="utf-8")
    second.write_text(SEED.format(year=2023, dept="新设教研部").replace("2022-12-31", "2023-12-31"), encoding="utf-8")
    run("admin", "init", pgdb, "--seed", str(first))
    run("admin", "user", "add", "dcb", "--office", "--dsn", pgdb)
    loaded = gk(login(pgdb, "dcb"), "load", str(second))  # the office loads a new plan: it cannot make roles
    assert loaded.returncode == 0, loaded.stderr
    assert "新设教研部" in [r["department"] for r in run.json("admin", "roles", "--dsn", pgdb)]
    added = run.json("admin", "user", "add", "jyb", "--dept", "新设教研部", "--dsn", pgdb)
    assert added["role"] == "gkplan_dept_xsjyb" and added["department"] == "新设教研部"
    done = gk(login(pgdb, "jyb"), "update", "1", "--note", "新计划的报送")
    assert done.returncode == 0, done.stderr


def test_the_server_keeps_progress_and_status_in_range_whoever_writes(run, pgdb):
    run("admin", "init", pgdb)
    run("admin", "user", "add", "zs", "--dept", "教务部", "--dsn", pgdb)
    from test_pg_policies import Session

    zs = Session(login(pgdb, "zs"))  # each statement right after the department's own entry on the item
    for statement in ("UPDATE points SET progress = 999999999999 WHERE id = 7", "UPDATE points SET progress = -1 WHERE id = 7",
                      "UPDATE points SET status = 'weird' WHERE id = 7", "UPDATE tasks SET progress = 101 WHERE point = 7 AND seq = 1",
                      "UPDATE tasks SET status = '' WHERE point = 7 AND seq = 1"):  # fmt: skip
        with pytest.raises(psycopg.errors.CheckViolation):
            zs.reported("zs", 7, statement, (), *(("task", "1") if "tasks" in statement else ()))
    assert zs.reported("zs", 7, "UPDATE points SET progress = 100, status = 'pending_review' WHERE id = 7") == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # its own point, in range, but with no entry on it just before
        zs.conn.execute("UPDATE points SET progress = 90 WHERE id = 21")
    with psycopg.connect(pgdb, autocommit=True) as conn:  # the owner (and the office) too; the states as well
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO point_states (plan, point, effective, hid, progress, status, due)"
                         " VALUES ('2022', 7, '2022-06-30', 1, 40, 'weird', '2022-12-31')")  # fmt: skip
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO task_states (plan, point, seq, effective, hid, present, progress)"
                         " VALUES ('2022', 7, 1, '2022-06-30', 1, 1, 500)")  # fmt: skip
        conn.execute("ALTER TABLE points DROP CONSTRAINT points_progress_range")  # as a server ledger made before
        conn.execute("UPDATE points SET progress = 150 WHERE id = 3")
    failed = run("admin", "roles", "--dsn", pgdb, code=5)  # a row out of range: named, nothing made
    assert "points_progress_range" in failed.stderr and failed.stderr.count("\n") == 1
    with psycopg.connect(pgdb, autocommit=True) as conn:
        conn.execute("UPDATE points SET progress = 15 WHERE id = 3")
    run("admin", "roles", "--dsn", pgdb)
    with psycopg.connect(pgdb) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE points SET progress = 150 WHERE id = 3")


def test_a_department_backfills_under_what_the_office_decided_since(run, shared):  # noqa: F811
    _, login = shared
    jwb = login("教务部")
    run("update", "21", "--co-dept", "财务部", "--date", "2022-06-10")
    run("update", "21", "--due", "2023-03-31", "--reason", "经费未到位", "--date", "2022-06-12")
    run("checkpoint", "add", "21", "2022-09-30", "40", "--date", "2022-06-14")
    run("task", "complete", "21", "--date", "2022-06-16")
    run("task", "update", "21.1", "--due", "2022-11-30", "--co-dept", "人事部", "--date", "2022-06-10")
    run("task", "add", "21", "新任务", "--due", "2022-10-31", "--date", "2022-06-05")
    run("task", "update", "21.1", "--due", "2022-12-15", "--reason", "调整", "--date", "2022-06-11")
    for args in (("task", "update", "21.1", "--note", "早先", "--date", "2022-06-01"), ("task", "update", "21.1", "--note", "现在"),
                 ("task", "update", "21.2", "--note", "后来", "--date", "2022-06-20"),
                 ("task", "update", "21.2", "--note", "早些", "--date", "2022-06-08")):  # fmt: skip
        done = gk(jwb, *args)
        assert done.returncode == 0, (args, done.stderr)
    for args in (("update", "21", "--note", "早先的进展", "--date", "2022-06-01"), ("update", "21", "--problem", "经费")):
        done = gk(jwb, *args)  # a replay of the office's states, then a state after them
        assert done.returncode == 0, (args, done.stderr)
    point = run.json("show", "21")
    assert (point["due"], point["co"], point["problem"]) == ("2023-03-31", ["财务部"], "经费")
    assert run("check").exit_code == 0


def test_a_departments_everyday_writes_and_undos_pass_the_servers_checks(run, shared):  # noqa: F811
    _, login = shared
    jwb = login("教务部")
    for args in (("target", "set", "7", "招生", "--actual", "158万"), ("update", "7", "--due", "2023-03-31", "--reason", "经费"),
                 ("task", "update", "7.1", "--progress", "50", "--owner", "张三"), ("undo",), ("undo",), ("undo",)):  # fmt: skip
        done = gk(jwb, *args)
        assert done.returncode == 0, (args, done.stderr)
    point = run.json("show", "7")
    assert point["extension_request"] is None and point["task_list"][0]["progress"] == 0
    assert run("check").exit_code == 0
