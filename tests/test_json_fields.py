"""Scripts' conventions: `--json FIELD,FIELD` selects fields (as gh does), `--format ndjson` streams one object a
line (as sqlite-utils --nl), on every command that prints records."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest

from gkplan import jsonfields
from gkplan.render import output

# Each record command, with what makes its records exist, and the fields --json may select
COMMANDS = {
    ("list",): jsonfields.LIST,
    ("list", "--dept", "教务部"): jsonfields.LIST,
    ("show", "17"): jsonfields.SHOW,
    ("report",): jsonfields.SUMMARY,
    ("report", "--by", "section"): jsonfields.SUMMARY,
    ("report", "--overdue"): jsonfields.OVERDUE,
    ("report", "--overview"): jsonfields.OVERVIEW,
    ("log",): jsonfields.HISTORY,
    ("depts",): jsonfields.NAMES,
    ("leaders",): jsonfields.NAMES,
    ("plans",): jsonfields.PLANS,
    ("diff", "2022-01-01", "2022-06-30"): jsonfields.DIFF,
    ("task", "list"): jsonfields.TASK,
    ("target", "list"): jsonfields.TARGET,
    ("remind",): jsonfields.NOTICES,
    ("stale",): jsonfields.STALE,
    ("missing",): jsonfields.MISSING,
    ("check",): jsonfields.CHECKS,
}  # fmt: skip
OPTIONAL = {"role", "warning", "point", "section"}  # keys only some records have (see jsonfields)


@pytest.fixture
def busy(run, ledger):  # noqa: ANN001, ANN201 - a ledger where every command has records to print
    run("update", "18", "--progress", "30", "--note", "已开设专栏")
    run("update", "3", "--due", "2022-06-01")  # overdue
    run("task", "add", "17", "逾期的任务", "--due", "2022-06-01")  # an overdue task (its row names its point)
    return ledger


def _records(data):  # noqa: ANN001, ANN202
    return data if isinstance(data, list) else [data]


def test_the_declared_fields_are_the_keys_each_command_prints(run, busy):
    for command, fields in COMMANDS.items():
        records = _records(run.json(*command, code=None))
        assert records, command
        keys = {k for r in records for k in r}
        assert keys <= set(fields), (command, keys - set(fields))
        assert set(fields) - keys <= OPTIONAL, (command, set(fields) - keys)
        assert len(set(fields)) == len(fields), command


@pytest.mark.parametrize("command", list(COMMANDS), ids=" ".join)
def test_ndjson_is_the_json_arrays_items_one_compact_line_each(run, busy, command):
    whole = _records(run.json(*command, code=None))
    out = run(*command, "--format", "ndjson", code=None).stdout
    lines = out.splitlines()
    assert out.endswith("\n") and all(line and ": " not in line[:1] for line in lines)
    assert [json.loads(line) for line in lines] == whole
    assert all(json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")) == line for line in lines)


def test_json_selects_exactly_the_fields_given_in_their_order(run, busy):
    full = run.json("list")
    picked = run.json("list", "--json", "id,title,progress")
    assert [list(r) for r in picked] == [["id", "title", "progress"]] * len(full)
    assert picked == [{"id": r["id"], "title": r["title"], "progress": r["progress"]} for r in full]
    # --json alone means JSON (no --format needed); the order is the one asked for
    out = run("list", "--status", "进行中", "--json", "progress,id").stdout
    assert json.loads(out) == [{"progress": 30, "id": 18}]


def test_json_on_one_object_selects_its_keys_and_nested_values_stay_json(run, busy):
    point = run.json("show", "17")
    picked = json.loads(run("show", "17", "--json", "id,task_list,leads").stdout)
    assert picked == {"id": 17, "task_list": point["task_list"], "leads": point["leads"]}
    assert isinstance(picked["task_list"][0], dict)
    overview = json.loads(run("report", "--overview", "--json", "total").stdout)
    assert list(overview) == ["total"] and overview["total"]["group"] == "合计"


def test_json_with_ndjson_selects_fields_on_each_line(run, busy):
    lines = run("task", "list", "--format", "ndjson", "--json", "id,title,progress").stdout.splitlines()
    tasks = run.json("task", "list")
    assert [json.loads(line) for line in lines] == [{k: t[k] for k in ("id", "title", "progress")} for t in tasks]
    notices = run("remind", "-f", "ndjson", "--json", "department,items").stdout.splitlines()
    assert all(list(json.loads(line)) == ["department", "items"] for line in notices)
    assert isinstance(json.loads(notices[0])["items"], list)  # nested values stay JSON


def test_fields_may_be_separated_as_chinese_is_typed_and_repeats_are_dropped(run, busy):
    picked = run.json("depts", "--json", "name，count、name")
    assert all(list(r) == ["name", "count"] for r in picked)


def test_an_unknown_field_is_a_usage_error_listing_the_fields(run, ledger):
    result = run("list", "--json", "id,标题,progres", code=2)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("错误：")
    assert "'标题'、'progres'" in result.stderr
    assert "可用字段：" + ",".join(jsonfields.LIST) in result.stderr
    assert not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", result.stderr)  # no English sentence
    # the field list belongs to the view: report --overview has its own
    assert "可用字段：" + ",".join(jsonfields.OVERVIEW) in run("report", "--overview", "--json", "id", code=2).stderr


def test_json_and_csv_together_is_a_usage_error(run, ledger):
    result = run("list", "--json", "id", "--format", "csv", code=2)
    assert result.stdout == "" and "--format csv" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("list", "--json"), ("list", "--json", "--limit", "3"), ("list", "--json="), ("show", "17", "--json"), ("task", "list", "--json", "-f", "ndjson")],
)  # fmt: skip
def test_a_bare_json_lists_the_fields_it_can_select(run, ledger, args):
    result = run(*args)
    fields = jsonfields.TASK if args[0] == "task" else jsonfields.SHOW if args[0] == "show" else jsonfields.LIST
    assert result.stdout.splitlines() == list(fields)


def test_a_bare_json_needs_no_ledger(run, tmp_path, monkeypatch):
    monkeypatch.setenv("GKPLAN_DB", str(tmp_path / "none" / "ledger.db"))
    assert run("stale", "--json").stdout.splitlines() == list(jsonfields.STALE)
    assert not (tmp_path / "none").exists()


def test_a_value_after_json_is_still_a_value_of_the_option_before_it(run, busy):
    # `--note --json` is a note, as `--note --progress` is: only a bare --json lists the fields
    run("update", "18", "--note", "--json")
    assert run.json("show", "18")["note"] == "--json"


def test_ndjson_writes_each_record_as_the_iterator_yields_it(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    seen = []

    def records():  # noqa: ANN202 - each record is asked for only after the one before is written
        for i in range(3):
            seen.append(out.getvalue().count("\n"))
            yield {"id": i, "title": f"第{i}项", "nested": {"a": [i]}}
        seen.append(out.getvalue().count("\n"))

    output._emit_rows(output.Format("ndjson", ("id", "nested")), records(), (), None, None, None, "项")
    assert seen == [0, 1, 2, 3]
    assert out.getvalue() == '{"id":0,"nested":{"a":[0]}}\n{"id":1,"nested":{"a":[1]}}\n{"id":2,"nested":{"a":[2]}}\n'


def test_json_streams_the_same_way_and_selection_applies_per_record(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    seen = []

    def records():  # noqa: ANN202
        for i in range(2):
            seen.append(len(out.getvalue()))
            yield {"id": i, "title": "题"}

    output._emit_rows(output.Format("json", ("title",)), records(), (), None, None, None, "项")
    assert seen[0] == 0 and seen[1] > 0
    assert json.loads(out.getvalue()) == [{"title": "题"}, {"title": "题"}]


def test_ndjson_help_and_json_help_are_chinese(run):
    text = run("list", "-h").stdout
    assert "ndjson" in text and "--json" in text and "可用字段" in text


def test_json_fields_written_to_a_file_are_the_fields_selected(run, ledger, tmp_path):
    out = tmp_path / "要点.json"
    run("list", "--json", "id,title", "-o", str(out))
    assert [list(p) for p in json.loads(out.read_text(encoding="utf-8"))][:2] == [["id", "title"]] * 2
    refused = run("list", "--json", "id", "-o", str(tmp_path / "要点.csv"), code=2)
    assert "请用 .json 结尾" in refused.stderr and not (tmp_path / "要点.csv").exists()
