"""Notices (催办, `remind`): per department, what is overdue, due soon, yellow or not reported this period, with
why and who leads it. The items are reminders.iter_items'; ledger.items.named_sql is the rule in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from collections.abc import Iterator
from itertools import groupby, repeat
from operator import itemgetter
from typing import Any

from gkplan.ledger import Ledger
from gkplan.reminders import departments, iter_items, leaders_for, owes, reported_since
from gkplan.reports import Frame

REASONS = ("overdue", "due_soon", "yellow", "unreported")  # why a notice names an item, in that order
NOTICE_FIELDS = ("kind", "id", "point", "title", "due", "days_left", "progress", "status", "light", "owner", "leaders",
                 "reasons", "role", "reported")  # an item of a notice, in this order (remind's JSON keeps it)


def remind(ledger: Ledger, fr: Frame, within: int, depts: list[str]) -> Iterator[dict[str, Any]]:
    """Per department, a notice of its points and tasks that are overdue, due within `within` days, yellow,
    or not reported this period (once the period's report day has passed or falls within `within` days),
    each with its reasons and the leader of that department's part. A co-operating department (协办) is
    told of what it co-operates on that is overdue, due soon or yellow; reporting is the lead's.

    Departments in the order they first come up, each notice's items soonest due first. The items are regrouped
    through a spool on disk (ledger.Spool), and each notice's `items` is an iterator over it: no notice is
    held whole, and each must be read before the next. An unknown
    department fails here, before anything is written."""
    from gkplan.dates import report_day

    due_day = report_day(fr.period[1], fr.periods.report_day)
    return _notices(ledger, fr, within, departments(ledger, depts), due_day, fr.as_of + timedelta(days=within) >= due_day)


def _notices(ledger: Ledger, fr: Frame, within: int, wanted: tuple[str, ...], due_day: date,
             chase: bool) -> Iterator[dict[str, Any]]:  # fmt: skip
    from gkplan.ledger.spool import Spool

    order: dict[str, int] = {}  # department → its place
    heads: dict[str, list[str]] = {}  # department → the leaders its notice names
    spool = Spool(4)  # each item the tuple of its NOTICE_FIELDS (no dict made of it until it is read back)
    since, due_text, as_of = fr.period[0].isoformat(), due_day.isoformat(), fr.as_of.isoformat()
    report_due = fr.report_due  # (the frame works these out afresh each time it is asked)
    try:
        named = (within, chase, since, due_text)  # the points SQL reads: those the rule may name (ledger.items)
        for item in iter_items(ledger, fr, plain_lights=True, named=named):
            reasons = reasons_for(item, within, chase, since, due_text)
            if not reasons:
                continue
            shown = _light_now(item, report_due, as_of, since)
            co_reasons = [r for r in reasons if r != "unreported"]
            for dept in item["departments"] + (item["co"] if co_reasons else []):
                if wanted and dept not in wanted:
                    continue
                role = "lead" if dept in item["departments"] else "co"
                place = order.setdefault(dept, len(order))
                names = heads.setdefault(dept, [])
                leaders = leaders_for(item, dept)
                names += [name for name in leaders if name not in names]
                days = item["days_left"] if item["days_left"] is not None else 0
                spool.add((place, days, item["point"], item["seq"]), (
                    item["kind"], item["id"], item["point"], item["title"], item["due"], item["days_left"],
                    item["progress"], item["status"], shown, item["owner"], leaders,
                    reasons if role == "lead" else co_reasons, role, item["reported"],
                ))  # fmt: skip (NOTICE_FIELDS' order)
        names_of = list(order)
        for place, group in groupby(spool.sorted_by_first(), key=itemgetter(0)):
            dept = names_of[place]
            # `items` as they come off the spool: read them before the next notice
            items = map(dict, map(zip, repeat(NOTICE_FIELDS), map(itemgetter(1), group)))
            yield {"department": dept, "leaders": heads[dept], "items": items}
    finally:
        spool.close()


def reasons_for(item: dict[str, Any], within: int, chase: bool, since: str, report_day: str) -> list[str]:
    """Why a notice names an item (REASONS), none when it names it not: overdue (red), due within `within` days,
    yellow (its light without the report rule), and, when `chase`, owing a report for the period that began on
    `since` (ISO text, as `report_day`). A closed, pending or deferred item is named for nothing.
    SQL mirrors this (ledger.items.named_sql: the points it may name), and a property test holds them together."""
    if item["status"] in ("done", "pending_review", "deferred"):
        return []
    reasons = []
    if item["light"] == "red":
        reasons.append("overdue")
    elif item["days_left"] is not None and item["days_left"] <= within:
        reasons.append("due_soon")
    if item["light"] == "yellow":
        reasons.append("yellow")
    if chase and owes(item, since, report_day):
        reasons.append("unreported")
    return reasons


def light_now(item: dict[str, Any], fr: Frame) -> str:
    """The item's light (rules.light) from its light without the report rule: 未报送 comes after red."""
    return _light_now(item, fr.report_due, fr.as_of.isoformat(), fr.period[0].isoformat())


def _light_now(item: dict[str, Any], report_due: bool, as_of: str, since: str) -> str:
    if item["light"] in ("red", "done", "review", "deferred"):
        return item["light"]
    if report_due and item["start"] <= as_of and not reported_since(item, since):
        return "unreported"
    return item["light"]
