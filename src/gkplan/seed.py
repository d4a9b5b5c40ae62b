"""Seed files: YAML (or JSON) text → validated work points, every problem reported as file:line:column.

Stages as in beancount: parse (keeping positions) → validate (seed_check.py, then the rules that span
records) → hand trusted records (seed_model.py) to the ledger. Points are validated one at a time as the
ledger loads them, inside its transaction: a 100,000-point seed never sits in memory as records, and one
bad record anywhere rolls the whole load back. A seed whose text starts with `{` is JSON (which is
YAML too) and is read as a stream (seed_json.py); YAML is read whole (seed_yaml.py: a plain seed's values
built from libyaml's events, seed_yaml_events.py, anything else by PyYAML's constructor), or as events
when large (seed_yaml_stream.py). Bytes become text in seed_input.py: a regular UTF-8 file or nothing.

Hostile seeds are refused by rule rather than by luck: no anchors or aliases, nesting at most
MAX_DEPTH deep, digit strings longer than MAX_DIGITS kept as `TooLarge` (never turned into an int),
no value read at once beyond MAX_VALUE characters, every integer and date bounded in seed_check.py.

A problem's message is seed_messages.py's (imported only when a seed has one).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gkplan.errors import Problem, SeedError

if TYPE_CHECKING:
    from gkplan.seed_model import Plan, Point, Section

TOP = ("plan", "sections", "points")
STREAM_YAML_ABOVE = 1 << 20  # bytes: a hand-written plan is far smaller; a generated one is streamed
CHILD_SEED_ABOVE = 1 << 20  # bytes: read by a second process where there is a core for it (seed_child.py)
MAX_NUMBER = 10_000_000  # seed_check._id's bound
MAX_DEPTH = 20  # a seed nests 5 deep (points → point → targets → target); more is not a seed
MAX_DIGITS = 30  # longer digit strings are refused unread: int() of 5,000 digits raises, of 10^6 takes seconds
MAX_VALUE = 4_000_000  # characters of one point (or plan, or sections) read at once: 40 × the longest text

MERGE_KEY = "不支持 YAML 合并键（<<:）；请把各字段直接写出"  # (said by the whole reader and the streamed one alike)

Where = tuple[int, int]
Locate = Callable[[tuple], Where]


class TooLarge:
    """A number with more digits than any field allows, kept as its length: validation refuses it
    (no field accepts this type) and the message can say how long it was without printing it."""

    __slots__ = ("digits",)

    def __init__(self, text: str) -> None:
        self.digits = sum(ch.isdigit() for ch in text)

    def __str__(self) -> str:
        return f"（{self.digits} 位数字）"


def open_seed(path: Path) -> SeedSource:
    """Read and check the seed's plan and sections; its points come from `SeedSource.points()`."""
    from gkplan.seed_input import decode, open_regular, refuse

    file, size = open_regular(path)
    try:
        start = file.read(64)
        file.seek(0)
        json = start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
        # (a YAML seed only where it would be streamed here too: the child streams it, and a problem has it streamed here)
        if size > CHILD_SEED_ABOVE and (json or size > STREAM_YAML_ABOVE):
            from gkplan.seed_child import spawn

            source = spawn(path, file, "json" if json else "yaml")
            if source is not None:
                return source
        if json:
            from gkplan.seed_json import JsonSource

            return JsonSource(path, file)
        if size > STREAM_YAML_ABOVE:
            from gkplan.seed_yaml_stream import YamlStreamSource

            return YamlStreamSource(path, file)
        raw = file.read(STREAM_YAML_ABOVE + 1)
        file.close()
    except OSError as exc:
        file.close()
        raise refuse(path, f"无法读取种子文件：{exc.strerror or exc}") from None
    except BaseException:
        file.close()
        raise
    from gkplan.seed_yaml import YamlSource

    return YamlSource(path, decode(path, raw))


class SeedSource:
    """A seed being read: `plan` and `sections` (checked on opening), `points()` validated one by one,
    `problems` collected with their positions, `finish()` raising them all at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.plan: Plan | None = None
        self.sections: list[Section] = []
        self._problems: list[Problem] = []
        self.numbers = NumberSet()
        self._known_sections: set[int] = set()

    @property
    def ok(self) -> bool:
        return not self._problems

    def problem(self, where: Where, message: str, point: int | str | None = None, field: str | None = None) -> None:
        self._problems.append(Problem(str(self.path), where[0], where[1], point, field, message))

    def add(self, error: SeedError) -> None:
        """The problems of an error that ended a stream, reported with the rest."""
        self._problems.extend(error.problems)

    def finish(self) -> None:
        if self._problems:
            self._problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.message))
            raise SeedError(self._problems)

    def _check_head(self, data: dict[str, Any], locate: Locate) -> None:
        from gkplan.seed_check import Invalid, plan
        from gkplan.seed_check import section as section_of

        for key in data:
            if key not in TOP:
                self.problem(locate((key,)), f"字段 {show(key)}：未知字段（拼写错误？）", field=show(key))
        if "plan" not in data:
            self.problem((1, 1), "字段 plan：缺少必填字段", field="plan")
        else:
            try:
                self.plan = plan(data["plan"])
            except Invalid as exc:
                self._report(exc, ("plan",), locate, "", None)
        sections = data.get("sections")
        if not isinstance(sections, list) or not sections:
            what = "缺少必填字段" if sections is None else "应为非空列表"
            self.problem(locate(("sections",)), f"字段 sections：{what}", field="sections")
            return
        for i, raw in enumerate(sections):
            try:
                section = section_of(raw)
            except Invalid as exc:
                self._report(exc, ("sections", i), locate, f"部分 {_number(raw, i)} 的", None)
                continue
            if section.number in self._known_sections:
                self.problem(locate(("sections", i, "number")),
                             f"部分 {section.number} 的字段 number：部分编号 {section.number} 重复", field="number")  # fmt: skip
            self._known_sections.add(section.number)
            self.sections.append(section)

    def _point(self, raw: Any, index: int, locate: Locate) -> Point | None:
        validate, invalid = _point_validator()
        # the label is worked out only for a problem: per point, it would cost more than the checks
        label = lambda: _number(raw, index)  # noqa: E731
        try:
            point = validate(raw)
        except invalid as exc:
            self._report(exc, ("points", index), locate, f"要点 {label()} 的", label())
            point = None
        if point is not None and self.plan is not None and (point.start or point.checkpoints or point.deliverables):
            point = self._dates_fit(point, index, locate, label)  # (most points of a big seed have no dates to fit)
        number = raw.get("number") if isinstance(raw, dict) else None
        # the number as the ledger gets it: "1", 1.0 and true are point 1 too (seed_values.integer)
        if type(number) is not int:
            number = as_number(number)
        if number is not None and 1 <= number <= MAX_NUMBER:  # (_bounded, inline: once per point)
            if number in self.numbers:
                first = self._first_line(number, index)
                self.problem(locate(("points", index, "number")),
                             f"要点 {label()} 的字段 number：要点编号 {number} 重复" + (f"（第一次在第 {first} 行）" if first else ""),
                             number, "number")  # fmt: skip
                point = None
            else:
                self.numbers.add(number)
        section = as_number(raw.get("section")) if isinstance(raw, dict) else None
        if _bounded(section) and self._known_sections and section not in self._known_sections:
            self.problem(locate(("points", index, "section")), f"要点 {label()} 的字段 section：部分 {section} 不在 sections 中",
                         label(), "section")  # fmt: skip
            point = None
        return point

    def _dates_fit(self, point: Point, index: int, locate: Locate, label: Callable[[], Any]) -> Point | None:
        """The point's start, checkpoints and deliverables' dates against the plan and the point's span."""
        if point.start is None and not point.checkpoints and not point.deliverables:
            return point  # nothing dated (most points of a big seed): once per point, so skipped cheaply
        problems = point.plan_problems(self.plan.start_date, self.plan.end_date)
        for loc, message in problems:
            field = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in loc).lstrip(".")
            self.problem(locate(("points", index, *loc)), f"要点 {label()} 的字段 {field}：{message}", label(), field)
        return None if problems else point

    def _first_line(self, number: int, index: int) -> int | None:
        return None  # a streamed source keeps no positions of earlier records

    def _report(self, exc: Any, base: tuple, locate: Locate, who: str, point: int | str | None) -> None:
        from gkplan.seed_messages import message

        for err in exc.errors():
            loc = tuple(k for k in err["loc"] if k not in ("int", "float", "str", "object"))  # a union's branches are one field
            field = "".join(f"[{k}]" if isinstance(k, int) else f".{show(k)}" for k in (loc or base[-1:])).lstrip(".")
            if err["type"] in ("int_type", "float_type") and loc != err["loc"] and err["loc"][-1] == "float":
                continue  # said once, for the `int` branch
            self.problem(locate((*base, *loc)), f"{who}字段 {field}：{message(err)}", point, field)

    def points(self) -> Iterator[Point]:
        raise NotImplementedError


@functools.cache
def _point_validator() -> tuple[Callable[[Any], Point], type[Exception]]:
    """seed_check.point and the error it raises, imported once (a seed calls them per point)."""
    from gkplan.seed_check import Invalid, point

    return point, Invalid


class NumberSet:
    """The point numbers seen so far, one bit each: 1.25 MB for any seed, where a set of 100,000
    ints costs seven."""

    def __init__(self) -> None:
        self._bits = bytearray(MAX_NUMBER // 8 + 1)

    def add(self, n: int) -> None:
        self._bits[n >> 3] |= 1 << (n & 7)

    def __contains__(self, n: object) -> bool:
        return _bounded(n) and bool(self._bits[n >> 3] & (1 << (n & 7)))  # type: ignore[operator]

    def __bytes__(self) -> bytes:  # (the set carried to another process: seed_child)
        return bytes(self._bits)

    @classmethod
    def from_bytes(cls, bits: bytes) -> NumberSet:
        numbers = cls()
        numbers._bits[:] = bits
        return numbers


def as_number(value: Any) -> int | None:
    """A point's or section's number as its check reads it (an int, or "3", 3.0, true), else None."""
    if type(value) is int:
        return value
    if value is None or isinstance(value, TooLarge | list | dict):
        return None
    from gkplan.seed_values import Bad, integer

    try:
        return integer(value)
    except Bad:
        return None


def _bounded(n: object) -> bool:
    return type(n) is int and 1 <= n <= MAX_NUMBER


UNSEEN = {**{c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]},
           **{c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}}  # fmt: skip


def show(value: Any, limit: int = 40) -> str:
    """A value from the seed as it may appear in a message: control and bidi characters written as
    escapes (they would act on the terminal), long text cut short."""
    text = str(value)
    cut = len(text) > limit
    text = text[:limit].translate(UNSEEN)
    return text + "…" if cut else text


def _number(raw: Any, index: int) -> Any:
    number = raw.get("number") if isinstance(raw, dict) else None
    if type(number) is int and abs(number) < 10**12 or isinstance(number, str) and number.strip():
        return show(number, 20)
    return f"（第 {index + 1} 项）"


def kind_of(value: Any) -> str:
    return {list: "列表", str: "文本", int: "数字", float: "数字", bool: "布尔值"}.get(type(value), type(value).__name__)
