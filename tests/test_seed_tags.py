"""A seed's YAML merge key or tag (!!python/…, any unknown one) is refused in Chinese, at its position, for
every way a seed is read."""

from __future__ import annotations

import pytest

from conftest import READ_BY, dump, read_by

HEAD = "plan: {title: x, issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\npoints:\n"
POINT = "    section: 1\n    title: a\n    text: a\n    leads: [{leader: 甲}]\n"


@pytest.mark.parametrize(("text", "where"), [
    (HEAD + "  - <<: {number: 1}\n" + POINT, ":4:"),
    (HEAD + "  - number: !!python/object/apply:os.system [echo]\n" + POINT, ":4:"),
    ("plan: !!python/name:os.system\n", ":1:"),
    (HEAD + "  - number: !custom 1\n" + POINT, ":4:"),
])  # fmt: skip
@pytest.mark.parametrize("how", READ_BY)
def test_a_merge_key_or_a_tag_is_one_chinese_problem_at_its_place(run, ledger, tmp_path, text, where, how, monkeypatch):
    read_by(how, monkeypatch)
    path = tmp_path / "seed.yaml"
    path.write_text(text, encoding="utf-8")
    before = dump(ledger)
    result = run("load", str(path), code=4)
    assert "could not" not in result.stderr and "constructor" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"错误：{path}{where}") and result.stderr.count("\n") == 1, result.stderr
    assert dump(ledger) == before
