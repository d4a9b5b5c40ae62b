"""Text pasted from a web page, a chat or a word processor carries characters nobody sees (zero width space U+200B,
word joiner U+2060, byte order mark U+FEFF): they are dropped from what a user writes, at the command line and in a
填报表, where they used to refuse the whole report as 含有控制字符. Bidirectional controls stay refused."""

from __future__ import annotations

import pytest

from test_sheet import fill


@pytest.mark.parametrize("args, field", [
    (("update", "17", "--note", "\ufeff方案\u200b起草中\u2060"), "note"),
    (("update", "17", "--problem", "经费\u200b未落实"), "problem"),
])  # fmt: skip
def test_invisible_characters_are_dropped_from_a_report(run, ledger, args, field):
    run(*args)
    assert run.json("show", "17")[field] in ("方案起草中", "经费未落实")


def test_a_task_named_with_an_invisible_character_is_named_without_it(run, ledger):
    run("task", "add", "17", "编制\u200b章程", "--owner", "\ufeff王五")
    task = run.json("task", "list", "--point", "17")[-1]
    assert (task["title"], task["owner"]) == ("编制章程", "王五")


def test_bidirectional_controls_are_still_refused(run, ledger):
    assert "含有控制字符" in run("update", "17", "--note", "方案\u202e起草", code=2).stderr


def test_a_sheet_with_invisible_characters_imports_without_them(run, ledger, tmp_path):
    path = tmp_path / "教务部.xlsx"
    run("sheet", "--dept", "教务部", "--period", "2022-06", "-o", str(path))
    fill(path, {("7", "进展情况"): "完成\u200b初稿\ufeff", ("7", "存在问题"): "\u200b"})  # (the second: nothing typed)
    assert run("import", str(path), "--apply").exit_code == 0
    shown = run.json("show", "7")
    assert (shown["note"], shown["problem"]) == ("完成初稿", None)


def test_a_sheet_made_before_they_were_dropped_still_imports_when_a_seed_title_has_one(run, tmp_path, monkeypatch):
    """A seed's words may hold them, and a sheet made before this change printed its read-only cells over the text with
    them: read back, those cells seemed changed (只读的列不能修改), and the clerk's whole sheet was refused."""
    import hashlib
    import json

    from openpyxl import load_workbook

    from conftest import REPO
    from gkplan.sheet import COLUMNS, FORM, KEY_COLUMN

    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    (tmp_path / "zw.yaml").write_text(seed.replace("title: 促进学历教育创优提质", "title: 促进学历教育\u200b创优提质", 1),
                                      encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("GKPLAN_DB", str(tmp_path / "zw.db"))
    run("load", str(tmp_path / "zw.yaml"))
    path = tmp_path / "教务部.xlsx"
    run("sheet", "--dept", "教务部", "--period", "2022-06", "-o", str(path))
    book = load_workbook(path)
    form = book[FORM]
    for row in range(2, form.max_row + 1):  # each read-only cell's print as gkplan before this change made it
        cell = form.cell(row=row, column=KEY_COLUMN)
        if cell.value is None:
            continue
        identity = json.loads(cell.value)
        for i, column in enumerate(COLUMNS):
            value = form.cell(row=row, column=i + 1).value
            if not column.editable and isinstance(value, str) and "\u200b" in value:
                identity["h"][i] = hashlib.sha256(value.strip().encode("utf-8")).hexdigest()[:12]
        cell.value = json.dumps(identity, ensure_ascii=False, separators=(",", ":"))
    book.save(path)
    assert "促进学历教育\u200b创优提质" in [c.value for c in form["C"]]
    fill(path, {("7", "进展情况"): "完成初稿"})
    assert run("import", str(path), "--apply").exit_code == 0
    assert run.json("show", "7")["note"] == "完成初稿"
