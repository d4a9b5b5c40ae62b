"""What a department could do past gkplan's commands on the shared ledger, with SQL of its own (the eighteenth
stop's hunt): change a row with no entry of its own, plant a function for the guards to call, answer a request,
reopen what the office 销号'd. Each is refused by the server, and the ledger is as it was."""

from __future__ import annotations

import json
import os
import re

import psycopg
import pytest

from test_pg_ledger import gk, shared  # noqa: F401
from test_pg_policies import H, Session


def _name(dsn: str) -> str:
    return re.search(r"//([^@:]*)", dsn)[1]


def _seen(run) -> tuple[str, str]:  # noqa: ANN001
    return run("show", "21", "--format", "json").stdout, run("log", "--format", "json").stdout


def _append(me: Session, action: str, point: int, by: str, changes: dict) -> None:
    """A well-formed entry (its number and hash the chain's) with `action`, appended in the write's turn."""
    from gkplan.ledger.chain import entry_hash
    from gkplan.ledger.pg_connection import WRITE_LOCK

    with me.conn.transaction():
        me.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        n, previous = me.conn.execute("SELECT id + 1, hash FROM history ORDER BY id DESC LIMIT 1").fetchone()
        entry = {"id": n, "plan": "2022", "point": point, "entity": "point", "ref": None, "action": action,
                 "effective": "2022-06-30", "at": "2022-06-30T10:00:00+08:00", "by": by, "changes": json.dumps(changes),
                 "note": None, "cause": None, "undoes": None}  # fmt: skip
        me.conn.execute(H.replace("'update'", f"'{action}'"), (n, point, "point", None, by, entry["changes"], None,
                                                              entry_hash(previous, entry)))  # fmt: skip


def test_a_row_changed_with_no_entry_of_its_own_is_refused_and_check_finds_one_written_so(run, shared):  # noqa: F811
    _, login = shared
    jwb = login("教务部")
    before = _seen(run)
    with psycopg.connect(jwb, autocommit=True) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE points SET progress = 90, status = 'in_progress', note = '伪造' WHERE plan = '2022' AND id = 21")
    assert _seen(run) == before
    assert run("check", "--full").exit_code == 0
    with psycopg.connect(os.environ["GKPLAN_DB"], autocommit=True) as conn:  # the office's login may write so
        conn.execute("UPDATE points SET progress = 90, status = 'in_progress' WHERE plan = '2022' AND id = 21")
    assert "第 21 项（2022；台账中有修改，历史中没有记录）" in run("check", "--full", code=7).stdout


def test_a_function_a_department_plants_does_not_stand_in_for_a_builtin(run, shared, ledger_server):  # noqa: F811
    database, login = shared
    ledger_server.sql("GRANT CREATE ON SCHEMA public TO PUBLIC", database=database)  # PostgreSQL 14's default
    jwb = login("教务部")
    try:
        me = Session(jwb)
        me.conn.execute("CREATE FUNCTION public.cardinality(text[]) RETURNS int LANGUAGE sql AS 'SELECT 0'")
        me.conn.execute("SET search_path = public, pg_catalog")  # the guard took the department for the tables' owner
        before = _seen(run)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="部门不能销号"):
            me.reported(_name(jwb), 21, "UPDATE points SET status = 'done', progress = 100 WHERE plan = '2022' AND id = 21")
        assert _seen(run) == before
        found = next(c for c in run.json("check", code=7) if c["check"] == "外来函数")
        assert "cardinality(text[])" in found["detail"]
    finally:
        ledger_server.sql(f'DROP OWNED BY "{_name(jwb)}"', database=database)
    assert next(c for c in run.json("check") if c["check"] == "外来函数")["ok"]


def test_a_department_cannot_answer_a_request_nor_reopen_what_the_office_closed(run, shared):  # noqa: F811
    _, login = shared
    jwb, cwb = login("教务部"), login("财务部")
    run("update", "21", "--co-dept", "财务部")
    assert gk(jwb, "update", "21", "--due", "2023-03-31", "--reason", "经费").returncode == 0
    asked = run.json("show", "21")["extension_request"]["record"]
    before = _seen(run)
    for action, changes in (("review", {"request": [asked, None]}), ("update", {"request": [asked, None]}),
                            ("review", {"note": [None, "不批准"]})):  # fmt: skip  (a 协办 department answering 教务部's)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _append(Session(cwb), action, 21, _name(cwb), changes)
    assert _seen(run) == before
    run("review", "21", "--accept-extension")
    # 办结, then 销号 by the office: the department cannot take it back, through gkplan or past it
    assert gk(jwb, "update", "21", "--status", "已完成", "--evidence", "文号").returncode == 0
    run("review", "21", "--accept", "--override", "核实")
    before = _seen(run)
    for args in (["update", "21", "--status", "进行中", "--progress", "50", "--note", "再议"], ["undo", "--force"]):
        refused = gk(jwb, *args)
        assert refused.returncode == 10 and "Traceback" not in refused.stderr, (args, refused.stderr)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="重新打开"):
        Session(jwb).reported(_name(jwb), 21, "UPDATE points SET status = 'in_progress' WHERE plan = '2022' AND id = 21")
    assert _seen(run) == before


def test_a_task_report_after_the_office_closed_its_point_leaves_the_point_closed(run, shared):  # noqa: F811
    """The office 销号'd a point whose tasks still waited for review: a department's later report on a task moved the
    point's roll-up off 已完成, which the server (rightly) refused as reopening it, in words that blamed the wrong thing.
    A point 销号'd keeps 已完成 whatever its tasks report (as on a file); the office reopens it if it must."""
    _, login = shared
    jwb = login("教务部")
    run("task", "complete", "7")
    for seq in ("1", "2"):
        assert gk(jwb, "task", "update", f"7.{seq}", "--progress", "100", "--evidence", "9号").returncode == 0
    run("review", "7", "--accept", "--override", "任务另行验收")
    done = gk(jwb, "task", "update", "7.2", "--progress", "90", "--note", "发现还差一点")
    assert done.returncode == 0, done.stderr
    shown = run.json("show", "7")
    assert (shown["status"], shown["progress"], shown["task_progress"]) == ("done", 100, 95)
    assert run("check", "--full").exit_code == 0
