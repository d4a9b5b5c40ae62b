"""The bundled plan: data/workpoints_2022.yaml is the file people read and copy; gkplan reads its JSON twin
(gkplan.bundled). The twin is the YAML's, to the character and to the plan; a load of the bundled plan says the
YAML and never imports PyYAML."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from gkplan.bundled import NAME, TWIN, bundled_path, twin
from gkplan.seed import open_seed

from conftest import REPO

YAML, JSON = REPO / "data" / NAME, REPO / "data" / TWIN


def test_the_committed_twin_is_made_from_the_yaml():
    assert JSON.read_text(encoding="utf-8") == twin(YAML.read_text(encoding="utf-8")), (
        "data/workpoints_2022.json is out of date: python -m gkplan.bundled > data/workpoints_2022.json")


def _plan(path):  # noqa: ANN001, ANN202
    source = open_seed(path)
    points = list(source.points())  # (records: tuples of their fields, nested)
    assert source.ok, source
    return source.plan, list(source.sections), points


def test_the_twin_is_the_same_plan_as_the_yaml():
    """Read by the seed readers (libyaml's events; the JSON stream), both give the same plan, sections and points:
    every date, number and list as the YAML means it."""
    plan, sections, points = _plan(YAML)
    assert _plan(JSON) == (plan, sections, points)
    assert len(points) == 39 and plan.year == 2022 and points[16].title == _title(16)


def _title(index: int) -> str:
    return json.loads(JSON.read_text(encoding="utf-8"))["points"][index]["title"]


def test_the_twin_is_found_where_the_yaml_is():
    assert bundled_path(TWIN).parent == bundled_path().parent


def _probe(env: dict[str, str], argv: list[str]) -> tuple[subprocess.CompletedProcess, list[str]]:
    probe = (f"import sys\nsys.argv = {['gkplan', *argv]!r}\nfrom gkplan.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('yaml', 'gkplan.seed_yaml', 'gkplan.seed_json') if m in sys.modules),"
             " file=sys.stderr)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return out, json.loads(out.stderr.rsplit("LOADED ", 1)[1].strip().replace("'", '"'))


def test_a_load_of_the_bundled_plan_reads_the_twin_and_names_the_yaml(tmp_path):
    env = os.environ | {"GKPLAN_DB": str(tmp_path / "l.db"), "NO_COLOR": "1"}
    for _ in range(2):  # into a new ledger, then again into that one
        out, loaded = _probe(env, ["load", "--format", "json"])
        result = json.loads(out.stdout)
        assert loaded == ["gkplan.seed_json"], out.stderr
        assert result["source"] == str(bundled_path()) and result["source"].endswith(NAME)
    assert result["unchanged"] == 39
    out, loaded = _probe(env | {"GKPLAN_DB": str(tmp_path / "first.db")}, ["list", "--format", "json"])
    assert loaded == ["gkplan.seed_json"] and len(json.loads(out.stdout)) == 39  # a ledger made on first use
    out, loaded = _probe(env, ["load", str(YAML), "--format", "json"])  # a YAML named: read as YAML
    assert "gkplan.seed_yaml" in loaded and json.loads(out.stdout)["unchanged"] == 39
