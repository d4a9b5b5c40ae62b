"""The seed validator's answers, pinned case by case: for each record of seed_cases.py, every problem it
reports (the path located, the message, the point and field) and, when it accepts the record, every value
it hands the ledger, with its type (an int stays an int, "3" becomes 3, a stripped name, a date).

The golden file was recorded from the pydantic models the hand-written validator replaced (issue 11), and
this test passed on them before the switch: the two agree on all of these records. To record it anew, after
a deliberate change: GKPLAN_RECORD_PARITY=1 pytest tests/test_seed_parity.py (and review the diff)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from seed_cases import PLAN, cases

from gkplan.seed import SeedSource

GOLDEN = Path(__file__).parent / "data" / "seed_parity.json.gz"

FIELDS = {
    "Plan": ("title", "document", "issued", "year", "key", "start", "end", "plan_key", "start_date", "end_date"),
    "Section": ("number", "title"),
    "Point": ("number", "section", "title", "text", "leads", "start", "due", "checkpoints", "co_departments",
              "deliverables", "targets", "items"),
    "Lead": ("leader", "departments", "scope", "note"),
    "Checkpoint": ("date", "progress"),
    "Deliverable": ("title", "kind", "due", "department", "co_departments", "code"),
    "Target": ("metric", "unit", "min", "max", "due", "source", "approx", "about"),
}  # fmt: skip


def dump(value: Any) -> Any:
    """A validated value as plain JSON, every scalar with its type."""
    name = type(value).__name__
    if name in FIELDS:
        return {"_": name, **{f: dump(getattr(value, f)) for f in FIELDS[name]}}
    if isinstance(value, list | tuple):
        return [type(value).__name__, [dump(v) for v in value]]
    return [name, repr(value)]


def _where(loc: tuple) -> tuple[str, int]:
    return "/".join(map(repr, loc)), 0


def observe(kind: str, record: Any) -> dict[str, Any]:
    source = SeedSource(Path("s.yaml"))
    accepted: Any = None
    if kind == "plan":
        source._check_head({"plan": record, "sections": [{"number": 1, "title": "一"}]}, _where)
        accepted = source.plan
    elif kind == "sections":
        source._check_head({"plan": PLAN, "sections": record}, _where)
        accepted = source.sections
    else:
        source._check_head({"plan": PLAN, "sections": [{"number": 1, "title": "一"}, {"number": 2, "title": "二"}]}, _where)
        assert source.ok
        accepted = source._point(record, 4, _where)
    problems = sorted([p.line, p.message, repr(p.point), p.field] for p in source._problems)
    return {"problems": problems, "accepted": dump(accepted) if accepted is not None else None}


def _key(kind: str, record: Any) -> str:
    text = re.sub(r" object at 0x[0-9a-f]+", "", f"{kind}:{record!r}")  # (TooLarge has no repr of its own)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _observed() -> list[dict[str, Any]]:
    return [{"case": _key(kind, record), **observe(kind, record)} for kind, record in cases()]


def test_the_validator_answers_every_case_as_recorded():
    observed = _observed()
    if os.environ.get("GKPLAN_RECORD_PARITY"):
        GOLDEN.write_bytes(gzip.compress(json.dumps(observed, ensure_ascii=False, indent=0).encode(), mtime=0))
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    assert len(observed) == len(golden)
    for got, want in zip(observed, golden, strict=True):
        assert got == want


def test_the_cases_cover_what_matters():
    """The golden file is not trivially all-accepted or all-refused, and holds the lax conversions pinned."""
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    accepted = sum(1 for g in golden if g["accepted"] is not None)
    assert 500 < accepted < len(golden) - 500
    messages = {p[1] for g in golden for p in g["problems"]}
    for text in ("应为整数", "应为数字", "应为文本", "应为日期，如 2022-12-31", "应为日期（不含时间）", "未知字段（拼写错误？）",
                 "缺少必填字段", "不能为空", "应为列表", "至少需要一项", "应为映射（键: 值）", "数字过大（40 位）"):  # fmt: skip
        assert any(text in m for m in messages), text


def test_every_message_is_in_chinese():
    """What pydantic used to pass through in English (booleans, the deliverable kinds, keys that are no
    text, undecodable !!binary) is said in Chinese: the part after "：" holds a CJK character."""
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    english = sorted({p[1] for g in golden for p in g["problems"] if not re.search("[\u4e00-\u9fff]", p[1].rsplit("：", 1)[-1])})
    assert not english, english[:5]
    messages = {p[1].rsplit("：", 1)[-1] for g in golden for p in g["problems"]}
    for text in ("应为是或否（true 或 false）", "应为 '文件'、'里程碑'、'document' 或 'milestone' 之一", "键应为文本",
                 "不是有效的 UTF-8 文本"):  # fmt: skip
        assert text in messages, text
