"""seed_yaml_events.plain builds a plain seed's values from libyaml's events: whatever it returns is what
seed_yaml._parse (SafeConstructor's node tree) returns for the same text, to the type; what it does not read
(None) is read by _parse as ever. And it does read the seeds clerks write: the bundled plan, every example."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkplan.errors import SeedError
from gkplan.seed import TooLarge
from gkplan.seed_yaml import _parse
from gkplan.seed_yaml_events import plain
from gkplan.seed_yaml_lib import import_yaml

yaml = import_yaml()
ROOT = Path(__file__).resolve().parents[1]

# plain scalars of every kind the Resolver knows, and some that are no scalar at all
SPELLINGS = ["0", "7", "007", "1_000", "0x1F", "0o7", "0b101", "+3", "-3", "1:30", "1.5", "1e3", "1.0e+3", ".5", ".inf", "-.inf",
             ".NaN", "12345678901234567890123456789012345", "2022-03-31", "2022-02-30", "2022-3-1", "2022-03-31 10:00:00",
             "2001-12-14t21:59:43.10-05:00", "~", "null", "Null", "NULL", "nULL", "yes", "No", "ON", "off", "y", "n", "true",
             "False", "tRUE", "<<", "=", "==", "<a", "~x", "Yes!", "2022 年", "１２", "٣", "二〇二二-03-31", "text", "a b", "-",
             "- x", "x: y", "#c", "'q'", '"q\\td"', "'it''s'", '"\\x41"', "|\n  block", ">-\n  folded", "!!str 5", "!!int '7'",
             "!foo x", "! 5", "&a x", "*a", "&a [1]", "[a, 1, 2022-01-01]", "{a: 1, b: no}", "[]", "{}", "[", "1 # c", ""]  # fmt: skip
KEYS = ["number", "title", "a", "1", "'1'", "true", "yes", "null", "~", "<<", "=", "2022-01-01", "1.5", "[a]", "? x", "&k k", "!!str s", "k k"]
COMMON = ["7", "2022-03-31", "text", "甲 乙", "yes", "~", "'q'", '"q"', "x-1", "1号"]  # what a seed mostly holds
scalars = (st.sampled_from(COMMON) | st.sampled_from(COMMON) | st.sampled_from(SPELLINGS)
           | st.text(st.sampled_from("ab1-_.: #'\"甲\t"), max_size=6))  # fmt: skip
keys = st.sampled_from(KEYS[:4]) | st.sampled_from(KEYS)
nodes = st.recursive(scalars, lambda inner: st.tuples(st.sampled_from(["map", "seq"]), st.lists(st.tuples(keys, inner), max_size=4)),
                     max_leaves=10)  # fmt: skip


def _lines(node, pad: str) -> list[str]:  # noqa: ANN001
    kind, children = node
    out = []
    for key, child in children:
        head = f"{pad}{key}:" if kind == "map" else f"{pad}-"
        if isinstance(child, str):
            out += [f"{head} {child}".rstrip()] if "\n" not in child else [f"{head} {child.replace(chr(10), chr(10) + pad)}"]
        else:
            out += [head, *_lines(child, pad + "  ")] if child[1] else [f"{head} {'{}' if child[0] == 'map' else '[]'}"]
    return out


def _typed(value):  # noqa: ANN001, ANN202
    """The value with every type spelled out: 1 is not True, a date not a datetime, TooLarge its digits."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, TooLarge):
        return ("TooLarge", value.digits)
    return (type(value).__name__, repr(value))


def _agrees(text: str) -> bool:
    """plain() returns what _parse returns, or None; True when it read the text."""
    data = plain(yaml, text)
    if data is None:
        return False
    assert _typed(data) == _typed(_parse(Path("s.yaml"), text)[0]), text
    return True


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(keys, nodes), min_size=1, max_size=4))
def test_what_plain_reads_is_what_the_constructor_builds(children):
    _agrees("\n".join(_lines(("map", children), "")) + "\n")


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("where", ["value", "key", "item", "flow"])
def test_every_spelling_in_every_place(spelling, where):
    if "\n" in spelling and where != "value":
        return
    text = {"value": f"plan:\n  x: {spelling}\n", "key": f"{spelling}: 1\n", "item": f"points:\n  - {spelling}\n",
            "flow": f"points: [{spelling}]\n"}[where]  # fmt: skip
    _agrees(text)


def test_it_reads_the_plain_scalars_a_seed_uses_and_leaves_the_rest():
    read = {s: plain(yaml, f"x: {s}\n") for s in SPELLINGS if "\n" not in s}
    assert read["7"] == {"x": 7} and read["2022-03-31"] == {"x": datetime.date(2022, 3, 31)} and read["~"] == {"x": None}
    assert read["yes"] == {"x": True} and read["2022 年"] == {"x": "2022 年"} and read["<a"] == {"x": "<a"}
    assert isinstance(read["12345678901234567890123456789012345"]["x"], TooLarge)
    for other in ("0x1F", "1.5", "007", "-3", "2022-02-30", "2001-12-14t21:59:43.10-05:00", "<<", "=", "!!str 5", "&a x", "["):
        assert read[other] is None, other  # _parse's: other types, a bad date (its message), tags, anchors, syntax


@pytest.mark.parametrize("text", ["", "# only\n", "- a\n", "a\n", "a: 1\n---\nb: 2\n", "a: 1\na: 2\n", "1: a\ntrue: b\n",
                                  "a: &x 1\nb: *x\n", "a: " + "[" * 25 + "]" * 25 + "\n", "a: " + "[" * 19 + "]" * 19 + "\n",
                                  "a: " + "[" * 20 + "]" * 20 + "\n",
                                  "? [a]\n: 1\n", "a: !!binary aGk=\n"])  # fmt: skip
def test_what_plain_leaves_parse_reads_or_refuses(text):
    if plain(yaml, text) is not None:
        assert _agrees(text)
        return
    try:
        _parse(Path("s.yaml"), text)
    except SeedError:
        pass


def test_the_seeds_clerks_write_are_read_from_the_events():
    """A test that can fail: if plain() stopped reading them, load would quietly pay the constructor again."""
    seeds = [ROOT / "data" / "workpoints_2022.yaml", *sorted((ROOT / "tests" / "data").glob("*.yaml"))]
    read = [seed.name for seed in seeds if _agrees(seed.read_text(encoding="utf-8"))]
    assert "workpoints_2022.yaml" in read


def test_another_pyyaml_is_read_by_the_constructor(monkeypatch):
    text = (ROOT / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    monkeypatch.setattr(yaml, "__version__", "7.0")
    assert plain(yaml, text) is None
    monkeypatch.undo()
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert plain(yaml, text) is None
    monkeypatch.undo()
    monkeypatch.setitem(yaml.resolver.Resolver.yaml_implicit_resolvers, "x", [])
    assert plain(yaml, text) is None


def _problems(path: Path, monkeypatch, events: bool) -> list:  # noqa: ANN001
    from gkplan import seed_yaml_events
    from gkplan.seed import open_seed

    with monkeypatch.context() as m:
        if not events:
            m.setattr(seed_yaml_events, "plain", lambda yaml, text: None)
        try:
            source = open_seed(path)
            points = [p.number for p in source.points()]
            source.finish()
        except SeedError as exc:
            return [tuple(p) for p in exc.problems]
    return points


@pytest.mark.parametrize("change", [("section: 3\n", "section: 99\n"), ("number: 17\n", "number: 16\n"), ("title: ", "title: \n    x: "),
                                    ("year: 2022", "year: 20222"), ("  end: 2022-12-31", "  end: 2022-11-31"),
                                    ("leader: 刘臣", "leader: 7"), ("due: ", "due: 1.5 #"), ("", "")],
                         ids=["section", "number twice", "title a mapping", "year", "bad date", "leader", "float", "as is"])  # fmt: skip
def test_a_seeds_problems_are_the_same_wherever_its_values_were_built(tmp_path, monkeypatch, change):
    """Each problem's file, line, column, point, field and message: from the events' values (the nodes made
    for the positions) as from the constructor's."""
    text = (ROOT / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(*change), encoding="utf-8")
    got = _problems(path, monkeypatch, events=True)
    assert got == _problems(path, monkeypatch, events=False)
    assert (len(got) == 39) == (change == ("", ""))


def test_a_first_load_imports_no_json_and_compiles_none_of_pyyamls_patterns(tmp_path):
    """Into a fresh ledger, `load` of the bundled plan's YAML builds its values from the events (no Resolver, no
    Constructor: their patterns stay uncompiled, ~10M instructions) and writes its JSON with _json's encoder
    (ledger/jsonwrite.py: `import json` ~5-10M). (`load` alone reads the JSON twin: tests/test_bundled.py.)"""
    import ast
    import os
    import subprocess
    import sys

    env = os.environ | {"GKPLAN_DB": str(tmp_path / "fresh.db")}
    probe = (
        f"import sys\nsys.argv = ['gkplan', 'load', {str(ROOT / 'data' / 'workpoints_2022.yaml')!r}]\nfrom gkplan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "y = sys.modules['yaml']\n"
        "patterns = [y.constructor.SafeConstructor.timestamp_regexp, *(r for rs in y.resolver.Resolver.yaml_implicit_resolvers.values()"
        " for _, r in rs)]\n"
        "print('SEEN', [sorted(m for m in ('json', 'json.decoder', 'json.encoder') if m in sys.modules),"
        " sorted({type(p).__name__ for p in patterns}), any(p._compiled is not None for p in patterns)], file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert (tmp_path / "fresh.db").exists()
    assert ast.literal_eval(out.stderr.rsplit("SEEN ", 1)[1].strip()) == [[], ["LazyPattern"], False]
