"""Output: tables for people, JSON and CSV for scripts; the only package that draws (and imports rich).

    output   where output goes: stdout and its failures, the one branch on the format, stderr lines
    text     what reaches a terminal: escaped, measured in CJK cells, laid out in columns (`Table`)
    items    points, tasks, targets, summaries          records  history, changes, plans, checks, notices
    bulletin who has not reported, the period's bulletin, a leader's page
    sheet    the 填报 workbooks written, and what an import changes
"""

from gkplan.render.bulletin import brief, bulletin, bulletin_sheets, bulletin_text, missing
from gkplan.render.items import overdue, overview, point, points, summary, targets, tasks
from gkplan.render.output import OUTPUT_ERRNOS, failure, flush, lost, message
from gkplan.render.records import (
    change, checks, describe_changes, diff, history, loaded, names, notices, plans, stale,
)  # fmt: skip
from gkplan.render.sheet import imported, sheets
from gkplan.render.text import Table, cell_width, visible

__all__ = [
    "OUTPUT_ERRNOS", "Table", "brief", "bulletin", "bulletin_sheets", "bulletin_text", "cell_width", "change", "checks", "describe_changes", "diff", "failure", "flush", "history",
    "imported", "loaded", "lost", "message", "missing", "names", "notices", "overdue", "overview", "plans", "point", "points", "sheets", "stale",
    "summary", "targets", "tasks", "visible",
]  # fmt: skip
