"""gkplan admin on a real PostgreSQL server (pgserver, one per session; a new database per test): init, roles,
user add, push, a server that goes away and comes back; role names from any department name."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, execute
from gkplan import admin
from gkplan.ledger.schema import SCHEMA_VERSION

ROLE = re.compile(r"gkplan_dept_[a-z0-9]+(_[0-9]+)?")
SEED = REPO / "data" / "workpoints_2022.yaml"


def sql(dsn: str, statement: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        cur = conn.execute(statement, params or None)
        return cur.fetchall() if cur.description else []


def init(run, dsn: str, *more: str, code: int = 0) -> dict | str:  # noqa: ANN001
    result = run("admin", "init", dsn, *more, "--format", "json", code=code)
    return json.loads(result.stdout) if code == 0 else result.stderr


def snapshot(dsn: str) -> list:
    """Every table's rows, the policies, the triggers and the gkplan roles with their comments."""
    from gkplan.ledger import pg_schema

    out = [sorted(map(repr, sql(dsn, f"SELECT * FROM {pg_schema.q(t)}"))) for t in (*pg_schema.tables(), "gkplan_roles")]
    out.append(sql(dsn, "SELECT tablename, policyname, qual, with_check FROM pg_policies ORDER BY 1, 2"))
    out.append(sql(dsn, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"))
    out.append(sql(dsn, "SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname LIKE 'gkplan%' ORDER BY 1"))
    return out


def test_init_loads_the_bundled_plan_and_gives_every_department_a_role(run, pgdb):
    result = init(run, pgdb)
    assert (result["loaded"], result["plan"], result["points"], result["rows"]["points"]) == (True, "2022", 39, 39)
    departments = [d["name"] for d in run.json("depts")]
    roles = run.json("admin", "roles", "--dsn", pgdb)
    assert roles[0] == {"role": "gkplan_office", "department": None, "members": []}
    by_department = {r["department"]: r["role"] for r in roles[1:]}
    assert sorted(by_department) == sorted(departments) and len(by_department) == 31
    assert by_department["教务部"] == "gkplan_dept_jwb" and by_department["组织部"] == "gkplan_dept_zzb"
    assert all(ROLE.fullmatch(role) and len(role) <= 63 for role in by_department.values())
    comments = dict(sql(pgdb, r"SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname LIKE 'gkplan\_dept\_%'"))
    assert comments == {role: department for department, role in by_department.items()}
    assert sql(pgdb, "SELECT count(*) FROM points")[0][0] == 39
    assert sql(pgdb, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]

    before = snapshot(pgdb)  # the same plan again: nothing changes
    again = init(run, pgdb)
    assert (again["loaded"], again["added"], again["roles"]) == (False, [], 31)
    assert snapshot(pgdb) == before


def test_init_refuses_tables_it_did_not_make_and_another_plan(run, pgdb, pg_server, tmp_path):
    sql(pgdb, "CREATE TABLE points (x integer)")
    message = init(run, pgdb, code=5)
    assert message.count("\n") == 1 and "结构不同的表" in message and "Traceback" not in message
    assert sql(pgdb, "SELECT to_regclass('meta') IS NULL") == [(True,)]  # nothing made
    sql(pgdb, "DROP TABLE points")

    init(run, pgdb)
    other = tmp_path / "2023.yaml"
    other.write_text("plan: {title: 测试计划, issued: 2023-01-01, year: 2023}\nsections:\n  - {number: 1, title: 甲}\n"
                     "points:\n  - {number: 1, section: 1, title: 一, text: 一。, leads: [{leader: 王五, departments: [办公室]}]}\n",
                     encoding="utf-8")  # fmt: skip
    assert "没有“2023”" in init(run, pgdb, "--seed", str(other), code=6)
    edited = tmp_path / "edited.yaml"
    edited.write_text(SEED.read_text(encoding="utf-8").replace("学习宣传党的创新理论", "学习宣传党的理论", 1), encoding="utf-8")
    assert "与种子文件不同（points）" in init(run, pgdb, "--seed", str(edited), code=6)


CLASH = """plan: {{title: 测试计划, issued: 2023-01-01, year: 2023}}
sections:
  - {{number: 1, title: 甲}}
points:
  - {{number: 1, section: 1, title: 一, text: 一。, leads: [{{leader: 张三, departments: [{a}]}}]}}
  - {{number: 2, section: 1, title: 二, text: 二。, leads: [{{leader: 李四, departments: [{b}, {c}]}}]}}
  - {{number: 3, section: 1, title: 三, text: 三。, leads: [{{leader: 王五, departments: ["Ｒ&D·中心（一）"]}}]}}
"""


def test_departments_with_the_same_initials_are_numbered_and_keep_their_roles_across_databases(run, pgdb, pg_server, tmp_path):
    seed = tmp_path / "clash.yaml"
    seed.write_text(CLASH.format(a="教务部", b="计务部", c="技物部"), encoding="utf-8")
    result = init(run, pgdb, "--seed", str(seed))
    assert {a["department"]: a["role"] for a in result["added"]} == {
        "教务部": "gkplan_dept_jwb", "计务部": "gkplan_dept_jwb_2", "技物部": "gkplan_dept_jwb_3", "Ｒ&D·中心（一）": "gkplan_dept_rdzxy"}
    comments = dict(sql(pgdb, r"SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname LIKE 'gkplan\_dept\_%'"))
    assert comments["gkplan_dept_jwb_2"] == "计务部"

    # another ledger on the same server, its departments in another order: each keeps the server's role for it
    pg_server.sql("CREATE DATABASE t_second_ledger")
    second = pg_server.dsn("t_second_ledger")
    seed.write_text(CLASH.format(a="技物部", b="新务部", c="教务部"), encoding="utf-8")
    result = init(run, second, "--seed", str(seed))
    assert {a["department"]: a["reused"] for a in result["added"]} == {"技物部": True, "新务部": False, "教务部": True,
                                                                        "Ｒ&D·中心（一）": True}  # fmt: skip
    roles = {r["department"]: r["role"] for r in run.json("admin", "roles", "--dsn", second)[1:]}
    assert roles == {"技物部": "gkplan_dept_jwb_3", "新务部": "gkplan_dept_xwb", "教务部": "gkplan_dept_jwb",
                     "Ｒ&D·中心（一）": "gkplan_dept_rdzxy"}  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=90), min_size=1, max_size=12, unique=True),
       st.dictionaries(st.text(alphabet="abjwx_2", min_size=1, max_size=6), st.text(max_size=4), max_size=5))  # fmt: skip
def test_any_department_names_give_valid_distinct_role_names(departments, taken):
    server = {f"gkplan_dept_{k}": (v, False) for k, v in taken.items()}
    assigned = admin.assign(departments, set(), server)
    names = [role for _, role, _ in assigned]
    assert len(set(names)) == len(names) == len(departments)
    for department, role, exists in assigned:
        assert ROLE.fullmatch(role) and len(role.encode()) <= 63
        assert exists == (role in server) and (not exists or server[role][0] == department)


def test_user_add_and_roles(run, pgdb):
    init(run, pgdb)
    added = run.json("admin", "user", "add", "zhang", "--dept", "教务", "--dsn", pgdb)
    assert (added["role"], added["department"], added["result"]) == ("gkplan_dept_jwb", "教务部", "created")
    assert run.json("admin", "user", "add", "zhang", "--dept", "教务部", "--dsn", pgdb)["result"] == "member"
    assert run.json("admin", "user", "add", "zhang", "--dept", "gkplan_dept_zzb", "--dsn", pgdb)["result"] == "added"
    run("admin", "user", "add", "li", "--office", "--password", "s3cret", "--dsn", pgdb)
    roles = {r["role"]: r for r in run.json("admin", "roles", "--dsn", pgdb)}
    assert roles["gkplan_office"]["members"] == ["li"]
    assert roles["gkplan_dept_jwb"]["members"] == roles["gkplan_dept_zzb"]["members"] == ["zhang"]
    # hashed before it left gkplan: the server never saw the password itself
    assert sql(pgdb, "SELECT rolcanlogin, rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'li'") == [(True, True)]
    table = run("admin", "roles", "--dsn", pgdb).stdout
    assert "gkplan_dept_jwb" in table and "教务部" in table and "zhang" in table

    for args, code, text in (
        (("wang", "--dept", "教务处"), 3, "没有部门“教务处”；最接近的是：教务部"),
        (("wang", "--dept", "教"), 2, "可以是几个部门"),
        (("wang",), 2, "--dept 部门 或 --office"),
        (("gkplan_office", "--office"), 2, "留给 gkplan"),
        (("x" * 64, "--office"), 2, "过长"),
        (("zhang", "--office", "--password", "p"), 2, "只用于新建账号"),
    ):  # fmt: skip
        assert text in run("admin", "user", "add", *args, "--dsn", pgdb, code=code).stderr
    assert "GKPLAN_DSN" in run("admin", "roles", code=2).stderr
    assert "不是 PostgreSQL 连接串" in run("admin", "roles", "--dsn", "ledger.db", code=2).stderr


def test_admin_commands_on_a_database_without_a_ledger(run, pgdb):
    assert "还没有 gkplan 台账" in run("admin", "roles", "--dsn", pgdb, code=5).stderr
    assert "还没有 gkplan 台账" in run("admin", "user", "add", "a", "--office", "--dsn", pgdb, code=5).stderr


def _local_ledger(run, isolated: Path) -> Path:  # noqa: ANN001
    run("update", "7", "--progress", "30", "--note", "教学改革方案初稿")
    run("update", "17", "--progress", "20", "--co-dept", "人事部", "--date", "2022-06-01")
    run("task", "update", "7.1", "--progress", "50", "--problem", "经费")
    run("target", "set", "7", "总招生数", "--actual", "158万", "--as-of", "2022-06-30")
    run("task", "add", "3", "换届工作方案", "--due", "2022-09-30")
    run("update", "18", "--progress", "100", "--evidence", "国开发〔2022〕9号")
    run("review", "18", "--accept", "--override", "教育部已确认")
    run("undo")
    run("check")
    return isolated


@pytest.mark.sqlite_only
def test_push_moves_a_ledger_with_its_history_and_hashes(run, ledger, pgdb, pg_server):
    path = _local_ledger(run, ledger)
    result = run.json("admin", "push", str(path), pgdb)
    import sqlite3

    local = sqlite3.connect(path)
    chain = local.execute("SELECT id, hash, \"by\", changes FROM history ORDER BY id").fetchall()
    assert len(chain) >= 8 and result["rows"]["history"] == len(chain)
    assert sql(pgdb, 'SELECT id, hash, "by", changes FROM history ORDER BY id') == chain
    for table in ("points", "tasks", "targets", "point_states", "task_states", "target_states", "point_co"):
        assert sql(pgdb, f"SELECT count(*) FROM {table}")[0][0] == local.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    assert sql(pgdb, "SELECT value FROM meta WHERE key = 'ledger_id'") == local.execute("SELECT value FROM meta WHERE key = 'ledger_id'").fetchall()
    assert sql(pgdb, "SELECT count(*) FROM meta WHERE key = 'path'") == [(0,)]
    assert {r["department"] for r in run.json("admin", "roles", "--dsn", pgdb)[1:]} >= {"教务部", "人事部"}
    assert "不是空的" in run("admin", "push", str(path), pgdb, code=6).stderr

    # a ledger whose chain does not hold is not pushed: nothing at all lands
    execute(path, "DROP TRIGGER history_append_only_update", "UPDATE history SET note = '改过' WHERE id = 2")
    pg_server.sql("CREATE DATABASE t_tampered")
    other = pg_server.dsn("t_tampered")
    assert "#2 与哈希链不符" in run("admin", "push", str(path), other, code=5).stderr
    assert sql(other, "SELECT to_regclass('history') IS NULL") == [(True,)]
    assert "没有台账" in run("admin", "push", str(path.parent / "nope.db"), other, code=5).stderr


def _gkplan(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gkplan", *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_server_that_stops_and_starts_again_between_two_commands(pgdb, pg_server, run):
    init(run, pgdb)
    env = os.environ | {"GKPLAN_DSN": pgdb}
    pg_server.stop()
    try:
        down = _gkplan("admin", "roles", env=env)
        assert down.returncode == 5 and down.stdout == ""
        assert down.stderr.strip().startswith("错误：无法连接 PostgreSQL 服务器") and "服务器没有运行" in down.stderr
        assert down.stderr.count("\n") == 1 and "Traceback" not in down.stderr
    finally:
        pg_server.start()
    up = _gkplan("admin", "user", "add", "after", "--dept", "教务部", "--format", "json", env=env)
    assert up.returncode == 0, up.stderr
    assert json.loads(_gkplan("admin", "roles", "--format", "json", env=env).stdout)[0]["role"] == "gkplan_office"


def test_the_sqlite_path_never_loads_psycopg_or_pypinyin(tmp_path):
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    probe = ("import sys\nsys.argv = ['gkplan', *sys.argv[1:]]\nfrom gkplan.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('psycopg', 'pypinyin', 'pgserver') if m in sys.modules), file=sys.stderr)\n")  # fmt: skip
    for args in (["list"], ["--help"], ["admin", "--help"], ["admin", "init", "--help"]):
        out = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True, check=True)
        assert "LOADED []" in out.stderr, (args, out.stderr)
