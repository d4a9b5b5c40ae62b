"""CSV rows for scripts, a batch of records at a time: the cells `_guarded` gives, without a Python call per cell.

A listing of 100,000 points is some two million cells. Most columns need nothing done: numbers, empty values
and text that starts no formula go to the csv module as they are (it writes None as "" and a number as str
does). Such a column is recognised in C (the set of its values' types; its texts joined, searched for a formula
start after a separator); a column of flags or of lists of names is converted in C too. Only a column that holds
something else (a formula, a list of anything but text, a mix) goes cell by cell, through `_guarded` itself.
tests/test_csvrows.py compares the two on free-form values (hypothesis). `_guarded` lives here too (not in
render/output.py): only CSV for scripts needs it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

from gkplan.render.output import numbers
from gkplan.values import FORMULA_STARTS

_BATCH = 256  # records a batch at most
_CHARS = 1 << 17  # characters of text a batch holds at most, about (a few rows when rows are long)
_AS_IS = frozenset((int, float, type(None)))  # (not bool, a subclass of int: the csv module would write True)
_TEXT = frozenset((str, int, float, type(None)))
_STARTS = tuple(f"\x00{c}" for c in FORMULA_STARTS)
_FLAGS, _FLAG_KINDS = {True: "true", False: "false", None: ""}, frozenset((bool, type(None)))


def csv_rows(rows: Iterable[dict[str, Any]], fields: Sequence[str]) -> Iterator[Sequence[Any]]:
    """Each record's `fields` (missing: None) as `[_guarded(row.get(f)) for f in fields]` would write them."""
    rows, get = iter(rows), itemgetter(*fields) if len(fields) > 1 else None
    failed: Exception | None = None
    step = 1  # records a batch: from one, more while they are short (a department's record holds its every point)
    while failed is None:
        batch: list[dict[str, Any]] = []
        try:
            batch.extend(islice(rows, step))
        except Exception as exc:  # noqa: BLE001 - re-raised below, once the records read before it are written
            failed = exc  # (as when each record was written as it came: none read is lost with its batch)
        if not batch:
            break
        written, chars = _written(batch, get, fields)
        del batch  # (nothing of a batch is held while the next is read: a leader's record is MBs at 1M points)
        step = max(1, min(_BATCH, _CHARS * len(written) // (chars or 1)))
        yield from written
        del written
    if failed is not None:
        raise failed


def _written(batch: list[dict[str, Any]], get: Any, fields: Sequence[str]) -> tuple[list[Sequence[Any]], int]:
    """A batch's rows as they are written, and about how much text they hold."""
    try:
        values = list(map(get, batch)) if get is not None else None
    except KeyError:  # a record without one of the fields: cell by cell
        values = None
    if values is None:
        rows = [[_guarded(row.get(f)) for f in fields] for row in batch]
        return rows, _chars(list(zip(*rows)))
    columns: list[Any] = list(zip(*values))
    for i, column in enumerate(columns):
        if not _as_is(column):
            columns[i] = _converted(column) or list(map(_guarded, column))
    return list(zip(*columns)), _chars(columns)


def _chars(columns: list[Any]) -> int:
    """About how much text a batch's columns hold (their numbers and empty cells aside)."""
    total = 0
    for column in columns:
        try:
            total += sum(map(len, filter(None, column)))
        except TypeError:  # a column of numbers
            pass
    return total


def _converted(column: tuple[Any, ...]) -> list[str] | None:
    """A column of flags, or of lists of names (owners, departments), as `_guarded` writes each ("true", names
    joined with "、"); None when it holds anything else, or a joined cell would start a formula."""
    kinds = set(map(type, column))
    if kinds <= _FLAG_KINDS:
        return list(map(_FLAGS.__getitem__, column))
    if kinds != {list}:
        return None
    try:
        texts = list(map("、".join, column))
    except TypeError:  # a list holding something other than text
        return None
    return texts if _as_is(texts) else None


def _as_is(column: tuple[Any, ...]) -> bool:
    """Whether `_guarded` leaves every value of the column as the csv module writes it."""
    kinds = set(map(type, column))
    if kinds <= _AS_IS:
        return True
    if not kinds <= _TEXT:
        return False
    texts = column if len(kinds) == 1 else [v for v in column if v.__class__ is str]
    joined = "\x00" + "\x00".join(texts)
    return not any(start in joined for start in _STARTS)


def _guarded(value: Any) -> str:
    """A CSV cell for a script: text that a spreadsheet would run as a formula gets an apostrophe, numbers stay."""
    if value.__class__ is str:  # the usual cell, first: a CSV of 30,000 rows asks this 300,000 times
        return "'" + value if value and value[0] in FORMULA_STARTS else value
    text = _cell(value)
    if text and text[0] in FORMULA_STARTS and not isinstance(value, (int, float)):
        return "'" + text
    return text


_INTS = {int}


def _cell(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return numbers(value) if set(map(type, value)) == _INTS else "、".join(_cell(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
