"""A 分管校领导's page (brief): the points and tasks whose departments' parts they lead, what changed in
the period, and what waits for them. The counts and fields are the bulletin's (bulletin.py)."""

from __future__ import annotations

from typing import Any

from gkplan.bulletin import ITEM_FIELDS, expected
from gkplan.ledger import Ledger
from gkplan.reminders import iter_items, leaders_for
from gkplan.reports import Frame


def brief(ledger: Ledger, fr: Frame, leader_text: str) -> dict[str, Any]:
    """One screen for a 分管校领导: the points and tasks whose departments' parts they lead, with lights;
    what changed in the current period; and what waits for them: 待销号, 延期 and red items.

    The items and the history are read one at a time; what the page lists goes to a spool on disk
    (ledger.Spool), each list a Replay of its part: 0 points (each with its tasks), 1 changes, 2 extensions,
    3 pending review, 4 red."""
    from gkplan.dates import period_key
    from gkplan.filters import resolve_leader
    from gkplan.ledger.spool import Replay, Spool

    leader = resolve_leader(ledger, leader_text)  # by index: names() lists every leader's point ids (150k each at 1M)
    start = fr.period[0].isoformat()
    spool, counts = Spool(2), [0] * 5

    def add(part: int, record: dict[str, Any], order: int = 0) -> None:
        spool.add((part, order), record)
        counts[part] += 1

    keys = _Keys()  # (point, task seq or 0) of every item of theirs: which changes are theirs
    depts: list[str] = []
    with ledger.snapshot():
        head, open_point = None, None  # the latest point read; the page's point being filled, tasks and all
        for item in iter_items(ledger, fr):
            if item["kind"] == "point":
                head = item  # its expected progress worked out only if the page shows it
            part = [d for d in item["departments"] if leader in leaders_for(item, d)]
            if not part:
                continue
            if item["kind"] == "point":
                item["expected"] = round(expected(item, fr.as_of), 1)
            depts += [d for d in part if d not in depts]
            entry = _brief_row(item, part)
            for status, place in (("pending_review", 3), ("red", 4)):
                if (item["status"] if place == 3 else item["light"]) == status:
                    add(place, entry)
            keys.add((item["point"], item["seq"]))
            if item["kind"] == "point" or open_point is None or open_point["point"] != item["point"]:
                if open_point is not None:
                    add(0, open_point)
                lead = item["kind"] == "point"  # else a task of theirs under another leader's point
                if not lead and head["expected"] is None:
                    head["expected"] = round(expected(head, fr.as_of), 1)
                open_point = (entry if lead else _brief_row(head, [])) | {"lead": lead, "tasks": []}
                if lead:
                    continue
            open_point["tasks"].append(entry)
        if open_point is not None:
            add(0, open_point)
        for n, h in enumerate(ledger.iter_history(since=start, until=fr.as_of.isoformat())):  # newest first
            seq = int(h["ref"]) if h["entity"] == "task" else 0
            if h["action"] in ("derive", "load", "migrate") or (h["point"], seq if h["entity"] != "target" else 0) not in keys:
                continue
            entry = {k: h[k] for k in ("id", "effective", "point", "entity", "ref", "action", "changes", "note", "by")}
            add(1, entry, -n)  # read back oldest first
            old, new = h["changes"].get("extension") or (None, None)
            if new and not old:
                add(2, entry | {"due": h["changes"].get("due"), "reason": new}, -n)
    lists = [Replay(spool, count, part=i) for i, count in enumerate(counts)]
    return {
        "leader": leader, "as_of": fr.as_of.isoformat(),
        "period": {"key": period_key(fr.period), "start": start, "end": fr.period[1].isoformat()},
        "departments": depts, "points": lists[0], "changes": lists[1],
        "waiting": {"pending_review": lists[3], "extensions": lists[2], "red": lists[4]},
    }  # fmt: skip


class _Keys:
    """A set of (point, seq) pairs in 8 bytes each: packed into an array, sorted, found by bisection. A set of
    tuples took ~100 bytes a pair (tens of MiB for a leader's part of a million items)."""

    def __init__(self) -> None:
        from array import array

        self.packed, self.ordered = array("q"), True

    def add(self, key: tuple[int, int]) -> None:
        value = key[0] << 32 | key[1]
        if self.packed and value <= self.packed[-1]:
            if value == self.packed[-1]:
                return
            self.ordered = False
        self.packed.append(value)

    def __contains__(self, key: tuple[int, int]) -> bool:
        from bisect import bisect_left

        if not self.ordered:  # items come in the plan's order; this is only a guard
            from array import array

            self.packed, self.ordered = array("q", sorted(set(self.packed))), True
        if key[0] is None:  # an entry on no point
            return False
        value = key[0] << 32 | key[1]
        i = bisect_left(self.packed, value)
        return i < len(self.packed) and self.packed[i] == value


def _brief_row(item: dict[str, Any], part: list[str]) -> dict[str, Any]:
    return {k: item[k] for k in ITEM_FIELDS if k not in ("departments", "leaders")} | {"departments": part}
