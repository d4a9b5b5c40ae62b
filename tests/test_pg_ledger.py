"""The shared ledger on a real PostgreSQL server, as departments use it: identity from the login, what a
department may and may not change (through gkplan and through raw SQL), 延期 as a request the office decides,
thirty departments writing at once, and a server that restarts between two commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from conftest import OFFICE_LOGIN, TODAY

@pytest.fixture
def shared(ledger_server, pg_ledger, monkeypatch):
    """(database name, login(department) → that department's new login's DSN); the office's DSN is GKPLAN_DB."""
    monkeypatch.setenv("GKPLAN_DB", pg_ledger)
    database = pg_ledger.split("@/", 1)[1].split("?", 1)[0]
    made: list[str] = []

    def login(department: str, name: str | None = None) -> str:
        role = ledger_server.sql(f"SELECT role FROM gkplan_roles WHERE department = '{department}'", database=database)[0][0]
        name = name or f"u_{role.removeprefix('gkplan_dept_')}"
        ledger_server.sql(f'CREATE ROLE "{name}" LOGIN IN ROLE {role}')
        made.append(name)
        return ledger_server.dsn(database, name)

    yield database, login
    for name in made:
        ledger_server.sql(f'DROP ROLE IF EXISTS "{name}"')


def gk(dsn: str, *args: str, user: str | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"GKPLAN_DB": dsn, "GKPLAN_TODAY": TODAY, "NO_COLOR": "1"}
    env.pop("GKPLAN_USER", None) if user is None else env.update(GKPLAN_USER=user)
    return subprocess.run([sys.executable, "-m", "gkplan", *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_department_reports_on_its_own_points_as_its_login_and_nothing_else(run, shared):
    _, login = shared
    jwb = login("教务部")
    done = gk(jwb, "update", "7", "--progress", "30", "--note", "方案起草中", "-f", "json", user="张三")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["by"] == "u_jwb（张三）"  # the login, with the person's name after it
    assert json.loads(gk(jwb, "update", "7", "--problem", "经费", "-f", "json").stdout)["by"] == "u_jwb"
    refused = gk(jwb, "update", "17", "--progress", "30")  # 17 is 国家老年大学筹建领导小组's
    assert refused.returncode == 10 and refused.stderr.startswith("错误：权限不足") and "Traceback" not in refused.stderr
    assert run.json("show", "17")["progress"] == 0
    closing = gk(jwb, "update", "7", "--status", "已完成", "--evidence", "国开发〔2022〕9号")  # a 办结 report: allowed
    assert closing.returncode == 0, closing.stderr
    assert gk(jwb, "review", "7", "--accept").returncode == 10  # 销号 is the office's
    assert run.json("review", "7", "--accept", "--override", "任务另行验收")["by"] == OFFICE_LOGIN
    assert run("check").exit_code == 0


def test_raw_sql_through_the_departments_login_can_do_no_more(shared):
    database, login = shared
    with psycopg.connect(login("教务部"), autocommit=True) as conn:
        for statement in ("UPDATE points SET progress = 50 WHERE id = 17",  # another department's: no row matches
                          "UPDATE points SET progress = 50, due = '2023-12-31' WHERE id = 7"):  # its own, but the due date
            try:
                count = conn.execute(statement).rowcount
            except psycopg.errors.InsufficientPrivilege:
                count = -1
            assert count in (0, -1), statement
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM history")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE points SET status = 'done', progress = 100 WHERE id = 7")
        assert conn.execute("SELECT progress FROM points WHERE id = 17").fetchone()[0] == 0  # it reads everything


def test_a_departments_extension_is_a_request_the_office_decides(run, shared):
    _, login = shared
    jwb = login("教务部")
    assert "须写明理由" in gk(jwb, "update", "7", "--due", "2023-03-31").stderr
    asked = gk(jwb, "update", "7", "--due", "2023-03-31", "--reason", "经费未到位", "-f", "json")
    assert asked.returncode == 0, asked.stderr
    point = run.json("show", "7")
    assert (point["due"], point["due_original"]) == ("2022-12-31", None)  # the due date has not moved
    request = point["extension_request"]
    assert (request["by"], request["due"], request["reason"]) == ("u_jwb", "2023-03-31", "经费未到位")
    assert gk(jwb, "review", "7", "--accept-extension").returncode == 10  # the department cannot grant it itself
    entry = run.json("review", "7", "--accept-extension", "--note", "同意")
    assert entry["changes"]["request"] == [request["record"], "accepted"] and entry["by"] == OFFICE_LOGIN
    point = run.json("show", "7")
    assert (point["due"], point["due_original"], point["extension_request"]) == ("2023-03-31", "2022-12-31", None)
    assert point["extensions"][0]["reason"] == "经费未到位"
    assert point["note"] is None and entry["note"] == "同意"  # (the office's opinion is not the department's 进展)
    assert "没有待审批的延期申请" in run("review", "7", "--reject-extension", code=6).stderr
    # a second request, rejected: nothing moves; undoing the rejection makes it pending again
    gk(jwb, "update", "7", "--due", "2023-06-30", "--reason", "再延")
    run("review", "7", "--reject-extension", "--note", "不同意")
    assert run.json("show", "7")["due"] == "2023-03-31" and run.json("show", "7")["extension_request"] is None
    run("undo")
    assert run.json("show", "7")["extension_request"]["due"] == "2023-06-30"
    report = run.json("report")
    assert next(g for g in report if g["group"] == "教务部")["extensions"] == 1
    assert run("check").exit_code == 0


def test_undo_acts_on_the_callers_own_changes_only(run, shared):
    _, login = shared
    jwb, zjb = login("教务部"), login("国家老年大学筹建领导小组")
    assert gk(jwb, "update", "7", "--progress", "20").returncode == 0
    assert gk(zjb, "update", "17", "--progress", "40").returncode == 0
    undone = json.loads(gk(jwb, "undo", "-f", "json").stdout)
    assert undone["undone"]["point"] == 7 and undone["by"] == "u_jwb"
    assert run.json("show", "17")["progress"] == 40 and run.json("show", "7")["progress"] == 0
    assert gk(jwb, "undo").returncode == 6  # nothing of its own left
    assert gk(jwb, "undo", "2").returncode == 10  # the other department's record: not its to undo
    office = run.json("update", "7", "--problem", "督查办补记")["id"]  # on its own point, but the office's record
    refused = gk(jwb, "undo", str(office))
    assert refused.returncode == 10 and "只能由督查办撤销" in refused.stderr
    assert run.json("undo", "2")["undone"]["id"] == 2  # the office may undo anyone's


def test_thirty_departments_write_at_once_and_nothing_is_lost(run, shared, ledger_server):
    database, login = shared
    # each department (but the offices', which keep the ledger) with the first point it leads, and one it neither
    # leads nor co-operates on
    rows = ledger_server.sql(
        "SELECT d.department, min(d.point), (SELECT min(p.id) FROM points p WHERE NOT EXISTS (SELECT 1 FROM point_departments x"
        " WHERE x.point = p.id AND x.department = d.department) AND NOT EXISTS (SELECT 1 FROM point_co c WHERE c.point = p.id"
        " AND c.department = d.department)) FROM point_departments d WHERE d.department NOT IN ('党委办公室', '校长办公室')"
        " GROUP BY d.department ORDER BY 2, 1", database=database)[:30]  # fmt: skip
    assert len(rows) >= 25
    logins = {d: login(d) for d, _, _ in rows}
    first = max((h["id"] for h in run.json("log")), default=0)

    def both(row: tuple[str, int, int]) -> tuple[int, int]:
        department, own, other = row
        mine = gk(logins[department], "update", str(own), "--note", f"{department}本月进展")
        theirs = gk(logins[department], "update", str(other), "--note", "越权")
        return mine.returncode, theirs.returncode

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(both, rows))
    assert codes == [(0, 10)] * len(rows)  # each refused exactly where it must be
    log = run.json("log")
    new = [h for h in log if h["id"] > first and h["action"] == "update"]
    names = {dsn.split("//", 1)[1].split("@", 1)[0] for dsn in logins.values()}
    assert len(new) == len(rows) and {h["by"] for h in new} == names  # one report each, nothing lost
    assert sorted(h["id"] for h in log) == list(range(1, len(log) + 1))  # numbered without a gap or a repeat
    assert run("check").exit_code == 0


def test_a_server_restart_between_two_commands_is_one_clear_line_then_works_again(run, shared, ledger_server):
    run("update", "3", "--progress", "10")
    ledger_server.stop()
    try:
        down = run("list", code=5)
        assert "PostgreSQL" in down.stderr and down.stderr.count("\n") == 1
        assert run("update", "3", "--progress", "20", code=5).exit_code == 5
    finally:
        ledger_server.start()
    assert run.json("show", "3")["progress"] == 10
    run("update", "3", "--progress", "20")
    assert run.json("show", "3")["progress"] == 20



def test_a_department_asks_for_a_due_date_on_a_task_that_has_none_and_the_office_grants_it(run, shared):
    _, login = shared
    jwb = login("教务部")
    seq = run.json("task", "add", "7", "无期限的任务")["ref"]
    asked = gk(jwb, "task", "update", f"7.{seq}", "--due", "2022-09-30")
    assert asked.returncode == 0, asked.stderr  # not a 延期 (there was no due date): no reason needed
    shown = run.json("show", "7")  # the task's request is on show, beside the task, until the office answers it
    request = next(t for t in shown["task_list"] if t["seq"] == int(seq))["extension_request"]
    assert request["due"] == "2022-09-30" and request["by"] != "督查办" and shown["extension_request"] is None
    assert f"任务 7.{seq}：" in run("show", "7").stdout and f"gkplan review 7.{seq} --accept-extension" in run("show", "7").stdout
    refused = gk(jwb, "update", "7", "--due", "2022-10-31", "--reason", "提前")  # earlier: --reason is for 延期 only
    assert refused.returncode == 2 and "--reason 只用于延期" in refused.stderr and "Traceback" not in refused.stderr
    run("review", f"7.{seq}", "--accept-extension")
    assert run.json("task", "list", "--point", "7")[int(seq) - 1]["due"] == "2022-09-30"
    assert all(t["extension_request"] is None for t in run.json("show", "7")["task_list"])
    assert run("check").exit_code == 0



def test_a_task_request_past_its_points_due_date_since_is_not_granted(run, shared):
    """The office moved the point's due date before the day a task's request asked for: granting it put the
    task after its point, which `task update` refuses."""
    _, login = shared
    jwb = login("教务部")
    seq = run.json("task", "add", "7", "无期限的任务")["ref"]
    assert gk(jwb, "task", "update", f"7.{seq}", "--due", "2022-12-20").returncode == 0
    run("update", "7", "--due", "2022-11-30")
    before = run("log", "--format", "json").stdout, run("show", "7", "--format", "json").stdout
    error = run("review", f"7.{seq}", "--accept-extension", code=2).stderr
    assert f"任务 7.{seq}的截止日期 2022-12-20 晚于第 7 项的截止日期 2022-11-30" in error
    assert (run("log", "--format", "json").stdout, run("show", "7", "--format", "json").stdout) == before



def test_a_request_the_office_overtook_can_still_be_answered(run, shared):
    _, login = shared
    jwb = login("教务部")
    assert gk(jwb, "update", "7", "--due", "2023-03-31", "--reason", "经费未到位").returncode == 0
    run("update", "7", "--due", "2023-06-30", "--reason", "督查办统一调整")  # the office moved it further meanwhile
    entry = run.json("review", "7", "--accept-extension")  # what was asked is now earlier: no 延期 reason to record
    assert entry["changes"]["due"] == ["2023-06-30", "2023-03-31"] and "extension" not in entry["changes"]
    assert run.json("show", "7")["extension_request"] is None



def test_a_later_request_replaces_an_earlier_one(run, shared):
    _, login = shared
    jwb = login("教务部")
    assert gk(jwb, "update", "7", "--due", "2023-03-31", "--reason", "一").returncode == 0
    assert gk(jwb, "update", "7", "--due", "2023-06-30", "--reason", "改为半年").returncode == 0
    assert run.json("show", "7")["extension_request"]["due"] == "2023-06-30"
    run("review", "7", "--accept-extension")
    assert run.json("show", "7")["extension_request"] is None  # the first request does not come back
    assert "没有待审批的延期申请" in run("review", "7", "--accept-extension", code=6).stderr
    assert run.json("show", "7")["due"] == "2023-06-30"



def test_a_department_withdraws_its_request_with_undo(run, shared):
    _, login = shared
    jwb = login("教务部")
    assert gk(jwb, "update", "7", "--due", "2023-03-31", "--reason", "经费未到位").returncode == 0
    withdrawn = gk(jwb, "undo")
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert run.json("show", "7")["extension_request"] is None
    assert "没有待审批的延期申请" in run("review", "7", "--reject-extension", code=6).stderr
    assert gk(jwb, "update", "7", "--due", "2023-06-30", "--reason", "再议").returncode == 0  # asking again works
    assert run.json("show", "7")["extension_request"]["due"] == "2023-06-30"
    run("review", "7", "--accept-extension")
    assert run.json("show", "7")["due"] == "2023-06-30"



def test_a_login_of_no_department_is_told_so_in_one_line(shared, ledger_server):
    database, _ = shared
    ledger_server.sql('CREATE ROLE "路人" LOGIN')
    try:
        done = gk(ledger_server.dsn(database, "路人"), "list")
        assert done.returncode == 10 and done.stderr.count("\n") == 1 and "路人" in done.stderr, done.stderr
        ledger_server.sql(f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC")  # and one that may not even connect
        done = gk(ledger_server.dsn(database, "路人"), "list")
        assert done.returncode == 5 and "没有连接该数据库的权限" in done.stderr, done.stderr
    finally:
        ledger_server.sql('DROP ROLE "路人"')



def test_nothing_to_undo_names_the_login(shared):
    _, login = shared
    done = gk(login("教务部"), "undo")
    assert done.returncode == 6 and "u_jwb 没有可以撤销的修改" in done.stderr, done.stderr
