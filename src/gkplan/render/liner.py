"""Drawing a long table's rows fast: for one layout, generated code that pads and joins every row of a batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

_Liner = tuple[Callable[[Sequence[str], Sequence[int], int], str], Callable[[list[Any]], str]]
_liners: dict[tuple, _Liner] = {}


def liner(keep: list[int], widths: list[int], right: list[bool]) -> _Liner:
    """The functions that draw rows whose cells are all whole, uncoloured, for this layout: one expression
    that pads and joins a row's cells, in a loop over a batch of rows (made once for the table, as xlsx_rows
    makes a sheet's row writer). The first takes a batch as the file keeps it (every cell's text, every
    cell's width, cells a row: render.held.flat), the second a list of rows (texts, widths, styles)."""
    key = (tuple(keep), tuple(widths), tuple(right))
    made = _liners.get(key)
    if made is None:
        last = keep[-1]

        def body(at: str) -> str:  # an f-string: the row's pieces joined at once, not a concatenation at a time
            parts = []
            for i in keep:
                t, pad = f"{{t[{at}{i}]}}", f"{{' ' * ({widths[i]} - s[{at}{i}])}}"
                parts.append(pad + t if right[i] else t + pad if i != last else t)
            return 'f"' + "  ".join(parts) + '"'

        code = (f"def flat(t, s, n):\n    return ''.join([({body('o + ')}).rstrip() + '\\n' for o in range(0, len(t), n)])\n"
                f"def rows(batch):\n    return ''.join([({body('')}).rstrip() + '\\n' for t, s, _ in batch])\n")
        scope: dict[str, Any] = {}
        exec(code, scope)  # noqa: S102 - the code is made of column numbers and widths, nothing from the ledger
        made = _liners[key] = (scope["flat"], scope["rows"])
    return made
