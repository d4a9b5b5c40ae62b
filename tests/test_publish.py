"""The published progress page (issue 9 §3, point 36): a curated read-only database with Datasette metadata,
and the page Datasette serves from it — fetched for real over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import dump

NAMES = ("张三", "李四", "王五")  # the recorder, a task's owner, the reviewer: none may be published
TABLES = {"工作要点", "任务", "逾期事项", "各部门汇总", "量化指标", "要点部门", "公开说明"}


@pytest.fixture
def scenario(run, ledger: Path) -> Path:
    """A dated ledger (today is 2022-06-30): progress and notes by 张三, an overdue point, a red task owned
    by 李四, a target's actual, a point accepted by 王五."""
    run("update", "17", "--progress", "30", "--note", "建设方案已报教育部", "--by", "张三", "--date", "2022-05-10")
    run("update", "22", "--due", "2022-05-20", "--by", "张三", "--date", "2022-05-01")
    run("task", "add", "17", "老年教育平台上线", "--due", "2022-06-01", "--owner", "李四", "--by", "张三", "--date", "2022-05-10")
    run("target", "set", "7", "总招生数", "--actual", "158万", "--as-of", "2022-06-20", "--by", "张三", "--date", "2022-06-20")
    run("update", "18", "--progress", "100", "--evidence", "国开发〔2022〕9号", "--by", "张三", "--date", "2022-06-10")
    run("review", "18", "--accept", "--override", "经核实已办结", "--by", "王五", "--date", "2022-06-12")
    return ledger


def _tables(path: Path) -> dict[str, list[dict]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: [dict(r) for r in conn.execute(f'SELECT * FROM "{n}"')] for n in names}
    finally:
        conn.close()


def test_publish_writes_a_chinese_database_without_names_and_its_metadata(run, scenario, tmp_path):
    target = tmp_path / "进展公开.db"
    out = run("publish", "-o", str(target))
    assert "已生成" in out.stderr and "2022-06-30" in out.stderr
    tables = _tables(target)
    assert set(tables) == TABLES
    overdue = run.json("report", "--overdue")
    assert [r["编号"] for r in tables["逾期事项"]] == [str(r["id"]) for r in overdue]
    assert {"22", "17.3"} <= {r["编号"] for r in tables["逾期事项"]}
    points = {r["编号"]: r for r in tables["工作要点"]}
    assert len(points) == 39
    assert points[17]["进度"] == 30 and points[17]["进展情况"] == "建设方案已报教育部"
    assert points[18]["状态"] == "已完成" and points[18]["办结佐证"] == "国开发〔2022〕9号"
    assert points[17]["牵头校领导"] == "荆德刚"  # leaders are named in the public document itself
    assert {r["指标"]: r["实际值"] for r in tables["量化指标"]}["总招生数"] == 1580000
    assert "责任人" not in {c for rows in tables.values() for r in rows[:1] for c in r}
    assert {r["牵头部门"] for r in tables["各部门汇总"]} >= {"教务部", "改革发展部"}
    for name in NAMES:  # nowhere in the file's bytes, freed pages included
        assert name.encode() not in target.read_bytes(), name
    meta_path = tmp_path / "进展公开.metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["title"] == "国家开放大学 2022 年工作要点 · 进展公开"
    assert "2022-06-30" in meta["description"]
    assert meta["allow_sql"] is False
    db = meta["databases"]["进展公开"]
    assert db["allow_sql"] is False
    assert db["tables"]["逾期事项"]["title"] == "逾期事项" and db["tables"]["工作要点"]["facets"]
    assert ":部门" in db["queries"]["按部门查看"]["sql"]
    assert not any(name in meta_path.read_text(encoding="utf-8") for name in NAMES)


def test_publish_as_of_a_day_is_the_same_file_whenever_it_is_made(run, scenario, tmp_path):
    first, second, today = (tmp_path / d / "进展公开.db" for d in ("a", "b", "c"))
    for path in (first, second, today):
        path.parent.mkdir()
    run("publish", "-o", str(first), "--as-of", "2022-05-31")
    run("update", "17", "--progress", "50", "--note", "平台已上线测试", "--by", "张三")  # after that day
    run("publish", "-o", str(second), "--as-of", "2022-05-31")
    run("publish", "-o", str(today))
    assert first.read_bytes() == second.read_bytes()
    assert first.with_suffix(".metadata.json").read_bytes() == second.with_suffix(".metadata.json").read_bytes()
    assert {r["编号"]: r["进度"] for r in _tables(first)["工作要点"]}[17] == 30
    assert {r["编号"]: r["进度"] for r in _tables(today)["工作要点"]}[17] == 50
    assert [r["编号"] for r in _tables(first)["逾期事项"]] == [
        str(r["id"]) for r in run.json("report", "--overdue", "--as-of", "2022-05-31")
    ]


@pytest.mark.sqlite_only
def test_publish_never_overwrites_without_force_nor_ever_the_ledger(run, scenario, tmp_path):
    target = tmp_path / "进展公开.db"
    run("publish", "-o", str(target), "--as-of", "2022-05-31")
    before = target.read_bytes()
    out = run("publish", "-o", str(target), code=6)
    assert "已存在" in out.stderr and "--force" in out.stderr
    assert target.read_bytes() == before
    run("publish", "-o", str(target), "--force")
    assert target.read_bytes() != before
    # the metadata alone in the way stops the database too: both are checked before either is written
    lone = tmp_path / "另一份.metadata.json"
    lone.write_text("{}", encoding="utf-8")
    run("publish", "-o", str(tmp_path / "另一份.db"), code=6)
    assert not (tmp_path / "另一份.db").exists() and lone.read_text(encoding="utf-8") == "{}"
    ledger_before = dump(scenario)
    out = run("publish", "-o", str(scenario), "--force", code=5)
    assert "台账" in out.stderr and dump(scenario) == ledger_before


def test_publish_needs_a_file_or_serve_and_a_valid_port(run, scenario):
    assert "-o" in run("publish", code=2).stderr
    assert "--port" in run("publish", "--serve", "--port", "八千", code=2).stderr
    assert "--port" in run("publish", "--serve", "--port", "70000", code=2).stderr


def test_serve_without_datasette_says_how_to_install_it(run, scenario, monkeypatch):
    monkeypatch.setattr("gkplan.serve.find_spec", lambda name: None)
    out = run("publish", "--serve", code=9)
    assert out.stderr.strip() == "错误：没有安装 Datasette，无法公开进展页面；请先运行 pip install 'gkplan[publish]'"


def test_serve_refuses_a_port_in_use(run, scenario):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        out = run("publish", "--serve", "--port", str(busy.getsockname()[1]), code=2)
    assert "已被占用" in out.stderr


# -- the page, served for real ---------------------------------------------------------------------


def _tilde(name: str) -> str:
    """Datasette's URL form of a name: bytes outside [A-Za-z0-9_-] as ~XX (what its own links use)."""
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "".join(chr(b) if b in safe else f"~{b:02X}" for b in name.encode())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _serve(args: list[str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "gkplan", "publish", *args, "--serve", "--port", str(port)],
                            env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"publish --serve exited {proc.returncode}: {proc.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                if _get(f"http://127.0.0.1:{port}/-/versions.json")[0] == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the page did not come up within 60 s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # gkplan alone: it must stop its Datasette itself
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def test_the_served_page_is_chinese_read_only_and_names_nobody(run, scenario, tmp_path):
    target, port = tmp_path / "进展公开.db", _free_port()
    base, db = f"http://127.0.0.1:{port}", _tilde("进展公开")
    proc = _serve(["-o", str(target)], port)
    try:
        status, home = _get(base + "/")
        assert status == 200 and "国家开放大学 2022 年工作要点 · 进展公开" in home and "数据截至 2022-06-30" in home
        status, page = _get(f"{base}/{db}")
        assert status == 200 and "按部门查看" in page and "逾期事项" in page and "工作要点" in page
        assert ".db" not in page and "Download" not in page  # no link to the file
        status, body = _get(f"{base}/{db}/{_tilde('逾期事项')}.json?_shape=array")
        assert status == 200
        assert [r["编号"] for r in json.loads(body)] == [str(r["id"]) for r in run.json("report", "--overdue")]
        status, page = _get(f"{base}/{db}/{_tilde('逾期事项')}")
        assert status == 200 and "<h1" in page and "逾期事项" in page.split("<h1", 1)[1].split("</h1>", 1)[0]
        query = f"{base}/{db}/{_tilde('按部门查看')}.json?"
        status, body = _get(query + urlencode({"部门": "教务", "_shape": "array"}))  # part of a name, as on the CLI
        assert status == 200 and {r["编号"] for r in json.loads(body)} == set(run.ids("--dept", "教务部"))
        status, body = _get(query + urlencode({"部门": "", "_shape": "array"}))  # left empty: every department
        assert status == 200 and {r["编号"] for r in json.loads(body)} == set(range(1, 40))
        for path in ("工作要点", "任务", "量化指标", "各部门汇总"):
            status, body = _get(f"{base}/{db}/{_tilde(path)}.json?_shape=array")
            assert status == 200 and body.startswith("[") and not any(n in body for n in ("张三", "李四", "王五"))
        # no download, no SQL of one's own (the canned query above still runs), only the published file
        assert _get(f"{base}/{db}.db")[0] == 403
        assert _get(f"{base}/{db}?sql=select+1")[0] == 403
        assert _get(f"{base}/{db}.json?sql=select+1")[0] == 403
        assert _get(f"{base}/{db}/{_tilde('工作要点')}.json?_where=1%3D1")[0] == 403
        status, body = _get(f"{base}/-/databases.json")
        assert [d["name"] for d in json.loads(body)] == ["进展公开"]
        settings = json.loads(_get(f"{base}/-/settings.json")[1])
        assert settings["allow_download"] is False and settings["default_allow_sql"] is False
    finally:
        _stop(proc)
    assert proc.returncode == 0
    with pytest.raises(OSError):  # Datasette went with gkplan
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert target.exists() and target.with_suffix(".metadata.json").exists()  # -o: the files stay


def test_serve_alone_publishes_into_a_folder_that_goes_with_it(scenario, tmp_path):
    port = _free_port()
    proc = _serve([], port)
    try:
        status, body = _get(f"http://127.0.0.1:{port}/-/databases.json")
        served = Path(json.loads(body)[0]["path"])
        assert served.name == "进展公开.db" and served.exists() and served.resolve() != scenario.resolve()
    finally:
        _stop(proc)
    assert proc.returncode == 0 and not served.parent.exists()


def test_publish_refuses_a_day_in_the_future_or_before_the_plan(run, scenario, tmp_path):
    # the page says 数据截至 that day: a day to come would publish a projection (everything overdue) as fact
    target = tmp_path / "进展公开.db"
    err = run("publish", "-o", str(target), "--as-of", "2022-07-01", code=2).stderr
    assert err == "错误：--as-of 2022-07-01 在今天（2022-06-30）之后；公开的只能是已经发生的进展\n"
    err = run("publish", "-o", str(target), "--as-of", "2021-12-31", code=2).stderr
    assert err == "错误：--as-of 2021-12-31 早于计划的开始日期 2022-03-31，没有可公开的进展\n"
    assert not target.exists() and not publisher_meta(target).exists()
    run("publish", "-o", str(target), "--as-of", "2022-03-31")  # the plan's first day and today are fine
    run("publish", "-o", str(target), "--as-of", "2022-06-30", "--force")


def publisher_meta(target: Path) -> Path:
    return target.with_name(target.stem + ".metadata.json")
