"""Summaries of the points: per department, leader or section (or the whole plan), counts by status and light.

Separate from points.py (reading points) because only the commands that count (report, its --overview, depts,
leaders …) need it: PointsMixin.summary imports it when asked, as Ledger.check does ledger/check.py.
"""

from __future__ import annotations

import functools
from typing import Any

from gkplan.ledger.asof import points_coded, sections_as_of
from gkplan.ledger.points import KEY_SEPARATOR, LIGHT_CODES, STATUS_CODES
from gkplan.rules import LIGHT_INPUTS, LIGHTS, light_sql

# the columns a summary takes from the points as of a day
_SUMMARY = ("section", "department_key", "leader_key")
# lights a summary counts: 完成 and 暂缓 are the status counts already
_LIGHT_COUNTS = dict.fromkeys(("red", "yellow", "green", "unreported", "review"), 0)


class SummaryMixin:
    def summary(self, by: str | None, clock: dict[str, Any]) -> list[dict[str, Any]]:
        """Per department / leader / section (or the whole plan when `by` is None): counts by status and
        light, overdue, mean progress. A point with two departments counts under each; groups come in
        order of first appearance. SQLite groups by (group, status × light) with two aggregates; Python
        folds the few rows that come back."""
        today = self.today_tables(clock["as_of"])
        if by == "section":
            key, join = "s.title", f"JOIN {'sections' if today else sections_as_of()} s ON s.plan = p.plan AND s.id = p.section"
        else:
            key, join = ("NULL" if by is None else f"p.{by}_key"), ""
        code = functools.partial(_code, self.dialect)
        if today:
            # fenced: merged into the grouping, the code would be worked out once for each of its three uses
            source = (f"(SELECT plan, id, section, progress, department_key, leader_key,"
                      f" {code({k: k for k in (*LIGHT_INPUTS, 'due_original')})} AS code FROM points WHERE plan = :plan"
                      f" {self.dialect.fence})")  # fmt: skip
        else:
            source = points_coded(self.dialect, code, _SUMMARY)
        sql = f"""
            SELECT {key} AS grp, min(p.id) AS first_seen, min(p.section) AS section, p.code, count(*) AS n,
                   sum(p.progress) AS progress, {self.dialect.concat("CASE WHEN p.code % 2 = 1 THEN p.id END", order="p.id")} AS extended
            FROM {source} p {join}
            GROUP BY grp, p.code"""
        groups: dict[Any, dict[str, Any]] = {}
        with self._errors():
            for row in self.conn.execute(sql, clock | {"plan": self.plan_key}):
                # a status edited behind gkplan's back has no code: its points count in the total, under no
                # status or light (gkplan check names them), rather than ending the report
                code = row["code"]
                status, light = (None, None) if code is None else (STATUS_CODES[code // 16], LIGHT_CODES[code // 2 % 8])
                extended = [int(i) for i in row["extended"].split(",")] if row["extended"] else []
                # a key names every department of its points: each counts them (two departments, twice)
                names = row["grp"].split(KEY_SEPARATOR) if by not in (None, "section") and row["grp"] else [row["grp"]]
                for order, name in enumerate(names):
                    first = row["first_seen"] * 100_000 + order
                    g = groups.get(name)
                    if g is None:
                        g = groups[name] = {
                            "grp": name, "first_seen": first, "section": row["section"] if by == "section" else None,
                            "points": 0, **dict.fromkeys(STATUS_CODES, 0), "overdue": 0, **_LIGHT_COUNTS, "sum": 0,
                            "extended_ids": [],
                        }  # fmt: skip
                    g["extended_ids"] += extended
                    g["first_seen"] = min(g["first_seen"], first)
                    g["points"] += row["n"]
                    if status is not None:
                        g[status] += row["n"]
                    g["sum"] += row["progress"] or 0
                    if light in _LIGHT_COUNTS:
                        g[light] += row["n"]
                    if light == "red":
                        g["overdue"] += row["n"]
        out = sorted(groups.values(), key=lambda g: g["first_seen"])
        for g in out:
            g["mean_progress"] = round(g.pop("sum") / g["points"], 1) if g["points"] else 0.0
        if by is None and not out:
            out = [{"grp": None, "section": None, "points": 0, **dict.fromkeys(STATUS_CODES, 0), "overdue": 0,
                    **_LIGHT_COUNTS, "mean_progress": 0.0, "extended_ids": []}]  # fmt: skip
        return out


def _code(d, columns: dict[str, str]) -> str:  # noqa: ANN001 - d: dialect
    """SQL for what summaries count of a point as one number: status × 16 + light × 2 + extended (延期:
    an original due date kept)."""
    status = columns["status"]
    status_code = f"(CASE {status} " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(STATUS_CODES)) + " END)"
    light = light_sql(columns, d, tuple(map(str, range(len(LIGHTS)))))
    return f"({status_code} * 16 + {light} * 2 + CASE WHEN {columns['due_original']} IS NULL THEN 0 ELSE 1 END)"
