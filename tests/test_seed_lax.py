"""What a seed may write loosely and still load (the conversions seeds always had), through `gkplan load`;
and, for records hypothesis makes up, that a well-formed one loads as written and one bad field is reported
once, at that field. Both held on the pydantic models before the hand-written validator replaced them."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkplan.seed import SeedSource


def _write(tmp_path: Path, point: dict[str, Any], name: str = "seed.json") -> Path:
    data = {"plan": {"title": "测试", "issued": "2023-01-01", "year": "2023"},
            "sections": [{"number": "1", "title": " 甲 "}], "points": [point]}  # fmt: skip
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


LOOSE = {
    "number": "3", "section": 1.0, "title": "  一项\u3000", "text": " 一项。\n内容。 ", "due": "2023-10-31T00:00:00Z",
    "start": 1677628800, "leads": [{"leader": "甲 ", "departments": ["办公室"]}],
    "checkpoints": [{"date": "2023-06-30 00:00", "progress": "40"}, {"date": "2023-09-30", "progress": 80.0}],
    "deliverables": [" 方案 ", {"title": "挂牌", "kind": "milestone", "due": "2023-09-30"}],
    "targets": [{"metric": "人数", "unit": "人", "min": "1_000", "max": "1e4", "approx": "yes"},
                {"metric": "门数", "unit": "门", "min": 2.5, "approx": 0}],
}  # fmt: skip


def test_numbers_dates_and_names_written_loosely_load_as_their_values(run, isolated, tmp_path):
    run("load", str(_write(tmp_path, LOOSE)))
    point = run.json("show", "3")
    assert (point["title"], point["text"], point["section"]) == ("一项", "一项。\n内容。", 1)
    assert (point["due"], point["start"]) == ("2023-10-31", "2023-03-01")
    assert point["checkpoints"] == [{"date": "2023-06-30", "progress": 40}, {"date": "2023-09-30", "progress": 80}]
    assert [t["title"] for t in point["task_list"]] == ["方案", "挂牌"]
    targets = {t["metric"]: t for t in run.json("target", "list")}
    assert (targets["人数"]["target_min"], targets["人数"]["target_max"], targets["人数"]["approx"]) == (1000, 10000.0, True)
    assert (targets["门数"]["target_min"], targets["门数"]["approx"]) == (2.5, False)


def test_the_same_in_yaml_with_its_own_dates(run, isolated, tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text("plan: {title: 测试, issued: 2023-01-01, year: 2023}\nsections: [{number: 1, title: 甲}]\n"
                    "points:\n- {number: 3, section: 1, title: 一项, text: 一项。, due: 2023-10-31 00:00:00,\n"
                    "   leads: [{leader: 甲}], targets: [{metric: 人数, unit: 人, min: 10, approx: on}]}\n", encoding="utf-8")  # fmt: skip
    run("load", str(path))
    assert run.json("show", "3")["due"] == "2023-10-31"
    assert run.json("target", "list")[0]["approx"] is True


def test_a_time_that_is_not_midnight_and_a_fraction_are_refused_at_their_fields(run, isolated, tmp_path):
    bad = {**LOOSE, "due": "2023-10-31T08:00:00", "checkpoints": [{"date": "2023-06-30", "progress": 40.5}],
           "targets": [{"metric": "人数", "unit": "人", "min": "很多", "approx": "也许"}]}  # fmt: skip
    result = run("load", str(_write(tmp_path, bad)), code=4)
    assert result.stderr.removeprefix("错误：").splitlines() == [
        f"{tmp_path / 'seed.json'}:1:125: 要点 3 的字段 checkpoints[0].progress：应为整数",
        f"{tmp_path / 'seed.json'}:1:125: 要点 3 的字段 due：应为日期（不含时间）",
        f"{tmp_path / 'seed.json'}:1:125: 要点 3 的字段 targets[0].approx：应为是或否（true 或 false）",
        f"{tmp_path / 'seed.json'}:1:125: 要点 3 的字段 targets[0].min：应为数字",
        f"{tmp_path / 'seed.json'}:1:125: 要点 3 的字段 targets[0].min：应为整数",
    ]


# -- made-up records --------------------------------------------------------------------------------

_SPACE = st.sampled_from(["", " ", "\t", "\u3000", "\xa0", " \n"])
_NAME = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters="\x85\u1680\u180e"
                              "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),  # fmt: skip
                min_size=1, max_size=20)
_DAY = st.dates(date(2022, 1, 6), date(2022, 12, 30))


def _loose_name(draw: Any) -> tuple[Any, str]:
    name = draw(_NAME)
    return draw(_SPACE) + name + draw(_SPACE), name


def _loose_int(draw: Any, low: int, high: int) -> tuple[Any, int]:
    n = draw(st.integers(low, high))
    return draw(st.sampled_from([n, str(n), float(n), f" {n} ", f"{n}.0"])), n


def _loose_day(draw: Any) -> tuple[Any, date]:
    d = draw(_DAY)
    return draw(st.sampled_from([d, d.isoformat(), datetime(d.year, d.month, d.day), f"{d.isoformat()}T00:00:00Z"])), d


@st.composite
def _points(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A well-formed point written loosely, and what it means."""
    (number, n), (title, t), (text, x), (leader, lead) = (_loose_int(draw, 1, 10_000_000), _loose_name(draw),
                                                          _loose_name(draw), _loose_name(draw))  # fmt: skip
    (due, d), (progress, p) = _loose_day(draw), _loose_int(draw, 0, 100)
    raw = {"number": number, "section": 1, "title": title, "text": text, "leads": [{"leader": leader}], "due": due,
           "checkpoints": [{"date": "2022-01-06", "progress": progress}] if d > date(2022, 1, 6) else []}  # fmt: skip
    return raw, {"number": n, "title": t, "text": x, "leader": lead, "due": d, "progress": p}


def _check(raw: Any) -> tuple[Any, list[tuple[str, str]]]:
    source = SeedSource(Path("s.json"))
    source._check_head({"plan": {"title": "计划", "issued": "2022-01-05", "year": 2022}, "sections": [{"number": 1, "title": "一"}]},
                       lambda loc: (1, 1))  # fmt: skip
    point = source._point(raw, 0, lambda loc: (1, 1))
    return point, [(p.field, p.message) for p in source._problems]


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(_points())
def test_a_well_formed_point_loads_as_it_means(case):
    raw, means = case
    point, problems = _check(raw)
    assert problems == []
    assert (point.number, point.title, point.text, point.leads[0].leader, point.due) == (
        means["number"], means["title"], means["text"], means["leader"], means["due"])
    assert [c.progress for c in point.checkpoints] in ([means["progress"]], [])
    assert type(point.number) is int and type(point.due) is date


_WRONG = {
    # (a whole float such as 2.0 is a number the lax seed takes, as pydantic's lax mode did: not a wrong one)
    "number": st.one_of(st.none(), st.text(st.sampled_from("abc一"), min_size=1),
                        st.floats(1.1, 9.9).filter(lambda f: not f.is_integer()), st.integers(max_value=0)),
    "title": st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=2), st.just("  "), st.just("a\x00b")),
    "due": st.one_of(st.booleans(), st.just("2022/3/1"), st.just("明天"), st.datetimes().filter(lambda t: t.hour)),
    "leads": st.one_of(st.none(), st.just([]), st.text(max_size=3), st.just([{"departments": []}])),
    "extra": st.integers(),
}  # fmt: skip


@SETTINGS
@given(_points(), st.sampled_from(sorted(_WRONG)), st.data())
def test_one_bad_field_is_reported_once_at_that_field(case, field, data):
    raw, _ = case
    raw = {**raw, field: data.draw(_WRONG[field])}
    point, problems = _check(raw)
    assert point is None
    assert len(problems) == 1, problems
    assert problems[0][0] == ("leads" if field == "leads" and raw["leads"] != [{"departments": []}] else
                              "leads[0]" if field == "leads" else field)  # fmt: skip
