"""render.jsonrows.pretty_rows writes a batch of records as json.dumps(indent=2) writes each, joined by ",\\n" + pad.

Its fast path encodes a whole batch in one call of json's C encoder and lays it out by replacing separators,
and lays out the batch's containers of one column (a history entry's changes, a point's owners) together;
every check it makes on the encoding is met by a value made to fool it here: strings that look like the
separators, containers where the first record had a scalar, nested, empty and one-item containers, keys of
any kind, values json cannot write. And what the export writes: history entries and points."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.render.jsonrows import pretty_rows
from test_jsontext import KEYS, SCALARS, SMALL, TEXT


def _expected(batch: list, ascii_only: bool, pad: str) -> str:
    return (",\n" + pad).join(json.dumps(r, ensure_ascii=ascii_only, indent=2).replace("\n", "\n" + pad) for r in batch)


PAIR = st.lists(SCALARS, min_size=1, max_size=3)  # a change: [old, new], and what looks almost like one
CHANGES = st.dictionaries(TEXT, PAIR | SMALL, max_size=4) | st.dictionaries(TEXT, PAIR, min_size=1, max_size=3)
NAMES = st.lists(TEXT, max_size=3) | st.lists(TEXT, min_size=1, max_size=3)
CELL = SCALARS | CHANGES | NAMES | st.lists(SMALL, max_size=3) | st.dictionaries(KEYS, SCALARS | NAMES, max_size=3)


@st.composite
def _batch(draw: st.DrawFn) -> list:
    """Records of one key order (now and then another order, or not a dict); each column mostly of one kind,
    as a listing's are, and now and then of any kind."""
    keys = draw(st.lists(TEXT, min_size=1, max_size=8, unique=True))
    kinds = {k: draw(st.sampled_from([SCALARS, CHANGES, NAMES, CELL])) for k in keys}
    batch = [{k: draw(kinds[k] if draw(st.integers(0, 9)) else CELL) for k in keys} for _ in range(draw(st.integers(1, 6)))]
    if draw(st.integers(0, 9)) == 0:
        batch.insert(draw(st.integers(0, len(batch))), draw(st.dictionaries(KEYS, CELL, max_size=3) | SCALARS))
    return batch


@settings(max_examples=600, deadline=None)
@given(st.lists(_batch(), min_size=1, max_size=3), st.booleans(), st.sampled_from(["", "  ", "    "]))
def test_a_batch_is_written_as_json_dumps_of_each_record(batches: list, ascii_only: bool, pad: str) -> None:
    rows = pretty_rows(ascii_only)
    for batch in batches * 2:  # one writer for several batches, twice: what it remembers must not leak
        assert rows(batch, pad) == _expected(batch, ascii_only, pad)


def test_the_records_of_an_export() -> None:
    """History entries (changes: pairs, a task added), points (owners, names, no 协办), a value json cannot write."""
    entry = {"id": 7, "plan": "2025", "ref": None, "changes": {"progress": [15, 34], "note": [None, 'a"]\x1e[{']},
             "at": "2023-07-01T09:00:00+08:00", "undone_by": None, "what": "要点", "changes_text": "进度 15% → 34%"}  # fmt: skip
    added = {**entry, "changes": {"task": [None, {"title": "任务", "due": "2022-06-30"}]}}
    lead = {"leader": "刘臣", "departments": ["浙江分部", "教务部"], "scope": None, "note": None}
    point = {"id": 1, "title": "优化办学体系评估（1）", "leads": [lead], "progress": 63, "co": [], "leaders": ["刘臣"],
             "overdue": False, "ratio": 0.1, "checkpoints": None, "departments": ["浙江分部", "教务部"]}  # fmt: skip
    rows = pretty_rows(False)
    odd = [  # columns that pass some of the fast path's checks and not others
        ([1, [2]], "x"), ([1, [2]], None), (["a", "b"], [["c"]]), (["a"], []), (["a"], ("b",)),
        ({"k": [1, 2]}, {}), ({"k": [[1], 2]}, {"k": [1]}), ({"k": [1], "j": []},), ({"k": [1]}, {"k": [1, {}]}),
        ({"k": [1]}, {"k": {"j": [2]}}), ({"k": [1]}, ["k"]), ({"k": ["]}\x1e{"]}, {"k": [1]}),
    ]  # fmt: skip
    for column in odd:
        batch = [{"id": i, "x": x, "y": "y"} for i, x in enumerate(column)]
        assert rows(batch, "  ") == _expected(batch, False, "  "), column
    for batch in ([entry] * 3, [entry, added, entry], [point, {**point, "co": ["教务部"], "checkpoints": [{"due": "x"}]}]):
        assert rows(batch, "    ") == _expected(batch, False, "    ")
    from datetime import date

    try:
        rows([entry, {**entry, "at": date(2022, 6, 30)}], "")
    except TypeError as exc:
        assert "date is not JSON serializable" in str(exc)
    else:
        raise AssertionError("no error")


def test_an_export_batch_takes_the_fast_path(monkeypatch) -> None:
    """History entries and points of the usual shapes are laid out from the batch's encodings, not record by
    record (the output alone would not tell: the slow path writes the same bytes)."""
    import gkplan.render.jsonrows as jsonrows

    calls = []
    real = jsonrows.pretty

    def counting(ascii_only: bool):  # noqa: ANN202
        value = real(ascii_only)
        return lambda v, pad: calls.append(v) or value(v, pad)

    monkeypatch.setattr(jsonrows, "pretty", counting)
    rows = jsonrows.pretty_rows(False)
    entries = [{"id": i, "plan": "2025", "changes": {"progress": [i, i + 1], "note": [None, f"第 {i} 次"]}, "note": "x",
                "undone_by": None, "changes_text": f"进度 {i}% → {i + 1}%"} for i in range(40)]  # fmt: skip
    points = [{"id": i, "leaders": ["刘臣"], "departments": ["浙江分部", "教务部"], "title": "t", "progress": i} for i in range(40)]
    for batch in (entries, points):
        assert rows(batch, "    ") == _expected(batch, False, "    ")
    assert calls == []
