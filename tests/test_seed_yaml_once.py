"""A hand-written YAML seed is parsed once when it has no & or * (the screen for anchors, aliases and depth
runs as a second parse only when an anchor or alias could be there), with the same refusals as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkplan import seed_yaml
from gkplan.bundled import bundled_path
from gkplan.seed import open_seed

HEAD = "plan: {title: 测试, issued: 2023-01-01, year: 2023}\nsections: [{number: 1, title: 甲}]\n"


def test_the_bundled_plan_is_parsed_once(monkeypatch):
    """Fails if `_screen` (the second parse) runs for a seed that cannot hold an anchor or an alias."""
    def screened(*args):  # noqa: ANN002, ANN202
        raise AssertionError("screened: parsed twice")

    monkeypatch.setattr(seed_yaml, "_screen", screened)
    source = open_seed(bundled_path())
    assert source.ok and len(list(source.points())) == 39


def _deep(levels: int, flow: bool = False) -> str:
    if flow:
        return "[" * levels + "]" * levels
    return "".join("  " * i + "-\n" for i in range(levels - 1)) + "  " * (levels - 1) + "- x\n"


CASES = {
    "20 deep: allowed": HEAD + "points:\n  - deliverables: " + _deep(17, flow=True) + "\n",
    "21 deep in flow": HEAD + "points:\n  - deliverables: " + _deep(18, flow=True) + "\n",
    "deep in block style": HEAD + "points:\n" + "".join("  " * (i + 1) + "-\n" for i in range(25)),
    "deep, then a syntax error": HEAD + "points: " + _deep(30, flow=True) + "\nsections: [\n",
    "a syntax error, then deep": HEAD + "points: a: b\n" + "x: " + _deep(30, flow=True) + "\n",
    "deep in a key": HEAD + "? " + _deep(25, flow=True) + "\n: 1\n",
    "deep in a second document": HEAD + "points: []\n---\n" + _deep(25, flow=True) + "\n",
    "two documents": HEAD + "points: []\n---\na: 1\n",
    "1,000 deep (libyaml's bound)": HEAD + "points: " + _deep(1100, flow=True) + "\n",
    "a duplicate key": HEAD + "points: []\nplan: 1\n",
    "a bad date": HEAD.replace("2023-01-01", "2023-02-30") + "points: []\n",
    "empty": "",
    "a list": _deep(25) + "\n",
}


def _outcome(tmp_path: Path, text: str) -> str:
    path = tmp_path / "seed.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        source = open_seed(path)
        list(source.points())
        source.finish()
    except Exception as exc:  # noqa: BLE001 - the refusal is what is compared
        return f"{type(exc).__name__}: {exc}"
    return "ok"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_parsed_once_or_screened_first_the_outcome_is_the_same(tmp_path, case):
    """A comment holding & sends the same text through the screen first (the way every seed was read before)."""
    text = CASES[case]
    assert "&" not in text and "*" not in text
    once, screened = _outcome(tmp_path, text), _outcome(tmp_path, text + "\n# & *\n")
    assert once == screened
    if "deep" in case and "allowed" not in case and "syntax error, then" not in case:
        assert "嵌套过深" in once
    assert ("YAML 语法错误" in once) == (case in ("a syntax error, then deep", "two documents"))
    assert ("嵌套过深" in once) != (case in ("20 deep: allowed", "a syntax error, then deep", "two documents",
                                         "a duplicate key", "a bad date", "empty"))


def test_a_first_load_imports_no_tempfile_and_compiles_no_pattern_libyaml_never_uses(tmp_path):
    """Into a fresh ledger, `load` of the bundled plan's YAML: the temporary ledger is made without tempfile (random,
    hashlib: ~8 M instructions), and PyYAML's pure-Python Reader's NON_PRINTABLE (~57 M) is left to its first use.
    (`load` alone reads the plan's JSON twin, and imports no PyYAML at all: tests/test_bundled.py.)"""
    import ast
    import os
    import subprocess
    import sys

    env = os.environ | {"GKPLAN_DB": str(tmp_path / "fresh.db")}
    probe = (
        f"import sys\nsys.argv = ['gkplan', 'load', {str(bundled_path())!r}]\nfrom gkplan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "pattern = sys.modules['yaml'].reader.Reader.NON_PRINTABLE\n"
        "print('SEEN', [sorted(m for m in ('tempfile', 'random') if m in sys.modules), type(pattern).__name__,"
        " pattern._compiled is None, pattern.search('ab\\x01c').start(), pattern.search('甲\\t\\n')], file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert (tmp_path / "fresh.db").exists()
    assert ast.literal_eval(out.stderr.rsplit("SEEN ", 1)[1].strip()) == [[], "LazyPattern", True, 2, None]
