"""Any past report reissued exactly (`--as-of`): what a command printed on a day is what it prints for that day
later, whatever was recorded since (entries for later days only: a back-dated entry changes the past on purpose)."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, dump
from test_history import seed_2023

READS = [["list"], ["task", "list"], ["target", "list"], ["report", "--overview"], ["report", "--overdue"], ["show", "17"],
         ["show", "22"], ["stale"], ["remind"]]  # fmt: skip


def _seen(run, reads=READS) -> dict[str, str]:  # noqa: ANN001
    return {" ".join(args): run(*args, "--format", "json").stdout for args in reads}


def _reissued(run, day: str, reads=READS) -> dict[str, str]:  # noqa: ANN001
    return {" ".join(args): run(*args, "--as-of", day, "--format", "json").stdout for args in reads}


def test_a_points_late_task_date_before_its_first_change_is_the_seeds(run, ledger, monkeypatch):
    """A point's earliest unfinished task date (`late`, which turns its light) on a day before its first change
    is what its seed gave it, not none: a task added later used to wipe it from every earlier day."""
    then = _seen(run)
    assert next(r for r in json.loads(then["list"]) if r["id"] == 17)["late"] == "2022-12-31"
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-10")
    run("task", "add", "17", "中期方案", "--due", "2022-09-30")
    run("task", "rm", "27.1")
    assert run.json("show", "17")["late"] == "2022-09-30"
    assert _reissued(run, "2022-06-30") == then


def test_a_removed_co_department_stays_removed_on_the_days_after(run, tmp_path, monkeypatch):
    """A state's own empty value is that day's value: 协办 taken off a point whose seed named it came back on
    every day after the removal and before its next change (and the point was listed under that department)."""
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    lead = "      - {leader: 荆德刚, departments: [国家老年大学筹建领导小组]}\n"
    (tmp_path / "co.yaml").write_text(seed.replace(lead, lead + "    co_departments: [财务部]\n", 1), encoding="utf-8")
    monkeypatch.setenv("GKPLAN_TODAY", "2022-04-01")
    run("load", str(tmp_path / "co.yaml"))
    monkeypatch.setenv("GKPLAN_TODAY", "2022-05-01")
    run("update", "17", "--co-dept=-财务部")
    then = _seen(run, [["show", "17"], ["list", "--dept", "财务部"], ["report", "--by", "dept"]])
    assert json.loads(then["show 17"])["co"] == [] and 17 not in [r["id"] for r in json.loads(then["list --dept 财务部"])]
    monkeypatch.setenv("GKPLAN_TODAY", "2022-06-01")
    run("update", "17", "--progress", "10")
    assert _reissued(run, "2022-05-01", [["show", "17"], ["list", "--dept", "财务部"], ["report", "--by", "dept"]]) == then


def test_an_entry_is_shown_undone_only_from_the_day_its_undo_takes_effect(run, ledger, monkeypatch, tmp_path):
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-01")
    run("update", "22", "--due", "2022-08-31")
    first = run.json("log", "22")[0]["id"]
    then = _seen(run, [["show", "22"]])
    run("export", "-f", "json", "-o", str(tmp_path / "then.json"))
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-15")
    run("update", "22", "--due", "2022-10-31", "--reason", "上级要求调整")
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-20")
    run("undo", str(first), "--force")  # takes effect on the later change's day, 07-15
    assert [h["undone_by"] for h in run.json("show", "22")["history"] if h["id"] == first] != [None]
    assert _reissued(run, "2022-07-01", [["show", "22"]]) == then
    run("export", "-f", "json", "-o", str(tmp_path / "now.json"), "--as-of", "2022-07-01")
    old, new = (json.loads((tmp_path / name).read_text(encoding="utf-8")) for name in ("then.json", "now.json"))
    assert new["history"] == old["history"] and [h["undone_by"] for h in new["history"]] == [None]


def test_a_past_day_reads_the_plans_of_that_day(run, ledger, monkeypatch, tmp_path):
    """As of a day before the next year's plan was issued, the plans are those issued by then, and a command
    told no plan works on the one that was the default that day."""
    then = _seen(run, [["plans"], ["report"], ["report", "--overdue"], ["list"]])
    monkeypatch.setenv("GKPLAN_TODAY", "2023-04-05")
    run("load", str(seed_2023(tmp_path)))
    assert [(p["plan"], p["current"]) for p in run.json("plans")] == [("2022", False), ("2023", True)]
    assert _reissued(run, "2022-06-30", [["plans"], ["report"], ["report", "--overdue"], ["list"]]) == then
    assert {r["plan"] for r in run.json("--plan", "2023", "list", "--as-of", "2022-06-30")} == {"2023"}  # told: that plan
    assert [p["plan"] for p in run.json("plans", "--as-of", "2023-04-01")] == ["2022", "2023"]  # issued 03-31


# what a supervision office records on a day, none of it for an earlier day
_STEPS = st.one_of(
    st.tuples(st.just("update"), st.sampled_from(["17", "18", "22", "27", "3"]), st.just("--progress"),
              st.integers(0, 100).map(str)),
    st.tuples(st.just("update"), st.sampled_from(["18", "22"]), st.just("--note"), st.just("进展")),
    st.tuples(st.just("task"), st.just("add"), st.sampled_from(["17", "22", "27"]), st.just("新任务"), st.just("--due"),
              st.sampled_from(["2022-06-30", "2022-09-30", "2022-11-30"])),
    st.tuples(st.just("task"), st.just("rm"), st.sampled_from(["17.1", "27.1", "22.1"])),
    st.tuples(st.just("task"), st.just("update"), st.sampled_from(["17.1", "22.1"]), st.just("--progress"),
              st.integers(0, 100).map(str)),
    st.tuples(st.just("update"), st.sampled_from(["3", "22"]), st.just("--due"), st.just("2023-03-31"), st.just("--reason"),
              st.just("上级要求调整")),
    st.tuples(st.just("update"), st.sampled_from(["17", "18"]), st.sampled_from(["--co-dept=财务部", "--co-dept=-财务部"])),
    st.tuples(st.just("target"), st.just("set"), st.just("7"), st.just("招生"), st.just("--actual"),
              st.sampled_from(["120万", "158万"])),
    st.tuples(st.just("review"), st.sampled_from(["3", "17"]), st.just("--accept")),
)
_counter = itertools.count()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 75), st.lists(_STEPS, min_size=1, max_size=3)), min_size=1, max_size=4))
def test_every_days_reports_are_reissued_exactly_after_later_entries(run, tmp_path, monkeypatch, days):
    monkeypatch.setenv("GKPLAN_DB", str(tmp_path / f"reissue-{next(_counter)}.db"))
    day = date(2022, 4, 1)
    monkeypatch.setenv("GKPLAN_TODAY", day.isoformat())
    run("depts")
    seen: dict[str, dict[str, str]] = {day.isoformat(): _seen(run)}
    for gap, steps in days:
        day += timedelta(days=gap)
        monkeypatch.setenv("GKPLAN_TODAY", day.isoformat())
        for args in steps:
            run(*args, code=None)  # one a rule refuses (a due date out of range, nothing to accept) leaves the ledger as it was
        seen[day.isoformat()] = _seen(run)
    monkeypatch.setenv("GKPLAN_TODAY", (day + timedelta(days=30)).isoformat())
    for then, printed in seen.items():
        assert _reissued(run, then) == printed, then


def test_a_reload_records_each_target_it_adds_or_changes_and_says_what_in_chinese(run, ledger, tmp_path):
    """A reload's target changes were written over with no entry: `log` could not say who lowered a bound, or when."""
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    old = "min: 1000000, max: null, due: 2022-12-31, source: 年底前汇聚整合全国优质老年教育课程资源 100 万门以上}"
    lead = "      - {leader: 荆德刚, departments: [国家老年大学筹建领导小组]}\n"
    seed = seed.replace(old, old.replace("1000000", "800000").replace("100 万", "80 万") + "\n      - {metric: 新指标, unit: 个, min: 3, max: 5}")
    (tmp_path / "new.yaml").write_text(seed.replace(lead, lead + "    start: 2022-05-01\n", 1), encoding="utf-8")
    loaded = run.json("load", str(tmp_path / "new.yaml"))
    assert (loaded["targets_added"], loaded["targets_changed"]) == (1, 1)
    entries = {(e["entity"], e["ref"]): e for e in run.json("log", "17")}
    assert all(e["action"] == "load" for e in entries.values())
    assert entries[("target", "汇聚整合老年教育课程资源")]["changes"] == {"target_min": [1000000, 800000], "source": ["…", "…"]}
    assert entries[("target", "新指标")]["changes"]["target"][1]["target_max"] == 5
    text = run("log", "17").stdout
    assert "目标下限 100万 → 80万；指标出处已改" in text and "新增指标" in text and "开始日期 计划开始日期 → 2022-05-01" in text
    assert "载入种子" in run("undo", str(entries[("target", "新指标")]["id"]), code=6).stderr
    assert run("check", "--full").exit_code == 0
    # 对账 over those days names them too (it compared the day's states only, and a bound is the seed's)
    rows = {r["id"]: r["changes"] for r in run.json("diff", "2022-06-01", "2022-06-30")}
    assert rows["17:新指标"] == {"present": [False, True]}
    assert rows["17:汇聚整合老年教育课程资源"] == {"target_min": [1000000, 800000], "source": ["…", "…"]}
    text = run("diff", "2022-06-01", "2022-06-30").stdout
    assert "新增指标" in text and "目标下限 100万 → 80万" in text and "指标出处已改" in text and "不存在 → 存在" not in text


def test_a_diff_of_two_past_days_reads_the_plan_of_those_days(run, ledger, monkeypatch, tmp_path):
    monkeypatch.setenv("GKPLAN_TODAY", "2023-04-05")
    run("load", str(seed_2023(tmp_path)))
    run("--plan", "2022", "update", "5", "--progress", "40", "--date", "2022-09-01")
    rows = run.json("diff", "2022-06-30", "2022-12-31")
    assert [(r["plan"], r["id"], r["changes"]["progress"]) for r in rows] == [("2022", "5", [0, 40])]


def test_nothing_is_recorded_for_a_target_before_the_reload_that_added_it(run, ledger, tmp_path, monkeypatch):
    seed = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    old = "min: 1000000, max: null, due: 2022-12-31, source: 年底前汇聚整合全国优质老年教育课程资源 100 万门以上}"
    (tmp_path / "new.yaml").write_text(seed.replace(old, old + "\n      - {metric: 新指标, unit: 个, min: 3, max: 5}"), encoding="utf-8")
    monkeypatch.setenv("GKPLAN_TODAY", "2022-07-05")
    run("load", str(tmp_path / "new.yaml"))
    kept = dump(ledger)
    refused = run("target", "set", "17", "新指标", "--actual", "3", "--date", "2022-07-01", code=3)
    assert "指标“新指标”在 2022-07-01 还没有（2022-07-05 重新载入种子时才加入）" in refused.stderr
    assert dump(ledger) == kept
    run("target", "set", "17", "新指标", "--actual", "3")
    run("target", "set", "17", "汇聚整合老年教育课程资源", "--actual", "3", "--date", "2022-07-01")  # (one the plan had)


def test_a_date_phrase_in_a_filter_reads_the_year_of_the_plan_of_the_day_read(run, ledger, monkeypatch, tmp_path):
    """`--due-before 年底` as of a day of last year's plan is that plan's year end, as on that day: it used to be
    the newest plan's (2023-12-31), so a reissued list of 2022 took in every point due at the end of 2022."""
    monkeypatch.setenv("GKPLAN_TODAY", "2022-06-30")
    run("update", "5", "--due", "2022-10-31")
    reads = [["list", "--due-before", "年底"], ["task", "list", "--due-before", "年底"]]
    then = _seen(run, reads)
    assert [r["id"] for r in json.loads(then["list --due-before 年底"])] == [5]
    monkeypatch.setenv("GKPLAN_TODAY", "2023-06-30")
    run("load", str(seed_2023(tmp_path)))
    assert _reissued(run, "2022-06-30", reads) == then
    # read today, 2022's plan is over: 年底 is this year's, as for any phrase after a plan's end
    assert len(run.json("--plan", "2022", "list", "--due-before", "年底")) == 39
