"""How many terminal cells text takes: the one measure for tables on a terminal and for the widths of
exported sheets. East Asian Wide and Fullwidth characters take two cells; the ambiguous ones (“ ” ‘ ’
… — ① ×) take two where the terminal draws them wide (a CJK locale, or the setting) and one elsewhere.

The setting, first found wins:
    GKPLAN_AMBIGUOUS_WIDE=1 (or 0)      in the environment
    [display] ambiguous_wide = true     in the config file (see gkplan.config)
    LC_ALL, LC_CTYPE, LANG              the first set: zh_…, ja_…, ko_… count them wide
"""

from __future__ import annotations

import os
from itertools import repeat
from operator import add, rshift

_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
_LOCALE_VARS = ("LC_ALL", "LC_CTYPE", "LANG")

# the common wide blocks (CJK, kana, hangul, fullwidth forms): two cells, whatever unicodedata says of their gaps
_WIDE = (("\u2e80", "\u303e"), ("\u3041", "\u33ff"), ("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uac00", "\ud7a3"),
         ("\uf900", "\ufaff"), ("\uff01", "\uff60"))  # fmt: skip
_cjk = None  # runs of those blocks as one pattern, matched at C speed; the rest of non-ASCII text asks unicodedata
_chars: dict[str, int] = {}  # characters neither ASCII nor in those blocks (→ “ ” …), measured once each
_ASCII = frozenset(map(chr, range(128)))
_BY_HAND = 300  # texts measured a character at a time before the pattern is compiled (a long table pays once)
_measured = 0
_widths: dict[str, int] = {}  # names, statuses and labels repeat down a column
_key: tuple | None = None  # what the ambiguous setting was decided from
_ambiguous = False


def ambiguous_wide() -> bool:
    """Whether ambiguous-width characters take two cells here (decided once for what the environment says)."""
    settle()
    return _ambiguous


def settle() -> None:
    """Decide the ambiguous width again if what it depends on changed (a test, a long-lived process); a
    change empties the cache of measured text."""
    global _key, _ambiguous
    env = os.environ
    key = (env.get("GKPLAN_AMBIGUOUS_WIDE"), env.get("GKPLAN_CONFIG"), env.get("XDG_CONFIG_HOME"),
           *(env.get(v) for v in _LOCALE_VARS))  # fmt: skip
    if key != _key:
        _key, _ambiguous = key, _decide(key[0])
        _widths.clear()
        _chars.clear()


def _decide(given: str | None) -> bool:
    given = (given or "").strip().lower()
    if given in _YES or given in _NO:
        return given in _YES
    from gkplan.config import ambiguous_wide as configured

    setting = configured()
    if setting is not None:
        return setting
    for name in _LOCALE_VARS:
        value = os.environ.get(name)
        if value:
            return value.lower().startswith(("zh", "ja", "ko"))
    return False


def cell_width(text: str) -> int:
    """Terminal cells `text` takes (no control characters: tables show text `visible` first)."""
    if text.isascii():
        return len(text)
    if _key is None:
        settle()
    known = _widths.get(text)
    if known is not None:
        return known
    global _measured
    if _plain is None and _measured < _BY_HAND:  # a short table: compiling a pattern (~3 ms) costs more than it saves
        _measured += 1
        width = _by_hand(text, ("W", "F", "A") if _ambiguous else ("W", "F"))
    else:
        speed_up()
        # ASCII and wide blocks only (almost always): row_widths's measure; other characters, the runs pattern
        width = (len(text.encode()) + len(text)) >> 1 if _plain(text) is None else _by_runs(text)
    if len(text) <= _KEPT and len(_widths) < 10_000:  # names and labels, which repeat; never a cell of MBs
        _widths[text] = width
    return width


_KEPT = 200  # characters of the longest text whose width is remembered


def _by_runs(text: str) -> int:
    """A text with characters neither ASCII nor in the wide blocks (“ ” … ①): its wide runs removed at C
    speed, each other character measured once."""
    global _cjk
    if _cjk is None:
        import re

        _cjk = re.compile("[" + "".join(f"{lo}-{hi}" for lo, hi in _WIDE) + "]+")
    rest = _cjk.sub("", text)
    width = 2 * (len(text) - len(rest)) + len(rest)
    if not rest.isascii():  # a few other characters (→ “ ” …), each measured once: the text counted them one cell
        for ch in set(rest).difference(_ASCII):
            known = _chars.get(ch)
            if known is None:
                known = _chars[ch] = _by_hand(ch, ("W", "F", "A") if _ambiguous else ("W", "F"))
            if known != 1:
                width += (known - 1) * rest.count(ch)
    return width


_plain = None  # finds a character neither ASCII nor in the wide blocks (compiled for a long table: ~2.6 ms)


def speed_up() -> None:
    """Compile what `row_widths` measures a long table's rows with (a table of every row, some hundred rows in;
    cell_width's texts, from the 300th). The run pattern `_cjk` is compiled only for a text with other
    characters (“ ” … ①), rare in a ledger."""
    global _plain
    if _plain is None:
        import re

        _plain = re.compile("[^\x00-\x7f" + "".join(f"{lo}-{hi}" for lo, hi in _WIDE) + "]").search


def row_widths(texts: list[str], joined: str) -> list[int]:
    """Each text's `cell_width`, for the cells of a table's rows (`joined`: the texts joined). Where they are ASCII
    and the wide blocks only (almost always), a text's width is (its UTF-8 bytes + its characters) / 2, worked
    out at C speed: an ASCII character is one byte and one cell, a wide one three bytes (every wide block lies
    in U+0800–U+FFFF) and two cells."""
    if joined.isascii():
        return list(map(len, texts))
    if _plain is not None and _plain(joined) is None:
        return list(map(rshift, map(add, map(len, map(str.encode, texts)), map(len, texts)), repeat(1)))
    known = _widths.get  # (names and labels repeat down a column: measured once)
    return [len(t) if t.isascii() else known(t) or cell_width(t) for t in texts]


def _by_hand(text: str, wide: tuple[str, ...]) -> int:
    from unicodedata import combining, east_asian_width

    width = 0
    for ch in text:
        if ch < "\u00a1":
            width += 1
        elif "\u4e00" <= ch <= "\u9fff" or any(lo <= ch <= hi for lo, hi in _WIDE):
            width += 2
        elif not combining(ch) and ch != "\u200d":
            width += 2 if east_asian_width(ch) in wide else 1
    return width


def truncate(text: str, width: int, size: int | None = None) -> str:
    """`text` cut to `width` cells, an ellipsis (…) saying so. `size`: its width, when the caller has measured it
    (a table's cell: measured once, as the rows came; a cell of every point number is 100,000 characters)."""
    if (cell_width(text) if size is None else size) <= width:
        return text
    mark = cell_width("…")
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - mark:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


_NO_START = "，。、；：？！）》」』】〕”’…,.;:?!)]%"  # never the first character of a wrapped line
_NO_END = "（《「『【〔“‘("  # never the last
_word = None


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells: broken between Chinese characters or at spaces, never
    inside a run of Latin letters or digits (unless it alone is wider than a line), never before a
    closing mark such as ， 。 ” ）; a line neither starts nor ends with a space."""
    global _word
    if _word is None:
        import re

        _word = re.compile(r"[!-~]+|.", re.S)  # a run of printable ASCII, or one character
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for token in _word.findall(text):
        w = cell_width(token)
        if used + w > width and line:
            if token == " ":
                lines.append("".join(line).rstrip())
                line, used = [], 0
                continue
            carry: list[str] = []
            if token[0] in _NO_START and len(line) > 1 and line[-1] not in _NO_START:
                carry.append(line.pop())  # a closing mark takes the character before it along
            while len(line) > 1 and line[-1] in _NO_END:
                carry.insert(0, line.pop())  # an opening mark goes on with what it opens
            if carry and sum(cell_width(t) for t in carry) + w > width:
                line, carry = line + carry, []  # no room to take them along
            lines.append("".join(line).rstrip())
            line, used = carry, sum(cell_width(t) for t in carry)
        while w > width and not line:  # a word wider than a line: cut it
            cut = truncate(token, width + 1)[:-1] or token[0]
            lines.append(cut)
            token = token[len(cut):]
            w = cell_width(token)
            if not token:
                break
        if token:
            line.append(token)
            used += w
    lines.append("".join(line).rstrip())
    return [ln.lstrip(" ") for ln in lines]


def terminal_columns(default: int | None) -> int | None:
    """The width output is laid out for: COLUMNS when set, else the terminal's, else `default` (output
    to a file or a pipe: None for as wide as the text, or a width such as 80 for a view that wraps)."""
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    import sys

    try:
        if sys.stdout.isatty():
            import shutil

            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return default
