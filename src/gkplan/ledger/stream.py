"""Whole-plan reads for exports, one row at a time from the cursor (Ledger.rows: a server-side cursor on
PostgreSQL): a 300,000-entry history is written, never held. (Functions over a ledger, not a mixin: only an export imports them.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from gkplan.ledger.history import HISTORY_COLUMNS

# HISTORY_COLUMNS without its last, `undone_by`: a correlated lookup per entry, here found on the way
_COLUMNS = HISTORY_COLUMNS[: HISTORY_COLUMNS.rindex(",")]
assert HISTORY_COLUMNS.endswith("AS undone_by")
_NAMES = [c.strip().removeprefix("h.") for c in _COLUMNS.split(",")]


def iter_history(ledger: Any, until: str) -> Iterator[dict[str, Any]]:
    """The plan's history entries effective by `until`, newest first: ledger.history(until=…), streamed.

    An undo is recorded after what it undoes, so read newest first (the table's own order, no sort)
    each entry's `undone_by` has been met already; only undos whose entry is still to come are held."""
    sql = f"SELECT {_COLUMNS} FROM history h WHERE {ledger.dialect.unindexed}h.plan = ? ORDER BY h.id DESC"
    undone: dict[int, int] = {}
    names = None
    loads = _decoder()
    # the columns read before the entry is made (by position: no lookup by name per row)
    ID, EFFECTIVE, CHANGES, UNDOES = (_NAMES.index(c) for c in ("id", "effective", "changes", "undoes"))
    with ledger._errors():
        for row in ledger.rows(sql, (ledger.plan_key,)):
            if names is None:
                names = row.keys()
            undoes = row[UNDOES]
            if undoes is not None and row[EFFECTIVE] <= until:  # an undo effective later has not undone it by then
                undone[undoes] = row[ID]  # the earliest undo wins, as the lookup's index order has it
            by = undone.pop(row[ID], None) if undone else None
            if row[EFFECTIVE] <= until:
                entry = dict(zip(names, row))  # entry_of(row), without a lookup by name per field (dict(row))
                entry["changes"] = loads(row[CHANGES])
                entry["undone_by"] = by
                yield entry


def _decoder() -> Callable[[Any], Any]:
    """json.loads for the changes of 300,000 entries: json's C scanner called directly (ledger.jsonread)."""
    from gkplan.ledger.jsonread import loads

    return loads


def count_history(ledger: Any, until: str) -> int:
    """How many entries iter_history(ledger, until) yields (a workbook states its sheets' sizes first)."""
    with ledger._errors():
        return ledger.conn.execute("SELECT count(*) FROM history WHERE plan = ? AND effective <= ?",
                                   (ledger.plan_key, until)).fetchone()[0]  # fmt: skip


def extension_entries(ledger: Any, until: str) -> Iterator[tuple[str, int, str | None, dict[str, Any]]]:
    """(entity, point, ref, changes) of the entries effective by `until` that touch a 延期 (`extension`),
    oldest first: what a bulletin counts, without reading the rest of the history."""
    from gkplan.ledger.jsonread import loads

    extended = ledger.dialect.contains("changes", "'\"extension\"'")
    sql = f"SELECT entity, point, ref, changes FROM history WHERE plan = ? AND effective <= ? AND {extended} ORDER BY id"
    with ledger._errors():
        for entity, point, ref, changes in ledger.rows(sql, (ledger.plan_key, until)):
            yield entity, point, ref, loads(changes)
