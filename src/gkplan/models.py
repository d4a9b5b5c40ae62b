"""The seed's shape, as pydantic models. Only seed.py imports this module (pydantic is costly to import)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag, model_validator

# Invisible characters reach terminals raw (escape sequences), reorder what is shown (bidi overrides
# and isolates: "Trojan Source") and make openpyxl refuse the export, so no seed text may hold them:
# C0 controls, DEL, C1 controls, U+202A–U+202E, U+2066–U+2069. The long text keeps tab and newline.
# (seed._unseen names the character when a pattern does not match.)
_UNSEEN = "\x7f-\x9f\u202a-\u202e\u2066-\u2069"
NAME_PATTERN = f"^[^\x00-\x1f{_UNSEEN}]+$"
TEXT_PATTERN = f"^[^\x00-\x08\x0b-\x1f{_UNSEEN}]+$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NAME_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000, pattern=TEXT_PATTERN)]
# Bounds keep every value inside what SQLite and the date functions take (an id ≥ 2^63 overflows SQLite).
Id = Annotated[int, Field(ge=1, le=10_000_000)]  # seed.MAX_NUMBER
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]  # as dates.py accepts
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


def _key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise ValueError("应为 1–40 个英文字母、数字、- 或 _，并以字母或数字开头")
    return value


Key = Annotated[str, AfterValidator(_key)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lead(_Model):
    """One owner line: a school leader, the lead department(s), and what part of the point they own."""

    leader: Name | None = None
    departments: list[Name] = Field(default_factory=list, max_length=100)
    scope: Name | None = None
    note: Name | None = None  # wording kept when no single leader is named (校领导按分工牵头推进)

    @model_validator(mode="after")
    def _someone_owns_it(self) -> Lead:
        if self.leader is None and self.note is None:
            raise ValueError("须有 leader（校领导）或 note（分工说明）")
        if len(set(self.departments)) != len(self.departments):
            raise ValueError("departments 中有重复的部门")
        return self


Number = Annotated[int | float, Field(ge=0, le=1e15, allow_inf_nan=False)]


class Target(_Model):
    """A quantitative target the text sets, in base units (160万人 → 1600000 人)."""

    metric: Name
    unit: Name
    min: Number
    max: Number | None = None  # None: no upper bound (以上)
    due: Day | None = None  # only when the text gives one (年底前, 三年)
    source: Name | None = None  # the words of the text that set it
    # a 约数 (160万人左右): met within the configured band around min–max; left out, the words decide
    approx: bool | None = None

    @property
    def about(self) -> bool:
        """Whether the target is a 约数 (rules.approximate when the seed does not say)."""
        from gkplan.rules import approximate

        return self.approx if self.approx is not None else approximate(self.source)

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max（{self.max}）小于 min（{self.min}）")
        return self


# a deliverable's kind as the seed may write it (Chinese or the JSON code) → the tasks.kind code
KINDS = {"文件": "document", "document": "document", "里程碑": "milestone", "milestone": "milestone"}


def _unique_names(names: list[str], field: str) -> None:
    if len(set(names)) != len(names):
        raise ValueError(f"{field} 中有重复的部门")


class Deliverable(_Model):
    """What the text commits a point to produce: a document (文件) or a milestone (里程碑) with its date."""

    title: Name
    kind: Literal["文件", "里程碑", "document", "milestone"] = "文件"
    due: Day | None = None  # default: the point's due date
    department: Name | None = None  # default: the point's lead departments
    co_departments: list[Name] = Field(default_factory=list, max_length=100)

    @property
    def code(self) -> str:
        return KINDS[self.kind]

    @model_validator(mode="after")
    def _distinct(self) -> Deliverable:
        _unique_names(self.co_departments, "co_departments")
        if self.department is not None and self.department in self.co_departments:
            raise ValueError(f"部门“{self.department}”既是负责部门又是协办部门")
        return self


# a deliverable is a name or a mapping; the tags keep pydantic from reporting both branches' errors
# (seed._report leaves the tags out of a field's path)
Item = Annotated[Annotated[Name, Tag("str")] | Annotated[Deliverable, Tag("object")],
                 Discriminator(lambda v: "object" if isinstance(v, dict) else "str")]


class Checkpoint(_Model):
    """A 节点: the progress due by a day."""

    date: Day
    progress: int = Field(ge=0, le=100)


class Point(_Model):
    number: Id
    section: Id
    title: Name
    text: Text
    leads: list[Lead] = Field(min_length=1, max_length=100)
    start: Day | None = None  # default: the plan's start
    due: Day | None = None  # default: the plan's end
    checkpoints: list[Checkpoint] = Field(default_factory=list, max_length=1000)
    co_departments: list[Name] = Field(default_factory=list, max_length=100)
    # each becomes a task; a bare name is a document
    deliverables: list[Item] = Field(default_factory=list, max_length=1000)
    targets: list[Target] = Field(default_factory=list, max_length=1000)

    @property
    def items(self) -> list[Deliverable]:
        return [d if isinstance(d, Deliverable) else Deliverable(title=d) for d in self.deliverables]

    @model_validator(mode="after")
    def _unique(self) -> Point:
        if not (self.deliverables or self.targets or self.co_departments or self.start):
            return self  # most points of a big seed: nothing to compare (this runs once per point)
        titles = [d if isinstance(d, str) else d.title for d in self.deliverables]
        if len(set(titles)) != len(titles):
            raise ValueError("deliverables 中有重复的文件名")
        metrics = [t.metric for t in self.targets]
        if len(set(metrics)) != len(metrics):
            raise ValueError("targets 中有重复的 metric")
        _unique_names(self.co_departments, "co_departments")
        leads = {name for lead in self.leads for name in lead.departments}
        both = [name for name in self.co_departments if name in leads]
        if both:
            raise ValueError(f"部门“{both[0]}”已是牵头部门，不能同时是协办部门")
        if self.start is not None and self.due is not None and self.start >= self.due:
            raise ValueError(f"start（{self.start}）应早于 due（{self.due}）")
        return self

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


class Section(_Model):
    number: Id
    title: Name


class Plan(_Model):
    title: Name
    document: Name | None = None
    issued: Day
    year: int = Field(ge=1900, le=2999)
    key: Key | None = None  # tells apart two plans of one year (e.g. 2023-autumn); default: the year
    start: Day | None = None  # default: issued
    end: Day | None = None  # default: 31 December of `year`

    @property
    def plan_key(self) -> str:
        return self.key or str(self.year)

    @property
    def start_date(self) -> date:
        return self.start or self.issued

    @property
    def end_date(self) -> date:
        return self.end or date(self.year, 12, 31)
