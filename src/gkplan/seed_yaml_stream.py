"""Large YAML seeds, read as libyaml's events: one point at a time, so memory does not grow with the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from gkplan.errors import SeedError
from gkplan.seed import MAX_DEPTH, MAX_DIGITS, MAX_VALUE, MERGE_KEY, SeedSource, TooLarge, Where, show
from gkplan.seed_yaml import mark_at, not_a_mapping, seed_error, syntax_message

if TYPE_CHECKING:
    from gkplan.seed_model import Point


class YamlStreamSource(SeedSource):
    """A large YAML seed, read as libyaml's events: one point at a time, each value with its position.
    Plain YAML only (no anchors or tags), which is what generated files use."""

    def __init__(self, path: Path, file: BinaryIO) -> None:
        from gkplan.seed_input import Utf8Reader
        from gkplan.seed_yaml_lib import import_yaml

        yaml = import_yaml()

        super().__init__(path)
        # no event may need more than MAX_VALUE characters: libyaml reads a whole scalar before yielding it
        self._input = Utf8Reader(path, file, limit=MAX_VALUE)
        self._get = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(self._input).get_event
        self._events = self._settled()
        self._yaml = yaml
        self._value = self._reader()
        head: dict[str, Any] = {}
        marks: list[Any] = []
        self._at_points = False
        try:
            self._expect("StreamStartEvent")
            start = next(self._events)
            if type(start) is yaml.DocumentStartEvent:
                start = next(self._events)
            if type(start) is not yaml.MappingStartEvent:
                kind = {yaml.StreamEndEvent: "文件是空的", yaml.SequenceStartEvent: "顶层却是列表"}.get(type(start), "顶层却是文本")
                raise not_a_mapping(path, kind)
            for key, _where in self._keys(start):
                if key == "points":
                    self._at_points = True
                    break
                head[key] = self._value(next(self._events), 1, marks)
        except SeedError:
            self._input.close()
            raise
        except yaml.YAMLError as exc:
            self._input.close()
            raise seed_error(path, _position(exc), syntax_message(exc)) from None
        self._check_head(head, _locator([((key,), value) for key, value in head.items()], marks))

    def _settled(self) -> Iterator[Any]:
        """The events up to the stream's end, the reader settled after each (what yaml.parse yields)."""
        get, settle, end = self._get, self._input.settle, self._yaml.StreamEndEvent
        while True:
            event = get()
            settle()
            yield event
            if type(event) is end:
                return

    def _fail(self, event: Any, what: str) -> SeedError:
        return seed_error(self.path, mark_at(event.start_mark), what)

    def _expect(self, kind: str, what: str = "YAML 结构不完整") -> Any:
        event = next(self._events)
        if type(event).__name__ != kind:
            raise self._fail(event, what)
        return event

    def _keys(self, start: Any) -> Iterator[tuple[Any, Where]]:
        seen: set[str] = set()
        end, scalar = self._yaml.MappingEndEvent, self._yaml.ScalarEvent
        for event in self._events:
            if type(event) is end:
                return
            if type(event) is not scalar:
                raise self._fail(event, "键应为文本")
            if event.value in seen:
                raise self._fail(event, f"重复的键 '{show(event.value)}'")
            if event.value == "<<" and event.implicit[0]:
                raise self._fail(event, MERGE_KEY)
            seen.add(event.value)
            yield event.value, mark_at(event.start_mark)

    def _reader(self) -> Callable[[Any, int, list[Any]], Any]:
        """`value(event, depth, marks)`: one value from its first event, `depth` levels below the top mapping; the
        position of it and of everything in it is appended to `marks` in document order (libyaml's marks, made
        into paths and (line, column) only for a problem: _locator). It runs once per value (1.1 M times for
        100,000 points): what it uses is bound here, and the events are taken straight from libyaml, the reader
        not settled: MAX_VALUE bounds what one point (or the plan, or the sections) reads, not each event."""
        yaml, get, fail = self._yaml, self._get, self._fail
        scalar, alias, sequence = yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent
        sequence_end, mapping_end, plain = yaml.SequenceEndEvent, yaml.MappingEndEvent, (None, "!")

        def value(event: Any, depth: int, marks: list[Any]) -> Any:
            marks.append(event.start_mark)
            kind = type(event)
            if kind is scalar:
                if event.tag not in plain or event.anchor:
                    raise fail(event, "大型 YAML 种子不支持标签和锚点")
                text = event.value
                if not event.implicit[0] or text and text[0] not in _NOT_TEXT:
                    return text  # (quoted, or plain text that can be nothing else: most values)
                return _scalar(text, fail, event)
            if kind is alias:
                raise fail(event, "大型 YAML 种子不支持别名（*）")
            if depth >= MAX_DEPTH:  # one level is the top mapping
                raise fail(event, f"嵌套过深（超过 {MAX_DEPTH} 层）")
            if event.anchor or event.tag not in plain:
                raise fail(event, "大型 YAML 种子不支持标签和锚点")
            if kind is sequence:
                items: list[Any] = []
                while True:
                    event = get()
                    if type(event) is scalar and event.tag is None and event.anchor is None:  # (value()'s, inline)
                        marks.append(event.start_mark)
                        text = event.value
                        items.append(text if not event.implicit[0] or text and text[0] not in _NOT_TEXT
                                     else _scalar(text, fail, event))  # fmt: skip
                    elif type(event) is sequence_end:
                        return items
                    else:
                        items.append(value(event, depth + 1, marks))
            mapping: dict[str, Any] = {}  # (its keys are the keys seen so far: self._keys's checks, inline)
            while True:
                event = get()
                if type(event) is mapping_end:
                    return mapping
                if type(event) is not scalar:
                    raise fail(event, "键应为文本")
                key = event.value
                if key in mapping:
                    raise fail(event, f"重复的键 '{show(key)}'")
                if key == "<<" and event.implicit[0]:
                    raise fail(event, MERGE_KEY)
                event = get()
                if type(event) is scalar and event.tag is None and event.anchor is None:  # (most values: value()'s, inline)
                    marks.append(event.start_mark)
                    text = event.value
                    mapping[key] = (text if not event.implicit[0] or text and text[0] not in _NOT_TEXT
                                    else _scalar(text, fail, event))  # fmt: skip
                else:
                    mapping[key] = value(event, depth + 1, marks)

        return value

    def points(self) -> Iterator[Point]:
        yaml = self._yaml
        try:
            if not self._at_points:
                self.problem((1, 1), "字段 points：缺少必填字段", field="points")
                return
            start = next(self._events)
            if not isinstance(start, yaml.SequenceStartEvent):
                self.problem(mark_at(start.start_mark), "字段 points：应为非空列表", field="points")
                return
            index, get, reader, end = 0, self._get, self._input, yaml.SequenceEndEvent
            while True:  # (self._events, inline: once per point)
                event = get()
                reader._settled = reader._read  # (reader.settle(), inline: what one point may read is bounded)
                if type(event) is end:
                    break
                marks: list[Any] = []
                raw = self._value(event, 2, marks)
                point = self._point(raw, index, _locator([(("points", index), raw)], marks))
                if point is not None:
                    yield point
                index += 1
            for key, where in self._keys(None):
                self.problem(where, f"字段 {show(key)}：大型 YAML 种子中 plan 和 sections 须写在 points 之前", field=show(key))
                self._value(next(self._events), 1, [])
        except SeedError as exc:  # a fault that ends the stream: reported with the rest
            self.add(exc)
        except yaml.YAMLError as exc:
            self.problem(_position(exc), syntax_message(exc))
        finally:
            self._input.close()


_PATTERNS = None
_NOT_TEXT = frozenset("~nNtTyYoOfF0123456789+-.")  # how a plain scalar _scalar reads as other than text may begin


def _scalar(text: str, fail: Any, event: Any) -> Any:
    """A plain scalar as YAML 1.1 reads it, for the types a seed uses: null, bool, int, float, date."""
    global _PATTERNS
    if _PATTERNS is None:
        import re

        _PATTERNS = (re.compile(r"[-+]?(0|[1-9][0-9_]*)"), re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?"),
                     re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"))  # fmt: skip
    if text.isdigit() and text.isascii() and (text[0] != "0" or text == "0"):  # (the integer pattern's usual case)
        return TooLarge(text) if len(text) > MAX_DIGITS else int(text)
    if (len(text) == 10 and text[4] == "-" == text[7] and text.isascii()
            and text[:4].isdigit() and text[5:7].isdigit() and text[8:].isdigit()):  # fmt: skip
        return _date(text, fail, event)  # (the date pattern's usual case, YYYY-MM-DD: once per point)
    integer, real, day = _PATTERNS
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"):
        return True
    if text in ("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"):
        return False
    if integer.fullmatch(text):
        return TooLarge(text) if len(text) > MAX_DIGITS else int(text.replace("_", ""))
    if real.fullmatch(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    if day.fullmatch(text):
        return _date(text, fail, event)
    return text


def _date(text: str, fail: Any, event: Any) -> Any:
    from datetime import date

    year, month, day = text.split("-")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise fail(event, f"无效的日期 '{show(text)}'") from None


def _locator(roots: list[tuple[tuple, Any]], marks: list[Any]) -> Callable[[tuple], Where]:
    """Where a path of these values starts: `marks` were appended as the values were read, so a walk of
    them in the same order (each value, then what it holds) pairs each path with its mark. Walked once, and
    only when a problem is reported: most points have none."""
    found: dict[tuple, Any] = {}

    def walk(path: tuple, value: Any, marks: Iterator[Any]) -> None:
        found[path] = next(marks)
        if type(value) is list:
            for i, item in enumerate(value):
                walk((*path, i), item, marks)
        elif type(value) is dict:
            for key, item in value.items():
                walk((*path, key), item, marks)

    def locate(loc: tuple) -> Where:
        if not found:
            left = iter(marks)
            for path, value in roots:
                walk(path, value, left)
        return _deepest(found, loc)

    return locate


def _deepest(marks: dict[tuple, Any], loc: tuple) -> Where:
    for end in range(len(loc), 0, -1):
        if loc[:end] in marks:
            return mark_at(marks[loc[:end]])
    return (1, 1)


def _position(exc: Any) -> Where:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark_at(mark) if mark else (1, 1)
