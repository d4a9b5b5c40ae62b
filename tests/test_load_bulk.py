"""A first load into a new ledger (ledger/new.py, ledger/load.py): journalled in memory and written once, owner
lines worked out once per distinct line, JSON points decoded inline. The ledger it leaves is the same: WAL,
every row's summary keys matching its owners (check --full), every JSON problem at its line."""

from __future__ import annotations

import json
import sqlite3

OWNERS = [
    [{"leader": "甲", "departments": ["办公室"]}],
    [{"leader": "乙", "departments": ["教务部", "办公室"]}],
    [{"leader": "甲", "departments": ["教务部"]}, {"leader": "丙", "departments": ["办公室"], "scope": "宣传"}],
    [{"note": "校领导按分工牵头推进", "departments": ["财务部"]}],
]


def _seed(tmp_path, n: int = 40, broken: dict[int, str] | None = None):
    points = [json.dumps({"number": i, "section": 1, "title": f"要点{i}", "text": f"要点{i}。",
                          "leads": OWNERS[i % len(OWNERS)]}, ensure_ascii=False) for i in range(1, n + 1)]  # fmt: skip
    for i, text in (broken or {}).items():
        points[i - 1] = text
    path = tmp_path / "seed.json"
    path.write_text('{"plan": {"title": "测试", "issued": "2023-01-01", "year": 2023},\n'
                    ' "sections": [{"number": 1, "title": "甲"}],\n "points": [\n' + ",\n".join(points) + "\n]}\n",
                    encoding="utf-8")  # fmt: skip
    return path  # point i is on line 3 + i


def test_a_new_ledgers_first_load_keeps_each_points_owners_and_the_file_whole(run, isolated, tmp_path):
    assert run.json("load", str(_seed(tmp_path)))["added"] == 40
    for i in (1, 2, 3, 4, 5, 39):
        shown = run.json("show", str(i))
        assert [(lead["leader"], lead["departments"]) for lead in shown["leads"]] == [
            (o.get("leader"), o["departments"]) for o in OWNERS[i % len(OWNERS)]]  # fmt: skip
    assert {r["name"]: r["count"] for r in run.json("depts")} == {"办公室": 30, "教务部": 20, "财务部": 10}
    assert {r["name"]: r["count"] for r in run.json("leaders")} == {"甲": 20, "乙": 10, "丙": 10}
    assert all(r["ok"] for r in run.json("check", "--full"))  # department_key / leader_key against the leads
    conn = sqlite3.connect(isolated)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert not list(tmp_path.glob(".ledger.db.*"))  # the temporary file is gone


def test_json_problems_keep_their_lines_after_the_inline_decoding(run, isolated, tmp_path):
    broken = {7: '{"number": 7, "section": 1, "title": "", "text": "x。", "leads": [{"leader": "甲"}]}',
              12: '{"number": 12, "number": 13, "section": 1, "title": "t", "text": "x。", "leads": [{"leader": "甲"}]}'}
    path = _seed(tmp_path, broken=broken)
    r = run("load", str(path), code=4)
    assert f"{path}:10:" in r.stderr and "要点 7 的字段 title：不能为空" in r.stderr
    assert f"{path}:15:" in r.stderr and "重复的键 'number'" in r.stderr
    assert not isolated.exists()
    last = _seed(tmp_path, broken={40: '{"number": 40, "section": 1, "title": "t", "text": "x。", "leads": [{"leader": "甲"}],}'})
    r = run("load", str(last), code=4)
    assert f"{last}:43:" in r.stderr and "JSON 语法错误" in r.stderr
