"""Large YAML seeds, read as libyaml's events: one point at a time, so memory does not grow with the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from gkplan.errors import SeedError
from gkplan.seed import MAX_DEPTH, MAX_DIGITS, MAX_VALUE, SeedSource, TooLarge, Where, show
from gkplan.seed_yaml import mark_at, not_a_mapping, seed_error, syntax_message

if TYPE_CHECKING:
    from gkplan.seed_model import Point


class YamlStreamSource(SeedSource):
    """A large YAML seed, read as libyaml's events: one point at a time, each value with its position.
    Plain YAML only (no anchors or tags), which is what generated files use."""

    def __init__(self, path: Path, file: BinaryIO) -> None:
        import yaml

        from gkplan.seed_input import Utf8Reader

        super().__init__(path)
        # no event may need more than MAX_VALUE characters: libyaml reads a whole scalar before yielding it
        self._input = Utf8Reader(path, file, limit=MAX_VALUE)
        self._events = self._settled(yaml.parse(self._input, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        self._yaml = yaml
        head: dict[str, Any] = {}
        marks: dict[tuple, Where] = {}
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
                head[key] = self._value(next(self._events), (key,), marks)
        except SeedError:
            self._input.close()
            raise
        except yaml.YAMLError as exc:
            self._input.close()
            raise seed_error(path, _position(exc), syntax_message(exc)) from None
        self._check_head(head, lambda loc: _deepest(marks, loc))

    def _settled(self, events: Iterator[Any]) -> Iterator[Any]:
        for event in events:
            self._input.settle()
            yield event

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
            seen.add(event.value)
            yield event.value, mark_at(event.start_mark)

    def _value(self, event: Any, path: tuple, marks: dict[tuple, Where]) -> Any:
        """One value from its first event; the position of it and of everything in it goes into `marks`."""
        yaml = self._yaml
        marks[path] = mark_at(event.start_mark)
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.tag not in (None, "!") or event.anchor:
                raise self._fail(event, "大型 YAML 种子不支持标签和锚点")
            return _scalar(event.value, self._fail, event) if event.implicit[0] else event.value
        if kind is yaml.AliasEvent:
            raise self._fail(event, "大型 YAML 种子不支持别名（*）")
        if len(path) >= MAX_DEPTH:  # one level is the top mapping
            raise self._fail(event, f"嵌套过深（超过 {MAX_DEPTH} 层）")
        if event.anchor or event.tag not in (None, "!"):
            raise self._fail(event, "大型 YAML 种子不支持标签和锚点")
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            for event in self._events:
                if type(event) is yaml.SequenceEndEvent:
                    return items
                items.append(self._value(event, (*path, len(items)), marks))
        mapping: dict[str, Any] = {}
        for key, _ in self._keys(event):
            mapping[key] = self._value(next(self._events), (*path, key), marks)
        return mapping

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
            index = 0
            for event in self._events:
                if type(event) is yaml.SequenceEndEvent:
                    break
                marks: dict[tuple, Where] = {}
                raw = self._value(event, ("points", index), marks)
                point = self._point(raw, index, lambda loc, marks=marks: _deepest(marks, loc))
                if point is not None:
                    yield point
                index += 1
            for key, where in self._keys(None):
                self.problem(where, f"字段 {show(key)}：大型 YAML 种子中 plan 和 sections 须写在 points 之前", field=show(key))
                self._value(next(self._events), (key,), {})
        except SeedError as exc:  # a fault that ends the stream: reported with the rest
            self.add(exc)
        except yaml.YAMLError as exc:
            self.problem(_position(exc), syntax_message(exc))
        finally:
            self._input.close()


_PATTERNS = None


def _scalar(text: str, fail: Any, event: Any) -> Any:
    """A plain scalar as YAML 1.1 reads it, for the types a seed uses: null, bool, int, float, date."""
    global _PATTERNS
    if _PATTERNS is None:
        import re

        _PATTERNS = (re.compile(r"[-+]?(0|[1-9][0-9_]*)"), re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?"),
                     re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"))  # fmt: skip
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
    if m := day.fullmatch(text):
        from datetime import date

        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise fail(event, f"无效的日期 '{show(text)}'") from None
    return text


def _deepest(marks: dict[tuple, Where], loc: tuple) -> Where:
    for end in range(len(loc), 0, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return (1, 1)


def _position(exc: Any) -> Where:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark_at(mark) if mark else (1, 1)
