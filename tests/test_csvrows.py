"""CSV for scripts, a batch at a time (render.csvrows): the same cells as `_guarded` gives one at a time."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from gkplan.render import csvrows
from gkplan.render.csvrows import _guarded

FIELDS = ("a", "b", "c", "d")
_text = st.text(st.sampled_from("=+-@\t\r\x00、a中 1'\""), max_size=6)
_value = st.one_of(
    st.none(), _text, st.integers(-5, 5), st.floats(allow_nan=False), st.booleans(),
    st.lists(_text, max_size=3), st.lists(st.one_of(_text, st.integers()), max_size=2), st.dictionaries(_text, st.integers(), max_size=1),
)  # fmt: skip
# columns of one kind (what a listing has) as well as mixed ones, and now and then a record without a field
_column = st.sampled_from([_value, st.none() | _text, st.integers(), st.booleans(), st.lists(_text, max_size=3), _text])


def _written(rows) -> str:  # noqa: ANN001
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@settings(max_examples=400, deadline=None)
@given(kinds=st.lists(_column, min_size=4, max_size=4), data=st.data(), size=st.integers(0, 600), fields=st.integers(0, 4))
def test_a_batch_writes_what_each_cell_would(kinds, data, size, fields):
    """Whatever the values (formula starts, flags, numbers, lists of names or of anything, missing fields), the
    batched rows write the same CSV text as `_guarded` applied to every cell, across batch boundaries."""
    names = FIELDS[:fields]
    rows = []
    for _ in range(data.draw(st.integers(0, 3)) if size > 40 else size):  # a few free-form records …
        row = {f: data.draw(k) for f, k in zip(FIELDS, kinds)}
        if data.draw(st.booleans()) and row:
            row.pop(data.draw(st.sampled_from(sorted(row))))
        rows.append(row)
    if size > 40:  # … or many of one shape, to cross batches (one with a formula somewhere in the middle)
        template = {f: data.draw(k) for f, k in zip(FIELDS, kinds)}
        rows += [dict(template) for _ in range(size)]
        rows[size // 2] = dict(template, a="=SUM(A1)")
    expected = [[_guarded(r.get(f)) for f in names] for r in rows]
    assert _written(csvrows.csv_rows(rows, names)) == _written(expected)


def test_a_long_listing_crosses_batches_with_a_formula_in_the_last_one():
    """A formula in the last batch only, after clean batches: guarded there, the clean ones left as they are."""
    rows = [{"id": i, "note": f"第 {i} 次", "who": ["李松", "鞠传进"], "late": i % 2 == 0} for i in range(1000)]
    rows[999]["note"] = "=HYPERLINK(\"x\")"
    got = list(csvrows.csv_rows(rows, ("id", "note", "who", "late")))
    assert got[0] == (0, "第 0 次", "李松、鞠传进", "true")
    assert got[999][1] == "'=HYPERLINK(\"x\")" and got[998][1] == "第 998 次"
    assert len(got) == 1000


def test_rows_read_before_a_failing_record_are_still_written():
    """As before the batching (each record written as it came): when reading the records fails part-way (a ledger
    error mid-cursor, a bad history entry), the records read before the failure are written, not lost with their batch."""

    def records():
        for i in range(300):
            if i == 270:
                raise RuntimeError("a bad record")
            yield {"id": i, "note": f"第 {i} 次", "late": False}

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    try:
        writer.writerows(csvrows.csv_rows(records(), ("id", "note", "late")))
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure was swallowed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 270 and lines[-1] == "269,第 269 次,false"


def test_long_records_are_taken_a_few_at_a_time():
    """A department's record holds its every point (a million points: some 20,000 numbers each): the batch shrinks
    to one such record, so that no more than a few are held at once (a batch of 256 held them all: 78 MiB)."""
    read, written, most = 0, 0, 0

    def records():
        nonlocal read
        for i in range(40):
            read += 1
            yield {"name": f"部门{i}", "count": 20_000, "points": list(range(20_000))}

    for row in csvrows.csv_rows(records(), ("name", "count", "points")):
        written += 1
        most = max(most, read - written)
        assert row[2].startswith("0、1、2")
    assert written == 40 and most <= 1
    short = [{"name": f"部门{i}", "count": 1, "points": [i]} for i in range(1000)]
    assert len(list(csvrows.csv_rows(iter(short), ("name", "count", "points")))) == 1000
