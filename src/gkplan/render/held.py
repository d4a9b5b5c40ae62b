"""The rows of a table between measuring and drawing: a table of every row needs the widest cell of each
column before it draws its first line. Rows are kept in memory up to a budget; beyond it they go, in batches,
to a private temporary file (an SQLite database of its own) and come back from it in order, so that memory
stays the same however many rows there are and the query runs once (running it again, as tables did, cost
more than the file: every row, its cells and their widths made a second time)."""

from __future__ import annotations

from itertools import chain
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

BUDGET = 1 << 19  # about 512 KiB of cells held in memory (text, two bytes a CJK character, plus the objects)
_ROW, _CELL = 120, 60  # an estimate of a held row's objects: its tuple and lists, and each cell's str


class Held:
    """`add(row)` in order, then `batches`: the rows in that order. A row is a table's (texts, widths, styles);
    `widest()`: each column's widest cell."""

    def __init__(self) -> None:
        self.rows: list[Any] = []
        self.budget, self.used, self.count = BUDGET, 0, 0
        self.file: sqlite3.Connection | None = None
        self.styles: dict[tuple, int] = {}  # the rows' combinations of styles, numbered in the file
        self.most: list[int] | None = None  # each column's widest cell among the rows already in the file

    def add(self, row: Any) -> None:
        self.rows.append(row)
        self.used += sum(row[1]) + _ROW + _CELL * len(row[1])  # a cell's width stands for its text's bytes
        if self.used > self.budget:
            self._spill()

    def widest(self) -> list[int]:
        sizes = [row[1] for row in self.rows]
        if self.most is not None:
            sizes.append(self.most)
        return list(map(max, *sizes)) if len(sizes) > 1 else list(sizes[0])

    def _spill(self) -> None:
        """The rows in memory to the file, as one batch: every cell's text in one UTF-16 string (a cell never holds
        U+001F: tables show text `visible`), their widths and the rows' styles as arrays. A cheaper round trip than
        marshal's, which encodes and decodes every cell on its own, and one a table draws from without unpacking."""
        self.most = self.widest()
        if self.file is None:
            import sqlite3  # (imported already: its "" database is a private temporary file, deleted when closed)

            self.file = sqlite3.connect("", isolation_level=None)
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -256"):  # KiB: pages go to the file
                self.file.execute(f"PRAGMA {pragma}")
            self.file.execute("CREATE TABLE b (n INTEGER, texts BLOB, sizes BLOB, styles BLOB)")
        rows, styles = self.rows, self.styles
        n = len(rows[0][0])
        if any(len(row[0]) != n for row in rows):
            raise ValueError("a table's rows differ in their number of cells")  # a bug in a view
        from array import array  # (a C extension: only a table too long to hold in memory loads it)

        texts = "\x1f".join(chain.from_iterable([row[0] for row in rows])).encode("utf-16-le")
        sizes = array("q", chain.from_iterable([row[1] for row in rows])).tobytes()
        which = array("q", [styles.setdefault(row[2], len(styles)) for row in rows]).tobytes()
        self.file.execute("INSERT INTO b VALUES (?, ?, ?, ?)", (n, texts, sizes, which))
        self.count += len(rows)
        self.rows, self.used = [], 0

    def flat(self) -> Iterator[tuple[list[str], list[int], list[tuple], int]]:
        """The batches in the file, in order, as they are kept: (every cell's text, every cell's width, each row's
        styles, cells a row); row k's cells are those from k × cells a row."""
        if self.file is None:
            return
        from array import array

        styles = list(self.styles)
        for n, texts, sizes, which in self.file.execute("SELECT n, texts, sizes, styles FROM b ORDER BY rowid"):
            widths, numbers = array("q"), array("q")
            widths.frombytes(sizes)
            numbers.frombytes(which)
            yield texts.decode("utf-16-le").split("\x1f"), widths.tolist(), [styles[i] for i in numbers], n

    def batches(self, size: int) -> Iterator[list[Any]]:
        """The rows in order, in lists of at most `size`: those in the file, then those in memory."""
        for texts, sizes, styles, n in self.flat():
            yield [(texts[at : at + n], sizes[at : at + n], style) for at, style in zip(range(0, len(texts), n), styles)]
        yield from self.memory(size)

    def memory(self, size: int) -> Iterator[list[Any]]:
        """The rows in memory (the last), in lists of at most `size`."""
        rows = self.rows
        for start in range(0, len(rows), size):
            yield rows[start : start + size]

    def __len__(self) -> int:
        return self.count + len(self.rows)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
