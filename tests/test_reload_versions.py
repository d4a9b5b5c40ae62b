"""A reload that rewords the seed leaves every earlier day as it stood (schema 9): a point's title, text, section,
owners, start and due date, a task's department, a target's bounds (and a target it adds), a section's title,
are read on a past day as they were then, in every report and under every filter that names them."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import psycopg
import pytest

from conftest import REPO, execute
from test_pg_ledger import gk, shared  # noqa: F401 - a fixture, used by name

V8 = Path(__file__).parent / "data" / "ledger_v8.db"  # gkplan at schema 8: loaded 04-01, 17 reported 06-10, reloaded 07-01

LEAD = "    title: 全力推进国家老年大学筹建\n    leads:\n      - {leader: 荆德刚, departments: [国家老年大学筹建领导小组]}"
BOUND = "unit: 门, min: 1000000,"
SECTION = "{number: 4, title: 积极筹建国家老年大学}"
TASK = "      - 国家老年大学建设方案\n"
OLD_DEPT = "国家老年大学筹建领导小组"


def reworded(tmp_path: Path, name: str = "new.yaml", title: str = "全力推进国家老年大学建设", dept: str = "老年大学",
             leader: str = "刘臣", low: str = "800000", section: str = "建设国家老年大学") -> Path:  # fmt: skip
    """The bundled plan with point 17 reworded: title, owners, start; its bound lowered, a target added; section 4
    retitled; 17's first document given to a department of its own."""
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    for old, new in (
        (LEAD, f"    title: {title}\n    start: 2022-08-01\n    leads:\n      - {{leader: {leader}, departments: [{dept}]}}"),
        (BOUND, f"unit: 门, min: {low},"), (SECTION, f"{{number: 4, title: {section}}}"),
        (TASK, "      - {title: 国家老年大学建设方案, department: 终身教育研究院}\n"),
        ("启动20个专业的学历圆梦项目}", "启动20个专业的学历圆梦项目}\n      - {metric: 新增指标, unit: 个, min: 5, max: null}"),
    ):  # fmt: skip
        assert old in seed, old
        seed = seed.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(seed, encoding="utf-8")
    return path


READS = [
    ["list"], ["list", "--dept", OLD_DEPT], ["list", "--dept", "老年大学"], ["list", "--leader", "荆德刚"],
    ["list", "--dept", "老年大学", "--role", "lead"], ["list", "--search", "筹建"], ["list", "--section", "积极筹建"],
    ["show", "17"], ["show", "18"],
    ["task", "list", "--dept", OLD_DEPT], ["task", "list", "--dept", "终身教育研究院"], ["task", "list", "--leader", "荆德刚"],
    ["target", "list"], ["target", "list", "--dept", OLD_DEPT], ["report", "--overview"], ["report", "--by", "section"],
    ["report", "--by", "dept"], ["report", "--by", "leader"], ["report", "--overdue"], ["stale"],
]  # fmt: skip


def _read(run, day: str | None = None, reads=READS) -> dict[str, str]:  # noqa: ANN001
    extra = ("--as-of", day) if day else ()
    return {" ".join(args): run(*args, *extra, "--format", "json").stdout for args in reads}


def test_a_past_day_reads_the_words_the_seed_had_before_a_reload(run, ledger, tmp_path, monkeypatch):
    run("update", "17", "--progress", "20", "--note", "方案起草", "--date", "2022-06-10")
    run("task", "update", "17.1", "--progress", "30", "--date", "2022-06-12")
    then = _read(run)  # what the office saw on 2022-06-30
    compared = run("diff", "2022-06-01", "2022-06-30", "--format", "json").stdout
    assert "全力推进国家老年大学筹建" in compared
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-01")
    loaded = run.json("load", str(reworded(tmp_path)))
    assert (loaded["changed"], loaded["targets_added"], loaded["targets_changed"]) == (1, 1, 1)
    monkeypatch.setenv("GKPLAN_TODAY", "2022-10-01")
    run("update", "17", "--progress", "60")
    assert _read(run, "2022-06-30") == then
    assert run("diff", "2022-06-01", "2022-06-30", "--format", "json").stdout == compared
    # a table searches the day's words too: it read a column the day's brief rows lack (exit 5; on main too)
    table = run("list", "--search", "筹建", "--as-of", "2022-06-30").stdout
    assert "全力推进国家老年大学筹建" in table and "国家老年大学建设" not in table
    assert run.ids("--section", "建设国家", "--as-of", "2022-06-30") == [17, 18]  # today's title finds section 4 too
    # today, and the reload's own day: the new words
    now = run.json("show", "17")
    assert (now["title"], now["departments"], now["leaders"], now["start"]) == (
        "全力推进国家老年大学建设", ["老年大学"], ["刘臣"], "2022-08-01")  # fmt: skip
    assert run.json("show", "17", "--as-of", "2022-09-01")["title"] == "全力推进国家老年大学建设"
    assert run.ids("--dept", OLD_DEPT, "--as-of", "2022-09-01") == []
    assert 17 in run.ids("--dept", "老年大学", "--as-of", "2022-09-01")
    assert 17 not in run.ids("--dept", "老年大学", "--as-of", "2022-08-31")
    bounds = {t["metric"]: t["target_min"] for t in run.json("target", "list", "--point", "17", "--as-of", "2022-08-31")}
    assert bounds == {"汇聚整合老年教育课程资源": 1000000}
    assert "新增指标" in {t["metric"] for t in run.json("target", "list", "--as-of", "2022-09-01")}
    sections = {g["group"] for g in run.json("report", "--by", "section", "--as-of", "2022-08-31")}
    assert "积极筹建国家老年大学" in sections and "建设国家老年大学" not in sections
    assert run("check", "--full").exit_code == 0


def test_each_reload_leaves_the_days_between_it_and_the_next_as_they_stood(run, ledger, tmp_path, monkeypatch):
    """Two rewordings, the second on the day of the first and again later: a day reads the words it had."""
    reads = [["show", "17"], ["list", "--dept", "老年大学"], ["list", "--dept", "信息化部"], ["target", "list", "--point", "17"],
             ["report", "--by", "section"], ["task", "list", "--point", "17"]]  # fmt: skip
    seen = {"2022-06-30": _read(run, None, reads)}
    monkeypatch.setenv("GKPLAN_TODAY", "2022-08-01")
    run("load", str(reworded(tmp_path, "a.yaml", title="甲", low="900000")))
    run("load", str(reworded(tmp_path, "b.yaml", title="乙", low="800000", section="乙部分")))  # the same day
    seen["2022-08-01"] = _read(run, None, reads)
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-15")
    run("load", str(reworded(tmp_path, "c.yaml", title="丙", dept="信息化部", leader="王五", low="700000", section="丙部分")))
    seen["2022-09-15"] = _read(run, None, reads)
    monkeypatch.setenv("GKPLAN_TODAY", "2022-11-01")
    for day, printed in seen.items():
        assert _read(run, day, reads) == printed, day
    assert [run.json("show", "17", "--as-of", d)["title"] for d in ("2022-07-31", "2022-08-01", "2022-09-14", "2022-09-15")] == [
        "全力推进国家老年大学筹建", "乙", "乙", "丙"]  # fmt: skip


def test_a_department_only_an_earlier_seed_named_is_known_for_the_days_it_led(run, ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-01")
    run("load", str(reworded(tmp_path, dept="新设部门")))
    run("load", str(reworded(tmp_path, "again.yaml", dept="老年大学")))  # nobody names 新设部门 any more
    seed = reworded(tmp_path, "other.yaml", dept="改革发展部")
    seed.write_text(seed.read_text(encoding="utf-8").replace(OLD_DEPT, "老年教育部"), encoding="utf-8")
    run("load", str(seed))  # nor the department that led 17 until today
    assert run.ids("--dept", OLD_DEPT, "--as-of", "2022-06-30") == [17]  # not "没有这个部门"
    assert run.ids("--dept", OLD_DEPT) == []


@pytest.mark.sqlite_only
def test_a_version_8_ledger_is_upgraded_and_keeps_the_words_of_reloads_from_then_on(run, tmp_path, monkeypatch):
    db = tmp_path / "v8.db"
    shutil.copy(V8, db)
    monkeypatch.setenv("GKPLAN_DB", str(db))
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-15")
    before = run.json("show", "17", "--as-of", "2022-06-30")  # upgraded in memory: the file is only read
    assert before["title"] == "全力推进国家老年大学建设"  # a reload at schema 8 kept no words: its day's read the latest
    assert before["progress"] == 20 and before["note"] == "方案起草"
    run("update", "18", "--progress", "10")  # a write upgrades the file
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 9
    assert run("check", "--full").exit_code == 0
    run("load", str(reworded(tmp_path, title="新名称")))  # from now on a reload keeps them
    assert run.json("show", "17", "--as-of", "2022-07-14")["title"] == "全力推进国家老年大学建设"
    assert run.json("show", "17")["title"] == "新名称"


def test_a_version_8_server_ledger_is_upgraded_by_an_administrators_command(run, pgdb, tmp_path, monkeypatch):
    assert run("admin", "init", pgdb).exit_code == 0
    to_version_8(pgdb)
    monkeypatch.setenv("GKPLAN_DB", pgdb)
    assert "结构版本为 8" in run("show", "17", code=5).stderr
    assert run.json("admin", "roles", "--dsn", pgdb)[0]["role"] == "gkplan_office"  # upgrades, then lists
    assert run("check").exit_code == 0
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-01")
    run("load", str(reworded(tmp_path)))
    assert run.json("show", "17", "--as-of", "2022-08-31")["title"] == "全力推进国家老年大学筹建"
    assert [t["target_min"] for t in run.json("target", "list", "--point", "17", "--as-of", "2022-08-31")] == [1000000]


def to_version_8(dsn: str) -> None:
    """A server ledger as gkplan at schema 8 left it: without the seed's versions."""
    with psycopg.connect(dsn) as conn:
        for table in ("point_seeds", "task_seeds", "target_seeds", "section_seeds"):
            conn.execute(f"DROP TABLE {table}")
        for table in ("points", "tasks", "targets", "sections"):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN reseeded")
        conn.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")


def test_the_words_kept_are_what_the_reload_replaced_and_nothing_when_it_changed_none(run, ledger, tmp_path, monkeypatch):
    """A reload of the same seed keeps nothing; one that only moves a due date the user had moved keeps no words."""
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-01")
    before = run("log").stdout
    run("load")
    assert run("log").stdout == before
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-02")
    run("load", str(reworded(tmp_path)))
    entries = [e for e in run.json("log") if e["action"] == "load"]
    assert {(e["entity"], e["point"]) for e in entries} == {("point", 17), ("task", 17), ("target", 17), ("target", 18)}
    assert json.loads(run("show", "17", "--as-of", "2022-09-01", "--format", "json").stdout)["title"] == "全力推进国家老年大学筹建"


def test_a_department_login_reads_the_days_before_a_reload_as_they_stood(run, shared, tmp_path):  # noqa: F811
    """A department's role reads the kept words too (its grants cover every table gkplan makes)."""
    _, login = shared
    run("load", str(reworded(tmp_path)))  # today, 2022-06-30: the day before reads the old words
    shown = gk(login("老年大学"), "show", "17", "--as-of", "2022-06-29", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["departments"] == [OLD_DEPT]


@pytest.mark.parametrize("tamper, named", [
    ("DELETE FROM point_seeds", "第 17 项（2022）"),  # 17 says a reload replaced its words; none are kept
    ("UPDATE points SET reseeded = NULL WHERE id = 17", "第 17 项（2022）"),  # a past day would read today's words
    ("UPDATE target_seeds SET hid = 1 WHERE point = 18", "第 18 项指标 新增指标（2022）"),  # not that reload's entry
    ("UPDATE sections SET reseeded = '2022-01-01' WHERE id = 4", "第 4 部分（2022）"),
])  # fmt: skip
def test_check_full_names_kept_words_that_no_reload_of_the_item_replaced(run, ledger, tmp_path, tamper, named):
    run("load", str(reworded(tmp_path)))
    assert run("check", "--full").exit_code == 0
    execute(ledger, tamper)
    rows = {r["check"]: r for r in run.json("check", "--full", code=7)}
    assert not rows["种子版本"]["ok"] and named in rows["种子版本"]["detail"], rows["种子版本"]
    assert [name for name, r in rows.items() if not r["ok"]] == ["种子版本"]


def test_a_diff_over_a_reload_names_the_words_it_changed(run, ledger, tmp_path, monkeypatch):
    """对账 between two days names what a reload reworded, as `log` does: it named only a target's bounds."""
    monkeypatch.setenv("GKPLAN_TODAY", "2022-09-01")
    run("load", str(reworded(tmp_path)))
    rows = {r["id"]: r["changes"] for r in run.json("diff", "2022-08-01", "2022-09-01")}
    assert rows["17"] == {"title": ["全力推进国家老年大学筹建", "全力推进国家老年大学建设"], "start": [None, "2022-08-01"],
                          "leads": ["…", "…"]}  # fmt: skip
    assert rows["17.1"] == {"dept": [None, "终身教育研究院"]}
    text = run("diff", "2022-08-01", "2022-09-01", "--wide").stdout
    assert "标题 全力推进国家老年大学筹建 → 全力推进国家老年大学建设；开始日期 计划开始日期 → 2022-08-01；牵头信息已改" in text
    assert run.json("diff", "2022-09-01", "2022-09-30") == []  # the days after it: nothing changed


def test_a_diff_reads_the_words_of_its_two_days_whatever_order_the_reloads_came_in(run, ledger, tmp_path, monkeypatch):
    """`diff` folded the reloads' entries in the order of their days: a reload dated before an earlier one (a clock
    set back) gave the wrong 'before' and lost a bound; one undone by the next still read 牵头信息已改."""
    a, b = reworded(tmp_path, "a.yaml"), reworded(tmp_path, "b.yaml", title="全力推进国家老年大学工作", low="700000")
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-10")
    run("load", str(a))
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-05")  # dated before the reload above, made after it
    run("load", str(b))
    monkeypatch.setenv("GKPLAN_TODAY", "2022-08-01")
    titles = {d: run.json("show", "17", "--as-of", d)["title"] for d in ("2022-07-01", "2022-07-07", "2022-07-20")}
    for start, end in (("2022-07-01", "2022-07-20"), ("2022-07-01", "2022-07-07"), ("2022-07-07", "2022-07-20")):
        rows = {r["id"]: r["changes"] for r in run.json("diff", start, end)}
        wanted = [titles[start], titles[end]]
        assert rows.get("17", {}).get("title", wanted) == wanted, (start, end)
        assert ("title" in rows.get("17", {})) == (wanted[0] != wanted[1]), (start, end)
    assert run.json("diff", "2022-07-01", "2022-07-20")
    bound = {r["id"]: r["changes"] for r in run.json("diff", "2022-07-01", "2022-07-20")}["17:汇聚整合老年教育课程资源"]
    assert bound == {"target_min": [1000000, 700000]}
    monkeypatch.setenv("GKPLAN_TODAY", "2022-08-10")
    run("load")  # back to the bundled plan: nothing differs between 07-01 and 08-10 but the words came and went
    assert "17" not in {r["id"] for r in run.json("diff", "2022-07-01", "2022-08-10")}


def test_a_point_a_reload_added_is_one_new_row_in_a_diff_however_often_it_was_reworded(run, ledger, tmp_path, monkeypatch):
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    point = "\n  - {{number: 40, section: 10, title: {t}, text: 新要点。, leads: [{{leader: 荆德刚, departments: [{d}]}}]}}\n"
    for name, title, dept in (("p1.yaml", "新加要点甲", "教务部"), ("p2.yaml", "新加要点乙", "财务部")):
        (tmp_path / name).write_text(seed.rstrip("\n") + point.format(t=title, d=dept), encoding="utf-8")
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-10")
    run("load", str(tmp_path / "p1.yaml"))
    run("update", "40", "--progress", "10", "--note", "启动")
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-20")
    run("load", str(tmp_path / "p2.yaml"))
    rows = [r for r in run.json("diff", "2022-07-01", "2022-08-01") if r["id"] == "40"]
    assert [(r["changes"], r["notes"], r["title"]) for r in rows] == [
        ({"present": [False, True], "progress": [0, 10], "status": ["not_started", "in_progress"],
          "reported": [None, "2022-07-10"]}, ["启动"], "新加要点乙")]  # fmt: skip
    assert "新增要点；进度 0% → 10%" in run("diff", "2022-07-01", "2022-08-01", "--wide").stdout


def test_a_section_is_found_by_part_of_a_title_it_has_or_had(run, ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-08-01")
    run("load", str(reworded(tmp_path)))
    assert run.ids("--section", "国家老年大学") == [17, 18]  # today's title and the replaced one both hold it: today's
    assert run.ids("--section", "积极筹建") == [17, 18]  # only the replaced one
    assert "可指多个部分" in run("list", "--section", "建设", code=3).stderr  # (today's titles: 建设 is in two)
