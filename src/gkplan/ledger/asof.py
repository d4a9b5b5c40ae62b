"""Reading points, tasks and targets as they stood on a past day (:as_of), in SQL.

An item whose latest change is on or before that day is today's row. For any other, one index lookup
finds its last state on or before the day (`k`: that state's day and record number, '' for none), and
one join fetches it; with no state yet, the item's state before any change. The inner select is kept
from being flattened (the dialect's fence), so that the lookup runs once per item and only for the items the
caller's scope selects, walked in the order of their states.

The seed's words (a point's title, owners, start …; a task's kind and department; a target's bounds) are today's
row unless a reload after the day replaced them (`reseeded`): then the version that ended first after the day
(ledger/load_versions.py), one lookup per such item and column.
"""

from __future__ import annotations

from gkplan.ledger.load_versions import ITEMS, WORDS, version_key
from gkplan.ledger.states import first_due_sql

# entity → (table, key columns, {state field: today's value, value before any change})
_LOOP = {f: (f, "NULL") for f in ("problem", "next", "evidence", "reported", "closed", "due_original")}
_ITEMS = {
    "point": ("points", ("id",), {"progress": ("progress", "0"), "status": ("status", "'not_started'"),
                                  "note": ("note", "NULL"), "due": ("due", "due_base"), **_LOOP,
                                  "co": ("co", "co_base"), "follows": ("follows", "0"), "checkpoints": ("checkpoints", "checkpoints_base"),
                                  "late": ("late", first_due_sql("p.plan", "p.id"))}),
    "task": ("tasks", ("point", "seq"), {"present": ("1 - removed", "timeless"), "due": ("due", "due_base"),
                                         "owner": ("owner", "NULL"), "weight": ("weight", "1"),
                                         "progress": ("progress", "0"), "status": ("status", "'not_started'"),
                                         "note": ("note", "NULL"), **_LOOP, "co": ("co", "co_base")}),
    "target": ("targets", ("point", "metric"), {"actual": ("actual", "NULL"), "actual_as_of": ("actual_as_of", "NULL"),
                                                "note": ("note", "NULL")}),
}  # fmt: skip
_BASES = ("due_base", "timeless", "co_base", "checkpoints_base")  # columns: the state before any change
# entity → the key columns that match its versions to it (version's, item's)
_KEYS = {entity: tuple(zip(version_key(entity), ITEMS[entity][1])) for entity in WORDS}


def worded(entity: str, column: str, alias: str = "x", today: str | None = None) -> str:
    """A column of the item (alias) as it stood on :as_of: today's (`today`, else the column), or from the first
    version that ended after the day."""
    if column not in WORDS[entity]:
        return f"{alias}.{column}"
    match = " AND ".join(f"w.{mine} = {alias}.{theirs}" for mine, theirs in _KEYS[entity])
    return (f"CASE WHEN {alias}.reseeded > :as_of THEN (SELECT w.{column} FROM {entity}_seeds w WHERE w.plan = {alias}.plan"
            f" AND {match} AND w.ended > :as_of ORDER BY w.ended, w.hid LIMIT 1) ELSE {today or f'{alias}.{column}'} END")  # fmt: skip


# what `diff` compares of an item's words between two days (the columns a reload may replace, less the owner keys: leads)
DIFFED = {"point": ("section", "title", "start", "due_seed", "text", "leads"), "task": ("kind", "dept"),
          "target": ("unit", "target_min", "target_max", "due", "source", "approx", "present")}  # fmt: skip


def words_sql(entity: str) -> str:
    """One item's words (DIFFED) as they stood on :as_of, its key as :k0 (, :k1)."""
    table, keys = ITEMS[entity]
    picks = ", ".join(worded(entity, c, today="1" if c == "present" else None) for c in DIFFED[entity])
    match = " AND ".join(f"x.{k} = :k{i}" for i, k in enumerate(keys))
    return f"SELECT {picks} FROM {table} x WHERE x.plan = :plan AND {match}"


def sections_as_of() -> str:
    """The sections with their titles as they stood on :as_of."""
    return f"(SELECT z.plan, z.id, {worded('section', 'title', 'z')} AS title FROM sections z)"


def as_of(d, entity: str, columns: tuple[str, ...], scope: str = "") -> str:  # noqa: ANN001 - d: dialect
    """A subquery with `columns` of `entity`'s rows in this plan that `scope` (SQL over alias x) selects,
    its state fields as they stood on :as_of, and `updated_at`."""
    table, keys, fields = _ITEMS[entity]
    if entity == "point":  # a point a reload added exists from that day on
        scope = "(x.since IS NULL OR x.since <= :as_of)" + (f" AND {scope}" if scope else "")
    elif entity == "target":  # and a target a reload added to a point it had
        scope = f"{worded('target', 'present', today='1')} = 1" + (f" AND {scope}" if scope else "")
    plain = [c for c in dict.fromkeys(("plan", *keys, *columns)) if c not in fields and c != "updated_at"]
    bases = [b for b in _BASES if any(base == b for _, base in fields.values())]
    match = " AND ".join(f"s.{'point' if k == 'id' else k} = x.{k}" for k in keys)
    lookup = (f"SELECT s.effective || ' ' || s.hid FROM {entity}_states s WHERE s.plan = x.plan AND {match}"
              " AND s.effective <= :as_of ORDER BY s.effective DESC, s.hid DESC LIMIT 1")  # fmt: skip
    inner = ", ".join([*(f"{worded(entity, c)} AS {c}" for c in plain), *(f"x.{b}" for b in bases),
                       *(f"{_x(today)} AS {f}" for f, (today, _) in fields.items()), "x.updated_at"])  # fmt: skip
    # no state on or before the day (k = ''): the state before any change; a state's own NULL stays NULL
    picks = ", ".join(f"CASE WHEN p.k IS NULL THEN p.{f} WHEN p.k = '' THEN {_p(base)} ELSE v.{f} END AS {f}"
                      for f, (_, base) in fields.items())  # fmt: skip
    join = " AND ".join(f"v.{'point' if k == 'id' else k} = p.{k}" for k in keys)
    return (
        f"(SELECT {', '.join(f'p.{c}' for c in plain)}, {picks},"
        " CASE WHEN p.k IS NULL THEN p.updated_at ELSE v.at END AS updated_at"
        f" FROM (SELECT {inner}, CASE WHEN x.changed > :as_of THEN coalesce(({lookup}), '') END AS k"
        f" FROM {table} x WHERE x.plan = :plan{f' AND {scope}' if scope else ''}"
        f" ORDER BY {', '.join(f'x.{k}' for k in keys)} {d.fence}) p"
        f" LEFT JOIN {entity}_states v ON v.plan = p.plan AND {join} AND v.effective = substr(p.k, 1, 10)"
        " AND v.hid = CAST(nullif(substr(p.k, 12), '') AS INTEGER))"
    )


def _x(expr: str) -> str:
    return expr.replace("removed", "x.removed") if " " in expr else f"x.{expr}"


def _p(expr: str) -> str:
    return f"p.{expr}" if expr in _BASES else expr


# what a light needs of a point's state, packed by points_brief: (field, width; 0 = the rest)
_PACKED = (("progress", 3), ("status", 14), ("due", 10), ("reported", 10), ("closed", 10), ("late", 10),
           ("checkpoints", 0))  # fmt: skip
_UNCHANGED = {"progress": "0", "status": "'not_started'", "due": "due_base", "checkpoints": "checkpoints_base",
              "late": first_due_sql("b.plan", "b.id")}


def points_brief(d, columns: tuple[str, ...], scope: str = "") -> str:  # noqa: ANN001 - d: dialect
    """Points as of :as_of with only what tables and lights need of their state: the lookup returns it
    packed in fixed widths (_PACKED), which saves the join to the state and halves the cost of a
    table of 100,000 points."""
    scope = "(x.since IS NULL OR x.since <= :as_of)" + (f" AND {scope}" if scope else "")
    fields = [f for f, _ in _PACKED]
    plain = [c for c in dict.fromkeys(("plan", "id", *columns)) if c not in fields]
    pack = d.pack(tuple((f"coalesce(s.{f}, '')" if f != "progress" else "s.progress", w) for f, w in _PACKED))
    lookup = (f"SELECT {pack} FROM point_states s WHERE s.plan = x.plan AND s.point = x.id AND s.effective <= :as_of"
              " ORDER BY s.effective DESC, s.hid DESC LIMIT 1")  # fmt: skip
    picks, at = [], 1
    for field, width in _PACKED:
        part = f"substr(k, {at}, {width})" if width else f"substr(k, {at})"
        value = f"CAST({part} AS INTEGER)" if field == "progress" else f"nullif(rtrim({part}), '')"
        picks.append(f"CASE WHEN k IS NULL THEN {field} WHEN k = '' THEN {_UNCHANGED.get(field, 'NULL')}"
                     f" ELSE {value} END AS {field}")  # fmt: skip
        at += width
    words = ", ".join(f"{worded('point', c)} AS {c}" for c in plain)
    return (
        f"(SELECT {', '.join(plain)}, {', '.join(picks)}"
        f" FROM (SELECT {words}, {', '.join(f'x.{f}' for f in fields)},"
        " x.due_base, x.checkpoints_base,"
        f" CASE WHEN x.changed > :as_of THEN coalesce(({lookup}), '') END AS k"
        f" FROM points x WHERE x.plan = :plan AND {scope} ORDER BY x.id {d.fence}) b)"
    )


def points_coded(d, code, columns: tuple[str, ...]) -> str:  # noqa: ANN001 - d: dialect; code(columns of the light) → SQL
    """Points as of :as_of with `columns`, `progress`, and `code`: `code` of their state (a dict of the
    light's inputs, see rules.LIGHT_INPUTS), evaluated once inside the lookup. Summaries only count
    codes, and an expression over the unpacked fields of `points_brief` would be evaluated once per
    reference: this halves their cost."""
    plain = ", ".join(f"{worded('point', c)} AS {c}" for c in dict.fromkeys(("plan", "id", *columns)))
    start = worded("point", "start")
    state = {f: f"s.{f}" for f in ("due", "progress", "status", "reported", "closed", "checkpoints", "late", "due_original")}
    lookup = (f"SELECT {code(state | {'start': start})} * 1000 + s.progress FROM point_states s"
              " WHERE s.plan = x.plan AND s.point = x.id AND s.effective <= :as_of"
              " ORDER BY s.effective DESC, s.hid DESC LIMIT 1")  # fmt: skip
    unchanged = code({"due": "x.due_base", "progress": "0", "status": "'not_started'", "start": start,
                      "checkpoints": "x.checkpoints_base", "due_original": "NULL", "late": first_due_sql("x.plan", "x.id")})
    today = code({f: f"x.{f}" for f in state} | {"start": start})
    # a progress edited behind gkplan's back (text, a fraction, past 100) cannot be packed beside the code:
    # such a point counts under no status or light (gkplan check names it), as an unknown status does
    packed = (f"CASE WHEN x.changed > :as_of THEN coalesce(({lookup}), {unchanged} * 1000)"
              f" WHEN x.progress BETWEEN 0 AND 100 AND CAST(x.progress AS INTEGER) = x.progress"
              f" THEN {today} * 1000 + x.progress END")  # fmt: skip
    return (
        f"(SELECT *, kc / 1000 AS code, kc % 1000 AS progress FROM (SELECT {plain}, {packed} AS kc FROM points x"
        f" WHERE x.plan = :plan AND (x.since IS NULL OR x.since <= :as_of) ORDER BY x.id {d.fence}) c)"
    )
