"""Write what the floor scripts share with gkplan, once per ledger: the plan, the as-of day and the light rule.

    python bench/floor/prepare.py LEDGER.db AS_OF OUT.sql      (with the Python that has gkplan)

The light is gkplan's own rule (rules.light_sql) with the day's parameters written in as literals, so the
floor asks SQLite for the same rows without importing gkplan: each floor script reads OUT.sql (three
lines: plan key, as-of day, the SQL expression over a points row aliased `p`) and nothing else of gkplan.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from gkplan.ledger import Ledger
from gkplan.ledger.points import POINT_LIGHT
from gkplan.reports import frame
from gkplan.rules import light_sql


def literal(value: object) -> str:
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def main() -> None:
    db, as_of, out = Path(sys.argv[1]), date.fromisoformat(sys.argv[2]), Path(sys.argv[3])
    ledger = Ledger(db)
    clock = frame(ledger, as_of).clock
    light = re.sub(r":(\w+)", lambda m: literal(clock[m.group(1)]), light_sql(POINT_LIGHT, ledger.dialect))
    out.write_text(f"{ledger.plan_key}\n{clock['as_of']}\n{light}\n", encoding="utf-8")
    ledger.close()


if __name__ == "__main__":
    main()
