"""The rows of a table between measuring and drawing: a table of every row needs the widest cell of each
column before it draws its first line. Rows are kept in memory up to a budget (a report of a few thousand
rows is drawn in one pass, as it comes); beyond it they go, in batches, to a private temporary file and come
back from it in order, so that memory stays the same however many rows there are, and the query still runs
once (running it again cost more than the file: the rows, their cells and widths all made a second time)."""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from typing import IO, Any

BUDGET = 1 << 19  # about 512 KiB of cells held in memory (text, two bytes a CJK character, plus the objects)
_ROW, _CELL = 120, 60  # an estimate of a held row's objects: its tuple and list, and each cell's str


class Held:
    """`add(row, cells)` in order, then iterate: the rows in that order. A row is what marshal writes (tuples,
    lists, str, int, None). `cells` (the row's total width) stands for its text's size in the budget."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.rows: list[Any] = []
        self.budget, self.used, self.count = budget, 0, 0
        self.file: IO[bytes] | None = None

    def add(self, row: Any, cells: int) -> None:
        self.rows.append(row)
        self.count += 1
        self.used += cells + _ROW + _CELL * len(row[1])
        if self.used > self.budget:
            self._spill()

    def _spill(self) -> None:
        if self.file is None:
            import tempfile

            self.file = tempfile.TemporaryFile()  # no name: gone when closed, or when the process ends
        data = marshal.dumps(self.rows)
        self.file.write(len(data).to_bytes(8, "little") + data)
        self.rows, self.used = [], 0

    def batches(self, size: int) -> Iterator[list[Any]]:
        """The rows in order, in lists of at most `size` (those the file holds, in the lists they were written in)."""
        if self.file is not None:
            f, read = self.file, self.file.read
            f.flush()
            f.seek(0)
            while True:
                head = read(8)
                if not head:
                    break
                yield marshal.loads(read(int.from_bytes(head, "little")))
            f.seek(0, 2)  # read again (a test draws a table twice): from the start, as written
        rows = self.rows
        for start in range(0, len(rows), size):
            yield rows[start : start + size]

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
