"""Seed files: YAML (or JSON) text → validated work points, every problem reported as file:line:column.

Stages as in beancount: parse (keeping positions) → validate (pydantic, then the rules that span
records) → hand trusted models to the ledger. Points are validated one at a time as the ledger
loads them, inside its transaction: a 100,000-point seed never sits in memory as models, and one
bad record anywhere rolls the whole load back. A seed whose text starts with `{` is JSON (which is
YAML too) and is read as a stream; hand-written YAML is read whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gkplan.errors import SeedError

if TYPE_CHECKING:
    from gkplan.models import Plan, Point, Section

BUNDLED_NAME = "workpoints_2022.yaml"
_TOP = ("plan", "sections", "points")


def bundled_path() -> Path:
    """The 2022 plan shipped with gkplan: inside the installed package, or data/ in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data" / BUNDLED_NAME, here.parents[1] / "data" / BUNDLED_NAME):
        if candidate.is_file():
            return candidate
    raise SeedError([f"找不到内置种子文件 {BUNDLED_NAME}：安装不完整，请重新安装 gkplan"])


def open_seed(path: Path) -> SeedSource:
    """Read and check the seed's plan and sections; its points come from `SeedSource.points()`."""
    try:
        with path.open("rb") as f:
            start = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if start.startswith(b"{"):
            return _JsonSource(path)
        if path.stat().st_size > STREAM_YAML_ABOVE:
            return _YamlStreamSource(path)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SeedError([f"{path}: 种子文件不存在"]) from None
    except IsADirectoryError:
        raise SeedError([f"{path}: 是一个目录，不是种子文件"]) from None
    except PermissionError:
        raise SeedError([f"{path}: 没有读取权限"]) from None
    except OSError as exc:
        raise SeedError([f"{path}: 无法读取种子文件：{exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SeedError([f"{path}:{line}: 文件不是 UTF-8 编码"]) from None
    data, root = _parse_yaml(path, text)
    return _YamlSource(path, data, root)


class SeedSource:
    """A seed being read: `plan` and `sections` (checked on opening), `points()` validated one by one,
    `problems` collected with their positions, `finish()` raising them all at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.plan: Plan | None = None
        self.sections: list[Section] = []
        self._problems: list[tuple[int, int, str]] = []
        self.numbers = NumberSet()
        self._known_sections: set[int] = set()

    @property
    def ok(self) -> bool:
        return not self._problems

    def problem(self, where: tuple[int, int], message: str) -> None:
        self._problems.append((*where, message))

    def finish(self) -> None:
        if self._problems:
            self._problems.sort()
            raise SeedError([f"{self.path}:{line}:{column}: {message}" for line, column, message in self._problems])

    def _check_head(self, data: dict[str, Any], locate: Callable[[tuple], tuple[int, int]]) -> None:
        from pydantic import ValidationError

        from gkplan.models import Plan, Section

        for key in data:
            if key not in _TOP:
                self.problem(locate((key,)), f"字段 {key}：未知字段（拼写错误？）")
        if "plan" not in data:
            self.problem((1, 1), "字段 plan：缺少必填字段")
        else:
            try:
                self.plan = Plan.model_validate(data["plan"])
            except ValidationError as exc:
                self._report(exc, ("plan",), locate, "")
        sections = data.get("sections")
        if not isinstance(sections, list) or not sections:
            self.problem(locate(("sections",)), "字段 sections：" + ("缺少必填字段" if sections is None else "应为非空列表"))
            return
        for i, raw in enumerate(sections):
            try:
                section = Section.model_validate(raw)
            except ValidationError as exc:
                self._report(exc, ("sections", i), locate, f"部分 {_number(raw, i)} 的")
                continue
            if section.number in self._known_sections:
                self.problem(locate(("sections", i, "number")), f"部分 {section.number} 的字段 number：部分编号 {section.number} 重复")
            self._known_sections.add(section.number)
            self.sections.append(section)

    def _point(self, raw: Any, index: int, locate: Callable[[tuple], tuple[int, int]]) -> Point | None:
        from pydantic import ValidationError

        from gkplan.models import Point

        who = f"要点 {_number(raw, index)} 的"
        try:
            point = Point.model_validate(raw)
        except ValidationError as exc:
            self._report(exc, ("points", index), locate, who)
            point = None
        number = raw.get("number") if isinstance(raw, dict) else None
        if isinstance(number, int):
            if number in self.numbers:
                first = self._first_line(number, index)
                self.problem(locate(("points", index, "number")),
                             f"{who}字段 number：要点编号 {number} 重复" + (f"（第一次在第 {first} 行）" if first else ""))  # fmt: skip
                point = None
            elif 1 <= number <= MAX_NUMBER:
                self.numbers.add(number)
        section = raw.get("section") if isinstance(raw, dict) else None
        if isinstance(section, int) and self._known_sections and section not in self._known_sections:
            self.problem(locate(("points", index, "section")), f"{who}字段 section：部分 {section} 不在 sections 中")
            point = None
        return point

    def _first_line(self, number: int, index: int) -> int | None:
        return None  # a streamed source keeps no positions of earlier records

    def _report(self, exc: Any, base: tuple, locate: Callable[[tuple], tuple[int, int]], who: str) -> None:
        for err in exc.errors(include_url=False):
            loc = (*base, *err["loc"])
            field = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in (err["loc"] or base[-1:])).lstrip(".")
            self.problem(locate(loc), f"{who}字段 {field}：{_message(err)}")

    def points(self) -> Iterator[Point]:
        raise NotImplementedError


class _YamlSource(SeedSource):
    def __init__(self, path: Path, data: dict, root: Any) -> None:
        super().__init__(path)
        self._data, self._root = data, root
        self._check_head(data, self._locate)

    def _locate(self, loc: tuple) -> tuple[int, int]:
        return _where(self._root, loc)

    def _first_line(self, number: int, index: int) -> int | None:
        earlier = self._data["points"][:index]
        first = next(i for i, raw in enumerate(earlier) if isinstance(raw, dict) and raw.get("number") == number)
        return self._locate(("points", first))[0]

    def points(self) -> Iterator[Point]:
        raw_points = self._data.get("points")
        if not isinstance(raw_points, list) or not raw_points:
            self.problem(self._locate(("points",)), "字段 points：" + ("缺少必填字段" if raw_points is None else "应为非空列表"))
            return
        for i, raw in enumerate(raw_points):
            point = self._point(raw, i, self._locate)
            if point is not None:
                yield point


STREAM_YAML_ABOVE = 1 << 20  # bytes: a hand-written plan is far smaller; a generated one is streamed


class _YamlStreamSource(SeedSource):
    """A large YAML seed, read as libyaml's events: one point at a time, each value with its position.
    Plain YAML only (no anchors or tags), which is what generated files use."""

    def __init__(self, path: Path) -> None:
        import yaml

        super().__init__(path)
        self._file = path.open("r", encoding="utf-8-sig")
        self._events = yaml.parse(self._file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self._yaml = yaml
        head: dict[str, Any] = {}
        marks: dict[tuple, tuple[int, int]] = {}
        self._at_points = False
        try:
            self._expect("StreamStartEvent")
            start = next(self._events)
            if type(start) is yaml.DocumentStartEvent:
                start = next(self._events)
            if type(start) is not yaml.MappingStartEvent:
                kind = {yaml.StreamEndEvent: "文件是空的", yaml.SequenceStartEvent: "顶层却是列表"}.get(type(start), "顶层却是文本")
                raise SeedError([f"{path}:1:1: 种子文件的顶层应为映射（plan / sections / points），{kind}"])
            for key, where in self._keys(start):
                if key == "points":
                    self._at_points = True
                    break
                head[key] = self._value(next(self._events), (key,), marks)
        except SeedError:
            self._file.close()
            raise
        except self._yaml.YAMLError as exc:
            self._file.close()
            raise SeedError([f"{path}:{_mark(exc)}: YAML 语法错误：{getattr(exc, 'problem', None) or exc}"]) from None
        self._check_head(head, lambda loc: _deepest(marks, loc))

    def _fail(self, event: Any, what: str) -> SeedError:
        mark = event.start_mark
        return SeedError([f"{self.path}:{mark.line + 1}:{mark.column + 1}: {what}"])

    def _expect(self, kind: str, what: str = "YAML 结构不完整") -> Any:
        event = next(self._events)
        if type(event).__name__ != kind:
            raise self._fail(event, what)
        return event

    def _keys(self, start: Any) -> Iterator[tuple[str, tuple[int, int]]]:
        seen: set[str] = set()
        end, scalar = self._yaml.MappingEndEvent, self._yaml.ScalarEvent
        for event in self._events:
            if type(event) is end:
                return
            if type(event) is not scalar:
                raise self._fail(event, "键应为文本")
            if event.value in seen:
                raise self._fail(event, f"重复的键 {event.value!r}")
            seen.add(event.value)
            yield event.value, (event.start_mark.line + 1, event.start_mark.column + 1)

    def _value(self, event: Any, path: tuple, marks: dict[tuple, tuple[int, int]]) -> Any:
        """One value from its first event; the position of it and of everything in it goes into `marks`."""
        yaml = self._yaml
        mark = event.start_mark
        marks[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.tag not in (None, "!") or event.anchor:
                raise self._fail(event, "大型 YAML 种子不支持标签和锚点")
            return _scalar(event.value, event.implicit[0], self._fail, event) if event.implicit[0] else event.value
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            for event in self._events:
                if type(event) is yaml.SequenceEndEvent:
                    return items
                items.append(self._value(event, (*path, len(items)), marks))
        if kind is yaml.MappingStartEvent:
            mapping: dict[str, Any] = {}
            for key, _ in self._keys(event):
                mapping[key] = self._value(next(self._events), (*path, key), marks)
            return mapping
        raise self._fail(event, "大型 YAML 种子不支持别名（*）")

    def points(self) -> Iterator[Point]:
        yaml = self._yaml
        try:
            if not self._at_points:
                self.problem((1, 1), "字段 points：缺少必填字段")
                return
            start = next(self._events)
            if not isinstance(start, yaml.SequenceStartEvent):
                self.problem((start.start_mark.line + 1, start.start_mark.column + 1), "字段 points：应为非空列表")
                return
            index = 0
            for event in self._events:
                if type(event) is yaml.SequenceEndEvent:
                    break
                marks: dict[tuple, tuple[int, int]] = {}
                raw = self._value(event, ("points", index), marks)
                point = self._point(raw, index, lambda loc, marks=marks: _deepest(marks, loc))
                if point is not None:
                    yield point
                index += 1
            for key, where in self._keys(None):
                self.problem(where, f"字段 {key}：大型 YAML 种子中 plan 和 sections 须写在 points 之前")
                self._value(next(self._events), (key,), {})
        except SeedError as exc:
            line = exc.problems[0]
            where, _, what = line.partition(": ")
            parts = where.rsplit(":", 2)
            self.problem((int(parts[1]), int(parts[2])) if len(parts) == 3 else (1, 1), what)
        except yaml.YAMLError as exc:
            self.problem(_position(exc), f"YAML 语法错误：{getattr(exc, 'problem', None) or exc}")
        finally:
            self._file.close()


_INT = None


def _scalar(text: str, plain: bool, fail: Callable, event: Any) -> Any:
    """A plain scalar as YAML 1.1 reads it, for the types a seed uses: null, bool, int, float, date."""
    global _INT
    if _INT is None:
        import re

        _INT = (re.compile(r"[-+]?(0|[1-9][0-9_]*)"), re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?"),
                re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"))  # fmt: skip
    integer, real, day = _INT
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"):
        return True
    if text in ("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"):
        return False
    if integer.fullmatch(text):
        return int(text.replace("_", ""))
    if real.fullmatch(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    if m := day.fullmatch(text):
        from datetime import date

        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise fail(event, f"无效的日期 {text!r}") from None
    return text


def _deepest(marks: dict[tuple, tuple[int, int]], loc: tuple) -> tuple[int, int]:
    for end in range(len(loc), 0, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return (1, 1)


def _position(exc: Any) -> tuple[int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _mark(exc: Any) -> str:
    line, column = _position(exc)
    return f"{line}:{column}"


class _JsonSource(SeedSource):
    """Streams a JSON seed: plan and sections first, then each point as it is read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._reader = _JsonReader(path)
        head: dict[str, Any] = {}
        marks: dict[tuple, tuple[int, int]] = {}
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
                    if key in self._head_marks or key in _TOP:
                        self.problem(where, f"字段 {key}：JSON 种子中 plan 和 sections 须写在 points 之前")
                    else:
                        self.problem(where, f"字段 {key}：未知字段（拼写错误？）")
                    reader.value()
            else:
                self.problem((1, 1), "字段 points：缺少必填字段")
        except SeedError as exc:  # a syntax error ends the stream: report it with the rest
            self.problem(getattr(exc, "where", (1, 1)), getattr(exc, "what", str(exc)))
        finally:
            reader.close()


class _JsonReader:
    """Just enough of an incremental JSON reader for a seed: the top-level object's keys, and the
    points array one element at a time, with line and column for every value."""

    CHUNK = 1 << 18  # characters read at a time

    def __init__(self, path: Path) -> None:
        import json

        self.path = path
        self._decode = json.JSONDecoder().raw_decode
        self._error = json.JSONDecodeError
        self._file = path.open("r", encoding="utf-8-sig")
        self._buf, self._pos, self._eof = "", 0, False
        # line number at buffer offset `_counted`, and where that line began (may be before the buffer):
        # counted forward only, so positions cost nothing however long the file or its lines
        self._line, self._counted, self._line_start = 1, 0, 0
        self.at_points = False
        self._started = False

    def close(self) -> None:
        self._file.close()

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = self._file.read(self.CHUNK)
        except UnicodeDecodeError:
            raise self._fail("文件不是 UTF-8 编码") from None
        if not chunk:
            self._eof = True
            return False
        self._where()  # count the lines of what is dropped
        self._line_start -= self._pos
        self._buf, self._pos, self._counted = self._buf[self._pos :] + chunk, 0, 0
        return True

    def _where(self) -> tuple[int, int]:
        newlines = self._buf.count("\n", self._counted, self._pos)
        if newlines:
            self._line += newlines
            self._line_start = self._buf.rfind("\n", self._counted, self._pos) + 1
        self._counted = self._pos
        return self._line, self._pos - self._line_start + 1

    def _fail(self, what: str) -> SeedError:
        line, column = self._where()
        error = SeedError([f"{self.path}:{line}:{column}: JSON 语法错误：{what}"])
        error.where, error.what = (line, column), f"JSON 语法错误：{what}"  # type: ignore[attr-defined]
        return error

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

    def value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._decode(self._buf, self._pos)
                if end < len(self._buf) or self._eof:  # a number at the buffer's end may go on
                    self._pos = end
                    return value
            except self._error as exc:
                if self._eof:
                    self._pos = exc.pos  # point at the fault itself, not at the start of the value
                    raise self._fail(exc.msg) from None
            self._fill()

    def keys(self) -> Iterator[tuple[str, tuple[int, int]]]:
        """The top-level keys, each positioned at its value; stops at `points` with `at_points` set,
        and goes on past the points array when called again."""
        if not self._started:
            self._expect("{")
            self._started = True
            if self._peek() == "}":
                self._pos += 1
                return
        elif self.at_points:
            self.at_points = False
            if self._expect(",}") == "}":
                return
        while True:
            where = self._where()
            key = self.value()
            if not isinstance(key, str):
                raise self._fail("键应为字符串")
            self._expect(":")
            if key == "points":
                self.at_points = True
                yield key, where
                return
            yield key, where
            if self._expect(",}") == "}":
                return

    def array(self) -> Iterator[tuple[Any, tuple[int, int]]]:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            self._peek()
            where = self._where()
            yield self.value(), where
            if self._expect(",]") == "]":
                return


MAX_NUMBER = 10_000_000  # models.Point.number's bound


class NumberSet:
    """The point numbers seen so far, one bit each: 1.25 MB for any seed, where a set of 100,000
    ints costs seven."""

    def __init__(self) -> None:
        self._bits = bytearray(MAX_NUMBER // 8 + 1)

    def add(self, n: int) -> None:
        self._bits[n >> 3] |= 1 << (n & 7)

    def __contains__(self, n: object) -> bool:
        return isinstance(n, int) and 0 <= n <= MAX_NUMBER and bool(self._bits[n >> 3] & (1 << (n & 7)))


def _number(raw: Any, index: int) -> Any:
    number = raw.get("number") if isinstance(raw, dict) else None
    return number if number is not None else f"（第 {index + 1} 项）"


def _parse_yaml(path: Path, text: str) -> tuple[Any, Any]:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe loader that refuses duplicate keys and reports bad dates at their position."""

        def construct_mapping(self, node, deep=False):  # noqa: ANN001
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, str | int) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"重复的键 {key!r}（第一次出现在第 {seen[key].line + 1} 行）", key_node.start_mark
                    )
                if isinstance(key, str | int):
                    seen[key] = key_node.start_mark
            return super().construct_mapping(node, deep)

        def construct_yaml_timestamp(self, node):  # noqa: ANN001
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:
                raise yaml.constructor.ConstructorError(
                    None, None, f"无效的日期 {node.value!r}", node.start_mark
                ) from None

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        what = exc.problem or exc.context or "格式错误"
        kind = "" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML 语法错误："
        raise SeedError([f"{where}: {kind}{what}"]) from None
    except yaml.YAMLError as exc:
        raise SeedError([f"{path}: YAML 语法错误：{exc}"]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = "文件是空的" if data is None else f"顶层却是{_kind(data)}"
        raise SeedError([f"{path}:1:1: 种子文件的顶层应为映射（plan / sections / points），{kind}"])
    return data, root


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "date_parsing": "应为日期，如 2022-12-31",
    "date_type": "应为日期，如 2022-12-31",
    "date_from_datetime_parsing": "应为日期，如 2022-12-31",
    "date_from_datetime_inexact": "应为日期（不含时间）",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_pattern_mismatch": "含控制字符或换行",
    "list_type": "应为列表",
    "too_short": "至少需要一项",
    "model_type": "应为映射（键: 值）",
    "dict_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
}


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "value_error":
        return str(err["ctx"]["error"])
    template = _MESSAGES.get(kind)
    if template is None:
        return err["msg"]
    return template.format(**err.get("ctx", {}))


def _where(root: Any, loc: tuple) -> tuple[int, int]:
    """The line and column of the deepest YAML node on `loc`'s path."""
    node = root
    for key in loc:
        child = _child(node, key)
        if child is None:
            break
        node = child
    mark = getattr(node, "start_mark", None)
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _child(node: Any, key: Any) -> Any:
    value = getattr(node, "value", None)
    if isinstance(key, int) and isinstance(value, list) and key < len(value) and not isinstance(value[key], tuple):
        return value[key]
    if isinstance(key, str) and isinstance(value, list):
        for k, v in value:
            if isinstance(k, tuple) or getattr(k, "value", None) != key:
                continue
            return v
    return None


def _kind(value: Any) -> str:
    return {list: "列表", str: "文本", int: "数字", float: "数字", bool: "布尔值"}.get(type(value), type(value).__name__)
