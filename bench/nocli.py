"""gkplan's own work for a question, without its CLI: what `gkplan show N` and `gkplan report --overdue` do once Typer
has parsed the command line (the same ledger, frame, domain and drawing calls as the commands in cli_points.py and
cli_reports.py), started as a script. The floor section times it beside the floor: how much of gkplan's ratio is
its own work, and how much is the CLI framework's import (issue 11: the floor targets of show and report --overdue).

    python bench/nocli.py LEDGER.db AS_OF show N
    python bench/nocli.py LEDGER.db AS_OF overdue
"""

import sys
from datetime import date
from pathlib import Path

from gkplan import render, reports
from gkplan.ledger import Ledger

db, as_of, question, *rest = sys.argv[1:]
day = date.fromisoformat(as_of)
ledger = Ledger(Path(db))
fr = reports.frame(ledger, day, day)
if question == "show":
    render.point(reports.show_point(ledger, int(rest[0]), fr), "table")
else:
    render.overdue(lambda brief: reports.overdue(ledger, fr, brief), "table", fr.as_of.isoformat(), 0)
render.flush()
ledger.close()
