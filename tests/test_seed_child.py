"""A seed over 1 MiB read by a second process (seed_child.py): the same ledger as when it is read here, and
the second process never outlives what it serves — a load that fails, is interrupted, or is killed; a reader
that dies stops the load and changes nothing. Linux only: the processes are found through /proc."""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, dump, read_by
from gkplan.seed_child import available

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="进程经 /proc 查找"),
    pytest.mark.skipif(not available(), reason="一个核：没有第二个进程读种子"),
]

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")  # when the load ran: differs between two loads


def readers(pid: int) -> list[int]:
    """The seed readers `pid` has started and not yet reaped."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            try:
                if b"gkplan.seed_child" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(int(child))
            except FileNotFoundError:
                pass
    return found


def gone(pid: int) -> bool:
    """Ended: not there, or a zombie no one has reaped yet (an orphan's reaper may not be a real init)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_for(what, seconds: float = 20):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + seconds
    while not (found := what()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
    return found


def big_seed(tmp_path: Path, points: int = 60_000, *, document: str = "测试文件") -> Path:
    """A generated 2023 plan of `points` points (over 1 MiB from 9,000; 60,000 take over a second to read)."""
    lines = [f"plan: {{title: 测试, document: {document}, issued: 2023-01-01, year: 2023}}", "sections:", "  - {number: 1, title: 甲}", "points:"]
    lines += [f"  - {{number: {n}, section: 1, title: 要点{n}, text: 要点{n}的内容。, due: 2023-12-01,"
              f" leads: [{{leader: 甲, departments: [办公室]}}]}}" for n in range(1, points + 1)]  # fmt: skip
    path = tmp_path / f"big-{points}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 1 << 20 or points < 9_000
    return path


def gkplan(*args: str, cwd: Path | None = None, **kw) -> subprocess.Popen:  # noqa: ANN003
    return subprocess.Popen([sys.executable, "-P", "-m", "gkplan", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)  # fmt: skip


def _normal(db: Path) -> list[str]:
    """The ledger's content but what tells one file from another (meta: its path and id) and the load's time."""
    return [STAMP.sub("…", line) for line in dump(db) if not line.startswith('INSERT INTO "meta"')]


@pytest.mark.parametrize("seed", ["workpoints_2022.yaml", "workpoints_2022.json"])
def test_a_seed_read_by_a_second_process_loads_the_very_ledger_read_here_does(run, isolated, tmp_path, monkeypatch, seed):
    """The bundled plan: targets, deliverables, checkpoints, co-departments, leaders' notes."""
    ledgers = {}
    for how in ("streamed", "child"):
        db = tmp_path / f"{how}.db"
        monkeypatch.setenv("GKPLAN_DB", str(db))
        with monkeypatch.context() as m:
            read_by(how, m)
            result = run.json("load", str(REPO / "data" / seed))
        assert result["added"] == 39 and result["tasks_added"] > 0 and result["targets_added"] > 0
        ledgers[how] = _normal(db)
    assert len(ledgers["child"]) > 200 and ledgers["child"] == ledgers["streamed"]


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_a_reload_by_a_second_process_names_the_points_no_longer_in_the_seed(run, isolated, tmp_path, monkeypatch, kind):
    """(YAML's points are checked here, JSON's by the reader, which sends their numbers)"""
    read_by("child", monkeypatch)

    def seed(numbers: list[int]) -> Path:
        if kind == "yaml":
            text = big_seed(tmp_path, 3_000).read_text(encoding="utf-8").splitlines()
            kept = [line for line in text if not line.startswith("  - {number: ") or int(line[13:].split(",")[0]) in numbers]
            path = tmp_path / "seed.yaml"
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        else:
            path = tmp_path / "seed.json"
            path.write_text(JSON_HEAD + ",\n".join(JSON_POINT % (n, n, n) for n in numbers) + "\n]}\n", encoding="utf-8")
        return path

    everything = list(range(1, 3_001))
    assert run.json("load", str(seed(everything)))["added"] == 3_000
    result = run.json("load", str(seed([n for n in everything if n not in (7, 1234)])))
    assert (result["unchanged"], result["not_in_seed"]) == (2_998, [7, 1234])


def test_a_load_that_fails_before_its_points_leaves_no_reader_behind(run, isolated, tmp_path, monkeypatch):
    """A 2023 plan already in the ledger from another document: refused before a point is read."""
    read_by("child", monkeypatch)
    run("load", str(big_seed(tmp_path, 3_000)))
    other = big_seed(tmp_path, 5_000, document="另一份文件")
    assert "这是另一份计划" in run("load", str(other), code=6).stderr
    assert readers(os.getpid()) == []


def test_a_source_dropped_unread_has_its_reader_reaped(tmp_path):
    from gkplan.seed import open_seed

    source = open_seed(big_seed(tmp_path, 10_000))
    proc = source._proc
    assert readers(os.getpid()) == [proc.pid]
    del source
    gc.collect()
    assert proc.returncode is not None and readers(os.getpid()) == []


def test_on_one_core_the_seed_is_read_here(tmp_path):
    from gkplan.seed import open_seed

    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, sorted(cores)[:1])
    try:
        source = open_seed(big_seed(tmp_path, 10_000))
    finally:
        os.sched_setaffinity(0, cores)
    assert type(source).__name__ == "YamlStreamSource" and sum(1 for _ in source.points()) == 10_000


def test_a_reader_killed_mid_seed_stops_the_load_and_changes_nothing(run, isolated, tmp_path):
    run("load")
    before = dump(isolated)
    proc = gkplan("load", str(big_seed(tmp_path)))
    child = wait_for(lambda: readers(proc.pid))[0]
    os.kill(child, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 4
    assert err.decode() == f"错误：{tmp_path / 'big-60000.yaml'}: 读取种子文件的子进程意外退出（被信号 9 终止）\n"
    assert dump(isolated) == before


def test_a_killed_load_takes_its_reader_with_it(isolated, tmp_path):
    proc = gkplan("load", str(big_seed(tmp_path)))
    child = wait_for(lambda: readers(proc.pid))[0]
    time.sleep(0.2)  # (mid-seed)
    proc.kill()
    proc.communicate()
    wait_for(lambda: gone(child))


@pytest.mark.parametrize("after", [0, 0.2], ids=["starting", "reading"])
def test_ctrl_c_during_a_load_cancels_it_quietly_and_ends_the_reader(run, isolated, tmp_path, monkeypatch, after):
    """Ctrl-C reaches the terminal's foreground group: gkplan rolls back and says so; the reader, whether still
    starting (or gkplan waiting for the seed's head) or mid-seed, says nothing and leaves nothing unreaped."""
    run("load")
    before = dump(isolated)
    monkeypatch.setenv("PYTHONDEVMODE", "1")  # (a child left running would be a ResourceWarning)
    proc = gkplan("load", str(big_seed(tmp_path)), start_new_session=True)
    child = wait_for(lambda: readers(proc.pid))[0]
    time.sleep(after)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.decode()) == (130, "已取消，未做任何修改\n")
    wait_for(lambda: gone(child))
    assert dump(isolated) == before


@pytest.mark.parametrize("closed", ["<&-", ">&-"])
def test_a_seed_is_read_whatever_number_its_descriptor_gets(isolated, tmp_path, closed):
    """With gkplan's stdin or stdout closed, the seed is opened as descriptor 0 or 1."""
    path = big_seed(tmp_path, 12_000)
    shell = subprocess.run(["sh", "-c", f'exec "$0" -P -m gkplan load "$1" {closed}', sys.executable, str(path)],
                           capture_output=True)  # fmt: skip
    assert "Traceback" not in shell.stderr.decode() and shell.returncode == (0 if closed == "<&-" else 8), shell
    count = subprocess.run([sys.executable, "-m", "gkplan", "--plan", "2023", "list", "--format", "json"], capture_output=True)
    assert len(json.loads(count.stdout)) == 12_000


def test_the_reader_imports_nothing_from_the_working_directory(isolated, tmp_path):
    """A yaml.py or gkplan/ beside the seed (a shared folder) is not what the reader runs."""
    marker = tmp_path / "ran"
    (tmp_path / "yaml.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(99)\n")
    (tmp_path / "gkplan").mkdir()
    (tmp_path / "gkplan" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(99)\n")
    proc = gkplan("load", str(big_seed(tmp_path, 20_000)), "--format", "json", cwd=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert json.loads(out)["added"] == 20_000 and not marker.exists()


def test_a_frame_cut_short_is_the_reader_dying_not_a_traceback(tmp_path):
    """Killed in the middle of a frame, the reader leaves half a pickle in the pipe."""
    from gkplan.errors import SeedError
    from gkplan.seed_child import ChildSource

    head = {"plan": {"title": "测试", "issued": "2023-01-01", "year": 2023}, "sections": [{"number": 1, "title": "甲"}]}
    script = (f"import pickle, sys; out = sys.stdout.buffer; pickle.dump(('head', {head!r}), out);"
              "frame = pickle.dumps(('items', ['要点'] * 1000)); out.write(frame[: len(frame) // 2]); out.flush(); sys.exit(7)")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    files = [open(os.devnull, "rb")]  # noqa: SIM115 - (the seed as gkplan holds it: closed by the source)
    source = ChildSource(tmp_path / "seed.yaml", proc, files, "yaml")
    assert source.ok and source.plan.year == 2023
    with pytest.raises(SeedError) as caught:
        list(source.points())
    assert caught.value.lines() == [f"{tmp_path / 'seed.yaml'}: 读取种子文件的子进程意外退出（退出码 7）"]
    assert proc.returncode == 7 and proc.stdout.closed and files[0].closed


def test_an_isolated_gkplan_has_an_isolated_reader(isolated, tmp_path, monkeypatch):
    """`python -I` ignores PYTHONPATH and the user's site: so does the reader it starts."""
    marker, hostile = tmp_path / "ran", tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "sitecustomize.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.setenv("PYTHONPATH", str(hostile))
    path = big_seed(tmp_path, 12_000)
    done = subprocess.run([sys.executable, "-I", "-m", "gkplan", "load", str(path), "--format", "json"], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["added"] == 12_000 and not marker.exists()


JSON_HEAD = '{"plan": {"title": "测试", "issued": "2023-01-01", "year": 2023}, "sections": [{"number": 1, "title": "甲"}], "points": [\n'
JSON_POINT = '{"number": %d, "section": 1, "title": "要点%d", "text": "要点%d。", "leads": [{"leader": "甲"}]}'


@pytest.mark.parametrize("bad", [
    '{"number": 9001, "section": 7, "title": "x", "text": "x", "leads": [{"leader": "甲"}]}',
    '{"number": 9001, "section": 1, "title": "x", "text": "x", "leads": [{"leader": "甲"}], "start": "2023-09-01", "due": "2023-06-30"}',
    '{"number": 9001, "section": 1, "title": "x", "text": "x", "leads": [{"leader": "甲"}],'
    ' "checkpoints": [{"date": "2022-06-30", "progress": 50}]}',
    '{"number": 5, "section": 1, "title": "x", "text": "x", "leads": [{"leader": "甲"}]}',
    '{"number": 9001, "section": 1, "title": "", "text": "x", "leads": []}',
])  # fmt: skip
def test_a_json_seed_s_problems_are_the_same_read_by_either_process(run, ledger, tmp_path, monkeypatch, bad):
    """The checks that need the plan's dates, its sections or the points before: where JSON is checked by the reader."""
    path = tmp_path / "bad.json"
    points = [JSON_POINT % (n, n, n) for n in range(1, 9001)]
    points.insert(6000, bad)
    path.write_text(JSON_HEAD + ",\n".join(points) + "\n]}\n", encoding="utf-8")
    before, said = dump(ledger), {}
    for how in ("whole", "child"):
        with monkeypatch.context() as m:
            read_by(how, m)
            said[how] = run("load", str(path), code=4).stderr
    assert said["child"] == said["whole"] and f"{path}:6002:" in said["child"]
    assert dump(ledger) == before


def test_a_seed_read_again_after_a_head_problem_is_closed_when_its_points_are_read(tmp_path):
    from gkplan.seed import open_seed

    path = big_seed(tmp_path, 10_000)
    path.write_text(path.read_text(encoding="utf-8").replace("plan: {title: 测试,", "plan: {title: 测试, extra: 1,", 1), encoding="utf-8")
    source = open_seed(path)
    assert type(source).__name__ == "ChildSource" and not source.ok
    assert sum(1 for _ in source.points()) == 10_000 and source._files and all(f.closed for f in source._files)
    assert [p.message for p in source._problems] == ["字段 extra：未知字段（拼写错误？）"]


def test_a_small_yaml_seed_is_never_read_by_the_child(tmp_path, monkeypatch):
    """Where a YAML seed would be read whole here, it is read whole here: the child streams what it reads."""
    from gkplan.seed import open_seed

    monkeypatch.setattr("gkplan.seed.CHILD_SEED_ABOVE", -1)
    assert type(open_seed(big_seed(tmp_path, 50))).__name__ == "YamlSource"


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_the_reader_says_nothing_of_its_own_when_the_head_has_a_problem(tmp_path, kind):
    """The reader run to its end on its own (gkplan would stop it sooner): under PYTHONDEVMODE a seed it left
    unclosed would be a ResourceWarning on the user's terminal."""
    import pickle

    path = tmp_path / f"seed.{kind}"
    if kind == "json":
        points = ",\n".join(JSON_POINT % (n, n, n) for n in range(1, 9001))
        path.write_text(JSON_HEAD.replace('"sections"', '"extra": 1, "sections"') + points + "\n]}\n", encoding="utf-8")
    else:  # (YAML's head is checked by gkplan: a problem the reader sees is the reader's own, a tag)
        text = big_seed(tmp_path, 10_000).read_text(encoding="utf-8")
        path.write_text(text.replace("plan: {title: 测试,", "plan: {title: !!str 测试,", 1), encoding="utf-8")
    with path.open("rb") as seed:
        done = subprocess.run([sys.executable, "-X", "dev", "-c", "from gkplan.seed_child import child; import sys;"
                               f" child({kind!r}, sys.argv[1])", str(path)], stdin=seed, capture_output=True)  # fmt: skip
    assert (done.returncode, done.stderr) == (0, b"")
    assert pickle.loads(done.stdout) == ("problem", [])
