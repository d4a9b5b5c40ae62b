"""A point's or section's number written loosely ("1", 1.0, true) is the number the ledger gets: held to the
same rules as one written plainly (no duplicate, a section that exists)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import READ_BY, REPO, dump, read_by

LOOSE = ('"1"', "1.0", "true", "' 1 '")


def _yaml(tmp_path: Path, year: str, second: str) -> Path:
    """The bundled seed for `year`, its point 2 numbered `second`."""
    text = (REPO / "data" / "workpoints_2022.yaml").read_text(encoding="utf-8").replace("2022", year)
    assert text.count("\n  - number: 2\n") == 1
    path = tmp_path / "seed.yaml"
    path.write_text(text.replace("\n  - number: 2\n", f"\n  - number: {second}\n"), encoding="utf-8")
    return path


def _json(tmp_path: Path, year: str, second: object) -> Path:
    data = json.loads((REPO / "data" / "workpoints_2022.json").read_text(encoding="utf-8").replace("2022", year))
    data["points"][1]["number"] = second
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _refused(run, ledger: Path, path: Path) -> str:
    before = dump(ledger)
    result = run("load", str(path), code=4)
    assert "要点编号 1 重复" in result.stderr and f"{path}:" in result.stderr, result.stderr
    assert result.stderr.startswith("错误：") and "Traceback" not in result.stderr
    assert dump(ledger) == before
    return result.stderr


@pytest.mark.parametrize("year", ["2023", "2022"])  # a new plan, and the plan already loaded (point 1 overwritten)
@pytest.mark.parametrize("second", LOOSE)
@pytest.mark.parametrize("how", READ_BY)
def test_a_duplicate_point_number_written_loosely_is_refused(run, ledger, tmp_path, year, second, how, monkeypatch):
    read_by(how, monkeypatch)
    stderr = _refused(run, ledger, _yaml(tmp_path, year, second))
    if how == "whole":
        assert "（第一次在第 27 行）" in stderr


@pytest.mark.parametrize("year", ["2023", "2022"])
@pytest.mark.parametrize("second", ["1", 1.0, True, " 1 "])
@pytest.mark.parametrize("how", READ_BY)
def test_a_duplicate_point_number_written_loosely_in_json_is_refused(run, ledger, tmp_path, year, second, how, monkeypatch):
    read_by(how, monkeypatch)
    _refused(run, ledger, _json(tmp_path, year, second))


def test_a_new_ledger_is_not_made_from_such_a_seed(run, isolated, tmp_path):
    run("load", str(_yaml(tmp_path, "2023", '"1"')), code=4)
    assert dump(isolated) == []


@pytest.mark.parametrize("how", READ_BY)
def test_a_section_written_loosely_must_be_in_sections(run, ledger, tmp_path, how, monkeypatch):
    read_by(how, monkeypatch)
    text = ("plan: {title: x, issued: 2023-01-01, year: 2023}\nsections: [{number: 1, title: a}]\npoints:\n"
            "  - {number: 1, section: '7', title: a, text: a, leads: [{leader: 甲}]}\n")  # fmt: skip
    _seed_refused(run, ledger, tmp_path, text, "部分 7 不在 sections 中")


def test_a_duplicate_section_number_written_loosely_is_refused(run, ledger, tmp_path):
    text = ("plan: {title: x, issued: 2023-01-01, year: 2023}\nsections: [{number: 1, title: a}, {number: '1', title: b}]\n"
            "points:\n  - {number: 1, section: 1, title: a, text: a, leads: [{leader: 甲}]}\n")  # fmt: skip
    _seed_refused(run, ledger, tmp_path, text, "部分编号 1 重复")


def _seed_refused(run, ledger, tmp_path, text: str, error: str) -> None:  # noqa: ANN001
    path = tmp_path / "seed.yaml"
    path.write_text(text, encoding="utf-8")
    before = dump(ledger)
    assert error in run("load", str(path), code=4).stderr
    assert dump(ledger) == before
