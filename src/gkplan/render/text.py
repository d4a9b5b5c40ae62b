"""Text that reaches a terminal: made visible (control characters escaped), measured in cells
(CJK wide), and laid out as a table of aligned columns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Union

from gkplan.render.held import EVERY, Held
from gkplan.render.liner import liner
from gkplan.render.width import cell_width, row_widths, settle, speed_up, truncate, wrap

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


# A column's fit: (fewest cells it may shrink to, cells it keeps before a low-priority column gives way,
# its share of any room left). Titles keep 6 CJK characters at least, departments 4, people 3. A column
# named in neither list shrinks to 8 cells; those in _FIXED (ids, dates, lights, numbers) never shrink.
_TITLE, _DEPT, _PERSON = (12, 24, 2), (8, 12, 1), (6, 6, 1)
_FIT = {"工作要点": _TITLE, "任务": _TITLE, "事项": _TITLE, "指标": _TITLE, "标题": _TITLE, "部分": _TITLE,
        "牵头部门": _DEPT, "负责部门": _DEPT, "协办部门": _DEPT, "部门": _DEPT, "校领导": _PERSON, "责任人": _PERSON,
        "操作人": _PERSON, "目标": (12, 16, 2), "变更": (12, 12, 1), "说明": (12, 12, 1), "对象": (12, 12, 1)}  # fmt: skip
_FIXED = {"截止日期", "生效日期", "原定截止", "灯", "状态", "剩余", "记录", "上次更新", "上次报送", "填报期", "计划",
          "文号", "角色", "升降", "字段", "行", "冲突", "延期（项/次）", "文件"}  # fmt: skip (a path cut short names no file)
WIDE_HINT = "加 --wide 显示"


class Table:
    """Columns of CJK text that line up: headers, a rule, rows; numbers right-aligned. Two spaces
    between columns and an ASCII rule, since box-drawing characters are ambiguous-width in CJK terminals.

    Laid out for a width, a row stays one line: the columns named in `drop` give way first, in that order,
    while the titles would otherwise be cut below a comfortable width; then titles, departments and names
    shrink, with an ellipsis, never below their least (6 CJK characters for a title, 4 for a department);
    if the table still does not fit, the rest of `drop` gives way. Ids, dates, progress and lights never
    shrink. A line under the table names the columns left out and how to see them (`hint`). With `wrap`
    (a table inside the detail view) a long cell goes on over more lines instead of being cut."""

    def __init__(self, *headers: str, title: str | None = None, drop: Sequence[str] = (), hint: str = WIDE_HINT,
                 fit: dict[str, tuple[int, int, int]] | None = None, wide: bool = False) -> None:
        self.headers = headers
        self.right = [h in _NUMERIC_HEADERS for h in headers]
        self.title = title
        self.caption: str | None = None
        self.drop, self.hint, self.wrap, self.fit = drop, hint, False, _FIT if fit is None else _FIT | fit
        self.wide = wide  # --wide: every column, every cell whole, however wide the terminal
        self.styled = True  # False: drawn without colour, so rows keep no styles (see render.output._emit_rows)
        self.rows: list[Row] = []  # a short table's rows (add_row)
        self.held: Held | None = None  # a table of every row's (`hold`): in memory or in a file
        settle()  # the ambiguous width, for what the environment says now
        self.widths = [cell_width(h) for h in headers]

    def add_row(self, *cells: Cell) -> None:
        """Keep the row's cells and their widths (counted now), never the record they came from."""
        self.rows.append(prepared(cells))

    def hold(self, cells: Sequence[Cell]) -> None:
        """A row of a table of every row, as it comes: its cells count into the column widths, and the row is
        kept (render.held: in memory up to a budget, then in a temporary file) until the table is drawn. Its
        cells are shown `visible` and measured with those of the rows around it (`measured`)."""
        self.hold_all((cells,))

    def hold_all(self, rows: Iterable[Sequence[Cell]]) -> None:
        """`hold` each row of `rows`, a batch at a time: the rows up to the next weighing are taken together, their
        texts (and styles) picked out in one pass rather than a row at a time (a 100,000-row listing's rows). The
        batches start at one row and grow while rows are short; rows of very long cells (a department's every
        point number, at a million points) are weighed at once, so that they go to the file before more come."""
        rows, held, step, pending = iter(rows), self.held, 1, 0
        while True:
            batch = list(islice(rows, min(step, held.due - len(held.styles)) if held is not None else 1))
            if not batch:
                return
            if held is None:
                held = self.held = Held(len(batch[0]), measured)
            texts = [c if c.__class__ is str else c[0] for cells in batch for c in cells]
            held.texts += texts
            if self.styled:
                for cells in batch:
                    styles = tuple([None if c.__class__ is str else c[1] for c in cells])
                    held.styles.append(_styles.setdefault(styles, styles))
            else:
                held.styles += [held.unstyled] * len(batch)
            chars, quarter = sum(map(len, texts)), held.budget // 4
            step, pending = max(1, min(EVERY, quarter * len(batch) // (chars or 1))), pending + chars
            # the text taken since the last weighing, not this batch's alone: rows just under a quarter each
            # (a department's every point number) would otherwise wait for the next `due` in memory
            if len(held.styles) >= held.due or pending > quarter:
                pending = 0
                held.weigh()
                if len(held) >= _LONG:
                    speed_up()

    @property
    def count(self) -> int:
        """How many rows the table has."""
        return len(self.rows) + (len(self.held) if self.held is not None else 0)

    def natural(self) -> list[int]:
        """Each column's width for its widest cell (or its header)."""
        measured = [self.held.widest()] if self.held is not None else []
        return [max(column) for column in zip(self.widths, *measured, *(row[1] for row in self.rows))]

    def layout(self, max_width: int | None) -> tuple[list[int], list[int], list[str]]:
        """The columns shown (their indexes), the cells each takes, and the headers of those left out."""
        natural = self.natural()
        keep = list(range(len(natural)))
        if not max_width or self.wide:
            return keep, natural, []
        fits = [self.fit.get(h) or ((0, 0, 0) if h in _FIXED or h in _NUMERIC_HEADERS else (8, 8, 1)) for h in self.headers]
        least = [min(natural[i], max(fits[i][0], self.widths[i])) if fits[i][2] else natural[i] for i in keep]
        easy = [min(natural[i], max(fits[i][1], least[i])) for i in keep]
        dropped: list[str] = []

        def need(widths: list[int]) -> int:
            return sum(widths[i] for i in keep) + 2 * (len(keep) - 1)

        for bound in (easy, least):
            for header in self.drop:
                if need(bound) <= max_width:
                    break
                if header in self.headers and header not in dropped and len(keep) > 1:
                    keep.remove(self.headers.index(header))
                    dropped.append(header)
        widths = list(natural)
        over = need(widths) - max_width
        while over > 0:  # a cell at a time from the shrinkable column widest for its share
            i = max((i for i in keep if widths[i] > least[i]), key=lambda i: widths[i] / fits[i][2], default=None)
            if i is None:
                break
            widths[i] -= 1
            over -= 1
        return keep, widths, dropped

    def lines(self, color: bool = False, max_width: int | None = None) -> Iterator[str]:
        """The table's lines (without their newlines)."""
        for chunk in self.chunks(color, max_width):
            yield from chunk.split("\n")[:-1]

    def chunks(self, color: bool = False, max_width: int | None = None) -> Iterator[str]:
        """The table's text in pieces of many lines, each line ending in a newline: written one piece at a time."""
        keep, widths, dropped = self.layout(max_width)
        last, right = keep[-1], self.right
        natural = self.natural()

        def line(texts: Sequence[str], sizes: list[int], styles: Sequence[str | None]) -> list[str]:
            if all(sizes[i] <= widths[i] for i in keep):  # the usual row: every cell whole, one line
                parts = []
                for i in keep:
                    text, style = texts[i], styles[i]
                    pad = " " * (widths[i] - sizes[i])
                    text = pad + text if right[i] else (text + pad if i != last else text)
                    if color and style and text.strip():
                        text = f"\x1b[{_STYLES[style]}m{text}\x1b[0m"
                    parts.append(text)
                return ["  ".join(parts).rstrip()]
            out, columns, height = [], [], 1
            for i in keep:
                text, style = texts[i], styles[i]
                if sizes[i] <= widths[i]:
                    pieces = [text]
                elif self.wrap:
                    pieces = wrap(text, widths[i])
                else:
                    pieces = [truncate(text, widths[i], sizes[i])]
                columns.append((i, pieces, style, sizes[i] if len(pieces) == 1 and sizes[i] <= widths[i] else None))
                height = max(height, len(pieces))
            for row in range(height):
                parts = []
                for i, pieces, style, size in columns:
                    text = pieces[row] if row < len(pieces) else ""
                    w = size if size is not None and row == 0 else cell_width(text)
                    pad = " " * (widths[i] - w)
                    text = pad + text if right[i] else (text + pad if i != last else text)
                    if color and style and text.strip():
                        text = f"\x1b[{_STYLES[style]}m{text}\x1b[0m"
                    parts.append(text)
                out.append("  ".join(parts).rstrip())
            return out

        def prose(text: str) -> str:
            return "".join(f"{ln}\n" for ln in (wrap(text, max_width) if max_width and cell_width(text) > max_width else [text]))

        head = prose(self.title) if self.title else ""
        head += "\n".join(line(self.headers, self.widths, ("bold",) * len(self.headers))) + "\n"
        yield head + "-" * (sum(widths[i] for i in keep) + 2 * (len(keep) - 1)) + "\n"
        if not color and all(widths[i] >= natural[i] for i in keep):  # no cell is cut, none is coloured
            flat, rows = liner(keep, widths, right)
            for start in range(0, len(self.rows), _BATCH):
                yield rows(self.rows[start : start + _BATCH])
            if self.held is not None:  # (a batch: its rows' cells one after another)
                for texts, sizes, _, n in self.held.flat():
                    # up to _BATCH rows a piece, fewer when they are long: a piece is some 256 K characters at most
                    rows = max(1, min(_BATCH, (len(texts) // n) * _PIECE // (sum(map(len, texts)) or 1)))
                    for at in range(0, len(texts), rows * n):
                        yield flat(texts[at : at + rows * n], sizes[at : at + rows * n], n)
        else:
            for batch in self._batches():
                yield "".join(["".join(f"{ln}\n" for ln in line(*row)) for row in batch])
        tail = prose(self.caption) if self.caption else ""
        if dropped:
            tail += prose(f"未显示：{'、'.join(dropped)}（{self.hint}）")
        if tail:
            yield tail

    def _batches(self) -> Iterator[list[Row]]:
        """The rows, in lists."""
        rows = self.rows
        for start in range(0, len(rows), _BATCH):
            yield rows[start : start + _BATCH]
        if self.held is not None:
            yield from self.held.batches(_BATCH)


_BATCH = 1000  # lines written at a time
_PIECE = 1 << 18  # characters written at a time, about, when lines are long
_LONG = 256  # rows from which a table measures its cells the quick way (width.speed_up)
def cell(value: Any) -> str:
    """A value as a table cell's text (None: empty). A table shows every cell `visible` (`prepared`): a view's
    cells need not escape their text themselves."""
    return value if value.__class__ is str else "" if value is None else str(value)


def prepared(cells: Sequence[Cell]) -> Row:
    """A row's texts shown `visible`, their widths, their styles."""
    texts, sizes = measured([c if c.__class__ is str else c[0] for c in cells])
    styles = tuple([None if c.__class__ is str else c[1] for c in cells])
    return texts, sizes, _styles.setdefault(styles, styles)


def measured(texts: list[str], n: int = 1) -> tuple[list[str], list[int]]:
    """Cells of a table, some dozens of rows' at a time (`n` cells a row): their texts shown `visible` and their
    widths. One test on the joined cells keeps both cheap, and the cells are measured a column at a time
    (width.row_widths), since most columns are all ASCII (ids, dates, progress) or all plain CJK."""
    joined = "".join(texts)
    if not joined.isprintable():
        texts = [visible(t) for t in texts]
        joined = "".join(texts)
    if n == 1:
        return texts, row_widths(texts, joined)
    sizes = [0] * len(texts)
    for i in range(n):
        column = texts[i::n]
        sizes[i::n] = row_widths(column, "".join(column))
    return texts, sizes


_styles: dict[tuple, tuple] = {}  # a row's styles: a few combinations, each held once
Row = tuple[list[str], list[int], tuple[Union[str, None], ...]]  # texts, their widths in cells, their styles


def _table(*headers: str, title: str | None = None, drop: Sequence[str] = (), hint: str = WIDE_HINT,
           fit: dict[str, tuple[int, int, int]] | None = None, wide: bool = False) -> Table:
    return Table(*headers, title=title, drop=drop, hint=hint, fit=fit, wide=wide)
