"""Seed records (plan, sections, points) checked by hand and built into seed_model's tuples.

`plan(raw)`, `section(raw)` and `point(raw)` return the record or raise `Invalid` with every problem
found in it: each field is checked (unknown keys and missing ones too), then, when its fields are all
right, the rules across a record's fields (someone owns it, no duplicates, max ≥ min, start < due).
A problem is a dict — `type` (seed_messages.MESSAGES' key), `loc` (the path inside the record), `input`,
`ctx`, `msg` — the shape seed.SeedSource._report reads. Values are converted as seed_values.py says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gkplan.seed_fast import point as _fast
from gkplan.seed_model import Checkpoint, Deliverable, Lead, Plan, Point, Section, Target
from gkplan.seed_values import Bad, boolean, bounded, day, integer, key, name, real


class Invalid(Exception):
    """A record with problems; `errors()` lists them."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


_BAD = object()  # a field or record that had problems (they are in `errs`)
Errors = list[dict[str, Any]]


def _err(errs: Errors, kind: str, loc: tuple, value: Any, ctx: dict[str, Any] | None = None, msg: str = "") -> None:
    errs.append({"type": kind, "loc": loc, "input": value, "ctx": ctx or {}, "msg": msg})


def _bad(errs: Errors, exc: Bad, loc: tuple, value: Any) -> object:
    _err(errs, exc.kind, loc, value, exc.ctx, exc.msg)
    return _BAD


# each check: (value, loc, errs) → the converted value, or _BAD with its problems added to errs
Check = Callable[[Any, tuple, Errors], Any]


def _scalar(convert: Callable[[Any], Any]) -> Check:
    def check(value: Any, loc: tuple, errs: Errors) -> Any:
        try:
            return convert(value)
        except Bad as exc:
            return _bad(errs, exc, loc, value)

    return check


def _id(value: Any) -> int:
    return bounded(integer(value), 1, 10_000_000)  # seed.MAX_NUMBER


_name = _scalar(name)
_text = _scalar(lambda v: name(v, True))
_day = _scalar(day)
_ident = _scalar(_id)
_year = _scalar(lambda v: bounded(integer(v), 1900, 2999))
_progress = _scalar(lambda v: bounded(integer(v), 0, 100))
_key = _scalar(key)
_bool = _scalar(boolean)
_EXPECTED = "'文件', '里程碑', 'document' or 'milestone'"


def _kind(value: Any, loc: tuple, errs: Errors) -> Any:
    if type(value) is str and value in ("文件", "里程碑", "document", "milestone"):
        return value
    _err(errs, "literal_error", loc, value, {"expected": _EXPECTED}, f"Input should be {_EXPECTED}")
    return _BAD


def _number(value: Any, loc: tuple, errs: Errors) -> Any:
    """An int or a float (kept as given), 0–10¹⁵; text is read as an int if it can be, else as a float."""
    kind = type(value)
    if kind is int or kind is float:
        n = value
    else:
        try:
            n = integer(value)
        except Bad as first:
            try:
                n = real(value)
            except Bad as second:
                _bad(errs, first, (*loc, "int"), value)  # (seed._report reports the float branch's only when it differs)
                return _bad(errs, second, (*loc, "float"), value)
    try:
        return bounded(n, 0, 1e15)
    except Bad as exc:
        return _bad(errs, exc, loc, value)


def _list(item: Check, longest: int, shortest: int = 0) -> Check:
    def check(value: Any, loc: tuple, errs: Errors) -> Any:
        if type(value) is not list:
            if not isinstance(value, list | tuple | set | frozenset):
                _err(errs, "list_type", loc, value)
                return _BAD
            value = list(value)
        if len(value) > longest:
            _err(errs, "too_long", loc, value, {"max_length": longest})
            return _BAD
        out = [item(v, (*loc, i), errs) for i, v in enumerate(value)]
        if _BAD in out:
            return _BAD
        if len(out) < shortest:
            _err(errs, "too_short", loc, value, {"min_length": shortest})
            return _BAD
        return out

    return check


_names = _list(_name, 100)
_REQUIRED = object()


def _record(fields: dict[str, tuple[Check, Any]], build: Callable[..., Any],
            rule: Callable[[Any], str | None] | None = None) -> Check:  # fmt: skip
    """A mapping with exactly these fields (name → its check and default: _REQUIRED, None, or list for an
    empty list; a None value is allowed where the default is None), built and then held to `rule`."""
    names = frozenset(fields)

    def check(value: Any, loc: tuple, errs: Errors) -> Any:
        if type(value) is not dict:
            _err(errs, "model_type", loc, value)
            return _BAD
        values: dict[str, Any] = {}
        bad = False
        for field, (test, default) in fields.items():
            v = value.get(field, _REQUIRED)
            if v is _REQUIRED:
                if default is _REQUIRED:
                    _err(errs, "missing", (*loc, field), value)
                    bad = True
                elif default is list:
                    values[field] = []
                continue
            if v is None and default is None:
                continue
            v = test(v, (*loc, field), errs)
            if v is _BAD:
                bad = True
            else:
                values[field] = v
        if not value.keys() <= names:
            bad = True
            for k in value:
                if type(k) is not str:
                    where = int(k) if isinstance(k, int) and -(2**63) <= k < 2**63 else repr(k)
                    _err(errs, "invalid_key", (*loc, where), k, msg="Keys should be strings")
                elif k not in names:
                    _err(errs, "extra_forbidden", (*loc, k), value[k])
        if bad:
            return _BAD
        record = build(**values)
        if rule is not None and (problem := rule(record)) is not None:
            _err(errs, "value_error", loc, value, {"error": problem})
            return _BAD
        return record

    return check


def _duplicates(names: list[str], field: str) -> str | None:
    return f"{field} 中有重复的部门" if len(set(names)) != len(names) else None


def _lead_rule(lead: Lead) -> str | None:
    if lead.leader is None and lead.note is None:
        return "须有 leader（校领导）或 note（分工说明）"
    return _duplicates(lead.departments, "departments")


def _target_rule(target: Target) -> str | None:
    if target.max is not None and target.max < target.min:
        return f"max（{target.max}）小于 min（{target.min}）"
    return None


def _deliverable_rule(item: Deliverable) -> str | None:
    if problem := _duplicates(item.co_departments, "co_departments"):
        return problem
    if item.department is not None and item.department in item.co_departments:
        return f"部门“{item.department}”既是负责部门又是协办部门"
    return None


def _point_rule(point: Point) -> str | None:
    if not (point.deliverables or point.targets or point.co_departments or point.start):
        return None  # most points of a big seed: nothing to compare
    titles = [d if isinstance(d, str) else d.title for d in point.deliverables]
    if len(set(titles)) != len(titles):
        return "deliverables 中有重复的文件名"
    metrics = [t.metric for t in point.targets]
    if len(set(metrics)) != len(metrics):
        return "targets 中有重复的 metric"
    if problem := _duplicates(point.co_departments, "co_departments"):
        return problem
    leads = {name for lead in point.leads for name in lead.departments}
    both = [name for name in point.co_departments if name in leads]
    if both:
        return f"部门“{both[0]}”已是牵头部门，不能同时是协办部门"
    if point.start is not None and point.due is not None and point.start >= point.due:
        return f"start（{point.start}）应早于 due（{point.due}）"
    return None


_lead = _record({"leader": (_name, None), "departments": (_names, list), "scope": (_name, None), "note": (_name, None)},
                Lead, _lead_rule)  # fmt: skip
_target = _record({"metric": (_name, _REQUIRED), "unit": (_name, _REQUIRED), "min": (_number, _REQUIRED),
                   "max": (_number, None), "due": (_day, None), "source": (_name, None), "approx": (_bool, None)},
                  Target, _target_rule)  # fmt: skip
_deliverable = _record({"title": (_name, _REQUIRED), "kind": (_kind, "文件"), "due": (_day, None),
                        "department": (_name, None), "co_departments": (_names, list)}, Deliverable, _deliverable_rule)  # fmt: skip


def _item(value: Any, loc: tuple, errs: Errors) -> Any:
    """A deliverable: a mapping, or else a bare name (a document)."""
    return _deliverable(value, loc, errs) if isinstance(value, dict) else _name(value, loc, errs)


_checkpoint = _record({"date": (_day, _REQUIRED), "progress": (_progress, _REQUIRED)}, Checkpoint)
_point = _record({
    "number": (_ident, _REQUIRED), "section": (_ident, _REQUIRED), "title": (_name, _REQUIRED), "text": (_text, _REQUIRED),
    "leads": (_list(_lead, 100, 1), _REQUIRED), "start": (_day, None), "due": (_day, None),
    "checkpoints": (_list(_checkpoint, 1000), list), "co_departments": (_names, list),
    "deliverables": (_list(_item, 1000), list), "targets": (_list(_target, 1000), list),
}, Point, _point_rule)  # fmt: skip
_section = _record({"number": (_ident, _REQUIRED), "title": (_name, _REQUIRED)}, Section)
_plan = _record({"title": (_name, _REQUIRED), "document": (_name, None), "issued": (_day, _REQUIRED),
                 "year": (_year, _REQUIRED), "key": (_key, None), "start": (_day, None), "end": (_day, None)}, Plan)  # fmt: skip


def _checked(check: Check) -> Callable[[Any], Any]:
    def validate(raw: Any) -> Any:
        errs: Errors = []
        record = check(raw, (), errs)
        if record is _BAD:
            raise Invalid(errs)
        return record

    return validate


plan = _checked(_plan)
section = _checked(_section)
_full_point = _checked(_point)


def point(raw: Any) -> Point:
    """A point: the common kind in one pass (seed_fast.py), anything else through the full checker."""
    checked = _fast(raw)
    return _full_point(raw) if checked is None else checked
