"""Tasks under points (17.1, 17.2 …): reading them as they stand on any day, adding and removing them.

A removed task stays in the table (marked removed), so its number is never given again, a seed task
the user removed is not brought back by a reload, and the day before its removal can still be read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from gkplan.errors import NotFound
from gkplan.ledger.asof import as_of
from gkplan.ledger.states import LOOP_FIELDS
from gkplan.ledger.points import KEY_SEPARATOR
from gkplan.ledger.query import Params, PointQuery, last_report, led_by, quiet, state_filters
from gkplan.rules import light_sql

_TASK_TODAY = "(SELECT tasks.*, 1 - removed AS present FROM tasks)"
_TASK_COLUMNS = ("title", "dept", "deliverable", "origin", "created_at", "kind")
_POINT_COLUMNS = ("section", "title", "department_key", "start")

TASK_FIELDS = ("point", "seq", "title", "due", "owner", "dept", "deliverable", "weight", "progress", "status",
               "note", "origin", "created_at", "updated_at", "kind", *LOOP_FIELDS)  # fmt: skip
TASK_COLUMNS = ", ".join(f"t.{f}" for f in ("plan", *TASK_FIELDS)) + (
    ", p.title AS point_title, p.due AS point_due, p.department_key AS point_departments")


class TasksMixin:
    def task_source(self, clock: dict[str, Any] | None, scope: str = "") -> str:
        if clock is None or self.today_tables(clock["as_of"]):
            return _TASK_TODAY
        return as_of(self.dialect, "task", _TASK_COLUMNS, scope)

    def tasks_after(self, point: int, due: str) -> list[tuple[int, str, str]]:
        with self._errors():
            return tasks_after(self.conn, self.plan_key, point, due)

    def tasks(self, query: PointQuery = PointQuery(), seq: int | None = None, clock: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return list(self.iter_tasks(query, seq, clock))

    def iter_tasks(
        self, query: PointQuery = PointQuery(), seq: int | None = None, clock: dict[str, Any] | None = None,
        quiet_since: tuple[str, str] | None = None, unlit: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Tasks of the points that `query` selects, as they stood on the clock's day; a task's own
        department and due date win over its point's. `quiet_since`, `unlit`: as for PointsMixin.iter_points."""
        prm = Params((clock or {}) | {"plan": self.plan_key})
        where = ["t.plan = :plan", "t.present = 1"]
        if query.ids:
            where.append(f"t.point IN ({prm.many(query.ids)})")
        if seq is not None:
            where.append(f"t.seq = {prm.one(seq)}")
        versions = None if clock is None or self.today_tables(clock["as_of"]) else self.versions_after(clock["as_of"])
        if query.departments:  # (a task's department as of the day: the task source's)
            where.append(f"(t.dept IN ({prm.many(query.departments)}) OR (t.dept IS NULL AND"
                         f" {led_by(prm, 'department', query.departments, 't.point', versions)}))")  # fmt: skip
        if query.leaders:
            where.append(led_by(prm, "leader", query.leaders, "t.point", versions))
        due, light = "coalesce(t.due, p.due)", None
        columns = TASK_COLUMNS
        if clock:
            # a task of a 暂缓 point is paused with it: not red, not counted as overdue
            status = "(CASE WHEN p.status = 'deferred' AND t.status != 'done' THEN 'deferred' ELSE t.status END)"
            light = light_sql({"due": due, "progress": "t.progress", "status": status, "reported": "t.reported",
                               "closed": "t.closed", "start": "p.start"}, self.dialect)  # fmt: skip
            columns += f", {'NULL' if unlit else light} AS light, {self.dialect.days(due, ':as_of')} AS days_left"
            if query.lights:  # (the expression, not its alias: PostgreSQL has no aliases in WHERE)
                where.append(f"{light} IN ({prm.many(query.lights)})")
        where += state_filters(prm, query, "t.status", due, ("t.title", "t.deliverable", "t.note"), light)
        scope = f"x.{{}} IN ({prm.many(query.ids)})" if query.ids else ""  # points, and their tasks, as of the day
        tasks, points = self.task_source(clock, scope.format("point")), self.point_source(clock, _POINT_COLUMNS, scope.format("id"))
        if quiet_since:
            columns += ", " + last_report(prm, self.dialect, "t", "t.point", "CAST(t.seq AS TEXT)", quiet_since[0])
        sql = f"SELECT {columns} FROM {tasks} t JOIN {points} p ON p.plan = t.plan AND p.id = t.point WHERE {' AND '.join(where)}"
        sql = quiet(prm, self.dialect, sql, "q.point, q.seq", quiet_since[1]) if quiet_since else f"{sql} ORDER BY t.point, t.seq"
        with self._errors():
            yield from map(_task, self.rows(sql, prm.values))

    def task(self, point_id: int, seq: int, clock: dict[str, Any] | None = None) -> dict[str, Any]:
        rows = self.tasks(PointQuery(ids=(point_id,)), seq=seq, clock=clock)
        if not rows:
            self.point(point_id)
            raise NotFound(f"第 {point_id} 项没有任务 {point_id}.{seq}；用 gkplan task list --point {point_id} 查看")
        return rows[0]

    def add_task(self, point_id: int, fields: dict[str, Any], *, by: str, effective: str, at: str) -> dict[str, Any]:
        with self._write() as conn:
            self.item_state(conn, "point", (point_id,), effective)  # the point exists
            seq = conn.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM tasks WHERE plan = ? AND point = ?", (self.plan_key, point_id)
            ).fetchone()[0]
            row = {"plan": self.plan_key, "point": point_id, "seq": seq, "origin": "user", "created_at": at,
                   "updated_at": at, "removed": 1, "weight": 1, "progress": 0, "status": "not_started"} | fields  # fmt: skip
            insert(conn, "tasks", row)  # absent until the history entry that adds it is applied
            stored = task_row(row | {"removed": 0})
            entry = self.record(conn, "task", (point_id, seq), "add", {"task": [None, stored]}, None, by, effective, at)
            self.derive(conn, point_id, effective, entry["id"], by, at)
            return entry

    def remove_task(self, point_id: int, seq: int, *, by: str, effective: str, at: str) -> dict[str, Any]:
        with self._write() as conn:
            state = self.item_state(conn, "task", (point_id, seq), effective)
            entry = self.record(conn, "task", (point_id, seq), "remove", {"task": [task_row(state), None]}, None, by,
                                effective, at)  # fmt: skip
            self.derive(conn, point_id, effective, entry["id"], by, at)
            return entry


def insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))


def task_row(task: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of a task (what add and remove keep in history, so that undo can restore it)."""
    return {k: task.get(k) for k in TASK_FIELDS}


def _task(row: sqlite3.Row) -> dict[str, Any]:
    task = {k: row[k] for k in TASK_FIELDS}
    task["plan"] = row["plan"]
    task["id"] = f"{row['point']}.{row['seq']}"
    task["point_title"] = row["point_title"]
    task["point_due"] = row["point_due"]
    task["effective_due"] = row["due"] or row["point_due"]
    own = row["dept"]
    task["departments"] = [own] if own else row["point_departments"].split(KEY_SEPARATOR) if row["point_departments"] else []
    task["co"] = task["co"].split(KEY_SEPARATOR) if task["co"] else []  # co-operating departments (协办)
    names = row.keys()
    if "light" in names:
        task["light"], task["days_left"] = row["light"], row["days_left"]
    if "last_update" in names:
        task["last_update"] = row["last_update"]
    return task


def tasks_after(conn: sqlite3.Connection, plan: str, point: int, due: str | None = None) -> list[tuple[int, str, str]]:
    """(seq, its due, the point's due) of the point's unfinished tasks due after `due` (by default the point's own),
    the latest first: what no change may leave (a task due after its point), checked by `update --due`, a granted
    request, an undo and a reload alike (task_due_within is the task's side)."""
    return conn.execute(
        "SELECT t.seq, t.due, p.due FROM tasks t JOIN points p ON p.plan = t.plan AND p.id = t.point WHERE t.plan = ?"
        " AND t.point = ? AND t.removed = 0 AND t.status <> 'done' AND t.due > coalesce(?, p.due) ORDER BY t.due DESC, t.seq",
        (plan, point, due),
    ).fetchall()
