"""Output: tables for people, JSON and CSV for scripts; the only package that draws.

    output   where output goes: stdout and its failures, the one branch on the format, stderr lines
    text     what reaches a terminal: escaped, measured in CJK cells, laid out in columns (`Table`)
    items    points, tasks, summaries                   records  history, changes, plans, checks, notices
    detail   the detail view of one point (`show`): labelled lines, its text, its tables
    targets  quantitative targets: goals, bands, lights
    bulletins who has not reported, the period's bulletin, a leader's page (imported on first use)
    sheet    the 填报 workbooks written, and what an import changes
    admin    the ledger on a PostgreSQL server: made, moved, its roles and logins (imported by cli_admin only)
"""

from gkplan.render.items import overdue, overview, point, points, state, summary, tasks
from gkplan.render.output import OUTPUT_ERRNOS, Format, failure, field_names, flush, lost, message
from gkplan.render.records import (
    change, checks, describe_changes, diff, history, loaded, names, notices, plans, stale,
)  # fmt: skip
from gkplan.render.sheet import imported, sheets
from gkplan.render.targets import targets
from gkplan.render.text import Table, cell_width, visible

__all__ = [
    "Format", "OUTPUT_ERRNOS", "Table", "brief", "bulletin", "bulletin_sheets", "bulletin_file", "cell_width",
    "change", "checks", "describe_changes", "diff", "failure", "field_names", "flush", "history", "imported",
    "loaded", "lost", "message", "missing", "names", "notices", "overdue", "overview", "plans", "point", "points",
    "sheets", "stale", "state",
    "summary", "targets", "tasks", "visible",
]  # fmt: skip

_BULLETINS = ("bulletin", "bulletin_sheets", "bulletin_file")
_PAGES = ("brief", "missing")


def __getattr__(name: str):  # noqa: ANN202 - the 通报 views load when first used: no list or show pays for them
    if name in _BULLETINS:
        from gkplan.render import bulletins

        return getattr(bulletins, name)
    if name in _PAGES:
        from gkplan.render import pages

        return getattr(pages, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
