"""Give a benchmark ledger a history: M progress reports spread over the points and over the days
from the plan's start to the as-of date, written through gkplan's own ledger code in one transaction.

    python bench/history.py LEDGER.db M
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from generate import AS_OF

from gkplan.ledger import Ledger


def main() -> None:
    path, count = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(2022)
    ledger = Ledger(path)
    start = date.fromisoformat(ledger.plan()["start"])
    span = (AS_OF - start).days
    points = ledger.conn.execute("SELECT count(*) FROM points WHERE plan = ?", (ledger.plan_key,)).fetchone()[0]
    days = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))  # reports come in day order
    with ledger.transaction():
        for i, day in enumerate(days):
            point = rng.randint(1, points)
            progress = rng.randint(1, 99)
            ledger.change("point", (point,), lambda _, p=progress: {"progress": p, "status": "in_progress"},
                          note=f"第 {i} 次报送", by=rng.choice(("张三", "李四", "王五")), effective=day.isoformat(),
                          at=f"{day.isoformat()}T09:00:00+08:00")  # fmt: skip
    ledger.close()


if __name__ == "__main__":
    main()
