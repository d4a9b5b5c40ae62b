"""Reading points, tasks and targets as they stood on a past day (:as_of), in SQL.

An item whose latest change is on or before that day is today's row. For any other, one index lookup
finds its last state on or before the day (`k`: that state's day and record number, '' for none), and
one join fetches it; with no state yet, the item's state before any change. The inner select is kept
from being flattened (LIMIT -1), so that the lookup runs once per item and only for the items the
caller's scope selects, walked in the order of their states.
"""

from __future__ import annotations

# entity → (table, key columns, {state field: today's value, value before any change})
_ITEMS = {
    "point": ("points", ("id",), {"progress": ("progress", "0"), "status": ("status", "'not_started'"),
                                  "note": ("note", "NULL"), "due": ("due", "due_base")}),
    "task": ("tasks", ("point", "seq"), {"present": ("NOT removed", "timeless"), "due": ("due", "NULL"),
                                         "owner": ("owner", "NULL"), "weight": ("weight", "1"),
                                         "progress": ("progress", "0"), "status": ("status", "'not_started'"),
                                         "note": ("note", "NULL")}),
    "target": ("targets", ("point", "metric"), {"actual": ("actual", "NULL"), "actual_as_of": ("actual_as_of", "NULL"),
                                                "note": ("note", "NULL")}),
}  # fmt: skip
_BASES = ("due_base", "timeless")


def as_of(entity: str, columns: tuple[str, ...], scope: str = "") -> str:
    """A subquery with `columns` of `entity`'s rows in this plan that `scope` (SQL over alias x) selects,
    its state fields as they stood on :as_of, and `updated_at`."""
    table, keys, fields = _ITEMS[entity]
    if entity == "point":  # a point a reload added exists from that day on
        scope = "(x.since IS NULL OR x.since <= :as_of)" + (f" AND {scope}" if scope else "")
    plain = [c for c in dict.fromkeys(("plan", *keys, *columns)) if c not in fields and c != "updated_at"]
    bases = [b for b in _BASES if any(base == b for _, base in fields.values())]
    match = " AND ".join(f"s.{'point' if k == 'id' else k} = x.{k}" for k in keys)
    lookup = (f"SELECT s.effective || ' ' || s.hid FROM {entity}_states s WHERE s.plan = x.plan AND {match}"
              " AND s.effective <= :as_of ORDER BY s.effective DESC, s.hid DESC LIMIT 1")  # fmt: skip
    inner = ", ".join([*(f"x.{c}" for c in plain), *(f"x.{b}" for b in bases),
                       *(f"{_x(today)} AS {f}" for f, (today, _) in fields.items()), "x.updated_at"])  # fmt: skip
    picks = ", ".join(f"CASE WHEN p.k IS NULL THEN p.{f} ELSE coalesce(v.{f}, {_p(base)}) END AS {f}"
                      for f, (_, base) in fields.items())  # fmt: skip
    join = " AND ".join(f"v.{'point' if k == 'id' else k} = p.{k}" for k in keys)
    return (
        f"(SELECT {', '.join(f'p.{c}' for c in plain)}, {picks},"
        " CASE WHEN p.k IS NULL THEN p.updated_at ELSE v.at END AS updated_at"
        f" FROM (SELECT {inner}, CASE WHEN x.changed > :as_of THEN coalesce(({lookup}), '') END AS k"
        f" FROM {table} x WHERE x.plan = :plan{f' AND {scope}' if scope else ''}"
        f" ORDER BY {', '.join(f'x.{k}' for k in keys)} LIMIT -1) p"
        f" LEFT JOIN {entity}_states v ON v.plan = p.plan AND {join} AND v.effective = substr(p.k, 1, 10)"
        " AND v.hid = CAST(substr(p.k, 12) AS INTEGER))"
    )


def _x(expr: str) -> str:
    return expr.replace("removed", "x.removed") if expr.startswith("NOT") else f"x.{expr}"


def _p(expr: str) -> str:
    return f"p.{expr}" if expr in _BASES else expr


def points_brief(columns: tuple[str, ...], scope: str = "") -> str:
    """Points as of :as_of with only progress, status and due of their state — what summaries and tables
    need: the lookup returns them packed in fixed widths (progress 3, status 11, then the day), which
    saves the join to the state and halves the cost of a summary of 100,000 points."""
    scope = "(x.since IS NULL OR x.since <= :as_of)" + (f" AND {scope}" if scope else "")
    plain = [c for c in dict.fromkeys(("plan", "id", *columns)) if c not in ("progress", "status", "due")]
    lookup = ("SELECT printf('%03d%-11s%s', s.progress, s.status, s.due) FROM point_states s WHERE s.plan = x.plan"
              " AND s.point = x.id AND s.effective <= :as_of ORDER BY s.effective DESC, s.hid DESC LIMIT 1")  # fmt: skip
    return (
        f"(SELECT {', '.join(plain)}, CASE WHEN k IS NULL THEN progress WHEN k = '' THEN 0"
        " ELSE CAST(substr(k, 1, 3) AS INTEGER) END AS progress,"
        " CASE WHEN k IS NULL THEN status WHEN k = '' THEN 'not_started' ELSE rtrim(substr(k, 4, 11)) END AS status,"
        " CASE WHEN k IS NULL THEN due WHEN k = '' THEN due_base ELSE substr(k, 15) END AS due"
        f" FROM (SELECT {', '.join(f'x.{c}' for c in plain)}, x.progress, x.status, x.due, x.due_base,"
        f" CASE WHEN x.changed > :as_of THEN coalesce(({lookup}), '') END AS k"
        f" FROM points x WHERE x.plan = :plan AND {scope} ORDER BY x.id LIMIT -1))"
    )


def points_coded(code, columns: tuple[str, ...]) -> str:  # noqa: ANN001 - code(due, progress, status) → SQL
    """Points as of :as_of with `columns`, `progress`, and `code`: `code(due, progress, status)` of their
    state, evaluated once inside the lookup. Summaries only count codes, and an expression over the
    unpacked fields of `points_brief` would be evaluated once per reference: this halves their cost."""
    plain = ", ".join(f"x.{c}" for c in dict.fromkeys(("plan", "id", *columns)))
    lookup = (f"SELECT {code('s.due', 's.progress', 's.status')} * 1000 + s.progress FROM point_states s"
              " WHERE s.plan = x.plan AND s.point = x.id AND s.effective <= :as_of"
              " ORDER BY s.effective DESC, s.hid DESC LIMIT 1")  # fmt: skip
    unchanged = code("x.due_base", "0", "'not_started'")
    packed = (f"CASE WHEN x.changed > :as_of THEN coalesce(({lookup}), {unchanged} * 1000)"
              f" ELSE {code('x.due', 'x.progress', 'x.status')} * 1000 + x.progress END")  # fmt: skip
    return (
        f"(SELECT *, kc / 1000 AS code, kc % 1000 AS progress FROM (SELECT {plain}, {packed} AS kc FROM points x"
        " WHERE x.plan = :plan AND (x.since IS NULL OR x.since <= :as_of) ORDER BY x.id LIMIT -1))"
    )
