"""The detail view of one point (`show`): its title, labelled lines, its text, and its tables, drawn as plain
lines at the terminal's width (to a file or a pipe, 80 columns).

Drawn here rather than by Rich: importing Rich took a third of `show`'s start-up, and the view is only a
column of labels, wrapped text and the tables `render.text.Table` already draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Union

from gkplan.render.text import _STYLES, Table, visible
from gkplan.render.width import cell_width, wrap

Segment = Union[str, tuple[str, str]]  # text, or (text, style)
Value = Union[str, list[Segment]]
_BAR = 20  # cells of the progress bar, the same bar as the overview's


def _paint(segments: list[Segment], color: bool) -> tuple[str, str]:
    """The plain text of a value and the text to print (with colour where asked)."""
    plain = "".join(s if s.__class__ is str else s[0] for s in segments)
    if not color:
        return plain, plain
    shown = "".join(s if s.__class__ is str else f"\x1b[{_STYLES[s[1]]}m{s[0]}\x1b[0m" for s in segments)
    return plain, shown


class Detail:
    """A titled column of labelled values, then paragraphs and tables: what `render.output._print` draws
    through `lines`, as it draws a Table. A value wraps under itself, the label column kept clear; text
    from the ledger is made `visible` (the notes keep their line breaks)."""

    def __init__(self, title: str) -> None:
        self.title = visible(title)
        self.rows: list[tuple[str, Value]] = []
        self.parts: list[Union[str, Table]] = []  # after the labelled lines: a paragraph, or a table

    def add(self, label: str, value: Value, *, multiline: bool = False) -> None:
        if isinstance(value, str):
            value = visible(value, one_line=not multiline)
        else:
            value = [visible(s) if s.__class__ is str else (visible(s[0]), s[1]) for s in value]
        self.rows.append((label, value))

    def lines(self, color: bool = False, max_width: int | None = None) -> Iterator[str]:
        width = max_width or 80
        yield f"\x1b[1m{self.title}\x1b[0m" if color else self.title
        labels = max((cell_width(label) for label, _ in self.rows), default=0)
        room = max(width - labels - 2, 10)
        for label, value in self.rows:
            plain, shown = _paint(value, color) if isinstance(value, list) else (value, value)
            head = label + " " * (labels - cell_width(label)) + "  "
            if color and label:
                head = f"\x1b[1m{label}\x1b[0m" + head[len(label):]
            if "\n" not in plain and cell_width(plain) <= room:
                yield (head + shown).rstrip()
                continue
            pieces = [piece for paragraph in plain.split("\n") for piece in (wrap(paragraph, room) or [""])]
            for i, piece in enumerate(pieces):
                yield ((head if i == 0 else " " * (labels + 2)) + piece).rstrip()
        for part in self.parts:
            yield ""
            if isinstance(part, Table):
                part.wrap = True  # a table in the detail view goes on over more lines, never cut
                yield from part.lines(color=color, max_width=width)
            else:
                for paragraph in part.split("\n"):
                    yield from (wrap(paragraph, width) or [""])


def bar(progress: Any) -> list[Segment]:
    done = progress if isinstance(progress, int) else 0
    filled = max(0, min(_BAR, int(done / (100 / _BAR) + 0.5)))
    return [("#" * filled, "green"), "." * (_BAR - filled), f"  {progress}%"]
