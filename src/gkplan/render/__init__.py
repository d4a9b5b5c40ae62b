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

from gkplan.render.output import OUTPUT_ERRNOS, Format, failure, field_names, flush, lost, message
from gkplan.render.targets import targets  # (eager: the submodule's own name would shadow the function once imported)
from gkplan.render.text import Table, cell_width, visible

__all__ = [
    "Format", "OUTPUT_ERRNOS", "Table", "brief", "bulletin", "bulletin_sheets", "bulletin_file", "cell_width",
    "change", "checks", "describe_changes", "diff", "failure", "field_names", "flush", "history", "imported",
    "loaded", "lost", "message", "missing", "names", "notices", "overdue", "overview", "plans", "point", "points",
    "sheets", "stale", "state",
    "summary", "targets", "tasks", "visible",
]  # fmt: skip

# the views load when first used: an export or `publish` draws no table, no list or show pays for the 通报
_VIEWS = {
    **dict.fromkeys(("overdue", "overview", "point", "points", "state", "summary", "tasks"), "items"),
    **dict.fromkeys(("change", "checks", "describe_changes", "diff", "history", "loaded", "names", "notices", "plans", "stale"), "records"),
    **dict.fromkeys(("imported", "sheets"), "sheet"),
    **dict.fromkeys(("bulletin", "bulletin_sheets", "bulletin_file"), "bulletins"),
    **dict.fromkeys(("brief", "missing"), "pages"),
}  # fmt: skip


def __getattr__(name: str):  # noqa: ANN202
    module = _VIEWS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    view = globals()[name] = getattr(importlib.import_module(f"gkplan.render.{module}"), name)
    return view
