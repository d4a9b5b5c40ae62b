"""Floor of `gkplan update N --progress P --note TEXT`: the same write — the history entry (chained by hash,
as gkplan's), the point's state after it and today's row — in one transaction."""

import hashlib
import json
import os
from datetime import datetime

from common import open_ledger

conn, plan, as_of, _, (number, progress, note) = open_ledger(write=True)
point, progress = int(number), int(progress)
by, at = os.environ.get("GKPLAN_USER", "floor"), datetime.now().astimezone().isoformat(timespec="seconds")
FIELDS = ("progress", "status", "note", "due", "problem", "next", "evidence", "reported", "closed", "due_original", "co",
          "follows", "checkpoints", "late")  # fmt: skip
conn.execute("BEGIN IMMEDIATE")
row = conn.execute(f"SELECT {', '.join(FIELDS)} FROM point_states WHERE plan = ? AND point = ? AND effective <= ?"
                   " ORDER BY effective DESC, hid DESC LIMIT 1", (plan, point, as_of)).fetchone()  # fmt: skip
state = dict(zip(FIELDS, row)) if row else dict(zip(FIELDS, conn.execute(
    "SELECT 0, 'not_started', NULL, due_base, NULL, NULL, NULL, NULL, NULL, NULL, co_base, 0, checkpoints_base, NULL"
    " FROM points WHERE plan = ? AND id = ?", (plan, point)).fetchone()))  # fmt: skip
wanted = {"progress": progress, "status": "in_progress" if state["status"] == "not_started" and progress else state["status"],
          "reported": as_of, "note": note}  # fmt: skip
changes = {k: [state[k], v] for k, v in wanted.items() if state[k] != v}
last_id, last_hash = conn.execute("SELECT id, hash FROM history ORDER BY id DESC LIMIT 1").fetchone() or (0, "0" * 64)
entry = {"id": last_id + 1, "plan": plan, "point": point, "entity": "point", "ref": None, "action": "update",
         "effective": as_of, "at": at, "by": by, "changes": json.dumps(changes, ensure_ascii=False), "note": note,
         "cause": None, "undoes": None}  # fmt: skip
text = json.dumps(list(entry.values()), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
entry["hash"] = hashlib.sha256((last_hash + text).encode("utf-8")).hexdigest()
conn.execute(f"INSERT INTO history ({', '.join(entry)}) VALUES ({', '.join('?' * len(entry))})", tuple(entry.values()))
state.update(wanted)
conn.execute(f"INSERT INTO point_states (plan, point, effective, hid, {', '.join(FIELDS)}, at) VALUES"
             f" (?, ?, ?, ?, {', '.join('?' * len(FIELDS))}, ?)", (plan, point, as_of, entry["id"], *state.values(), at))  # fmt: skip
sets = {k: v for k, v in wanted.items() if k in changes}
conn.execute(f"UPDATE points SET {''.join(f'{k} = ?, ' for k in sets)}updated_at = ?, changed = max(coalesce(changed, ''), ?)"
             " WHERE plan = ? AND id = ?", (*sets.values(), at, as_of, plan, point))  # fmt: skip
conn.execute("COMMIT")
print(f"第 {point} 项：" + "；".join(f"{k} {a} → {b}" for k, (a, b) in changes.items()))
