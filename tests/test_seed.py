"""The bundled seed against the source document, and seed files that must be refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import READ_BY, SOURCE, dump, read_by



def _source_points() -> dict[int, dict]:
    """An independent reading of the source: each point's words and its owner line."""
    text = SOURCE.read_text(encoding="utf-8")
    body = text[text.index("## 一、") : text.index("(此件主动公开)")]
    chunks = re.split(r"\n(?=\d+\.\s*\S)", body)
    points = {}
    for chunk in chunks[1:]:
        number = int(re.match(r"(\d+)\.", chunk).group(1))
        owner = re.search(r"[（(](校领导.*)[）)]\s*$", chunk.split("\n## ")[0].split("\n#")[0].strip())
        words = chunk[: owner.start()] if owner else chunk
        words = re.sub(r"^\d+\.\s*", "", words)
        leaders = re.findall(r"校领导：(.+?)。", owner.group(1))
        depts = []
        for part in re.findall(r"(?:。|，)([^。，；]+?)(?:牵头负责|负责|$)", owner.group(1)):
            if part != "各部门分工":
                depts += [d for d in part.split("/") if d not in depts]
        points[number] = {"words": re.sub(r"\s+", "", words), "leaders": leaders, "departments": depts, "owner": owner.group(1)}
    return points


def test_seed_has_every_point_and_section_of_the_source(run, ledger):
    source = _source_points()
    points = {p["id"]: p for p in run.json("list")}
    assert sorted(points) == sorted(source) == list(range(1, 40))
    sections = {p["section"]: p["section_title"] for p in points.values()}
    assert len(sections) == 10
    heads = re.findall(r"^#+\s*[一二三四五六七八九十]+、(.+)$", SOURCE.read_text(encoding="utf-8"), re.M)
    assert [sections[i] for i in range(1, 11)] == [h.strip() for h in heads]


def test_seed_text_is_the_source_text_word_for_word(run, ledger):
    source = _source_points()
    for p in run.json("list"):
        assert re.sub(r"\s+", "", p["text"]) == source[p["id"]]["words"], p["id"]
        assert p["text"].startswith(p["title"] + "。"), p["id"]
        # page-break artefacts are repaired: no line breaks except real paragraph breaks
        assert "\n" not in p["text"] or p["id"] in (15, 19), p["id"]


def test_seed_leaders_and_departments_match_the_owner_lines(run, ledger):
    source = _source_points()
    for p in run.json("list"):
        assert p["leaders"] == source[p["id"]]["leaders"], p["id"]
        assert p["departments"] == source[p["id"]]["departments"], p["id"]


def test_points_with_particular_owner_lines(run, ledger):
    p7 = run.json("show", "7")
    assert p7["leads"] == [
        {"leader": "李松", "departments": ["教务部"], "scope": "教学改革事项和研究生教育工作", "note": None},
        {"leader": "鞠传进", "departments": ["应用型本科教育筹备工作组"], "scope": "应用型本科教育筹备工作", "note": None},
    ]
    p4 = run.json("show", "4")
    assert p4["departments"] == ["纪检监察部", "审计部"]
    p38, p39 = run.json("show", "38"), run.json("show", "39")
    assert p38["leaders"] == [] and p38["departments"] == []
    assert p38["leads"][0]["note"] == "校领导按分工牵头推进，各部门分工负责"
    assert p39["leaders"] == [] and p39["departments"] == ["党委办公室", "校长办公室"]
    assert p39["leads"][0]["note"] == "校领导按分工牵头推进"
    assert run.json("show", "17")["departments"] == ["国家老年大学筹建领导小组"]
    assert run.json("show", "18")["departments"] == ["老年大学"]
    for pid in (15, 19):
        assert run.json("show", str(pid))["text"].count("\n\n") == 1
    assert "习近平总书记关于教育的重要论述" in run.json("show", "1")["text"]


def test_every_point_defaults_to_the_plan_end(run, ledger):
    assert {p["due"] for p in run.json("list")} == {"2022-12-31"}


def test_first_command_creates_and_seeds_the_ledger(run, isolated):
    assert not isolated.exists()
    result = run("list", "--dept", "教务部", "--format", "json")
    assert isolated.exists()
    assert "已新建台账" in result.stderr and "39" in result.stderr
    assert "已新建台账" not in run("list", "--format", "json").stderr


# -- load / re-load ------------------------------------------------------------------------------

BUNDLED = Path(__file__).resolve().parents[1] / "data" / "workpoints_2022.yaml"


def test_reload_is_idempotent_and_keeps_progress_and_history(run, ledger):
    run("update", "18", "--progress", "60", "--note", "方案已报部")
    run("task", "update", "17.1", "--progress", "40")
    run("task", "complete", "17")
    before = run.json("show", "18")
    result = run.json("load")
    assert (result["added"], result["changed"], result["unchanged"]) == (0, 0, 39)
    assert result["tasks_added"] == 0 and result["targets_added"] == 0 and result["changed_ids"] == []
    assert run.json("show", "17")["progress"] == 20  # (40 + 0) / 2: 17.1 and the milestone 17.2
    after = run.json("show", "18")
    assert (after["progress"], after["status"], after["note"]) == (60, "in_progress", "方案已报部")
    assert after["history"] == before["history"]


def test_reload_of_an_edited_seed_updates_only_seed_fields(run, ledger, tmp_path):
    run("update", "18", "--progress", "40")
    run("update", "18", "--due", "2022-09-30")
    edited = BUNDLED.read_text(encoding="utf-8").replace("title: 持续做好老年教育", "title: 持续做好老年教育工作")
    edited = edited.replace("end: 2022-12-31 ", "end: 2023-01-31 ")
    path = tmp_path / "edited.yaml"
    path.write_text(edited, encoding="utf-8")
    result = run.json("load", str(path))
    assert result["changed_ids"] == list(range(1, 40)) and result["added"] == 0  # every default due moved
    p18, p1 = run.json("show", "18"), run.json("show", "1")
    assert p18["title"] == "持续做好老年教育工作" and p18["progress"] == 40
    assert p1["due"] == "2023-01-31"  # followed the seed
    assert p18["due"] == "2022-09-30"  # moved by a person: kept


def test_load_into_a_fresh_ledger_loads_that_file_only(run, isolated, tmp_path):
    small = tmp_path / "small.yaml"
    small.write_text(
        "plan: {title: 测试计划, issued: 2023-01-01, year: 2023}\n"
        "sections:\n  - {number: 1, title: 第一部分}\n"
        "points:\n  - {number: 5, section: 1, title: 一项, text: 一项。内容。, leads: [{leader: 王五, departments: [办公室]}]}\n",
        encoding="utf-8",
    )
    result = run.json("load", str(small))
    assert result["added"] == 1
    assert run.ids() == [5]
    assert run.json("show", "5")["due"] == "2023-12-31"


def _bad_seed(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_syntax_error_names_file_line_and_column(run, ledger, tmp_path):
    before = dump(ledger)
    path = _bad_seed(tmp_path, "plan:\n  title: x\npoints: [\n  - a\n")
    result = run("load", str(path), code=4)
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: YAML 语法错误", result.stderr)
    assert dump(ledger) == before


def test_validation_errors_name_point_field_and_line(run, ledger, tmp_path):
    before = dump(ledger)
    text = BUNDLED.read_text(encoding="utf-8")
    lines = text.split("\n")
    # break point 9: a misspelt field and an empty title
    i = lines.index("  - number: 9")
    lines[i + 2] = "    title: ''"
    lines.insert(i + 3, "    titel: 提质扩容学习资源")
    path = _bad_seed(tmp_path, "\n".join(lines))
    result = run("load", str(path), code=4)
    assert f"{path}:{i + 3}:12: 要点 9 的字段 title：不能为空" in result.stderr
    assert f"{path}:{i + 4}:12: 要点 9 的字段 titel：未知字段" in result.stderr
    assert dump(ledger) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "文件是空的"),
        ("- 1\n- 2\n", "顶层却是列表"),
        ("plan: {title: x, issued: 2022-02-30, year: 2022}\n", "无效的日期 '2022-02-30'"),
        ("plan: {title: x, issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\npoints:\n"
         "  - {number: 1, section: 1, title: a, text: a, leads: [{leader: 甲}]}\n"
         "  - {number: 1, section: 1, title: b, text: b, leads: [{leader: 乙}]}\n", "要点编号 1 重复"),
        ("plan: {title: x, issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\npoints:\n"
         "  - {number: 1, section: 7, title: a, text: a, leads: [{leader: 甲}]}\n", "部分 7 不在 sections 中"),
        ("plan: {title: x, issued: 2022-01-01, year: 2022}\nplan: {title: y}\n", "重复的键 'plan'"),
        ("plan: {title: x, issued: 2022-01-01, year: 2022}\nsections: [{number: 1, title: a}]\npoints:\n"
         "  - {number: 1, section: 1, title: a, text: a, leads: [{departments: [办公室]}]}\n", "须有 leader"),
        ("plan: {title: x, issued: 2022-01-01, year: 二〇二二}\nsections: [{number: 1, title: a}]\npoints: []\n", "year：应为整数"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("how", READ_BY)
def test_bad_seed_files_are_refused_and_change_nothing(run, ledger, tmp_path, text, expected, how, monkeypatch):
    read_by(how, monkeypatch)  # a seed over 1 MiB is read as events, one point at a time: here, or by a second process
    before = dump(ledger)
    result = run("load", str(_bad_seed(tmp_path, text)), code=4)
    assert expected in result.stderr
    assert result.stderr.startswith("错误：")
    assert dump(ledger) == before


def test_missing_seed_file(run, ledger, tmp_path):
    result = run("load", str(tmp_path / "nope.yaml"), code=4)
    assert "种子文件不存在" in result.stderr


def test_failed_load_into_a_new_ledger_leaves_no_file(run, isolated, tmp_path):
    run("load", str(_bad_seed(tmp_path, "- 1\n")), code=4)
    assert not isolated.exists()


# -- JSON seeds: the same format, streamed --------------------------------------------------------


def _json_seed(tmp_path: Path, points: list[dict], head: str | None = None) -> Path:
    import json

    path = tmp_path / "seed.json"
    head = head or '"plan": {"title": "测试", "issued": "2023-01-01", "year": 2023}, "sections": [{"number": 1, "title": "甲"}]'
    body = ",\n".join(json.dumps(p, ensure_ascii=False) for p in points)
    path.write_text("{" + head + ', "points": [\n' + body + "\n]}\n", encoding="utf-8")
    return path


def _p(n: int, **kw) -> dict:  # noqa: ANN003
    return {"number": n, "section": 1, "title": f"要点{n}", "text": f"要点{n}。", "leads": [{"leader": "甲", "departments": ["办公室"]}]} | kw


def test_json_seed_streams_in_and_matches_yaml(run, isolated, tmp_path):
    path = _json_seed(tmp_path, [_p(n) for n in range(1, 5001)])
    result = run.json("load", str(path))
    assert (result["added"], result["changed"], result["unchanged"]) == (5000, 0, 0)
    assert run.json("show", "4321")["title"] == "要点4321"
    assert run.json("show", "4321")["due"] == "2023-12-31"
    assert run.json("load", str(path))["unchanged"] == 5000


@pytest.mark.parametrize("how", ["whole", "child"])
def test_json_seed_problems_have_lines_and_roll_back(run, ledger, tmp_path, how, monkeypatch):
    read_by(how, monkeypatch)
    before = dump(ledger)
    points = [_p(n) for n in range(1, 3001)]
    points[1999]["title"] = ""
    points[2499]["number"] = 7
    path = _json_seed(tmp_path, points)
    result = run("load", str(path), code=4)
    # line 1 is the head, point n stands on line n + 1
    assert f"{path}:2001:1: 要点 2000 的字段 title：不能为空" in result.stderr
    assert f"{path}:2501:1: 要点 7 的字段 number：要点编号 7 重复" in result.stderr
    assert dump(ledger) == before  # the first 2,000 points were written, then rolled back
    broken = tmp_path / "broken.json"
    broken.write_text('{"plan": {"title": "x", "issued": "2022-01-01", "year": 2022},\n"sections": [{"number": 1, "title": "a"}],\n"points": [\n{"number": 1 "section": 1}]}', encoding="utf-8")
    assert f"{broken}:4:14: JSON 语法错误" in run("load", str(broken), code=4).stderr
    assert dump(ledger) == before


def test_json_seed_needs_plan_and_sections_before_points(run, ledger, tmp_path):
    path = tmp_path / "late.json"
    path.write_text('{"points": [], "plan": {"title": "x", "issued": "2022-01-01", "year": 2022}}', encoding="utf-8")
    assert "须写在 points 之前" in run("load", str(path), code=4).stderr


@pytest.mark.parametrize("how", READ_BY[1:])
def test_a_large_yaml_seed_streams_with_positions_and_rolls_back(run, ledger, tmp_path, how, monkeypatch):
    read_by(how, monkeypatch)
    lines = ["plan: {title: 测试, issued: 2023-01-01, year: 2023}", "sections:", "  - {number: 1, title: 甲}", "points:"]
    for n in range(1, 3001):
        lines.append(f"  - {{number: {n}, section: 1, title: 要点{n}, text: 要点{n}。, leads: [{{leader: 甲, departments: [办公室]}}]}}")
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with monkeypatch.context() as env:
        env.setenv("GKPLAN_DB", str(tmp_path / "fresh.db"))
        assert run.json("load", str(path))["added"] == 3000  # a 2023 plan beside the bundled 2022 one
        assert run.json("show", "2999")["title"] == "要点2999"
    before = dump(ledger)
    lines[4 + 2499] = lines[4 + 2499].replace("title: 要点2500", "title: ''").replace("section: 1", "section: 9")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("load", str(path), code=4)
    assert f"{path}:2504:" in result.stderr and "要点 2500 的字段 title：不能为空" in result.stderr
    assert "要点 2500 的字段 section：部分 9 不在 sections 中" in result.stderr
    assert dump(ledger) == before


# -- plan keys (two plans of one year) ---------------------------------------------------------------

KEYED = "plan:\n  title: 测试计划\n  issued: 2023-01-01\n  year: 2023\n  key: {key}\nsections:\n  - {{number: 1, title: 甲}}\n" \
        "points:\n  - {{number: 1, section: 1, title: 一项, text: 一项。, leads: [{{leader: 甲}}]}}\n"  # fmt: skip


@pytest.mark.parametrize("key", ["-autumn", "秋季", "a" * 41, "'2023 autumn'", "''", "a.b"])
@pytest.mark.parametrize("how", READ_BY)
def test_a_bad_plan_key_is_refused_with_its_position(run, ledger, tmp_path, key, how, monkeypatch):
    read_by(how, monkeypatch)
    before = dump(ledger)
    path = _bad_seed(tmp_path, KEYED.format(key=key))
    result = run("load", str(path), code=4)
    assert f"{path}:5:8: 字段 key：应为 1–40 个英文字母、数字、- 或 _，并以字母或数字开头" in result.stderr
    assert dump(ledger) == before


@pytest.mark.parametrize("key", ["2023-autumn", "a", "A_1", "9" + "x" * 39])
def test_a_good_plan_key_loads(run, tmp_path, key):
    result = run.json("load", str(_bad_seed(tmp_path, KEYED.format(key=key))))
    assert result["added"] == 1 and result["plan"] == key and result["new_plan"] is True
    assert run.json("show", "1")["plan"] == key
