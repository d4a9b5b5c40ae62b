"""Issue 9 §2, the Excel 填报 round trip: `gkplan sheet` hands a department a workbook, `gkplan import`
reads it back. The workbooks are filled with openpyxl as a clerk would fill them in Excel or WPS."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import by, dump
from gkplan.ledger.schema import SCHEMA_VERSION

V6 = Path(__file__).parent / "data" / "ledger_v6.db"  # made by gkplan at schema 6, before history had a source


def _history(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, by, changes, hash FROM history ORDER BY id").fetchall()
    finally:
        conn.close()


def _meta(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()


def test_a_version_6_ledger_migrates_with_its_chain_intact_and_gets_an_identity(run, tmp_path, monkeypatch):
    db = tmp_path / "v6.db"
    shutil.copy(V6, db)
    chain = _history(V6)
    monkeypatch.setenv("GKPLAN_DB", str(db))
    p17 = run.json("show", "17")
    assert (p17["progress"], p17["problem"]) == (60, "经费未落实")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "source" in [r[1] for r in conn.execute("PRAGMA table_info(history)")]
    conn.close()
    assert _history(db) == chain  # every entry keeps the hash it was chained with
    assert all(h["source"] is None for h in run.json("log")) and len(chain) == 8
    identity = _meta(db)["ledger_id"]
    other = tmp_path / "again.db"  # the same version 6 file upgraded again: the same identity (derived, not drawn)
    shutil.copy(V6, other)
    run("--db", str(other), "depts")
    assert _meta(other)["ledger_id"] == identity and len(identity) == 32
    assert run("check").exit_code == 0
    run("update", "21", "--progress", "30", "--next", "下月验收")
    assert run("check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_new_ledger_draws_its_own_identity(run, ledger, tmp_path, monkeypatch):
    first = _meta(ledger)["ledger_id"]
    monkeypatch.setenv("GKPLAN_DB", str(tmp_path / "second.db"))
    run("depts")
    assert _meta(tmp_path / "second.db")["ledger_id"] != first
    assert dump(ledger)  # (the first is untouched)


# -- the round trip ------------------------------------------------------------------------------------

FORM, META = "填报", "_gkplan"


def make(run, folder: Path, dept: str = "教务部", name: str | None = None, *extra: str) -> Path:
    path = folder / (name or f"{dept}-2022-06.xlsx")
    run("sheet", "--dept", dept, "--period", "2022-06", "-o", str(path), *extra)
    return path


def headers(sheet) -> dict[str, str]:
    """Header → column letter."""
    return {c.value: c.column_letter for c in sheet[1] if c.value}


def locate(path: Path) -> dict[str, int]:
    """Item id (17, 17.2) → its row in 填报."""
    from openpyxl import load_workbook

    sheet = load_workbook(path)[FORM]
    return {str(sheet.cell(row=r, column=1).value): r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value}


def fill(path: Path, edits: dict[tuple[str, str], Any], as_text: bool = False) -> None:
    """What a clerk does in Excel: type values into cells (by item id and column header), save."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book[FORM]
    cols, rows = headers(sheet), locate(path)
    for (item, header), value in edits.items():
        cell = sheet[f"{cols[header]}{rows[item]}"]
        cell.value = value
        if as_text and isinstance(value, str):
            cell.data_type = "s"  # typed into a cell formatted as text: '=…' stays text
    book.save(path)


def test_a_department_fills_its_sheet_and_the_office_imports_it(run, ledger, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    made = run.json("sheet", "--dept", "教务", "--period", "2022-06", "-o", str(tmp_path / "教务部-2022-06.xlsx"))
    assert made == [{"department": "教务部", "period": "2022-06", "file": str(tmp_path / "教务部-2022-06.xlsx"),
                     "points": 2, "tasks": 4}]  # fmt: skip
    path = tmp_path / "教务部-2022-06.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["填报说明", FORM, META]
    assert "填写方法" in [c.value for c in book["填报说明"]["A"]] and book[META].sheet_state == "hidden"
    sheet = book[FORM]
    cols = headers(sheet)
    assert list(cols)[:3] == ["编号", "类型", "事项"] and sheet.freeze_panes == "D2"
    assert [sheet.cell(row=r, column=1).value for r in range(2, 8)] == ["7", "7.1", "7.2", "21", "21.1", "38.8"]
    assert sheet.protection.sheet and sheet.column_dimensions[cols["行标识（勿改）"]].hidden
    for header in ("本期进度", "状态", "进展情况", "存在问题", "下一步计划", "办结佐证"):
        assert not sheet[f"{cols[header]}2"].protection.locked, header
    for header in ("编号", "事项", "截止日期", "分管校领导"):
        assert sheet[f"{cols[header]}2"].protection.locked, header
    rules = {(dv.type, dv.formula1, dv.formula2): str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    assert rules[("whole", "0", "100")] == f"{cols['本期进度']}2:{cols['本期进度']}7"
    assert rules[("list", '"未启动,进行中,待销号,已完成,受阻,暂缓"', None)] == f"{cols['状态']}2:{cols['状态']}7"
    meta = dict(book[META].values)
    assert (meta["plan"], meta["department"], meta["period"], meta["format"]) == ("2022", "教务部", "2022-06", "gkplan-sheet/1")
    assert (sheet[f"{cols['本期进度']}2"].value, sheet[f"{cols['状态']}2"].value) == (0, "未启动")

    fill(path, {("7", "本期进度"): 60, ("7", "进展情况"): "完成教学改革方案初稿", ("7", "存在问题"): "经费未落实",
                ("7", "下一步计划"): "报校长办公会", ("7.1", "本期进度"): 100, ("7.1", "办结佐证"): "国开发〔2022〕9号",
                ("38.8", "状态"): "进行中"})  # fmt: skip
    before = dump(ledger)
    preview = run.json("import", str(path))
    assert dump(ledger) == before  # a preview writes nothing
    assert {(c["id"], c["field"], c["old"], c["new"]) for c in preview} == {
        ("7", "progress", 0, 60), ("7", "status", "not_started", "in_progress"), ("7", "note", None, "完成教学改革方案初稿"),
        ("7", "problem", None, "经费未落实"), ("7", "next", None, "报校长办公会"), ("7.1", "progress", 0, 100),
        ("7.1", "status", "not_started", "pending_review"), ("7.1", "evidence", None, "国开发〔2022〕9号"),
        ("38.8", "status", "not_started", "in_progress"),
    }  # fmt: skip
    assert all(set(c) == {"row", "id", "kind", "field", "old", "new", "conflict", "record"} for c in preview)
    assert not any(c["conflict"] or c["record"] for c in preview) and {c["kind"] for c in preview} == {"point", "task"}
    table = run("import", str(path)).stdout
    assert "预览" in table and "--apply" in table and "经费未落实" in table

    applied = run("import", str(path), "--apply")
    assert "已导入" in applied.stdout
    p7 = run.json("show", "7")
    assert (p7["progress"], p7["status"], p7["note"], p7["problem"], p7["next"]) == (60, "in_progress", "完成教学改革方案初稿",
                                                                                     "经费未落实", "报校长办公会")  # fmt: skip
    t71 = next(t for t in p7["task_list"] if t["id"] == "7.1")
    assert (t71["status"], t71["evidence"]) == ("pending_review", "国开发〔2022〕9号")
    log = [h for h in run.json("log") if h["source"]]
    assert len(log) == 3 and {h["by"] for h in log} == {by("教务部")} and {h["source"] for h in log} == {"教务部-2022-06.xlsx"}
    assert {h["effective"] for h in log} == {"2022-06-30"}
    monkeypatch.setenv("COLUMNS", "240")  # wide enough for the 说明 column whole (narrower, it shrinks to fit)
    assert "导入自 教务部-2022-06.xlsx" in run("log").stdout
    assert run("check").exit_code == 0
    again = run("import", str(path))  # the ledger now says what the sheet says: nothing to do, no conflict
    assert "没有需要导入的修改" in again.stdout
    run.json("list", "--status", "待销号")  # (the office's review goes on as ever)
    assert run.json("review", "7.1", "--accept")["by"] == "督查办"


def test_by_names_another_author_and_the_period_decides_the_effective_day(run, ledger, tmp_path, monkeypatch):
    path = tmp_path / "may.xlsx"
    monkeypatch.setenv("GKPLAN_TODAY", "2022-06-03")
    run("sheet", "--dept", "教务部", "--period", "2022-05", "-o", str(path))
    fill(path, {("21", "本期进度"): 30})
    entry = run.json("import", str(path), "--apply", "--by", "张老师")[0]
    assert entry["record"] is not None
    log = run.json("log")[0]
    assert (log["by"], log["effective"], log["source"]) == (by("张老师"), "2022-05-31", "may.xlsx")  # May's report
    assert run.json("missing", "--period", "2022-05", "--dept", "教务部")["departments"][0]["points"] == 1  # 7, not 21


def test_a_row_changed_in_the_ledger_since_is_a_conflict_until_forced(run, ledger, tmp_path):
    path = make(run, tmp_path)
    run("update", "21", "--progress", "20", "--problem", "师资不足")
    fill(path, {("21", "存在问题"): "经费不足", ("7", "本期进度"): 30})
    before = dump(ledger)
    preview = run("import", str(path), code=6)
    assert "冲突" in preview.stdout
    assert "第 5 行 A 列（编号）：第 21 项在制表后已被修改（记录 #1 督查办）" in preview.stderr
    assert "存在问题：台账现为“师资不足”，本表为“经费不足”" in preview.stderr and "本期进度：台账现为 20%，本表未改" in preview.stderr
    rows = run.json("import", str(path), code=6)
    assert [(r["id"], r["conflict"]) for r in rows if r["field"] == "problem"] == [("21", True)]
    assert not any(r["conflict"] for r in rows if r["id"] == "7")
    run("import", str(path), "--apply", code=6)
    assert dump(ledger) == before  # not even the rows without a conflict
    run("import", str(path), "--apply", "--force")
    assert (run.json("show", "21")["problem"], run.json("show", "21")["progress"]) == ("经费不足", 20)
    assert run.json("show", "7")["progress"] == 30


def test_a_change_undone_since_the_sheet_was_made_is_no_conflict(run, ledger, tmp_path):
    path = make(run, tmp_path)
    run("update", "21", "--progress", "20")
    run("undo")
    fill(path, {("21", "本期进度"): 40})
    run("import", str(path), "--apply")
    assert run.json("show", "21")["progress"] == 40


def _copy_row(source: Path, item: str, target: Path, row: int) -> None:
    """A row of another department's sheet pasted over one of this sheet's rows (hidden column and all)."""
    from openpyxl import load_workbook

    theirs = load_workbook(source)[FORM]
    book = load_workbook(target)
    sheet = book[FORM]
    at = locate(source)[item]
    for cell in theirs[at]:
        sheet.cell(row=row, column=cell.column).value = cell.value
    book.save(target)


HOSTILE = {
    "formula": ({("7", "本期进度"): "=50+10"}, "第 2 行 K 列（本期进度）：是公式（=50+10）"),
    "out of range": ({("7", "本期进度"): 150}, "第 2 行 K 列（本期进度）：应为 0–100 的整数，收到 150"),
    "a fraction": ({("7", "本期进度"): 0.6}, "第 2 行 K 列（本期进度）：应为 0–100 的整数，收到 0.6"),
    "text for progress": ({("7", "本期进度"): "六十"}, "第 2 行 K 列（本期进度）：应为 0–100 的整数，收到“六十”"),
    "unknown status": ({("21", "状态"): "差不多了"}, "第 5 行 L 列（状态）：未知状态“差不多了”"),
    "read-only cell": ({("7", "事项"): "改过的标题"}, "第 2 行 C 列（事项）：只读的列不能修改"),
    "read-only due date": ({("21.1", "截止日期"): "2023-12-31"}, "第 6 行 H 列（截止日期）：只读的列不能修改"),
    "办结 without 佐证": ({("7.1", "本期进度"): 100}, "第 3 行 P 列（办结佐证）：报办结（进度 100 或状态“已完成”）须填写办结佐证"),
    "已完成 without 佐证": ({("38.8", "状态"): "已完成"}, "第 7 行 P 列（办结佐证）：报办结"),
    "contradiction": ({("21", "本期进度"): 50, ("21", "状态"): "已完成", ("21", "办结佐证"): "x"}, "第 5 行 L 列（状态）：进度 50% 与状态“待销号”矛盾"),
    "formula in a read-only cell": ({("21", "截止日期"): "=TODAY()"}, "第 5 行 H 列（截止日期）：是公式（=TODAY()）"),
    "a header": ({}, "第 1 行 C 列：表头应为“事项”"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_cell_is_refused_with_its_place_and_nothing_is_applied(run, ledger, tmp_path, case):
    from openpyxl import load_workbook

    path = make(run, tmp_path)
    edits, expected = HOSTILE[case]
    fill(path, {("7", "进展情况"): "这一行本身没有问题", **edits})
    if case == "a header":
        book = load_workbook(path)
        book[FORM]["C1"] = "标题"
        book.save(path)
    before = dump(ledger)
    for args in ((), ("--apply",), ("--apply", "--force")):
        result = run("import", str(path), *args, code=2)
        assert f"工作表“{FORM}”{expected}" in result.stderr, result.stderr
        assert result.stderr.startswith("错误：教务部-2022-06.xlsx：") and "没有导入任何内容" in result.stderr
    assert dump(ledger) == before


def test_every_problem_of_a_file_is_listed_at_once_in_sheet_order(run, ledger, tmp_path):
    path = make(run, tmp_path)
    fill(path, {("21", "本期进度"): 101, ("7", "状态"): "好", ("7.1", "本期进度"): 100, ("7", "事项"): "x",
                ("38.8", "本期进度"): "=1"})  # fmt: skip
    lines = run("import", str(path), "--apply", code=2).stderr.splitlines()
    assert lines[0] == "错误：教务部-2022-06.xlsx：5 处问题，没有导入任何内容"
    assert [line.split("：")[0] for line in lines[1:]] == [
        "工作表“填报”第 2 行 C 列（事项）", "工作表“填报”第 2 行 L 列（状态）", "工作表“填报”第 3 行 P 列（办结佐证）",
        "工作表“填报”第 5 行 K 列（本期进度）", "工作表“填报”第 7 行 K 列（本期进度）",
    ]  # fmt: skip


def test_a_row_of_another_departments_point_is_refused(run, ledger, tmp_path):
    ours, theirs = make(run, tmp_path), make(run, tmp_path, "组织部")
    fill(theirs, {("3", "本期进度"): 90})
    _copy_row(theirs, "3", ours, 4)  # pasted over 7.2
    before = dump(ledger)
    err = run("import", str(ours), "--apply", code=2).stderr
    assert "工作表“填报”第 4 行 A 列（编号）：第 3 项由组织部负责，不是教务部的事项" in err
    assert dump(ledger) == before
    run("import", str(theirs), "--apply")  # 组织部's own sheet is fine
    assert run.json("show", "3")["progress"] == 90


def test_added_rows_and_cleared_cells_are_refused(run, ledger, tmp_path):
    from openpyxl import load_workbook

    run("update", "21", "--problem", "师资不足")
    path = make(run, tmp_path)
    fill(path, {("21", "存在问题"): None})
    book = load_workbook(path)
    book[FORM].append(["99", "要点", "自己加的一行", *[None] * 7, 50])
    book[FORM]["U3"] = "旁边写的字"
    book.save(path)
    err = run("import", str(path), code=2).stderr
    assert "第 5 行 N 列（存在问题）：已有的内容不能清空" in err
    assert "第 8 行 S 列（行标识（勿改））：这一行不是生成的填报行（没有行标识）；请不要增加行" in err
    assert "第 3 行 U 列：这一列不属于填报表" in err


@pytest.mark.parametrize("tampered", [('"lock":[]', '"lock":[["progress"]]'), ('"id":"7"', '"id":"07"'), ('"id":"7"', '"id":" 7"')])
def test_a_tampered_row_identity_is_one_line_and_no_duplicate_gets_past(run, ledger, tmp_path, tampered):
    """A list among the locked fields was a traceback; "07" read as point 7 passed the duplicate-row check."""
    from openpyxl import load_workbook

    path = make(run, tmp_path)
    book = load_workbook(path)
    rows = locate(path)
    cell = book[FORM][f"S{rows['7']}"]
    assert tampered[0] in cell.value
    cell.value = cell.value.replace(*tampered)
    book.save(path)
    before = dump(ledger)
    err = run("import", str(path), "--apply", code=2).stderr
    assert f"第 {rows['7']} 行 S 列（行标识（勿改））：行标识被改动；请重新生成填报表" in err and "Traceback" not in err
    assert dump(ledger) == before


def test_untouched_rows_of_an_item_a_reload_gave_another_department_do_not_block_the_rest(run, ledger, tmp_path):
    """A reload moved point 21 from 教务部 to 科研部 after the sheet went out: its untouched rows refused the whole
    file (as a deleted item's untouched row never did); a row someone filled in still is refused."""
    from conftest import REPO

    path = make(run, tmp_path)
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    old = "      - {leader: 李松, departments: [教务部]}\n    deliverables:\n      - 学科发展五年规划"
    assert old in seed
    (tmp_path / "moved.yaml").write_text(seed.replace(old, old.replace("教务部", "科研部")), encoding="utf-8")
    run("load", str(tmp_path / "moved.yaml"))
    fill(path, {("7", "本期进度"): 60})
    run("import", str(path), "--apply")
    assert run.json("show", "7")["progress"] == 60
    fill(path, {("21", "本期进度"): 30})
    before = dump(ledger)
    assert "第 21 项由科研部负责，不是教务部的事项" in run("import", str(path), "--apply", code=2).stderr
    assert dump(ledger) == before


def test_a_sheet_from_another_plan_or_ledger_is_refused(run, ledger, tmp_path, monkeypatch):
    from test_history import seed_2023

    old = make(run, tmp_path, name="2022.xlsx")
    fill(old, {("21", "本期进度"): 30})
    run("load", str(seed_2023(tmp_path)))  # 2023 is now the plan in use
    before = dump(ledger)
    err = run("import", str(old), "--apply", code=2).stderr
    assert "工作表“_gkplan”第 2 行 B 列：这份填报表属于计划“2022”，台账使用的是计划“2023”；请用 gkplan --plan 2022 import" in err
    assert dump(ledger) == before
    run("--plan", "2022", "import", str(old), "--apply")
    assert run.json("--plan", "2022", "show", "21")["progress"] == 30

    monkeypatch.setenv("GKPLAN_DB", str(tmp_path / "another.db"))
    run("depts")
    fill(old, {("21", "本期进度"): 40})
    err = run("import", str(old), "--apply", code=2).stderr
    assert "工作表“_gkplan”第 4 行 B 列：这份填报表由另一个台账生成" in err


def test_a_point_that_follows_its_tasks_has_its_progress_locked(run, ledger, tmp_path):
    from openpyxl import load_workbook

    run("task", "complete", "7")
    path = make(run, tmp_path)
    sheet = load_workbook(path)[FORM]
    assert sheet["K2"].protection.locked and not sheet["K3"].protection.locked
    assert "进度按任务汇总" in sheet["Q2"].value
    fill(path, {("7", "本期进度"): 50})
    assert "第 2 行 K 列（本期进度）：这一项的进度由任务汇总" in run("import", str(path), code=2).stderr
    fill(path, {("7", "本期进度"): 0, ("7.1", "本期进度"): 50, ("7.2", "本期进度"): 30, ("7", "状态"): "已完成"})
    assert "第 2 行 L 列（状态）：这一项的进度由任务汇总，不能直接填写进度或报办结" in run("import", str(path), code=2).stderr
    fill(path, {("7", "状态"): "未启动"})
    run("import", str(path), "--apply")
    assert run.json("show", "7")["progress"] == 40  # (50 + 30) / 2, from its tasks


def test_reopening_a_closed_item_needs_a_reason_in_the_progress_note(run, ledger, tmp_path):
    run("task", "update", "7.1", "--progress", "100", "--evidence", "文件已印发")
    run("review", "7.1", "--accept")
    path = make(run, tmp_path)
    fill(path, {("7.1", "状态"): "进行中", ("7.1", "本期进度"): 80})
    assert "第 3 行 M 列（进展情况）：已报办结或已销号的事项重新打开，须在“进展情况”中写明原因" in run("import", str(path), code=2).stderr
    fill(path, {("7.1", "进展情况"): "教育部要求修订"})
    run("import", str(path), "--apply")
    assert run.json("task", "list", "--point", "7")[0]["status"] == "in_progress"


def test_all_writes_one_workbook_per_department_into_a_folder(run, ledger, tmp_path):
    from openpyxl import load_workbook

    folder = tmp_path / "2022-06"
    made = run.json("sheet", "--all", "--period", "2022-06", "-o", str(folder))
    expected = {d for p in run.json("list") for d in p["departments"]} | {d for t in run.json("task", "list") for d in t["departments"]}
    assert {m["department"] for m in made} == expected and len(made) == len(expected) == 31
    assert sorted(f.name for f in folder.iterdir()) == sorted(f"{d}-2022-06.xlsx" for d in expected)
    for m in made[:3]:
        book = load_workbook(m["file"])
        assert dict(book[META].values)["department"] == m["department"]
        assert book[FORM].max_row == 1 + m["points"] + m["tasks"]
    assert sum(m["points"] for m in made) == sum(len(p["departments"]) for p in run.json("list"))
    err = run("sheet", "--all", "--period", "2022-06", "-o", str(folder), code=6).stderr
    assert "已存在；要覆盖请加 --force" in err
    run("sheet", "--all", "--period", "2022-06", "-o", str(folder), "--force")
    fill(folder / "教务部-2022-06.xlsx", {("21", "本期进度"): 10})
    run("import", str(folder / "教务部-2022-06.xlsx"), "--apply")
    assert run.json("show", "21")["progress"] == 10


def test_sheet_and_import_refuse_what_they_cannot_do(run, ledger, tmp_path):
    assert "二者选一" in run("sheet", code=2).stderr
    assert "二者选一" in run("sheet", "--all", "--dept", "教务部", code=2).stderr
    assert "没有名为“不存在部”的部门" in run("sheet", "--dept", "不存在部", code=3).stderr
    error = run("sheet", "--dept", "教务部", "--period", "2022-09", code=2).stderr
    assert "尚未开始；这一期开始后再生成它的填报表" in error and "--as-of" not in error  # (sheet has no --as-of)
    for name in ("教务部.xls", "教务部", "教务部.csv"):  # Excel warned of the file, and import took it for damaged
        error = run("sheet", "--dept", "教务部", "--period", "2022-06", "-o", str(tmp_path / name), code=2).stderr
        assert "-o 的文件名应以 .xlsx 结尾" in error and not (tmp_path / name).exists()
    path = make(run, tmp_path)
    assert "已存在；要覆盖请加 --force" in run("sheet", "--dept", "教务部", "--period", "2022-06", "-o", str(path), code=6).stderr
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_text("not a workbook", encoding="utf-8")
    err = run("import", str(bogus), code=2).stderr
    assert err.count("\n") == 1 and "不是 .xlsx 工作簿" in err
    assert "没有这个文件" in run("import", str(tmp_path / "missing.xlsx"), code=2).stderr
    from openpyxl import Workbook

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    assert "工作表“_gkplan”：没有这张工作表" in run("import", str(other), code=2).stderr


def test_openpyxl_stays_off_the_start_up_path(tmp_path):
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    subprocess.run([sys.executable, "-m", "gkplan", "depts"], env=env, capture_output=True, check=True)
    for argv in (["gkplan", "list"], ["gkplan", "--help"], ["gkplan", "import", "--help"]):
        probe = (f"import sys\nsys.argv = {argv!r}\nfrom gkplan.cli import main\n"
                 "try:\n    main()\nexcept SystemExit:\n    pass\nprint('OPENPYXL', 'openpyxl' in sys.modules, file=sys.stderr)\n")  # fmt: skip
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        assert "OPENPYXL False" in out.stderr, argv


# -- free text, generated ---------------------------------------------------------------------------

_XML_ILLEGAL = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32)]))  # no spreadsheet file can hold these
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_XML_ILLEGAL), max_size=30)
printable = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=30)
starts = st.sampled_from(["", "=", "+", "-", "@", "=HYPERLINK(\"http://x\")", " ", "\t", "'"])


def _as_typed(text: str) -> str:
    from gkplan.values import INVISIBLE

    return text.replace("\r\n", "\n").replace("\r", "\n").strip().translate(INVISIBLE).strip()


def _valid(text: str) -> bool:
    from gkplan.actions import clean_note
    from gkplan.errors import InvalidValue

    try:
        clean_note(text)
        return True
    except InvalidValue:
        return False


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(stored=st.tuples(starts, printable).map(lambda t: "".join(t).strip()).filter(_valid),
       typed=st.tuples(starts, texts).map("".join))  # fmt: skip
def test_free_text_round_trips_and_never_becomes_a_formula(run, ledger, tmp_path, stored, typed):
    from openpyxl import load_workbook

    update = run("update", "21", f"--problem={stored}", code=None)
    assert update.exit_code == 0 or "没有变化" in update.stderr, update.stderr
    note = run.json("show", "21")["note"]
    path = tmp_path / f"{abs(hash((stored, typed)))}.xlsx"
    run("sheet", "--dept", "教务部", "--period", "2022-06", "-o", str(path), "--force")
    sheet = load_workbook(path)[FORM]
    cell = sheet["N5"]  # 21's 存在问题, as the ledger has it
    assert (cell.value, cell.data_type) == (stored, "s")
    assert sheet["N5"].number_format == "@" and sheet["M5"].number_format == "@"
    fill(path, {("21", "进展情况"): typed}, as_text=True)
    before = dump(ledger)
    result = run("import", str(path), "--apply", code=None)
    wanted = _as_typed(typed)
    if wanted == (note or ""):
        event("unchanged")
        assert result.exit_code == 0 and "没有需要导入的修改" in result.stdout
    elif not wanted:
        event("cleared")
        assert result.exit_code == 2 and "第 5 行 M 列（进展情况）：已有的内容不能清空" in result.stderr
    elif not _valid(wanted):
        event("refused")
        assert result.exit_code == 2 and "第 5 行 M 列（进展情况）：内容 含有控制字符" in result.stderr
    else:
        event("imported")
        assert result.exit_code == 0, result.stderr
        shown = run.json("show", "21")
        assert (shown["note"], shown["problem"]) == (wanted, stored)
        assert json.loads(run("log", "-n", "1", "--format", "json").stdout)[0]["source"] == path.name
        return
    assert dump(ledger) == before


def test_a_change_the_domain_refuses_is_named_at_its_row_and_nothing_lands(run, ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-06-03")
    path = tmp_path / "may.xlsx"
    run("sheet", "--dept", "教务部", "--period", "2022-05", "-o", str(path))
    run("update", "21", "--progress", "10", "--date", "2022-06-02")  # June's report, after the sheet was made
    fill(path, {("21", "本期进度"): 30, ("7", "本期进度"): 20})
    before = dump(ledger)
    err = run("import", str(path), "--apply", "--force", code=6).stderr  # May's report cannot come after June's
    assert "第 5 行 K 列（本期进度）：第 21 项在 2022-06-02 已有进度或状态的记录 #1" in err
    assert dump(ledger) == before  # not 7's either


def test_the_readme_excel_section_runs_as_written(run, ledger, tmp_path, monkeypatch):
    import shlex

    from conftest import REPO

    section = (REPO / "README.md").read_text(encoding="utf-8").split("### Excel 填报", 1)[1].split("\n### ", 1)[0]
    commands = [line.split("  #")[0] for line in section.split("```sh", 1)[1].split("```", 1)[0].splitlines()
                if line.startswith("gkplan ")]  # fmt: skip
    assert [c.split()[1] for c in commands] == ["sheet", "sheet", "import", "import", "import", "log", "missing"]
    monkeypatch.chdir(tmp_path)
    for command in commands:
        if command.split()[1] == "import" and "--apply" in command:
            fill(tmp_path / "教务部-2022-06.xlsx", {("21", "本期进度"): 25})
        run(*shlex.split(command)[1:])
    assert run.json("log")[0]["source"] == "教务部-2022-06.xlsx"
