"""render.describe_changes (an export describes each of 300,000 history entries with it) against the way it was
written before its fast path for progress (tests/test_describe_changes.py keeps that text): the same words,
or the same error, for any changes, the usual and the odd."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.render.records import _CHANGE_LABELS, _DIFF_VALUES, describe_changes
from gkplan.values import STATUS_LABELS


def _before(changes: dict[str, list[Any]]) -> str:
    """describe_changes as it stood before the fast path (commit 16ab0ad), verbatim."""
    parts = []
    for key, (old, new) in changes.items():
        if key == "note":
            continue
        if key == "task":
            parts.append(f"新增任务“{new['title']}”" if new else f"删除任务“{old['title']}”")
            continue
        if key in ("text", "leads"):
            parts.append(f"{_CHANGE_LABELS[key]}已改")
            continue
        if key == "extension":
            parts.append(f"延期理由：{new}" if new else "撤销延期")
            continue
        if key == "request":
            if isinstance(new, dict):
                parts.append(f"申请截止日期改为 {new['due']}" + (f"（理由：{new['reason']}）" if new.get("reason") else "") + "，待督查办审批")
            elif isinstance(old, dict):
                parts.append("撤回延期申请")
            elif new is None:
                parts.append(f"撤销对申请 #{old} 的审批")
            else:
                parts.append(f"{'批准' if new == 'accepted' else '不批准'}延期申请 #{old}")
            continue
        if key == "follows":
            parts.append("任务清单确认完整，进度按任务汇总" if new else "进度改为直接填报")
            continue
        if key == "status":
            old, new = STATUS_LABELS.get(old, old), STATUS_LABELS.get(new, new)
        elif key == "progress":
            old, new = f"{old}%", f"{new}%"
        elif key in ("co", "dept") or key == "kind":
            old, new = (_DIFF_VALUES[key](v) if v else None for v in (old, new))
        old, new = ("空" if v is None else v for v in (old, new))
        parts.append(f"{_CHANGE_LABELS.get(key, key)} {old} → {new}")
    return "；".join(parts)


def _outcome(describe: Any, changes: dict) -> Any:
    try:
        return describe(changes)
    except Exception as exc:  # noqa: BLE001 - the same error either way
        return type(exc)


# a reload's own fields (issue 11's thirteenth stop) are worded their own way since: below, not "as before"
RELOAD = ("start", "approx", "target_min", "target_max", "source", "target")
KEYS = st.sampled_from([*(k for k in _CHANGE_LABELS if k not in RELOAD), "task", "extension", "request", "note", "progress",
                        "其他"]) | st.text(max_size=3)  # fmt: skip
VALUE = (st.none() | st.booleans() | st.integers(-1, 101) | st.floats(allow_nan=False) | st.text(max_size=4)
         | st.sampled_from(list(STATUS_LABELS)) | st.lists(st.text(max_size=2), max_size=2)
         | st.fixed_dictionaries({"title": st.text(max_size=3), "due": st.text(max_size=3)}))  # fmt: skip
CHANGES = st.dictionaries(KEYS, st.lists(VALUE, min_size=2, max_size=2) | st.lists(VALUE, max_size=3), max_size=5)


@settings(max_examples=1500, deadline=None)
@given(CHANGES)
def test_the_same_words_as_before(changes: dict) -> None:
    assert _outcome(describe_changes, changes) == _outcome(_before, changes)


def test_progress_and_its_neighbours() -> None:
    for changes in ({"progress": [13, 14], "note": ["a", "b"]}, {"progress": [None, 5]}, {"progress": [0, 53], "status": ["not_started", "in_progress"]},
                    {"status": [None, "done"], "progress": [True, 1.5]}, {"due": [None, "2022-06-30"]}):  # fmt: skip
        assert describe_changes(changes) == _before(changes)
    assert describe_changes({"progress": [13, 14], "note": ["a", "b"]}) == "进度 13% → 14%"


def test_a_reloads_own_fields_in_the_words_of_the_plan() -> None:
    assert describe_changes({"start": [None, "2022-05-01"], "approx": [0, 1]}) == "开始日期 计划开始日期 → 2022-05-01；约数 否 → 是"
    assert describe_changes({"target_min": [1000000, 800000], "target_max": [None, 5.5], "source": ["…", "…"]}) == (
        "目标下限 100万 → 80万；目标上限 无 → 5.5；指标出处已改")
    assert describe_changes({"target": [None, {"unit": "个"}], "unit": ["门", "个"]}) == "新增指标；单位 门 → 个"
