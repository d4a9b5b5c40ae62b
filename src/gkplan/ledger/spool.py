"""A sort too big to hold: records go to a private temporary SQLite database on disk and come back in the order of
their keys, so a view that has to regroup a whole listing (reminders by department) holds no more than SQLite's
page cache, on a file ledger or a server alike."""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

_BATCH = 1000


class Spool:
    """`add(keys, record)` with the same number of integer keys each time, then `sorted()`: the records in the order
    of their keys (ties in the order added). A record is what marshal writes: dicts, lists, str, int, None.
    With `fields`, each record is a dict of exactly those keys, kept as the tuple of its values (a third of the
    bytes, and marshal writes and reads a tuple several times faster than a dict) and a dict again when read."""

    def __init__(self, keys: int, fields: Sequence[str] = ()) -> None:
        self.fields = tuple(fields)
        self.values = itemgetter(*self.fields) if len(self.fields) > 1 else None
        self.conn = sqlite3.connect("")  # "": a private database in a temporary file, deleted when closed
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -256")  # KiB: pages go to the file early; a sort's memory follows it
        self.columns = [f"k{i}" for i in range(keys)]
        self.conn.execute(f"CREATE TABLE s ({', '.join(f'{c} INTEGER' for c in self.columns)}, v BLOB)")
        self.batch: list[tuple[Any, ...]] = []
        self.indexed = False

    def add(self, keys: tuple[int, ...], record: Any) -> None:
        self.batch.append((*keys, marshal.dumps(self.values(record) if self.values else record)))
        if len(self.batch) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        marks = ", ".join("?" * (len(self.columns) + 1))
        self.conn.executemany(f"INSERT INTO s VALUES ({marks})", self.batch)
        self.batch = []

    def sorted(self) -> Iterator[Any]:
        self._flush()
        order = ", ".join((*self.columns, "rowid"))
        yield from self._records(self.conn.execute(f"SELECT v FROM s ORDER BY {order}"))

    def sorted_by_first(self) -> Iterator[tuple[int, Any]]:
        """As `sorted`, each record with its first key."""
        self._flush()
        order = ", ".join((*self.columns, "rowid"))
        rows = self.conn.execute(f"SELECT k0, v FROM s ORDER BY {order}")
        if not self.values:
            yield from ((first, marshal.loads(v)) for first, v in rows)
            return
        fields, loads = self.fields, marshal.loads
        yield from ((first, dict(zip(fields, loads(v)))) for first, v in rows)

    def _records(self, rows: Iterator[tuple[bytes]]) -> Iterator[Any]:
        if not self.values:
            return (marshal.loads(v) for (v,) in rows)
        fields, loads = self.fields, marshal.loads
        return (dict(zip(fields, loads(v))) for (v,) in rows)

    def part(self, first: int) -> Iterator[Any]:
        """The records whose first key is `first`, in the order of the others (an index, made once, finds them)."""
        if self.batch or not self.indexed:
            self._flush()
            if not self.indexed:
                self.conn.execute(f"CREATE INDEX s_keys ON s ({', '.join(self.columns)})")
                self.indexed = True
        order = ", ".join((*self.columns[1:], "rowid"))
        sql = f"SELECT v FROM s WHERE k0 = ? ORDER BY {order}"
        yield from self._records(self.conn.execute(sql, (first,)))

    def close(self) -> None:
        self.conn.close()


class Replay:
    """A spool's records in order, as a sequence that can be read again and again (each time from the disk) and
    knows its length: what a view reads twice (widths, then lines) or a workbook sheet sizes, held by nobody."""

    def __init__(self, spool: Spool, count: int, part: int | None = None, counts: list[int] | None = None) -> None:
        self.spool, self.count, self.first = spool, count, part  # part: only the records of that first key
        self.counts = counts  # the records of each first key 0, 1 …, when the writer counted them

    def of(self, first: int) -> Replay:
        """The records whose first key is `first` (a view reading one part need not read past the others)."""
        assert self.counts is not None and self.first is None
        return Replay(self.spool, self.counts[first] if first < len(self.counts) else 0, part=first)

    def __iter__(self) -> Iterator[Any]:
        if not self.count:
            return iter(())
        return self.spool.sorted() if self.first is None else self.spool.part(self.first)

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0
