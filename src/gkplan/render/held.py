"""The rows of a table between measuring and drawing: a table of every row needs the widest cell of each
column before it draws its first line. Rows are kept in memory up to a budget; beyond it they go, in batches,
to a private temporary file (an SQLite database of its own) and come back from it in order, so that memory
stays the same however many rows there are and the query runs once (running it again, as tables did, cost
more than the file: every row, its cells and their widths made a second time).

In memory as in the file, the rows are kept flat: every cell's text one after another, their widths likewise,
each row's styles. Cells are measured a batch at a time (`measure`, given by render.text: one call for some
dozens of rows, at C speed where it can), not a row at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

BUDGET = 1 << 19  # about 512 KiB of cells held in memory (text, two bytes a CJK character, plus the objects)
_ROW, _CELL = 120, 60  # an estimate of a held row's objects: its tuple and lists, and each cell's str
EVERY = 128  # rows added between two weighings (the cells of those rows measured and counted, a column at a time)
Measure = Callable[[list[str], int], tuple[list[str], list[int]]]  # rows' cells, cells a row → texts shown, widths


class Held:
    """Rows of `n` cells in order (`texts` extended by a row's texts, `styles` appended its styles, then `weigh()`
    once `styles` reaches `due` rows), then `flat` / `batches`: the rows in that order. `widest()`: each
    column's widest cell."""

    def __init__(self, n: int, measure: Measure) -> None:
        self.n, self.measure = n, measure
        self.unstyled = (None,) * n  # the styles of a row without any
        self.texts: list[str] = []  # the cells of the rows in memory, one row after another
        self.sizes: list[int] = []  # their widths, as far as they are measured (`weigh`)
        self.styles: list[Any] = []  # each row's styles
        self.budget, self.used, self.count, self.due = BUDGET, 0, 0, EVERY
        self.file: sqlite3.Connection | None = None
        self.numbers: dict[tuple, int] = {}  # the rows' combinations of styles, numbered in the file
        self.most: list[int] | None = None  # each column's widest cell among the rows already in the file

    def weigh(self) -> None:
        """Measure the cells added since the last weighing (their texts become the texts as shown), count them into
        the memory used (a cell's width stands for its text's bytes), and spill the rows to the file once that
        is over the budget."""
        texts, start = self.texts, len(self.sizes)
        if len(texts) != self.n * len(self.styles):
            raise ValueError("a table's rows differ in their number of cells")  # a bug in a view
        if len(texts) > start:
            shown, sizes = self.measure(texts[start:], self.n)
            texts[start:] = shown
            self.sizes += sizes
            self.used += sum(sizes) + _CELL * len(sizes) + _ROW * (len(sizes) // self.n)
        if self.used > self.budget:
            self._spill()
        self.due = len(self.styles) + EVERY

    def widest(self) -> list[int]:
        self.weigh()
        return self._widest()

    def _widest(self) -> list[int]:
        sizes, n = self.sizes, self.n
        most = [max(sizes[i::n], default=0) for i in range(n)]
        return most if self.most is None else list(map(max, most, self.most))

    def _spill(self) -> None:
        """The rows in memory to the file, as one batch: every cell's text in one UTF-16 string (a cell never holds
        U+001F: tables show text `visible`), their widths and the rows' styles as arrays. A cheaper round trip than
        marshal's, which encodes and decodes every cell on its own, and one a table draws from without unpacking."""
        self.most = self._widest()
        if self.file is None:
            import sqlite3  # (imported already: its "" database is a private temporary file, deleted when closed)

            self.file = sqlite3.connect("", isolation_level=None)
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -256"):  # KiB: pages go to the file
                self.file.execute(f"PRAGMA {pragma}")
            self.file.execute("CREATE TABLE b (n INTEGER, texts BLOB, sizes BLOB, styles BLOB)")
        from array import array  # (a C extension: only a table too long to hold in memory loads it)

        numbers = self.numbers
        texts = "\x1f".join(self.texts).encode("utf-16-le")
        sizes = array("q", self.sizes).tobytes()
        which = array("q", [numbers.setdefault(s, len(numbers)) for s in self.styles]).tobytes()
        self.file.execute("INSERT INTO b VALUES (?, ?, ?, ?)", (self.n, texts, sizes, which))
        self.count += len(self.styles)
        self.texts, self.sizes, self.styles, self.used = [], [], [], 0

    def flat(self, memory: bool = True) -> Iterator[tuple[list[str], list[int], list[Any], int]]:
        """The batches in the file, in order, then (`memory`) the rows in memory, as they are kept: (every cell's text,
        every cell's width, each row's styles, cells a row); row k's cells are those from k × cells a row."""
        self.weigh()
        if self.file is not None:
            from array import array

            styles = list(self.numbers)
            for n, texts, sizes, which in self.file.execute("SELECT n, texts, sizes, styles FROM b ORDER BY rowid"):
                widths, numbers = array("q"), array("q")
                widths.frombytes(sizes)
                numbers.frombytes(which)
                yield texts.decode("utf-16-le").split("\x1f"), widths.tolist(), [styles[i] for i in numbers], n
        if memory and self.styles:
            yield self.texts, self.sizes, self.styles, self.n

    def batches(self, size: int) -> Iterator[list[Any]]:
        """The rows in order, (texts, widths, styles) each, in lists (of at most `size` from memory)."""
        for texts, sizes, styles, n in self.flat(memory=False):
            yield [(texts[at : at + n], sizes[at : at + n], style) for at, style in zip(range(0, len(texts), n), styles)]
        texts, sizes, n = self.texts, self.sizes, self.n
        for start in range(0, len(self.styles), size):
            yield [(texts[k * n : k * n + n], sizes[k * n : k * n + n], self.styles[k])
                   for k in range(start, min(start + size, len(self.styles)))]  # fmt: skip

    def __len__(self) -> int:
        return self.count + len(self.styles)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
