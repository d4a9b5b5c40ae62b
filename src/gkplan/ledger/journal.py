"""Reading the history: entries by item and day, what changed between two days, the latest reports,
and the 延期 a summary counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gkplan.ledger.asof import worded
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
            items = self.rows(
                f"SELECT d.entity, d.point, d.ref, {worded('point', 'title', 'p')} FROM (SELECT DISTINCT entity, point, ref"
                " FROM history WHERE plan = :plan AND effective > :start AND effective <= :as_of) d LEFT JOIN points p"
                " ON p.plan = :plan AND p.id = d.point ORDER BY d.point, d.entity = 'target', d.entity = 'task', d.ref",
                {"plan": self.plan_key, "start": start, "as_of": end},
            )  # fmt: skip
            for entity, point, ref, title in items:
                key = key_of(entity, point, ref)
                before, after = self.state_at(conn, entity, key, start), self.state_at(conn, entity, key, end)
                if entity == "task" and not before["present"] and not after["present"]:
                    continue  # added and removed in between: on neither day
                changes = {f: [_shown(f, before[f]), _shown(f, after[f])] for f in STATE_FIELDS[entity]
                           if before[f] != after[f] and f != "note"}  # fmt: skip
                said = conn.execute(
                    "SELECT note, action, CASE WHEN action = 'load' THEN changes END FROM history WHERE plan = ? AND point = ?"
                    " AND entity = ? AND ref IS NOT DISTINCT FROM ? AND effective > ? AND effective <= ?"
                    " AND (note IS NOT NULL AND action = 'update' OR action = 'load')"
                    " ORDER BY effective, id", (self.plan_key, point, entity, ref, start, end)).fetchall()  # fmt: skip
                notes = [r[0] for r in said if r[1] == "update"]
                # a reload's new words (a point's title, owners …, a task's department, a target's bounds): the seed's,
                # not in the day's state
                changes |= _reloaded((r[2] for r in said if r[1] == "load"), STATE_FIELDS[entity])
                if changes or notes:  # (new points come below)
                    ident = str(point) if entity == "point" else f"{point}.{ref}" if entity == "task" else f"{point}:{ref}"
                    yield {"plan": self.plan_key, "id": ident, "kind": entity, "point": point, "changes": changes,
                           "notes": notes, "title": title or ""}  # fmt: skip
            for point, title in self.rows(f"SELECT x.id, {worded('point', 'title')} FROM points x WHERE x.plan = :plan"
                                          " AND x.since > :start AND x.since <= :as_of ORDER BY x.id",
                                          {"plan": self.plan_key, "start": start, "as_of": end}):  # fmt: skip
                yield {"plan": self.plan_key, "id": str(point), "kind": "point", "point": point,
                       "changes": {"present": [False, True]}, "notes": [], "title": title}  # fmt: skip

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


def _reloaded(entries: Iterator[str], states: tuple[str, ...]) -> dict[str, list[Any]]:
    """What reloads between two days did to an item's seed words (not its `states`, which the days' states compare):
    each field from its value before the first to its value after the last; a target the first added is new ("present")."""
    import json

    out: dict[str, list[Any]] = {}
    for text in entries:
        for field, (old, new) in json.loads(text).items():
            if field == "target":
                out["present"] = [False, True]
            elif field not in states and field not in ("present", "task"):  # (a task's presence is a state)
                out[field] = [out[field][0] if field in out else old, new]
    if "present" in out:  # (added in between: its bounds were none before)
        return {"present": [False, True]}
    return {f: v for f, v in out.items() if v[0] != v[1] or v[0] == "…"}  # (a source, text, owners: recorded as "…" → "…")

