"""Work points: reading them (as they stand today or on any day) and their people. Summaries: ledger/summary.py."""

from __future__ import annotations

from itertools import repeat
from collections import namedtuple
from collections.abc import Iterator
from typing import Any

from gkplan.errors import LedgerError, NotFound
from gkplan.ledger.asof import as_of, points_brief, sections_as_of
from gkplan.ledger.query import Params, PointQuery, co_filter, quiet, quiet_points, scope_filters, state_filters
from gkplan.rules import LIGHT_INPUTS, LIGHTS, light_sql, rollup_sql

KEY_SEPARATOR = "\x1f"
STATUS_CODES = ("done", "in_progress", "not_started", "blocked", "deferred", "pending_review")
LIGHT_CODES = LIGHTS

POINT_COLUMNS = (
    "p.plan, p.id, p.section, s.title AS section_title, p.title, p.text, p.leads, p.due, p.due_seed, p.progress,"
    " p.status, p.note, p.updated_at, p.start, p.problem, p.next, p.evidence, p.reported, p.closed, p.due_original,"
    " p.co, p.checkpoints, p.late, p.follows"
)
_TASK_COUNT = " (SELECT count(*) FROM tasks t WHERE t.plan = p.plan AND t.point = p.id AND t.removed = 0) AS tasks"
_TASK_COUNT_AS_OF = """ (SELECT count(*) FROM tasks t WHERE t.plan = p.plan AND t.point = p.id AND
  CASE WHEN t.changed IS NULL OR t.changed <= :as_of THEN 1 - t.removed ELSE coalesce((SELECT s.present FROM task_states s
  WHERE s.plan = t.plan AND s.point = t.point AND s.seq = t.seq AND s.effective <= :as_of
  ORDER BY s.effective DESC, s.hid DESC LIMIT 1), t.timeless) END = 1) AS tasks"""
# the tasks' weighted roll-up beside the reported progress (rules.rollup, mirrored in SQL)
def _task_progress(d, today: bool) -> str:  # noqa: ANN001 - d: dialect
    source = "tasks t WHERE t.plan = p.plan AND t.point = p.id AND t.removed = 0" if today else \
        f"{as_of(d, 'task', (), 'x.point = p.id')} t WHERE t.present = 1"
    return f" (SELECT {rollup_sql(d)} FROM {source}) AS task_progress"



BRIEF_COLUMNS = "p.plan, p.id, p.section, p.title, p.due, p.progress, p.status, p.department_key, p.leader_key"
# a brief row as the cursor gives it (iter_points' `row`): a table's cells read it as it is, no dict made of it
BriefRow = namedtuple("BriefRow", "plan id section title due progress status department_key leader_key light days_left")
# quiet_since's row (stale's): only what it shows, with the last update (the brief row's other columns, fetched and
# dropped, were a fifth of the query's time at 100,000 points)
QUIET_COLUMNS = "p.id, p.title, p.department_key, p.progress, p.status"
QuietRow = namedtuple("QuietRow", "id title department_key progress status light last_update")
# the columns each kind of read takes from the points as of a day (a summary's: ledger/summary.py)
BRIEF = ("section", "title", "department_key", "leader_key", "start")
_FULL = ("section", "title", "text", "leads", "due_seed", "department_key", "leader_key", "start")
POINT_LIGHT = {k: f"p.{k}" for k in LIGHT_INPUTS}  # a point's light: rules.light_sql over these columns


class PointsMixin:
    def today_tables(self, as_of: str) -> bool:
        """True when the ledger as of `as_of` is today's tables: nothing of this plan is effective later."""
        latest = getattr(self, "_latest", False)
        if latest is False:
            latest = self._latest = self.latest_effective()
        return latest is None or latest <= as_of

    def point_source(self, clock: dict[str, Any] | None, columns: tuple[str, ...] = _FULL, scope: str = "") -> str:
        """The points table, or the points as of the clock's day (those `scope`, over alias x, selects):
        what every read of points selects from."""
        if clock is None or self.today_tables(clock["as_of"]):
            return "points"
        d = self.dialect
        return as_of(d, "point", columns, scope) if "text" in columns or "co" in columns else points_brief(d, columns, scope)

    def versions_after(self, as_of: str) -> Any:
        """The dialect when a reload after `as_of` replaced some point's words (owners among them), for the filters
        that must then read the day's owners (query.led_by); None when every point's are today's."""
        found = getattr(self, "_versions_after", {})
        if as_of not in found:
            sql = "SELECT 1 FROM point_seeds WHERE plan = ? AND ended > ? LIMIT 1"
            with self._errors():
                found[as_of] = self.conn.execute(sql, (self.plan_key, as_of)).fetchone() is not None
            self._versions_after = found
        return self.dialect if found[as_of] else None

    def sections(self) -> list[dict[str, Any]]:
        """Every section by each title it has had: titles a reload replaced (a past day's), then today's, so that a
        name means today's section where two share it."""
        with self._errors():
            return [{"id": r[0], "title": r[1], "current": bool(r[2])} for r in self.conn.execute(
                "SELECT id, title, 0 FROM section_seeds WHERE plan = ? UNION ALL SELECT id, title, 1 FROM sections"
                " WHERE plan = ? ORDER BY 3, 1", (self.plan_key, self.plan_key))]  # fmt: skip

    def points(self, query: PointQuery = PointQuery(), clock: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return list(self.iter_points(query, clock))

    def iter_points(
        self, query: PointQuery = PointQuery(), clock: dict[str, Any] | None = None, order: str = "p.id",
        brief: bool = False, quiet_since: tuple[str, str] | None = None, row: bool = False, unlit: bool = False,
    ) -> Iterator[Any]:  # fmt: skip
        """Points one at a time from the cursor, so that a 100,000-point listing never sits in memory whole.
        With a `clock` (see rules.light_sql) each comes as it stood on that day, with its days left and
        warning light. `brief` rows carry what a table shows (no text, no leads). `quiet_since` (day, cutoff):
        only those not reported between cutoff and day, longest unreported first, each a QuietRow (`stale`; with a
        clock, no department asked). `row` (brief, with a clock, no department asked): each a BriefRow, its names
        still joined (KEY_SEPARATOR). `unlit`: the light left unworked (None), for a view that does not show it."""
        prm = Params((clock or {}) | {"plan": self.plan_key})
        today = clock is None or self.today_tables(clock["as_of"])
        # 协办: only when one of the departments ever co-operated does the day's `co` need reading
        co = bool(query.departments) and query.role != "lead" and self._co_named(query.departments)
        versions = None if today else self.versions_after(clock["as_of"])
        scope = scope_filters(prm, query, "p" if today else "x", co, versions)  # what does not depend on the day
        wanted = (*BRIEF, "co") if brief and co else BRIEF if brief else _FULL
        if query.search and brief:  # (the search reads the text of the day too)
            wanted = (*wanted, "text")
        source = self.point_source(clock, wanted, " AND ".join(scope))
        where = ["p.plan = :plan", *(scope if today else [])]
        if co:
            where.append(co_filter(prm, query, self.dialect, versions))
        light = light_sql(POINT_LIGHT, self.dialect) if clock else None
        where += state_filters(prm, query, "p.status", "p.due", ("p.title", "p.text"), light)
        if brief:
            columns = BRIEF_COLUMNS + (", p.co" if co else "")
        elif source == "points":
            columns = f"{POINT_COLUMNS}, {_TASK_COUNT}, {_task_progress(self.dialect, True)}"
        else:
            columns = f"{POINT_COLUMNS}, {_TASK_COUNT_AS_OF}, {_task_progress(self.dialect, False)}"
        join = "" if brief else f" JOIN {'sections' if today else sections_as_of()} s ON s.plan = p.plan AND s.id = p.section"
        shown, wrapped = "NULL", False  # the light as the rows show it; whether `quiet` filters and sorts around the query
        if clock:
            # a row kept only when red is red: the rule, a long CASE, is not worked out again for the column. (SQLite
            # only: PostgreSQL types :as_of by its first use, which would then be the date cast of days_left)
            red = (query.overdue_as_of or query.lights == ("red",)) and self.dialect.name == "sqlite"
            shown = "NULL" if unlit else "'red'" if red else light  # (the rule, per row, is most of the query's time)
            columns += f", {shown} AS light, {self.dialect.days('p.due', ':as_of')} AS days_left"
            if query.lights:  # (the expression, not its alias: PostgreSQL has no aliases in WHERE)
                where.append(f"{light} IN ({prm.many(query.lights)})")
        if quiet_since:
            last, reports, unreported, order = quiet_points(prm, self.dialect, quiet_since, grouped=today)
            columns = f"{QUIET_COLUMNS}, {shown} AS light, {last}"
            join, wrapped = join + reports, unreported is None
            where += [] if wrapped else [unreported]
        sql = f"SELECT {columns} FROM {source} p{join} WHERE {' AND '.join(where)}"
        sql = quiet(prm, self.dialect, sql, "q.id", quiet_since[1]) if wrapped else f"{sql} ORDER BY {order}"
        with self._errors():
            if quiet_since or row and brief and clock and not co:
                shape = QuietRow if quiet_since else BriefRow  # (tuple.__new__ at C speed: _make is Python)
                yield from map(tuple.__new__, repeat(shape), self.tuples(sql, prm.values))
            else:
                yield from map(_brief if brief else _point, self.records(sql, prm.values))

    def _co_named(self, departments: tuple[str, ...]) -> bool:
        sql = f"SELECT 1 FROM point_co WHERE department IN ({','.join('?' * len(departments))}) AND plan = ? LIMIT 1"
        with self._errors():
            return self.conn.execute(sql, (*departments, self.plan_key)).fetchone() is not None

    def point_follows_tasks(self, point_id: int, day: Any) -> bool:
        """Whether the point took its progress from its tasks on `day` (states.py: item_state's follows_tasks)."""
        with self._errors():
            return bool(self.item_state(self.conn, "point", (point_id,), day.isoformat())["follows_tasks"])

    def point(self, point_id: int, clock: dict[str, Any] | None = None) -> dict[str, Any]:
        rows = self.points(PointQuery(ids=(point_id,)), clock)
        if not rows:
            raise NotFound(f"没有编号为 {point_id} 的工作要点")
        return rows[0]

    def is_department(self, name: str) -> bool:
        """Whether the plan knows this exact department (three index lookups: no listing of every name)."""
        sql = ("SELECT EXISTS (SELECT 1 FROM point_departments WHERE department = :n AND plan = :plan)"
               " OR EXISTS (SELECT 1 FROM point_co WHERE department = :n AND plan = :plan)"
               " OR EXISTS (SELECT 1 FROM tasks WHERE dept = :n AND plan = :plan)")  # fmt: skip
        with self._errors():
            return bool(self.conn.execute(sql, {"n": name, "plan": self.plan_key}).fetchone()[0])

    def known_departments(self) -> list[str]:
        """Every department the plan names: leading a point, co-operating on one, or owning a task."""
        sql = ("SELECT department FROM point_departments WHERE plan = :plan UNION SELECT department FROM point_co"
               " WHERE plan = :plan UNION SELECT dept FROM tasks WHERE plan = :plan AND dept IS NOT NULL")  # fmt: skip
        with self._errors():  # sorted as SQLite's text (by code point): the server's collation may be a locale's
            return sorted(r[0] for r in self.conn.execute(sql, {"plan": self.plan_key}))

    def names(self, kind: str) -> list[dict[str, Any]]:
        return list(self.iter_names(kind))

    def iter_names(self, kind: str) -> Iterator[dict[str, Any]]:
        """Known departments or leaders with the points they own, in order of first appearance, one at a time."""
        assert kind in ("department", "leader")
        # two that first appear on the same point: as that point names them (neither engine keeps an order there)
        sql = (
            f"SELECT g.name, g.points FROM (SELECT {kind} AS name, {self.dialect.concat('point', order='point')} AS points,"
            f" min(point) AS first FROM (SELECT {kind}, point FROM point_{kind}s WHERE plan = ? ORDER BY point) n"
            f" GROUP BY {kind}) g ORDER BY g.first, (SELECT min(o.ord) FROM point_{kind}s o WHERE o.plan = ?"
            f" AND o.point = g.first AND o.{kind} = g.name)"
        )  # fmt: skip
        with self._errors():
            for row in self.conn.execute(sql, (self.plan_key, self.plan_key)):
                yield self._named(row["name"], row["points"])  # (made in a call: nothing of one record is held while the next comes)

    def _named(self, name: str, points: str) -> dict[str, Any]:
        import json  # (its C parser makes the numbers without a string for each: a leader's 140,000 at 1M points)

        digits = points.replace(",", "")
        try:
            if not (digits.isascii() and digits.isdigit()):  # a point of a damaged file that is not a number: 1.5, x
                raise ValueError(points)
            ids = json.loads(f"[{points}]")  # (and an empty one: 1,,3)
        except ValueError:
            from gkplan.ledger.complaints import MISTYPED

            raise LedgerError(f"{self.path}: {MISTYPED}") from None
        return {"name": name, "count": len(ids), "points": ids}

    def summary(self, by: str | None, clock: dict[str, Any]) -> list[dict[str, Any]]:
        """Per department / leader / section, or the whole plan (ledger/summary.py, imported only for it)."""
        from gkplan.ledger.summary import SummaryMixin

        return SummaryMixin.summary(self, by, clock)

def names_of(leads: list[dict], kind: str) -> list[str]:
    """Departments or leaders of a point's leads, in document order, each once."""
    names: list[str] = []
    for lead in leads:
        value = lead[kind]
        for name in value if isinstance(value, list) else [value]:
            if name and name not in names:
                names.append(name)
    return names


_owners: dict[str, tuple[list[dict], list[str], list[str]]] = {}  # leads JSON → (leads, leaders, departments)


def _owners_of(text: str) -> tuple[list[dict], list[str], list[str]]:
    """Decoded once per distinct owner line: a plan has few, however many points share them."""
    found = _owners.get(text)
    if found is None:
        from gkplan.ledger.jsonread import loads  # (not json: its import costs a command's start ~20M instructions)

        try:
            leads = loads(text)
            found = (leads, names_of(leads, "leader"), names_of(leads, "departments"))
        except (ValueError, TypeError, KeyError, AttributeError):  # edited behind gkplan's back: check names it
            found = ([], [], [])
        if len(_owners) < 10_000:
            _owners[text] = found
    return found


def _point(point: dict[str, Any]) -> dict[str, Any]:
    """A point from its row (every selected column, by name: light and days_left when the query had a clock)."""
    leads, leaders, departments = _owners_of(point["leads"])
    point["leads"] = leads  # shared between points with the same owners: read, never changed
    point["leaders"], point["departments"] = leaders[:], departments[:]
    point["co"] = point["co"].split(KEY_SEPARATOR) if point["co"] else []  # co-operating departments (协办)
    return point


_keys: dict[str, list[str]] = {}  # a department_key / leader_key → its names (brief rows share them: read, never changed)


def _names(key: str | None) -> list[str]:
    """A key's names, split once per distinct key: a plan has few, and splitting made every name's string anew."""
    if not key:
        return []
    names = key.split(KEY_SEPARATOR)
    if len(_keys) < 10_000:
        _keys[key] = names
    return names


def _brief(point: dict[str, Any]) -> dict[str, Any]:
    departments, leaders = point.pop("department_key"), point.pop("leader_key")
    point["departments"] = _keys.get(departments) or _names(departments)
    point["leaders"] = _keys.get(leaders) or _names(leaders)
    if "co" in point:
        point["co"] = point["co"].split(KEY_SEPARATOR) if point["co"] else []
    return point
