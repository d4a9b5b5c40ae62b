"""What departments do through gkplan on the shared ledger once the office has shaped it: report on a point
that has 协办 departments, backfill an earlier day, and what the server itself refuses of a login's raw SQL."""

from __future__ import annotations

from test_pg_ledger import gk, shared  # noqa: F401 - a fixture, used by name


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
