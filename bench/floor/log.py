"""Floor of `gkplan log`: every history entry of the plan, newest first, its changes decoded and described.

Taskwarrior has no history listing (`task all` lists tasks), so `log` is measured against this instead.
"""

import json

from common import STATUS, emit, open_ledger

LABELS = {"progress": "进度", "status": "状态", "due": "截止日期", "reported": "最近报送", "owner": "责任人"}


def described(changes: str) -> str:
    parts = []
    for key, (old, new) in json.loads(changes).items():
        if key == "note":
            continue
        if key == "status":
            old, new = STATUS.get(old, old), STATUS.get(new, new)
        elif key == "progress":
            old, new = f"{old}%", f"{new}%"
        parts.append(f"{LABELS.get(key, key)} {'空' if old is None else old} → {'空' if new is None else new}")
    return "；".join(parts)


conn, plan, as_of, light, _ = open_ledger()
rows = conn.execute("SELECT id, effective, entity, point, ref, by, changes, note FROM history WHERE plan = ? ORDER BY id DESC",
                    (plan,))  # fmt: skip
emit((i, effective, f"第 {point} 项" if entity == "point" else f"{point}.{ref}" if entity == "task" else f"{point}·{ref}",
      by, described(changes), note or "") for i, effective, entity, point, ref, by, changes, note in rows)  # fmt: skip
