"""Text that reaches a terminal: made visible (control characters escaped), measured in cells
(CJK wide), and laid out as a table of aligned columns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Union

_NUMERIC_HEADERS = {"编号", "进度", "要点数", "已完成", "进行中", "未启动", "受阻", "暂缓", "逾期", "逾期天数", "平均进度",
                    "红", "黄", "绿", "权重", "目标下限", "目标上限", "实际值", "完成率", "天数",
                    "要点", "任务数", "超", "达", "欠", "未报送", "延期", "按期办结率", "办结率", "应有", "名次"}  # fmt: skip


_escapes = None


def visible(text: str, one_line: bool = True) -> str:
    """Text from the ledger as it may reach a terminal: control and format characters (ESC, BEL, CR,
    C1 controls, bidi overrides such as U+202E, line separators) are written out as \\x1b, \\u202e …,
    so stored text can neither drive the terminal nor disguise itself. On a one-line cell a newline or
    tab is a space. Almost all text is printable, and `isprintable` (C) settles that at once."""
    if text.isprintable():
        return text
    global _escapes
    if _escapes is None:  # compiled on first use: most commands never see such text
        import re

        # Cc, Cf (except ZWJ, which joins emoji), Zl, Zp, lone surrogates; spaces such as U+3000 stay
        _escapes = re.compile(
            "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
            "\u200b-\u200c\u200e-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
            "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
            "\U000e0001\U000e0020-\U000e007f\ud800-\udfff]"
        )
    return _escapes.sub(_one_line if one_line else _lines, text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _one_line(m: Any) -> str:
    ch = m.group()
    return " " if ch in "\n\t" else _escape(ch)


def _lines(m: Any) -> str:
    ch = m.group()
    return ch if ch in "\n\t" else _escape(ch)


Cell = Union[str, tuple[str, str]]  # text, or (text, style)
_STYLES = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "dim": "2", "bold": "1"}


_wide = None


_widths: dict[str, int] = {}  # names, statuses and labels repeat down a column


def cell_width(text: str) -> int:
    """Terminal cells: East Asian Wide and Fullwidth characters take two. Ambiguous ones (“ ” — …)
    take one, as in Rich and most terminals."""
    if text.isascii():
        return len(text)
    known = _widths.get(text)
    if known is not None:
        return known
    global _wide
    if _wide is None:  # compiled on first use: JSON and CSV output never pay for it
        import re

        _wide = re.compile(
            "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
            "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U0001f300-\U0001f64f\U0001f900-\U0001f9ff"
            "\U00020000-\U0003fffd]"
        )
    width = 2 * len(text) - len(_wide.sub("", text))
    if len(_widths) < 10_000:
        _widths[text] = width
    return width


def _truncate(text: str, width: int) -> str:
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


class Table:
    """Columns of CJK text that line up: headers, a rule, rows; numbers right-aligned. Two spaces
    between columns and an ASCII rule, since box-drawing characters are ambiguous-width in CJK terminals."""

    def __init__(self, *headers: str, title: str | None = None) -> None:
        self.headers = headers
        self.right = [h in _NUMERIC_HEADERS for h in headers]
        self.title = title
        self.caption: str | None = None
        self.rows: list[tuple[Sequence[Cell], list[int]]] = []  # cells, their widths
        self.widths = [cell_width(h) for h in headers]

    def add_row(self, *cells: Cell) -> None:
        """Keep the row's cells and their widths (counted now), never the record they came from.
        Every cell is shown `visible`; one test on the joined row keeps that cheap."""
        texts = [c if c.__class__ is str else c[0] for c in cells]
        if not "".join(texts).isprintable():
            cells = tuple(visible(c) if c.__class__ is str else (visible(c[0]), c[1]) for c in cells)
            texts = [c if c.__class__ is str else c[0] for c in cells]
        sizes = [len(t) if t.isascii() else cell_width(t) for t in texts]
        self.rows.append((cells, sizes))

    def lines(self, color: bool = False, max_width: int | None = None) -> Iterator[str]:
        widths = [max(column) for column in zip(self.widths, *(sizes for _, sizes in self.rows))]
        if max_width:  # on a terminal: shrink the widest columns until the table fits
            while sum(widths) + 2 * (len(widths) - 1) > max_width and max(widths) > 8:
                widths[widths.index(max(widths))] -= 1
        last, right = len(widths) - 1, self.right

        def line(cells: Sequence[Cell], sizes: list[int]) -> str:
            parts = []
            for i, cell in enumerate(cells):
                text, style = (cell, None) if cell.__class__ is str else cell
                w = sizes[i]
                if w > widths[i]:
                    text = _truncate(text, widths[i])
                    w = cell_width(text)
                pad = " " * (widths[i] - w)
                text = pad + text if right[i] else (text + pad if i < last else text)
                if color and style:
                    text = f"\x1b[{_STYLES[style]}m{text}\x1b[0m"
                parts.append(text)
            return "  ".join(parts).rstrip()

        if self.title:
            yield self.title
        yield line([(h, "bold") for h in self.headers], [cell_width(h) for h in self.headers])
        yield "-" * (sum(widths) + 2 * last)
        for cells, sizes in self.rows:
            yield line(cells, sizes)
        if self.caption:
            yield self.caption

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 - nested in the Rich detail view
        from rich.text import Text

        yield Text.from_ansi("\n".join(self.lines(color=True, max_width=options.max_width)), no_wrap=True)


def _table(*headers: str, title: str | None = None) -> Table:
    return Table(*headers, title=title)
