"""The streaming YAML reader reads each plain scalar as it did before its fast paths (most scalars are text that
cannot be anything else; most numbers are plain digits): `reference` is _scalar as it was (4b448a8), and
every scalar libyaml yields must come out of the reader as the same value, of the same type, or the same refusal."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.errors import SeedError
from gkplan.seed import MAX_DIGITS, TooLarge
from gkplan.seed_yaml_lib import import_yaml
from gkplan.seed_yaml_stream import YamlStreamSource

_INTEGER, _REAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)"), re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?")
_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def reference(text: str) -> Any:
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"):
        return True
    if text in ("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"):
        return False
    if _INTEGER.fullmatch(text):
        return TooLarge(text) if len(text) > MAX_DIGITS else int(text.replace("_", ""))
    if _REAL.fullmatch(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    if m := _DAY.fullmatch(text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return f"无效的日期 '{text}'"
    return text


def _typed(value: Any) -> Any:
    return ("TooLarge", value.digits) if isinstance(value, TooLarge) else (type(value).__name__, value)


SPECIAL = ["", "~", "null", "Null", "yes", "No", "on", "OFF", "0", "00", "007", "-0", "+5", "1_000", "12" * 20, "9" * 31,
           "1.5", ".5", "1e3", "1.0e+3", "-.", ".", "2023-02-30", "2023-2-3", "2023-12-31", "٣", "²", "１２", "1 2", "-"]
ALPHABET = "0123456789_+-.eE~nNulLtTrRfFaAsSyYoO x中"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(alphabet=ALPHABET, max_size=14)), min_size=1, max_size=40))
def test_every_plain_scalar_reads_as_before(texts):
    yaml = import_yaml()
    with tempfile.TemporaryDirectory(prefix="gkplan-scalars-") as folder:
        path = Path(folder) / "seed.yaml"
        path.write_text("plan: 1\npoints:\n" + "".join(f"- {t}\n" for t in texts), encoding="utf-8")
        try:
            source = YamlStreamSource(path, path.open("rb"))
            assert type(next(source._events)) is yaml.SequenceStartEvent
            for event in source._events:
                if type(event) is yaml.SequenceEndEvent:
                    break
                try:
                    got = _typed(source._value(event, 2, []))
                except SeedError as exc:
                    got = ("refused", exc.problems[0].message)
                if type(event) is yaml.ScalarEvent and event.implicit[0]:
                    want = reference(event.value)
                    want = ("refused", want) if isinstance(want, str) and want.startswith("无效的日期") else _typed(want)
                    assert got == want, event.value
            source._input.close()
        except yaml.YAMLError:
            return  # not a list of plain scalars after all: nothing to compare


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(alphabet=ALPHABET, max_size=14)), min_size=1, max_size=20))
def test_a_plain_scalar_in_a_mapping_or_a_list_reads_as_on_its_own(texts):
    """The reader takes a mapping's values and a list's items inline (not through value()): the same values."""
    yaml = import_yaml()
    with tempfile.TemporaryDirectory(prefix="gkplan-scalars-") as folder:
        alone, held = Path(folder) / "alone.yaml", Path(folder) / "held.yaml"
        alone.write_text("plan: 1\npoints:\n" + "".join(f"- {t}\n" for t in texts), encoding="utf-8")
        held.write_text("plan: 1\npoints:\n" + "".join(f"- k: {t}\n  s:\n  - {t}\n" for t in texts), encoding="utf-8")
        try:
            want, got = _items(yaml, alone), _items(yaml, held)
        except yaml.YAMLError:
            return  # not plain scalars after all
        assert len(want) == len(got)  # (each up to its first refusal, which ends a stream)
        for t, w, g in zip(texts, want, got):
            if w is None:  # (not a plain scalar on its own: a list, a mapping)
                continue
            if g[0] == "refused":
                assert g == w, t
            else:
                assert g == ("dict", {"k": w, "s": [w]}), t


def _items(yaml: Any, path: Path) -> list[Any]:
    """Each item of the points list: (type name, value) with scalars as _typed, or None for an item on its own
    that is not a plain scalar; up to the first refusal, ("refused", message), which ends the stream."""
    source = YamlStreamSource(path, path.open("rb"))
    out: list[Any] = []
    try:
        assert type(next(source._events)) is yaml.SequenceStartEvent
        for event in source._events:
            if type(event) is yaml.SequenceEndEvent:
                break
            plain = type(event) is yaml.ScalarEvent and event.implicit[0]
            try:
                value = source._value(event, 2, [])
            except SeedError as exc:
                out.append(("refused", exc.problems[0].message))
                break
            if type(value) is dict:
                out.append(("dict", {k: (_typed(v) if k == "k" else [_typed(x) for x in v]) for k, v in value.items()}))
            else:
                out.append(_typed(value) if plain else None)
    finally:
        source._input.close()
    return out
