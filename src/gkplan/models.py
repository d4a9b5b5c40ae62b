"""The seed's shape, as pydantic models. Only seed.py imports this module (pydantic is costly to import)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

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

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max（{self.max}）小于 min（{self.min}）")
        return self


class Point(_Model):
    number: Id
    section: Id
    title: Name
    text: Text
    leads: list[Lead] = Field(min_length=1, max_length=100)
    due: Day | None = None  # default: the plan's end
    deliverables: list[Name] = Field(default_factory=list, max_length=1000)  # each becomes a task
    targets: list[Target] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _unique(self) -> Point:
        if len(set(self.deliverables)) != len(self.deliverables):
            raise ValueError("deliverables 中有重复的文件名")
        metrics = [t.metric for t in self.targets]
        if len(set(metrics)) != len(metrics):
            raise ValueError("targets 中有重复的 metric")
        return self


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
