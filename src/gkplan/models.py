"""The seed's shape, as pydantic models. Only seed.py imports this module (pydantic is costly to import)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lead(_Model):
    """One owner line: a school leader, the lead department(s), and what part of the point they own."""

    leader: Name | None = None
    departments: list[Name] = Field(default_factory=list)
    scope: Name | None = None
    note: Name | None = None  # wording kept when no single leader is named (校领导按分工牵头推进)

    @model_validator(mode="after")
    def _someone_owns_it(self) -> Lead:
        if self.leader is None and self.note is None:
            raise ValueError("须有 leader（校领导）或 note（分工说明）")
        if len(set(self.departments)) != len(self.departments):
            raise ValueError("departments 中有重复的部门")
        return self


Number = Annotated[int | float, Field(ge=0, le=1e15)]


class Target(_Model):
    """A quantitative target the text sets, in base units (160万人 → 1600000 人)."""

    metric: Name
    unit: Name
    min: Number
    max: Number | None = None  # None: no upper bound (以上)
    due: date | None = None  # only when the text gives one (年底前, 三年)
    source: Name | None = None  # the words of the text that set it

    @model_validator(mode="after")
    def _ordered(self) -> Target:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max（{self.max}）小于 min（{self.min}）")
        return self


class Point(_Model):
    number: int = Field(ge=1, le=10_000_000)  # seed.MAX_NUMBER
    section: int = Field(ge=1)
    title: Name
    text: Text
    leads: list[Lead] = Field(min_length=1)
    due: date | None = None  # default: the plan's end
    deliverables: list[Name] = Field(default_factory=list)  # documents the point will produce: each becomes a task
    targets: list[Target] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Point:
        if len(set(self.deliverables)) != len(self.deliverables):
            raise ValueError("deliverables 中有重复的文件名")
        metrics = [t.metric for t in self.targets]
        if len(set(metrics)) != len(metrics):
            raise ValueError("targets 中有重复的 metric")
        return self


class Section(_Model):
    number: int = Field(ge=1)
    title: Name


class Plan(_Model):
    title: Name
    document: Name | None = None
    issued: date
    year: int = Field(ge=1900, le=9999)
    start: date | None = None  # default: issued
    end: date | None = None  # default: 31 December of `year`

    @property
    def start_date(self) -> date:
        return self.start or self.issued

    @property
    def end_date(self) -> date:
        return self.end or date(self.year, 12, 31)
