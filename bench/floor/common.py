"""What every floor script does first: open gkplan's ledger with the stdlib and read the prepared rule.

A floor script is the least a program must do to print the rows a gkplan command prints, on gkplan's own
ledger and indexes: sqlite3 from the standard library, one query, tab-separated lines, no layout.
gkplan is measured against it (issue 11: report within 1.3×, list --dept, show and update within 3×).
"""

import sqlite3
import sys

STATUS = {"done": "已完成", "in_progress": "进行中", "not_started": "未启动", "blocked": "受阻", "deferred": "暂缓",
          "pending_review": "待销号"}  # fmt: skip
LIGHTS = {"red": "红", "yellow": "黄", "green": "绿", "done": "完成", "unreported": "未报送", "deferred": "暂缓",
          "review": "待销号"}  # fmt: skip


def open_ledger(write: bool = False):  # noqa: ANN201
    """argv: LEDGER.db PREPARED.sql [args…] → (connection, plan, as_of, light SQL, the remaining args)."""
    db, prepared, *rest = sys.argv[1:]
    with open(prepared, encoding="utf-8") as f:
        plan, as_of, light = f.read().split("\n", 2)
    conn = sqlite3.connect(db if write else f"file:{db}?mode=ro", uri=not write, isolation_level=None)
    return conn, plan, as_of, light.strip(), rest


def names(key):  # noqa: ANN001, ANN201 - a department_key / leader_key, as gkplan prints it
    return "、".join(key.split("\x1f")) if key else ""


def emit(rows) -> None:  # noqa: ANN001
    out = sys.stdout
    for row in rows:
        out.write("\t".join("" if v is None else str(v) for v in row) + "\n")


LABELS = {  # gkplan's (render/records.py)
    "progress": "进度", "status": "状态", "due": "截止日期", "owner": "责任人", "weight": "权重",
    "actual": "实际值", "actual_as_of": "统计日期", "note": "说明", "present": "任务", "title": "标题", "section": "部分",
    "due_seed": "种子截止日期", "text": "全文", "leads": "牵头信息", "problem": "存在问题", "next": "下一步计划",
    "evidence": "办结佐证", "reported": "最近报送", "closed": "办结报告日期", "due_original": "原定截止日期",
    "co": "协办部门", "dept": "负责部门", "kind": "类型", "checkpoints": "节点", "late": "最早逾期任务截止日期", "follows": "按任务汇总",
}  # fmt: skip


def described(changes: dict) -> str:  # a history entry's changes (decoded), as `log` and an export describe them
    parts = []
    for key, (old, new) in changes.items():
        if key == "note":
            continue
        if key == "task":
            parts.append(f"新增任务“{new['title']}”" if new else f"删除任务“{old['title']}”")
            continue
        if key in ("text", "leads"):
            parts.append(f"{LABELS[key]}已改")
            continue
        if key == "extension":
            parts.append(f"延期理由：{new}" if new else "撤销延期")
            continue
        if key == "status":
            old, new = STATUS.get(old, old), STATUS.get(new, new)
        elif key == "progress":
            old, new = f"{old}%", f"{new}%"
        parts.append(f"{LABELS.get(key, key)} {'空' if old is None else old} → {'空' if new is None else new}")
    return "；".join(parts)
