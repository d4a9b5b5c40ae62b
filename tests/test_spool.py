"""The spool (ledger/spool.py) that regroups long listings on disk: a record kept as the tuple of its fields
comes back as the same dict, in the same order, as one kept whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.ledger.spool import Spool

FIELDS = ("kind", "id", "title", "leaders", "days_left")
value = st.one_of(st.none(), st.integers(-(2**40), 2**40), st.text(max_size=8), st.lists(st.text(max_size=4), max_size=3))
record = st.fixed_dictionaries({f: value for f in FIELDS})
keyed = st.lists(st.tuples(st.integers(0, 3), st.integers(-5, 5), record), max_size=60)


def _spooled(rows: list, fields: tuple[str, ...]) -> tuple[list, list, list]:
    spool = Spool(2, fields)
    try:
        for first, second, rec in rows:
            spool.add((first, second), rec)
        return list(spool.sorted()), list(spool.sorted_by_first()), list(spool.part(2))
    finally:
        spool.close()


@settings(max_examples=60, deadline=None)
@given(keyed)
def test_fields_change_nothing_a_reader_sees(rows):
    whole, by_first, part = _spooled(rows, ())
    assert _spooled(rows, FIELDS) == (whole, by_first, part)
    assert whole == [rec for _, _, rec in sorted(rows, key=lambda r: (r[0], r[1]))]  # stable: ties as added
    assert [first for first, _ in by_first] == sorted(first for first, _, _ in rows)
