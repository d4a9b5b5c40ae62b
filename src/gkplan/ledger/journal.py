"""Reading the history: entries by item and day, what changed between two days, the latest reports,
and the 延期 a summary counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gkplan.ledger.asof import DIFFED, worded, words_sql
from gkplan.ledger.history import HISTORY_COLUMNS, HISTORY_COLUMNS_THEN, entry_of
from gkplan.ledger.states import STATE_FIELDS, _shown, key_of


class JournalMixin:
    def history(
        self, point: int | None = None, since: str | None = None, limit: int | None = None, entity: str | None = None,
        ref: str | None = None, until: str | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        return list(self.iter_history(point, since, limit, entity, ref, until))

    def iter_history(
        self, point: int | None = None, since: str | None = None, limit: int | None = None, entity: str | None = None,
        ref: str | None = None, until: str | None = None,
    ) -> Iterator[dict[str, Any]]:  # fmt: skip
        """Entries, newest first, one at a time from the cursor (`log` of 300,000 entries holds none of them)."""
        where, params = ["h.plan = ?"], [self.plan_key]
        for column, value in (("point", point), ("entity", entity), ("ref", ref)):
            if value is not None:
                where.append(f"h.{column} = ?")
                params.append(value)
        # one point's entries come through the (plan, point …) index; left to itself SQLite would take the range
        # on the day (the (plan, effective) index) and read the whole plan's history (50 ms at 300,000 entries)
        day = f"{self.dialect.unindexed}h.effective" if point is not None else "h.effective"
        if since is not None:
            where.append(f"{day} >= ?")
            params.append(since)
        if until is not None:
            where.append(f"{day} <= ?")
            params.append(until)
        columns = HISTORY_COLUMNS if until is None else HISTORY_COLUMNS_THEN
        if until is not None:
            params.insert(0, until)  # (the select list's parameter comes first)
        sql = f"SELECT {columns} FROM history h WHERE {' AND '.join(where)} ORDER BY h.id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self._errors():
            yield from map(entry_of, self.rows(sql, params))

    def last_entries(self, points: list[int]) -> dict[tuple[str, int, str | None], int]:
        """(entity, point, ref) → the number of its latest entry, for the items of the points asked about: the
        row version a workbook (gkplan sheet) keeps, to tell whether the item changed since."""
        out: dict[tuple[str, int, str | None], int] = {}
        for start in range(0, len(points), 500):
            chunk = points[start:start + 500]
            sql = (f"SELECT entity, point, ref, max(id) FROM history WHERE plan = ? AND point IN ({','.join('?' * len(chunk))})"
                   " GROUP BY entity, point, ref")  # fmt: skip
            with self._errors():
                out |= {(r[0], r[1], r[2]): r[3] for r in self.conn.execute(sql, (self.plan_key, *chunk))}
        return out

    def diff(self, start: str, end: str) -> Iterator[dict[str, Any]]:
        """Each point, task and target whose state on `end` differs from `start`, or that got a report in
        between: the fields that changed ([value on start, value on end]), the notes recorded, and its point's
        title. One item at a time, from a cursor (a year of a large plan changes most of it)."""
        with self.snapshot() as conn:
            # each point's title as of the later day (a reload since may have reworded it: ledger/asof.py)
            span = {"plan": self.plan_key, "start": start, "as_of": end}
            items = self.rows(
                f"SELECT d.entity, d.point, d.ref, {worded('point', 'title', 'p')}, p.since FROM (SELECT DISTINCT entity,"
                " point, ref FROM history WHERE plan = :plan AND effective > :start AND effective <= :as_of) d LEFT JOIN points p"
                " ON p.plan = :plan AND p.id = d.point ORDER BY d.point, d.entity = 'target', d.entity = 'task', d.ref", span,
            )  # fmt: skip
            named = set()  # points added in between whose row is here, not below
            for entity, point, ref, title, since in items:
                key = key_of(entity, point, ref)
                before, after = self.state_at(conn, entity, key, start), self.state_at(conn, entity, key, end)
                if entity == "task" and not before["present"] and not after["present"]:
                    continue  # added and removed in between: on neither day
                changes = {f: [_shown(f, before[f]), _shown(f, after[f])] for f in STATE_FIELDS[entity]
                           if before[f] != after[f] and f != "note"}  # fmt: skip
                said = conn.execute(
                    "SELECT note, action FROM history WHERE plan = ? AND point = ?"
                    " AND entity = ? AND ref IS NOT DISTINCT FROM ? AND effective > ? AND effective <= ?"
                    " AND (note IS NOT NULL AND action = 'update' OR action = 'load')"
                    " ORDER BY effective, id", (self.plan_key, point, entity, ref, start, end)).fetchall()  # fmt: skip
                notes = [r[0] for r in said if r[1] == "update"]
                added = entity == "point" and since is not None and start < since <= end
                if added:  # a point a reload added in between: new, with what was reported on it since
                    changes = {"present": [False, True], **changes}
                    named.add(point)
                elif any(r[1] == "load" for r in said) and (entity != "task" or before["present"]):
                    changes |= self._reworded(conn, entity, key, start, end)  # the seed's words, not in the day's state
                if changes or notes:
                    ident = str(point) if entity == "point" else f"{point}.{ref}" if entity == "task" else f"{point}:{ref}"
                    yield {"plan": self.plan_key, "id": ident, "kind": entity, "point": point, "changes": changes,
                           "notes": notes, "title": title or ""}  # fmt: skip
            for point, title in self.rows(f"SELECT x.id, {worded('point', 'title')} FROM points x WHERE x.plan = :plan"
                                          " AND x.since > :start AND x.since <= :as_of ORDER BY x.id", span):  # fmt: skip
                if point not in named:
                    yield {"plan": self.plan_key, "id": str(point), "kind": "point", "point": point,
                           "changes": {"present": [False, True]}, "notes": [], "title": title}  # fmt: skip

    def _reworded(self, conn: Any, entity: str, key: tuple, start: str, end: str) -> dict[str, list[Any]]:
        """The item's seed words that differ between the two days, as `log` records a reload's: [then, now], text, owners
        and a source as "…"; a target added in between is new ("present")."""
        sql, fields = words_sql(entity), DIFFED[entity]
        keys = {f"k{i}": k for i, k in enumerate(key)}
        then, now = (dict(zip(fields, conn.execute(sql, {"plan": self.plan_key, "as_of": day, **keys}).fetchone()))
                     for day in (start, end))  # fmt: skip
        if entity == "target" and not then["present"]:
            return {"present": [False, True]} if now["present"] else {}
        whole = (lambda v: int(v) if isinstance(v, float) and v.is_integer() else v)  # a bound as the seed wrote it
        return {f: ["…", "…"] if f in ("text", "leads", "source") else [whole(then[f]), whole(now[f])]
                for f in fields if then[f] != now[f] and f != "present"}  # fmt: skip

    def extension_events(self, points: list[int], until: str) -> dict[int, int]:
        """Point → its own 延期 entries effective by `until`, less those undone by then (an undo's entry
        takes the reason back). Through the (plan, point …) index: only the points asked about."""
        import json  # (only for a summary with 延期: a listing never pays for it)

        out: dict[int, int] = {}
        extended = self.dialect.contains("changes", "'\"extension\"'")
        for start in range(0, len(points), 500):
            chunk = points[start:start + 500]
            sql = (f"SELECT point, changes FROM history WHERE plan = ? AND point IN ({','.join('?' * len(chunk))})"
                   f" AND entity = 'point' AND {self.dialect.unindexed}effective <= ? AND {extended} ORDER BY id")  # fmt: skip
            with self._errors():
                for point, changes in self.conn.execute(sql, (self.plan_key, *chunk, until)):
                    old, new = json.loads(changes)["extension"]
                    step = 1 if new and not old else -1 if old and not new else 0
                    out[point] = max(0, out.get(point, 0) + step)
        return out

    def pending_request(self, entity: str, key: tuple) -> dict[str, Any] | None:
        """An item's latest 延期 request (a department's new due date on a shared ledger), when no decision
        answers it and nobody undid it: its entry, whose changes["request"][1] is {due, reason}. A later request
        replaces an earlier one; an undo's entry (a request withdrawn, a decision revoked) is neither."""
        entries = self.history(point=key[0], entity=entity, ref=None if entity == "point" else str(key[1]))
        live = [e for e in entries if "request" in e["changes"] and e["undone_by"] is None and e["action"] != "undo"]
        latest = next((e for e in live if e["changes"]["request"][0] is None), None)
        answered = {e["changes"]["request"][0] for e in live if e["action"] == "review"}
        return latest if latest is not None and latest["id"] not in answered else None
