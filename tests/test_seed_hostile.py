"""Hostile seed files: each refused by `gkplan load` with exit 4 and one readable line per problem,
within 5 s and 200 MiB (measured on the real process), the ledger left byte for byte as it was.

Most cases run through all four readers: JSON (streamed), YAML read whole, YAML streamed (a seed over
1 MiB, on a machine of one core) and YAML streamed by a second process (the same seed, where there are two
cores: seed_child.py). `_as` writes one seed text for each: JSON is YAML too, so a comment line in front
sends it to the YAML reader, and a 1 MiB comment to the streaming one. Every load runs on one core, as on a
machine that has no other, but the second process's (`child`).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from unittest import mock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dump, server
from gkplan.seed_child import available

SECONDS, MIB = 5, 200
READERS = ("json", "yaml", "streamed", "child")
TWO_CORES = available()


class Outcome(NamedTuple):
    code: int
    stderr: str
    seconds: float
    mib: float


# Run by a small parent of its own: Linux counts the memory a process had before exec in its children's peak
# (max RSS), so `gkplan load` started straight from pytest (hundreds of MiB) would report pytest's size.
MEASURE = """
import resource, subprocess, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a safety net only: the assertions are on what is measured
code = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def load(path: Path) -> Outcome:
    """`gkplan load path` in its own process: exit code, stderr, wall time and peak memory (of that process, or of
    the second process that reads the seed). On one core, unless the seed is written for the `child` reader."""
    err = open(path.with_name(path.name + ".stderr"), "w+b")  # noqa: SIM115
    start = time.monotonic()
    pin = None
    if not path.stem.endswith("-child") and hasattr(os, "sched_setaffinity"):
        one = sorted(os.sched_getaffinity(0))[:1]
        pin = lambda: os.sched_setaffinity(0, one)  # noqa: E731
    proc = subprocess.Popen([sys.executable, "-c", MEASURE, sys.executable, "-m", "gkplan", "load", str(path)], preexec_fn=pin,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, start_new_session=True)  # fmt: skip
    killer = threading.Timer(4 * SECONDS, lambda: os.killpg(proc.pid, 9))  # a hang fails the test, not the suite
    killer.start()
    out = proc.communicate()[0].decode()
    seconds = time.monotonic() - start
    killer.cancel()
    maxrss, code = (int(x) for x in out.split()) if out.strip() else (0, -9)
    err.seek(0)
    stderr = err.read().decode("utf-8")
    err.close()
    return Outcome(code, stderr, seconds, maxrss / 1024)


def refused(path: Path, ledger: Path, *expected: str, lines: int | None = 1) -> str:
    """Load `path`, which must be refused cleanly and quickly; the refusal's text."""
    before, raw = dump(ledger), ledger.read_bytes() if server() is None else b""
    out = load(path)
    assert out.code == 4, out
    assert out.stderr.startswith("错误：") and "Traceback" not in out.stderr, out.stderr[:2000]
    if lines is not None:
        assert out.stderr.count("\n") == lines, out.stderr[:2000]
    for text in expected:
        assert text in out.stderr, out.stderr[:2000]
    assert out.seconds < SECONDS and out.mib < MIB, out[2:]
    assert (ledger.read_bytes() if server() is None else b"") == raw and dump(ledger) == before
    return out.stderr


def seed(**point: object) -> dict:
    base = {"number": 1, "section": 1, "title": "一项", "text": "一项。内容。", "leads": [{"leader": "甲", "departments": ["办公室"]}]}
    return {"plan": {"title": "测试", "issued": "2023-01-01", "year": 2023},
            "sections": [{"number": 1, "title": "甲"}], "points": [base | point]}  # fmt: skip


def _as(tmp_path: Path, reader: str, text: str | bytes) -> tuple[Path, int]:
    """The seed text written for `reader`, and how many lines were put in front of it."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if reader == "child" and not TWO_CORES:
        pytest.skip("一个核或 Windows：没有第二个进程读种子")
    padded = b"#" + b" " * (1 << 20) + b"\n"
    head = {"json": b"", "yaml": b"# YAML\n", "streamed": padded, "child": padded}[reader]
    path = tmp_path / f"seed{'-child' if reader == 'child' else ''}.{'json' if reader == 'json' else 'yaml'}"
    path.write_bytes(head + data)
    return path, head.count(b"\n")


# -- 1. alias bombs ------------------------------------------------------------------------------

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)  # 9^9 = 387 million "lol"s in 10 lines


@pytest.mark.parametrize("reader", ["yaml", "streamed", "child"])
def test_an_alias_bomb_is_refused_at_its_first_anchor_without_expanding_it(ledger, tmp_path, reader):
    path, shift = _as(tmp_path, reader, "plan: {title: x, issued: 2022-01-01, year: 2022}\n" + BOMB)
    stderr = refused(path, ledger, f"{path}:{2 + shift}:4: ")
    assert "锚点" in stderr and stderr.count("lol") == 0 and len(stderr) < 300


def test_an_alias_alone_is_refused_too(ledger, tmp_path):
    path, _ = _as(tmp_path, "yaml", "plan: *nothing\n")
    refused(path, ledger, f"{path}:2:7: 种子文件不能使用别名（*nothing）")


# -- 2. huge integers ----------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("field", ["number", "section", "targets"])
def test_a_5001_digit_number_is_a_problem_not_a_traceback(ledger, tmp_path, reader, field):
    huge = "9" * 5001
    value = [{"metric": "m", "unit": "个", "min": 0}] if field == "targets" else 0
    text = json.dumps(seed(**{field: value}), ensure_ascii=False)
    text = text.replace('"min": 0', f'"min": {huge}') if field == "targets" else text.replace(f'"{field}": 0', f'"{field}": {huge}')
    path, shift = _as(tmp_path, reader, text)
    stderr = refused(path, ledger, f"{path}:{1 + shift}:", "数字过大（5001 位）")
    assert huge[:100] not in stderr


@pytest.mark.parametrize("reader", READERS)
def test_a_section_past_sqlites_integers_is_refused_by_its_bound(ledger, tmp_path, reader):
    path, shift = _as(tmp_path, reader, json.dumps(seed(section=2**63), ensure_ascii=False))
    refused(path, ledger, f"{path}:{1 + shift}:", "要点 1 的字段 section：应不大于 10000000")


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [("plan.year", 3000, "字段 year：应不大于 2999"), ("plan.year", 1899, "字段 year：应不小于 1900"),
     ("sections.number", 0, "部分 0 的字段 number：应不小于 1"),
     ("sections.number", 10_000_001, "的字段 number：应不大于 10000000"),
     ("point.number", -1, "字段 number：应不小于 1"), ("point.section", 10**20, "字段 section：应不大于 10000000"),
     ("point.due", "3000-01-01", "字段 due：应不大于 2999-12-31"), ("plan.issued", "1899-12-31", "字段 issued：应不小于 1900-01-01"),
     ("point.targets", [{"metric": "m", "unit": "个", "min": 1e300}], "字段 targets[0].min：应不大于")],
)  # fmt: skip
def test_every_integer_and_date_field_is_bounded(run, ledger, tmp_path, where, value, expected):
    data = seed()
    record, field = where.split(".")
    target = {"plan": data["plan"], "sections": data["sections"][0], "point": data["points"][0]}[record]
    target[field] = value
    path, _ = _as(tmp_path, "json", json.dumps(data, ensure_ascii=False))
    before = dump(ledger)
    assert expected in run("load", str(path), code=4).stderr
    assert dump(ledger) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.one_of(st.integers(), st.integers(min_value=-(10**60), max_value=10**60)),
       reader=st.sampled_from(READERS[:2]))  # fmt: skip
def test_any_integer_is_loaded_or_refused_by_its_bound(run, tmp_path, number, reader):
    path, _ = _as(tmp_path, reader, json.dumps(seed(number=number, section=1), ensure_ascii=False))
    db = tmp_path / "property.db"
    db.unlink(missing_ok=True)
    with mock.patch.dict(os.environ, {"GKPLAN_DB": str(db)}):  # a fresh ledger made with this seed
        result = run("load", str(path), code=None)
    if 1 <= number <= 10_000_000:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 4 and "字段 number：" in result.stderr, result.stderr
        assert str(number)[:40] not in result.stderr or abs(number) < 10**12


# -- 3. deep nesting -----------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_a_value_nested_20000_deep_is_refused_as_too_deep(ledger, tmp_path, reader):
    text = json.dumps(seed(deliverables=[])).replace('"deliverables": []', '"deliverables": ' + "[" * 20000 + "]" * 20000)
    path, shift = _as(tmp_path, reader, text)
    refused(path, ledger, f"{path}:{1 + shift}:", "嵌套过深")


# -- 4. JSON beyond what json.loads checks ------------------------------------------------------


def test_json_with_content_after_the_top_level_object_is_refused(ledger, tmp_path):
    path, _ = _as(tmp_path, "json", json.dumps(seed()) + "\n{\"plan\": 1}\n")
    refused(path, ledger, f"{path}:2:1: JSON 语法错误：顶层对象之后还有多余的内容")


@pytest.mark.parametrize("where", ["top", "plan", "point", "lead"])
def test_json_with_a_key_given_twice_is_refused_wherever_it_is(ledger, tmp_path, where):
    text = json.dumps(seed(), ensure_ascii=False, indent=1)
    twice = {"top": ('"sections"', '"plan": {},\n "sections"'), "plan": ('"year"', '"year": 1, "year"'),
             "point": ('"title": "一项"', '"text": "x", "title": "一项"'), "lead": ('"leader"', '"leader": "乙", "leader"')}[where]  # fmt: skip
    path, _ = _as(tmp_path, "json", text.replace(*twice, 1))
    stderr = refused(path, ledger, "重复的键 '" + {"top": "plan", "plan": "year", "point": "text", "lead": "leader"}[where])
    assert re.match(rf"错误：{re.escape(str(path))}:\d+:\d+: ", stderr)


# -- 5. files that are not files ------------------------------------------------------------------


def test_a_fifo_is_refused_at_once_without_being_opened(ledger, tmp_path):
    fifo = tmp_path / "seed.yaml"
    os.mkfifo(fifo)
    refused(fifo, ledger, f"{fifo}: 是一个命名管道，不是普通文件")  # a blocking open() would never return


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_character_device_is_refused_at_once(ledger, device):
    if not stat.S_ISCHR(os.stat(device).st_mode):
        pytest.skip(f"{device} is not a character device here")
    refused(Path(device), ledger, f"{device}: 是一个字符设备，不是普通文件")


def test_a_directory_and_a_link_to_a_device_are_refused(ledger, tmp_path):
    refused(tmp_path, ledger, f"{tmp_path}: 是一个目录，不是种子文件")
    link = tmp_path / "seed.yaml"
    link.symlink_to("/dev/zero")
    refused(link, ledger, "字符设备")


# -- 6. invisible characters ------------------------------------------------------------------------

INVISIBLE = ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x80", "\x9b", "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
@pytest.mark.parametrize("field", ["plan.title", "title", "text", "leads[0].leader", "deliverables[0]"])
def test_control_and_bidi_characters_are_refused_naming_the_field(run, isolated, tmp_path, char, field):
    data = seed(deliverables=["方案"])
    point = data["points"][0]
    {"plan.title": lambda: data["plan"].update(title="测" + char + "试"), "title": lambda: point.update(title="一" + char + "项"),
     "text": lambda: point.update(text="一项。" + char + "内容。"), "leads[0].leader": lambda: point["leads"][0].update(leader="甲" + char + "乙"),
     "deliverables[0]": lambda: point.update(deliverables=["方" + char + "案"])}[field]()  # fmt: skip
    path, _ = _as(tmp_path, "json", json.dumps(data))  # escaped: "\u001b" reaches the model as the character
    stderr = run("load", str(path), code=4).stderr  # in-process: 55 cases; time and memory are measured below
    assert f"字段 {field.removeprefix('plan.')}：" in stderr and f"U+{ord(char):04X}" in stderr and char not in stderr
    assert stderr.count("\n") == 1 and not isolated.exists()  # no ledger was made for a refused seed


def test_an_escape_sequence_in_a_text_is_refused_within_limits(ledger, tmp_path):
    path, _ = _as(tmp_path, "json", json.dumps(seed(text="一项。\x1b]0;owned\x07内容。")))
    stderr = refused(path, ledger, f"{path}:1:", "要点 1 的字段 text：含控制字符 U+001B（第 4 个字符）")
    assert "\x1b" not in stderr


def test_tab_and_newline_stay_allowed_in_the_long_text_only(run, isolated, tmp_path):
    path, _ = _as(tmp_path, "json", json.dumps(seed(text="一项。\n\t内容。")))
    assert run.json("load", str(path))["added"] == 1
    assert run.json("show", "1")["text"] == "一项。\n\t内容。"
    path, _ = _as(tmp_path, "json", json.dumps(seed(title="一\n项")))
    assert "字段 title：不能含换行（第 2 个字符）" in run("load", str(path), code=4).stderr


def test_an_unknown_field_named_with_an_escape_sequence_is_shown_escaped(run, ledger, tmp_path):
    path, _ = _as(tmp_path, "json", json.dumps(seed(**{"\x1b[31mred" + "x" * 500: 1})))
    stderr = run("load", str(path), code=4).stderr
    assert "\x1b" not in stderr and "\\x1b[31mred" in stderr and len(stderr) < 300


_BAD = set(range(0x00, 0x20)) | set(range(0x7F, 0xA0)) | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(INVISIBLE), max_size=12))
def test_any_title_is_loaded_exactly_when_it_has_no_invisible_character(run, tmp_path, words):
    path, _ = _as(tmp_path, "json", json.dumps(seed(title="甲" + words + "乙")))
    db = tmp_path / "property.db"
    db.unlink(missing_ok=True)
    with mock.patch.dict(os.environ, {"GKPLAN_DB": str(db)}):  # a fresh ledger made with this seed
        result = run("load", str(path), code=None)
    first = next((ch for ch in words if ord(ch) in _BAD), None)
    if first is None:
        assert result.exit_code == 0, result.stderr
        assert run.json("--db", str(db), "show", "1")["title"] == "甲" + words + "乙"
    else:
        assert result.exit_code == 4 and "字段 title：" in result.stderr, result.stderr
        assert ("换行" if first == "\n" else f"U+{ord(first):04X}") in result.stderr
        assert not any(ord(ch) in _BAD - {0x0A} for ch in result.stderr)


# -- 7. encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_a_byte_that_is_not_utf8_is_refused_at_its_line_and_column(ledger, tmp_path, reader):
    text = json.dumps(seed(), ensure_ascii=False, indent=1).replace('"一项。内容。"', '"一项。内\xe5容。"')
    path, shift = _as(tmp_path, reader, text.encode("utf-8").replace("\xe5".encode(), b"\xff"))
    line, column = next((i + 1, x.index("\xe5") + 1) for i, x in enumerate(text.split("\n")) if "\xe5" in x)
    refused(path, ledger, f"{path}:{line + shift}:{column}: 文件不是 UTF-8 编码（此处的字节 0xFF 无法解码），种子文件须为 UTF-8 编码")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_file_is_refused_saying_it_must_be_utf8(ledger, tmp_path, reader, encoding):
    body = json.dumps(seed(), ensure_ascii=False)
    data = body.encode(encoding) if reader == "json" else ("# YAML\n" + body).encode(encoding)
    if reader in ("streamed", "child"):
        data = ("#" + " " * (1 << 20) + "\n" + body).encode(encoding)
    if reader == "child" and not TWO_CORES:
        pytest.skip("一个核或 Windows：没有第二个进程读种子")
    path = tmp_path / ("seed-child.yaml" if reader == "child" else "seed.yaml")
    path.write_bytes(data)
    refused(path, ledger, f"{path}:1:", "种子文件须为 UTF-8 编码")


# -- 8. size ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_a_100000_character_text_on_one_line_loads_within_limits(isolated, tmp_path, reader):
    path, _ = _as(tmp_path, reader, json.dumps(seed(text="长" * 99_999 + "。"), ensure_ascii=False))
    out = load(path)
    assert out.code == 0 and out.seconds < SECONDS and out.mib < MIB, out


@pytest.mark.parametrize("reader", READERS)
def test_a_seed_longer_than_one_values_limit_loads_when_each_point_is_within_it(isolated, tmp_path, reader):
    """The limit (4 million characters) bounds what one point reads, not the whole file: 1,700 points of
    2,600 characters (4.4 million) load; the streamed reader settles once per point."""
    data = seed()
    one = data["points"][0]
    data["points"] = [one | {"number": n, "text": f"第{n}项" + "长" * 2_600} for n in range(1, 1_701)]
    path, _ = _as(tmp_path, reader, json.dumps(data, ensure_ascii=False))
    out = load(path)
    assert out.code == 0 and out.seconds < SECONDS and out.mib < MIB, out
    listed = subprocess.run([sys.executable, "-m", "gkplan", "list", "--format", "json"], capture_output=True, check=True)
    points = json.loads(listed.stdout)
    assert [p["id"] for p in points] == list(range(1, 1_701)) and all(len(p["text"]) > 2_600 for p in points)


@pytest.mark.parametrize("reader", ["yaml", "streamed", "child"])
def test_one_point_longer_than_the_limit_is_refused(ledger, tmp_path, reader):
    """A point of 4.2 million characters in 105 texts, none of them too long on its own. (The JSON reader reads a
    point whole, in a buffer that doubles, and so refuses somewhere between one and two times the limit.)"""
    path, _ = _as(tmp_path, reader, json.dumps(seed(notes=["长" * 40_000] * 105), ensure_ascii=False))
    refused(path, ledger, f"{path}:", "一个值超过 4 百万个字符")


GIANT = {  # how the seed starts, and the line repeated to 256 MiB
    "json": (b'{"plan": {"title": "', b"a" * 64),
    "yaml-one-line": (b"plan:\n  title: ", b"a" * 64),
    "yaml-block": (b"plan:\n  title: |\n", b"    " + b"a" * 59 + b"\n"),
}


@pytest.mark.parametrize("child", [False, True], ids=["here", "child"])
@pytest.mark.parametrize("shape", sorted(GIANT))
def test_a_seed_larger_than_the_memory_allowed_is_never_read_whole(ledger, tmp_path, shape, child):
    """256 MiB in one value (the budget is 200 MiB): refused after reading a few MiB of it."""
    if child and not TWO_CORES:
        pytest.skip("一个核或 Windows：没有第二个进程读种子")
    head, line = GIANT[shape]
    path = tmp_path / f"seed{'-child' if child else ''}.{'json' if shape == 'json' else 'yaml'}"
    with path.open("wb") as f:
        f.write(head)
        block = line * ((1 << 20) // len(line))
        for _ in range(256):
            f.write(block)
    assert path.stat().st_size > MIB << 20
    refused(path, ledger, f"{path}:", "一个值超过 4 百万个字符")
