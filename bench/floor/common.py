"""What every floor script does first: open gkplan's ledger with the stdlib and read the prepared rule.

A floor script is the least a program must do to print the rows a gkplan command prints, on gkplan's own
ledger and indexes: sqlite3 from the standard library, one query, tab-separated lines, no layout.
gkplan is measured against it (issue 11: report within 1.3×, list --dept, show and update within 3×).
"""

import sqlite3
import sys

STATUS = {"done": "已完成", "in_progress": "进行中", "not_started": "未启动", "blocked": "受阻", "deferred": "暂缓",
          "pending_review": "待销号"}  # fmt: skip


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
