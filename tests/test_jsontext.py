"""render.jsontext.pretty writes what json.dumps(indent=2) writes, byte for byte, through its fast paths too.

Its fast paths have json's C encoder write a record's values between control characters and lay them out by
replacing those; how a key order was written is remembered, and so is a small container's layout. Hence
the values here: strings made of what those separators and brackets look like, many keys (the record path),
long lists and lists of dicts (the compact path), and records of one key order whose values change kind from
one record to the next, all through one writer (what a listing does)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.render.jsontext import pretty

# what the layout works with: json's separators, brackets, the two separators the C encoder is given, and
# what json escapes (quotes, backslashes, control characters); then CJK and any other character
TRICKY = st.sampled_from(['"', "\\", "\x1e", "\x1f", "]\x1e", "\x1f[", "[", "]", "{", "}", ",", ":", ", ", ": ", "\n",
                          "\x00", "\t", "\x7f", "\u2028", "é", "中文", "𠮷", "0", "null"])  # fmt: skip
TEXT = st.lists(TRICKY | st.characters(exclude_categories=["Cs"]), max_size=6).map("".join)
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63, max_value=2**200)
           | st.floats() | st.sampled_from([0.1, 1e16, 1e-7, -0.0, 2.5e-310, 1.7976931348623157e308]) | TEXT)  # fmt: skip
KEYS = TEXT | st.integers() | st.booleans() | st.none() | st.floats()  # json turns the others into strings
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=7) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(TEXT, inner, max_size=8) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=30,
)
SMALL = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)


def _expected(value: object, ascii_only: bool, pad: str) -> str:
    return json.dumps(value, ensure_ascii=ascii_only, indent=2).replace("\n", "\n" + pad)


@settings(max_examples=400, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=4), st.booleans(), st.sampled_from(["", "  ", "    "]))
def test_any_value_is_written_as_json_dumps_indent_2(values: list, ascii_only: bool, pad: str) -> None:
    write = pretty(ascii_only)
    for value in values:  # one writer for several values: what it remembers must not leak between them
        assert write(value, pad) == _expected(value, ascii_only, pad)


@st.composite
def _listing(draw: st.DrawFn) -> list[dict]:
    """Records of one key order (six keys or more: the record path), each value of any kind in any record."""
    keys = draw(st.lists(TEXT, min_size=6, max_size=12, unique=True))
    return [{k: draw(SMALL) for k in keys} for _ in range(draw(st.integers(1, 4)))]


@settings(max_examples=200, deadline=None)
@given(_listing(), st.booleans())
def test_records_of_one_key_order_whose_values_change_kind(records: list[dict], ascii_only: bool) -> None:
    write = pretty(ascii_only)
    for _ in range(2):  # the second time every key order and small container is remembered
        for record in records:
            assert write(record, "  ") == _expected(record, ascii_only, "  ")


def test_the_shapes_of_an_export() -> None:
    """A point (owners: a list of dicts with lists), a history entry (changes: a dict of pairs), the same
    owners twice (the second from what was remembered), and a value json cannot write: json's own error."""
    lead = {"leader": "刘臣", "departments": ["浙江分部", "教务部"], "scope": None, "note": 'a"b\\c'}
    point = {"id": 1, "title": "优化办学体系评估（1）", "leads": [lead], "progress": 63, "co": [], "leaders": ["刘臣"],
             "overdue": False, "ratio": 0.1, "task_progress": None, "departments": ["浙江分部", "教务部"]}  # fmt: skip
    entry = {"id": 7, "plan": "2025", "ref": None, "changes": {"progress": [15, 34], "note": [None, "第 2 次"]},
             "task": {"task": [None, {"title": "任务", "due": "2022-06-30"}]}, "at": "2023-07-01T09:00:00+08:00"}  # fmt: skip
    write = pretty(False)
    for value in (point, entry, point, [point, entry], {"n": list(range(9)), **entry}):
        assert write(value, "    ") == _expected(value, False, "    ")
    from datetime import date

    for odd in ({**point, "due": date(2022, 6, 30)}, [[date(2022, 6, 30)]], {"x": {"y": {1, 2}}}):
        try:
            json.dumps(odd, indent=2)
        except TypeError as exc:
            expected = str(exc)
        try:
            write(odd, "")
        except TypeError as exc:
            assert str(exc) == expected
        else:
            raise AssertionError("no error")


TRICKY_NOTE = 'a "quoted" \\ back]\x1e[{x}: y, z — 中文 𠮷 =1+1'


def test_the_json_export_and_listings_are_json_dumps_of_themselves(run, ledger, tmp_path):
    """Through the CLI: the export (written a batch of records at a time), a listing and the history are each
    exactly json.dumps(…, ensure_ascii=False, indent=2) of what they hold, with text made to look like the
    separators the writer lays out by (the CLI refuses control characters, so one goes in behind its back)."""
    import sqlite3

    from conftest import server

    run("update", "18", "--progress", "60", "--note", TRICKY_NOTE.replace("\x1e", ""))
    run("task", "add", "18", "任务 ]\x1e".replace("\x1e", "") + '"{', "--due", "2022-12-20")
    run("update", "3", "--progress", "10", "--note", "两次")
    if server() is None:
        with sqlite3.connect(ledger) as conn:
            conn.execute("UPDATE points SET title = ? WHERE id = 5", (TRICKY_NOTE,))
    path = tmp_path / "台账.json"
    run("export", "-f", "json", "-o", str(path))
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert len(data["history"]) >= 3 and len(data["points"]) == 39
    assert data["points"][17]["note"] == TRICKY_NOTE.replace("\x1e", "")
    assert server() is not None or data["points"][4]["title"] == TRICKY_NOTE
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    for args in (("list",), ("log",), ("task", "list"), ("report",)):
        out = run(*args, "--format", "json").stdout
        assert out == json.dumps(json.loads(out), ensure_ascii=False, indent=2) + "\n", args
