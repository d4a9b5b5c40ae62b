"""JSON seeds, streamed: plan and sections first, then each point as it is read, each with its line.

JSON is stricter here than `json.loads`: a key given twice (anywhere) and anything after the
top-level object are refused, where the standard library keeps the last key and `raw_decode` stops.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from gkplan.errors import Problem, SeedError
from gkplan.seed import MAX_DIGITS, MAX_VALUE, TOP, SeedSource, TooLarge, Where, show

if TYPE_CHECKING:
    from gkplan.seed_model import Point


class JsonSource(SeedSource):
    def __init__(self, path: Path, file: BinaryIO) -> None:
        super().__init__(path)
        self._reader = _JsonReader(path, file)
        head: dict[str, Any] = {}
        marks: dict[tuple, Where] = {}
        try:
            for key, where in self._reader.keys():
                if key == "points":
                    break
                marks[(key,)] = where
                head[key] = self._reader.value()
        except SeedError:
            self._reader.close()
            raise
        self._head_marks = marks
        self._check_head(head, lambda loc: marks.get(loc[:1], (1, 1)))

    def points(self) -> Iterator[Point]:
        reader = self._reader
        try:
            if reader.at_points:
                for i, (raw, where) in enumerate(reader.array()):
                    point = self._point(raw, i, lambda loc, where=where: where)
                    if point is not None:
                        yield point
                for key, where in reader.keys():
                    if key in self._head_marks or key in TOP:
                        self.problem(where, f"字段 {show(key)}：JSON 种子中 plan 和 sections 须写在 points 之前", field=show(key))
                    else:
                        self.problem(where, f"字段 {show(key)}：未知字段（拼写错误？）", field=show(key))
                    reader.value()
            else:
                self.problem((1, 1), "字段 points：缺少必填字段", field="points")
        except SeedError as exc:  # a syntax error ends the stream: report it with the rest
            self.add(exc)
        finally:
            reader.close()


class _Duplicate(Exception):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        raise _Duplicate(next(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    return obj


def _integer(text: str) -> int | TooLarge:
    return TooLarge(text) if len(text) > MAX_DIGITS else int(text)


class _JsonReader:
    """Just enough of an incremental JSON reader for a seed: the top-level object's keys, and the
    points array one element at a time, with line and column for every value."""

    CHUNK = 1 << 18  # characters read at a time
    LOOKAHEAD = 16  # a decoding error this close to the buffer's end may be a value cut short (`tru`, `1e`)

    def __init__(self, path: Path, file: BinaryIO) -> None:
        import json

        from gkplan.seed_input import Utf8Reader

        self.path = path
        self._decode = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer).raw_decode
        self._error = json.JSONDecodeError
        self._file = Utf8Reader(path, file)
        self._buf, self._pos, self._eof = "", 0, False
        # line number at buffer offset `_counted`, and where that line began (may be before the buffer):
        # counted forward only, so positions cost nothing however long the file or its lines
        self._line, self._counted, self._line_start = 1, 0, 0
        self.at_points = False
        self._started = False
        self._seen: dict[str, int] = {}

    def close(self) -> None:
        self._file.close()

    def _fill(self, size: int = CHUNK) -> bool:
        if self._eof:
            return False
        chunk = self._file.read(size)
        if not chunk:
            self._eof = True
            return False
        self._where()  # count the lines of what is dropped
        self._line_start -= self._pos
        self._buf, self._pos, self._counted = self._buf[self._pos :] + chunk, 0, 0
        return True

    def _where(self) -> Where:
        newlines = self._buf.count("\n", self._counted, self._pos)
        if newlines:
            self._line += newlines
            self._line_start = self._buf.rfind("\n", self._counted, self._pos) + 1
        self._counted = self._pos
        return self._line, self._pos - self._line_start + 1

    def _fail(self, what: str, syntax: bool = True) -> SeedError:
        line, column = self._where()
        return SeedError([Problem(str(self.path), line, column, None, None, ("JSON 语法错误：" if syntax else "") + what)])

    def _peek(self) -> str:
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _expect(self, chars: str) -> str:
        ch = self._peek()
        if not ch or ch not in chars:
            raise self._fail(f"此处应为 {' 或 '.join(chars)}")
        self._pos += 1
        return ch

    def _end(self) -> None:
        if self._peek():
            raise self._fail("顶层对象之后还有多余的内容")

    def value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._decode(self._buf, self._pos)
                if end < len(self._buf) or self._eof:  # a number at the buffer's end may go on
                    self._pos = end
                    return value
            except self._error as exc:
                cut_short = exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - self.LOOKAHEAD
                if self._eof or not cut_short:  # a real fault is reported at once, not after reading on
                    self._pos = exc.pos  # point at the fault itself, not at the start of the value
                    raise self._fail(exc.msg) from None
            except RecursionError:
                raise self._fail("嵌套过深", syntax=False) from None
            except _Duplicate as exc:
                raise self._fail(f"重复的键 '{show(exc.args[0])}'", syntax=False) from None
            if len(self._buf) - self._pos > MAX_VALUE:
                raise self._fail(f"一个值超过 {MAX_VALUE // 1_000_000} 百万个字符，种子文件中不会有这样大的值", syntax=False)
            # read as much again as is held: a long value is decoded a few times, not once per chunk
            self._fill(max(self.CHUNK, len(self._buf) - self._pos))

    def keys(self) -> Iterator[tuple[str, Where]]:
        """The top-level keys, each positioned at its value; stops at `points` with `at_points` set,
        and goes on past the points array when called again."""
        if not self._started:
            self._expect("{")
            self._started = True
            if self._peek() == "}":
                self._pos += 1
                self._end()
                return
        elif self.at_points:
            self.at_points = False
            if self._expect(",}") == "}":
                self._end()
                return
        while True:
            where = self._where()
            key = self.value()
            if not isinstance(key, str):
                raise self._fail("键应为字符串")
            if key in self._seen:
                raise self._fail(f"重复的键 '{show(key)}'（第一次出现在第 {self._seen[key]} 行）", syntax=False)
            self._seen[key] = where[0]
            self._expect(":")
            if key == "points":
                self.at_points = True
                yield key, where
                return
            yield key, where
            if self._expect(",}") == "}":
                self._end()
                return

    def array(self) -> Iterator[tuple[Any, Where]]:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        decode, faults = self._decode, (self._error, _Duplicate, RecursionError)
        while True:
            self._peek()
            where = self._where()
            # the common case inline: a value that ends inside the buffer, followed by a comma (once per point)
            buf, pos = self._buf, self._pos
            try:
                value, end = decode(buf, pos)
            except faults:
                end = len(buf)  # value() decodes it again, reading on or reporting the fault
            if end < len(buf) - 1:
                if buf[end] == ",":
                    self._pos = end + 1
                    yield value, where
                    continue
                self._pos = end
            else:
                value = self.value()
            yield value, where
            if self._expect(",]") == "]":
                return
