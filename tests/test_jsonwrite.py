"""ledger.jsonwrite.dumps is json.dumps(ensure_ascii=False) without importing json: the same text, or the same
error, for any value (the history's hashes are computed over this text: one character apart breaks the chain)."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkplan.ledger import jsonwrite
from gkplan.ledger.jsonwrite import dumps

keys = st.text(max_size=6) | st.integers() | st.floats() | st.booleans() | st.none()
values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.dates(),
                      lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(keys, inner, max_size=4) | st.dictionaries(st.tuples(st.integers()), inner, max_size=2),
                      max_leaves=12)  # fmt: skip
OPTIONS = [{}, {"sort_keys": True}, {"separators": (",", ":"), "sort_keys": True}, {"separators": (",", ":")}]


def _same(value, options):  # noqa: ANN001, ANN202
    try:
        expected = json.dumps(value, ensure_ascii=False, **options)
    except Exception as exc:  # noqa: BLE001 - the error is what must agree
        with pytest.raises(type(exc)) as caught:
            dumps(value, **options)
        assert str(caught.value) == str(exc)
        return
    assert dumps(value, **options) == expected


@given(values, st.sampled_from(OPTIONS))
def test_any_value_writes_as_json_writes_it(value, options):
    _same(value, options)


def _loop() -> list:
    loop: list = [1]
    loop.append(loop)
    return loop


@pytest.mark.parametrize("value", [float("nan"), [float("inf"), -float("inf")], "甲\u2028\x00\"\\", {"b": 1, "a": [2, None]},
                                   {1: 2, "1": 3}, {"a": 1, 2: 3}, datetime.date(2022, 1, 1), {"k": {1, 2}}, _loop(),
                                   {(1,): 2}, True, 10**400, -0.0, 1e300],  # fmt: skip
                         ids=repr)
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_edge_cases(value, options):
    _same(value, options)


def test_without_the_c_encoder_json_writes_it(monkeypatch):
    monkeypatch.setattr(jsonwrite, "_make", None)
    assert dumps({"b": "甲", "a": 1}, sort_keys=True) == '{"a": 1, "b": "甲"}'
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps([datetime.date(2022, 1, 1)])
