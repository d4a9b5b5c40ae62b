"""The streaming YAML reader places every problem where the whole-file reader (positions from libyaml's node
tree) places it: its marks are kept as the values are read and paired with their paths only for a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkplan.errors import SeedError
from gkplan.seed_child import available
from gkplan.seed import open_seed

SEED = """\
plan: {title: 测试, issued: 2023-01-01, year: 2023, extra: 1}
sections:
  - {number: 1, title: 甲}
  - {number: x, title: 乙}
points:
  - number: 1
    section: 1
    title: 一项
    text: 一项。内容。
    leads: [{leader: 甲, departments: [办公室, 7]}]
    targets:
      - {metric: m, unit: 个, min: 1}
      - {metric: n, unit: 个, min: many}
    deliverables: [方案, {title: 挂牌, kind: milestone, due: 3000-01-01}]
  - number: 2
    section: 9
    title: ""
    text: 二
    leads: {leader: 乙}
  - number: 1
    section: 1
    title: 三
    text: 三项。
    leads: [{leader: 丙, departments: [教务部]}]
    checkpoints: [{date: 2023-06-30, progress: 140}]
  - [not, a, mapping]
"""


def _problems(path: Path, shift: int) -> list[tuple]:
    with pytest.raises(SeedError) as caught:
        source = open_seed(path)
        list(source.points())
        source.finish()
    return sorted((p.line - shift, p.column, p.message) for p in caught.value.problems)


@pytest.mark.parametrize("how", ["streamed", "child"])
def test_a_streamed_seed_places_its_problems_where_the_whole_reader_does(tmp_path, how, monkeypatch):
    if how == "child" and not available():
        pytest.skip("一个核或 Windows：没有第二个进程读种子")
    if how == "streamed":  # (as on a machine of one core)
        monkeypatch.setattr("gkplan.seed.CHILD_SEED_ABOVE", 1 << 62)
    whole, streamed = tmp_path / "whole.yaml", tmp_path / "streamed.yaml"
    whole.write_text(SEED, encoding="utf-8")
    streamed.write_text("#" + " " * (1 << 20) + "\n" + SEED, encoding="utf-8")  # over 1 MiB: read as a stream
    expected = _problems(whole, 0)
    assert len(expected) >= 8 and {line for line, _, _ in expected} >= {1, 4, 10, 13, 14, 16, 19}
    got = _problems(streamed, 1)
    # (a streamed source keeps no earlier records, so its duplicate number names no first line)
    assert got == [(line, column, message.replace("（第一次在第 6 行）", "")) for line, column, message in expected]
