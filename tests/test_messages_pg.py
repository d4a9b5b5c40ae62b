"""Messages on the shared ledger that name what happened: an undone answer to a 延期 request names the request;
an import by a department names its author as the record does."""

from __future__ import annotations

import pytest
from test_pg_ledger import gk, shared  # noqa: F401 - the fixture


@pytest.mark.parametrize(("answer", "said"), [("--reject-extension", "不批准"), ("--accept-extension", "批准")])
def test_undoing_the_answer_to_an_extension_request_names_the_request(run, shared, answer, said):  # noqa: F811
    _, login = shared
    jwb = login("教务部")
    assert gk(jwb, "update", "7", "--due", "2023-06-30", "--reason", "再延").returncode == 0
    request = run.json("show", "7")["extension_request"]["record"]
    answered = run.json("review", "7", answer)["id"]
    out = run("undo").stdout
    assert out.startswith(f"已撤销记录 #{answered}（第 7 项）：") and f"撤销对延期申请 #{request} 的{said}\n" in out, out
    assert "#rejected" not in out and "#accepted" not in out
    log = run("log", "7").stdout
    assert "#rejected" not in log and "#accepted" not in log


def test_an_import_names_its_author_as_the_record_does(run, ledger, tmp_path):
    from test_sheet import fill

    path = tmp_path / "教务部-2022-06.xlsx"
    run("sheet", "--dept", "教务部", "--period", "2022-06", "-o", str(path))
    fill(path, {("7", "本期进度"): 60})
    preview = run("import", str(path)).stdout
    applied = run("import", str(path), "--apply").stdout
    recorded = run.json("log")[0]["by"]  # on a server: the login with the department after it
    assert f"记录人 {recorded}，" in applied and f"记录人 {recorded}，" in preview, (applied, recorded)
