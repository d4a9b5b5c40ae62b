"""The seed's records once checked: immutable tuples with named fields, which the loader reads.

Only seed_check.py creates these, so every value in them has been checked: names stripped and free of
invisible characters, numbers and dates inside their bounds, lists no longer than allowed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

try:
    from _collections import _tuplegetter  # what collections.namedtuple uses
except ImportError:  # (not CPython)
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> Any:  # type: ignore[misc]
        return property(itemgetter(index), doc=doc)

# Invisible characters reach terminals raw (escape sequences), reorder what is shown (bidi overrides
# and isolates: "Trojan Source") and make openpyxl refuse the export, so no seed text may hold them:
# C0 controls, DEL, C1 controls, U+202A–U+202E, U+2066–U+2069. The long text keeps tab and newline.
# (seed_messages.unseen names the character when a text holds one; the patterns appear in no message but one.)
_UNSEEN = "\x7f-\x9f\u202a-\u202e\u2066-\u2069"
NAME_PATTERN = f"^[^\x00-\x1f{_UNSEEN}]+$"
TEXT_PATTERN = f"^[^\x00-\x08\x0b-\x1f{_UNSEEN}]+$"

# a deliverable's kind as the seed may write it (Chinese or the JSON code) → the tasks.kind code
KINDS = {"文件": "document", "document": "document", "里程碑": "milestone", "milestone": "milestone"}


class _Record(tuple):
    """A tuple whose items have names, as typing.NamedTuple's (whose classes cost `load` some 4 ms of
    start-up to make; these, almost nothing): the fields are the annotated names, a default the value given
    in the class body (an empty list: a new one each time). seed_fast builds them with tuple.__new__."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _defaults: dict[str, Any] = {}

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        values = list(args)
        for field in cls._fields[len(args):]:
            if field in kwargs:
                values.append(kwargs.pop(field))
            elif field in cls._defaults:
                values.append([] if cls._defaults[field] is list else cls._defaults[field])
            else:
                raise TypeError(f"{cls.__name__}: {field} missing")
        if kwargs or len(values) != len(cls._fields):
            raise TypeError(f"{cls.__name__}: unexpected {sorted(kwargs) or len(values)}")
        return tuple.__new__(cls, values)

    def __reduce__(self) -> tuple:
        # pickled by seed_child: rebuilt as seed_fast builds them, without __new__'s defaults
        return tuple.__new__, (type(self), tuple(self))

    def __init_subclass__(cls) -> None:
        """The annotated names become the fields, in order; a value given in the class body, the default."""
        cls._fields = tuple(cls.__dict__["__annotations__"])
        cls._defaults = {f: list if cls.__dict__[f] == [] else cls.__dict__[f] for f in cls._fields if f in cls.__dict__}
        for i, field in enumerate(cls._fields):
            setattr(cls, field, _tuplegetter(i, field))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self))})"


class Lead(_Record):
    """One owner line: a school leader, the lead department(s), and what part of the point they own."""

    __slots__ = ()

    leader: str | None = None
    departments: list[str] = []
    scope: str | None = None
    note: str | None = None  # wording kept when no single leader is named (校领导按分工牵头推进)


class Target(_Record):
    """A quantitative target the text sets, in base units (160万人 → 1600000 人)."""

    __slots__ = ()

    metric: str
    unit: str
    min: int | float
    max: int | float | None = None  # None: no upper bound (以上)
    due: date | None = None  # only when the text gives one (年底前, 三年)
    source: str | None = None  # the words of the text that set it
    # a 约数 (160万人左右): met within the configured band around min–max; left out, the words decide
    approx: bool | None = None

    @property
    def about(self) -> bool:
        """Whether the target is a 约数 (rules.approximate when the seed does not say)."""
        from gkplan.rules import approximate

        return self.approx if self.approx is not None else approximate(self.source)


class Deliverable(_Record):
    """What the text commits a point to produce: a document (文件) or a milestone (里程碑) with its date."""

    __slots__ = ()

    title: str
    kind: str = "文件"  # 文件, 里程碑, document or milestone
    due: date | None = None  # default: the point's due date
    department: str | None = None  # default: the point's lead departments
    co_departments: list[str] = []

    @property
    def code(self) -> str:
        return KINDS[self.kind]


class Checkpoint(_Record):
    """A 节点: the progress due by a day."""

    __slots__ = ()

    date: date
    progress: int


class Point(_Record):
    __slots__ = ()

    number: int
    section: int
    title: str
    text: str
    leads: list[Lead]
    start: date | None = None  # default: the plan's start
    due: date | None = None  # default: the plan's end
    checkpoints: list[Checkpoint] = []
    co_departments: list[str] = []
    deliverables: list[str | Deliverable] = []  # each becomes a task; a bare name is a document
    targets: list[Target] = []

    @property
    def items(self) -> list[Deliverable]:
        return [d if isinstance(d, Deliverable) else Deliverable(d) for d in self.deliverables]

    def plan_problems(self, start: date, end: date) -> list[tuple[tuple, str]]:
        """Dates that do not fit the plan (start..end) or the point's own span: (field path, message)."""
        problems: list[tuple[tuple, str]] = []
        first, last = self.start or start, self.due or end
        if self.start is not None and not start <= self.start <= end:
            problems.append((("start",), f"{self.start} 不在计划的起止日期（{start} 至 {end}）之内"))
        previous: Checkpoint | None = None
        for i, node in enumerate(self.checkpoints):
            if not first < node.date < last:
                problems.append((("checkpoints", i, "date"), f"{node.date} 应在要点的开始日期 {first} 和截止日期 {last} 之间"))
            elif previous is not None and node.date <= previous.date:
                problems.append((("checkpoints", i, "date"), f"{node.date} 应晚于前一个节点（{previous.date}）"))
            elif previous is not None and node.progress < previous.progress:
                problems.append((("checkpoints", i, "progress"),
                                 f"{node.progress} 小于前一个节点的进度（{previous.progress}），节点的进度不能减少"))
            previous = node
        for i, item in enumerate(self.deliverables):
            if isinstance(item, Deliverable) and item.due is not None and not first <= item.due <= last:
                problems.append((("deliverables", i, "due"), f"{item.due} 应在要点的开始日期 {first} 和截止日期 {last} 之间"))
        return problems


class Section(_Record):
    __slots__ = ()

    number: int
    title: str


class Plan(_Record):
    __slots__ = ()

    title: str
    issued: date
    year: int
    document: str | None = None
    key: str | None = None  # tells apart two plans of one year (e.g. 2023-autumn); default: the year
    start: date | None = None  # default: issued
    end: date | None = None  # default: 31 December of `year`

    @property
    def plan_key(self) -> str:
        return self.key or str(self.year)

    @property
    def start_date(self) -> date:
        return self.start or self.issued

    @property
    def end_date(self) -> date:
        return self.end or date(self.year, 12, 31)
