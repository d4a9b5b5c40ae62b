"""Floor of `gkplan log`: every history entry of the plan, newest first, its changes decoded and described.

Taskwarrior has no history listing (`task all` lists tasks), so `log` is measured against this instead.
"""

from json import loads  # (only here and in the export's floor: the other floors print no history)

from common import described, emit, open_ledger

conn, plan, as_of, light, _ = open_ledger()
rows = conn.execute("SELECT id, effective, entity, point, ref, by, changes, note FROM history WHERE plan = ? ORDER BY id DESC",
                    (plan,))  # fmt: skip
emit((i, effective, f"第 {point} 项" if entity == "point" else f"{point}.{ref}" if entity == "task" else f"{point}·{ref}",
      by, described(loads(changes)), note or "") for i, effective, entity, point, ref, by, changes, note in rows)  # fmt: skip
