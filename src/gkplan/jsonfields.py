"""What `--json FIELD,FIELD` can select: the keys of each record a command prints, in the order printed.

A record is an item of the JSON array (or the one object `show` and `report --overview` print); a key a
record lacks (`role` without `--dept`, `warning` on a passing check) is printed as null when selected.
tests/test_json_fields.py checks these against what each command emits, so they cannot drift.
"""

POINT = ("plan", "id", "section", "section_title", "title", "text", "leads", "due", "due_seed", "progress", "status",
         "note", "updated_at", "start", "problem", "next", "evidence", "reported", "closed", "due_original", "co",
         "checkpoints", "late", "follows", "tasks", "task_progress", "light", "days_left", "leaders", "departments",
         "status_label", "overdue")  # fmt: skip
LIST = (*POINT, "role")  # role (lead / co): with --dept
SHOW = (*POINT, "task_list", "targets", "history", "extensions", "extension_request")
OVERDUE = (*POINT, "kind", "days_overdue", "point")  # point: on an overdue task's row
SUMMARY = ("group", "points", "not_started", "in_progress", "pending_review", "done", "blocked", "deferred", "overdue",
           "red", "yellow", "green", "unreported", "review", "mean_progress", "section", "extended", "extensions")  # fmt: skip
OVERVIEW = ("plan", "title", "document", "as_of", "total", "sections", "targets")
TASK = ("point", "seq", "title", "due", "owner", "dept", "deliverable", "weight", "progress", "status", "note", "origin",
        "created_at", "updated_at", "kind", "problem", "next", "evidence", "reported", "closed", "due_original", "co",
        "plan", "id", "point_title", "point_due", "effective_due", "departments", "light", "days_left", "status_label",
        "overdue")  # fmt: skip
TARGET = ("plan", "point", "point_title", "metric", "unit", "target_min", "target_max", "actual", "actual_as_of", "due",
          "source", "note", "updated_at", "approx", "low", "high", "attainment", "met", "effective_due", "light")  # fmt: skip
HISTORY = ("id", "plan", "point", "entity", "ref", "effective", "at", "by", "action", "changes", "note", "cause", "undoes",
           "source", "undone_by")  # fmt: skip
NAMES = ("name", "count", "points")
PLANS = ("plan", "title", "document", "year", "points", "progress", "overdue", "current")
DIFF = ("plan", "id", "kind", "point", "changes", "notes", "title")
NOTICES = ("department", "leaders", "items")
STALE = ("kind", "id", "title", "departments", "last_update", "days_since", "progress", "status", "light")
MISSING = ("period", "start", "end", "report_day", "as_of", "departments")
CHECKS = ("check", "ok", "detail", "scope", "warning")
