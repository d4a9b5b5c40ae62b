"""Seed records for the parity test (test_seed_parity.py): valid ones, and ones mutated with the values a
YAML or JSON seed can hold, in every field, one at a time and several at once. Deterministic: the golden
file tests/data/seed_parity.json.gz holds, case by case, what the seed validator said about each record
when it was recorded (first by the pydantic models, which this validator replaced)."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

from gkplan.seed import TooLarge

# every kind of value the readers can hand over: JSON's, YAML's (dates, datetimes, bytes, sets, tuples) and TooLarge
VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 3, 100, 101, 3.0, 3.5, -0.0, 0.5, 1e15, 1e15 + 2, 10**15, 10**15 + 1, 1e16, 10**20,
    10_000_000, 10_000_001, 1899, 1900, 2999, 3000, float("inf"), float("-inf"), float("nan"),
    "3", " 3 ", "3.0", "3.5", "1e3", "1_000", "+3", "-0", "0x10", "٣", "true", "True", "yes", "on", "off", "no",
    "0", "1", "t", "f", "y", "n", "", " ", "\t", "x", "  x  ", "文件", "里程碑", "document", "milestone", " 文件",
    "a" * 200, "a" * 201, " " + "a" * 200 + " ", "a\x00b", "a\nb", "a\tb", "a\x7fb", "a\x85", "\x85a", "a\x1c",
    "\x1fa", "\u202ea", "a\u2066", "\u3000a\u3000", "\xa0a", "\u200ba", "2022-03-01", "2022-03-01T00:00:00",
    "2022-03-01 00:00", "2022-03-01T00:00:00Z", "2022-03-01T08:00:00+08:00", "2022-03-01T10:00:00", "2022/3/1",
    "2022-3-1", "20220301", "1646092800", "1646092800.0", "2022-02-30", "1899-12-31", "3000-01-01", "9999-12-31",
    date(2022, 3, 1), date(2022, 7, 1), date(1899, 12, 31), date(3000, 1, 1), date(1, 1, 1),
    datetime(2022, 3, 1), datetime(2022, 3, 1, 5), datetime(2022, 3, 1, tzinfo=timezone(timedelta(hours=8))),
    datetime(2022, 3, 1, 0, 0, 0, 1), 1646092800, 1646092800.0, 1646092801, 1646092800.5, 1646092800000, 86400,
    -86400, 20220301, 1e20, b"x", b"3", b"2022-03-01", b"\xff", b"", [], [1], ["a"], ["a", "a"], {}, {"a": 1},
    {"title": "x"}, (1, 2), set(), frozenset(), TooLarge("9" * 40), "a-b_c", "-ab", "a" * 40, "a" * 41, "ab c",
    "ÄB", "Infinity", "NaN", "-1", "1e16", " 2022-03-01 ", "2022-03-01\n",
]  # fmt: skip

PLAN = {"title": "2022 年工作要点", "document": "国开发〔2022〕1号", "issued": date(2022, 1, 5), "year": 2022}
SECTION = {"number": 1, "title": "第一部分"}
POINT = {
    "number": 7, "section": 1, "title": "标题", "text": "正文\n第二行\t缩进",
    "leads": [{"leader": "李松", "departments": ["教务部", "招生部"], "scope": "分工"}, {"note": "校领导按分工牵头推进"}],
    "start": date(2022, 2, 1), "due": date(2022, 11, 30),
    "checkpoints": [{"date": date(2022, 3, 1), "progress": 20}, {"date": date(2022, 7, 1), "progress": 60}],
    "co_departments": ["财务部"],
    "deliverables": ["方案", {"title": "总结", "kind": "里程碑", "due": date(2022, 10, 1), "department": "教务部",
                             "co_departments": ["财务部"]}],
    "targets": [{"metric": "招生数", "unit": "人", "min": 1600000, "max": 1700000, "due": date(2022, 12, 31),
                 "source": "160万人左右", "approx": True}, {"metric": "课程", "unit": "门", "min": 3.5}],
}  # fmt: skip
EXTRA_KEYS: list[Any] = ["extra", "str", "object", "int", "float", 1, None, True, date(2022, 1, 1)]


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a record a value sits (a mapping's values and a list's items), outermost first."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _set(record: Any, path: tuple, value: Any) -> Any:
    record = copy.deepcopy(record)
    node = record
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return record


def _drop(record: Any, path: tuple) -> Any:
    record = copy.deepcopy(record)
    node = record
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]
    return record


def _mutations(base: dict) -> Iterator[Any]:
    yield base
    for path in _paths(base):
        for value in VALUES:
            yield _set(base, path, value)
        yield _drop(base, path)
    for value in VALUES:
        yield value  # the whole record
    for path in [(), *(p for p in _paths(base) if isinstance(_get(base, p), dict))]:
        for key in EXTRA_KEYS:
            yield _set(base, (*path, key), "x") if path else {**base, key: "x"}


def _get(record: Any, path: tuple) -> Any:
    for k in path:
        record = record[k]
    return record


def _lists(base: dict) -> Iterator[Any]:
    """Lists at and beyond their bounds, with bad items among them."""
    yield {**base, "leads": []}
    yield {**base, "leads": [{"leader": f"L{i}"} for i in range(100)]}
    yield {**base, "leads": [{"leader": f"L{i}"} for i in range(101)]}
    yield {**base, "leads": [{"leader": f"L{i}"} for i in range(100)] + [{"bad": 1}]}
    yield {**base, "leads": [5] + [{"leader": f"L{i}"} for i in range(101)]}
    yield {**base, "co_departments": [f"D{i}" for i in range(101)]}
    yield {**base, "co_departments": [f"D{i}" for i in range(100)] + [5]}
    yield {**base, "co_departments": [5] + [f"D{i}" for i in range(101)]}
    yield {**base, "deliverables": [f"T{i}" for i in range(1000)]}
    yield {**base, "deliverables": [f"T{i}" for i in range(1001)]}
    yield {**base, "deliverables": [5, 6] + [f"T{i}" for i in range(1000)]}
    yield {**base, "checkpoints": [{"date": "x", "progress": 1}] * 1001}
    yield {**base, "targets": [{"metric": "m", "unit": "u", "min": 1}] * 1001}
    yield {**base, "leads": [{"leader": "x", "departments": [f"D{i}" for i in range(101)]}]}
    yield {**base, "deliverables": [{"title": "x", "co_departments": [f"D{i}" for i in range(101)]}]}
    yield {**base, "deliverables": ["a", "a"]}
    yield {**base, "deliverables": ["a", {"title": "a"}]}
    yield {**base, "deliverables": [{"title": "a", "department": "甲", "co_departments": ["甲"]}]}
    yield {**base, "deliverables": [{"title": "a", "co_departments": ["甲", "甲"]}]}
    yield {**base, "co_departments": ["甲", "甲"]}
    yield {**base, "co_departments": ["教务部"]}
    yield {**base, "targets": [{"metric": "m", "unit": "u", "min": 1}, {"metric": "m", "unit": "v", "min": 2}]}
    yield {**base, "targets": [{"metric": "m", "unit": "u", "min": 5, "max": 4}]}
    yield {**base, "targets": [{"metric": "m", "unit": "u", "min": 5, "max": 5.0}]}
    yield {**base, "targets": [{"metric": "m", "unit": "u", "min": "5", "max": "4.5"}]}
    yield {**base, "leads": [{"departments": ["甲"]}]}
    yield {**base, "leads": [{"leader": "x", "departments": ["甲", "甲"]}]}
    yield {**base, "start": date(2022, 11, 30)}
    yield {**base, "start": date(2022, 12, 1)}
    yield {**base, "start": "2021-01-01", "due": None}
    yield {**base, "checkpoints": [{"date": date(2022, 7, 1), "progress": 20}, {"date": date(2022, 3, 1), "progress": 60}]}
    yield {**base, "checkpoints": [{"date": date(2022, 3, 1), "progress": 60}, {"date": date(2022, 7, 1), "progress": 20}]}
    yield {**base, "checkpoints": [{"date": date(2022, 2, 1), "progress": 60}]}
    yield {**base, "deliverables": [{"title": "x", "due": date(2023, 1, 1)}]}
    yield {k: v for k, v in base.items() if k in ("number", "section", "title", "text", "leads")}


def _shuffled(rng: random.Random, base: dict, n: int) -> Iterator[Any]:
    """Several mutations at once, so that errors in different fields (and levels) meet in one record."""
    paths = list(_paths(base))
    for _ in range(n):
        record = base
        for _ in range(rng.randint(2, 5)):
            live = [p for p in paths if _has(record, p)]
            path = rng.choice(live)
            record = _drop(record, path) if rng.random() < 0.15 else _set(record, path, rng.choice(VALUES))
        yield record


def _has(record: Any, path: tuple) -> bool:
    for k in path:
        if not isinstance(record, dict | list) or isinstance(record, list) != isinstance(k, int):
            return False
        try:
            record = record[k]
        except (KeyError, IndexError):
            return False
    return True


def cases() -> Iterator[tuple[str, Any]]:
    """(kind, record): kind is plan, sections (a whole `sections` list) or point."""
    rng = random.Random(11)
    for record in _mutations(PLAN):
        yield "plan", record
    yield "plan", {**PLAN, "key": "2023-autumn", "start": date(2022, 2, 1), "end": date(2022, 12, 1)}
    yield "plan", {**PLAN, "start": date(2022, 12, 1), "end": date(2022, 2, 1)}
    for record in _mutations(SECTION):
        yield "sections", [record, {"number": 2, "title": "二"}]
    yield "sections", [SECTION, SECTION]
    for record in _mutations(POINT):
        yield "point", record
    for record in _lists(POINT):
        yield "point", record
    for record in _shuffled(rng, POINT, 3000):
        yield "point", record
