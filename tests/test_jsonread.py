"""ledger.jsonread.loads is json.loads without importing json: the same value, or the same error, for any text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkplan.ledger.jsonread import loads

values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                      max_leaves=12)  # fmt: skip


def _same(text):  # noqa: ANN001, ANN202
    try:
        expected = json.loads(text)
    except Exception as exc:  # noqa: BLE001 - the error is what must agree
        with pytest.raises(type(exc)) as caught:
            loads(text)
        assert str(caught.value) == str(exc)
        return
    got = loads(text)
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


@given(values, st.sampled_from([{}, {"ensure_ascii": False}, {"indent": 1}]), st.sampled_from(["", " ", "\n", "x", "]"]))
def test_any_json_text_reads_as_json_reads_it(value, options, tail):
    text = json.dumps(value, **options)
    _same(text)
    _same(text + tail)
    _same(tail + text)


@given(st.text(max_size=20))
def test_any_text_reads_or_fails_as_json_does(text):
    _same(text)


@pytest.mark.parametrize("text", ["NaN", "[Infinity, -Infinity]", "", "\ufeff[]", "[1,]", '{"a": 1} {}', None, b"[1]", 3])
def test_edge_cases(text):
    _same(text)
