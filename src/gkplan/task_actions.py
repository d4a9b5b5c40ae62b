"""Changes to tasks and targets (gkplan task …, gkplan target …): check what the user asked for, write through ledger.

Separate from actions.py (a point's report and the supervision loop's rules, which a task's report goes through
too) because `update` and `undo` need none of this: only the task and target commands, and what reports on tasks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gkplan.actions import Report, _changed, _checked, _loop, _on, clean_note, task_due_within
from gkplan.author import now, who
from gkplan.co_depts import apply_co, owners_of, parse_co
from gkplan.errors import InvalidValue, NotFound
from gkplan.ledger import Ledger
from gkplan.values import INVISIBLE


def add_task(
    ledger: Ledger,
    point_id: int,
    title: str,
    *,
    due: date | None,
    owner: str | None,
    dept: str | None,
    deliverable: str | None,
    weight: str | None,
    by: str | None,
    day: date,
    co: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": clean_text(title, "任务名称", 200)}
    if due is not None:
        fields["due"] = due.isoformat()
        task_due_within(ledger, point_id, fields["due"], f"第 {point_id} 项的新任务")
    if owner is not None:
        fields["owner"] = clean_text(owner, "--owner", 100)
    if dept is not None:
        from gkplan.filters import resolve_department

        fields["dept"] = resolve_department(ledger, dept)
    if deliverable is not None:
        fields["deliverable"] = clean_text(deliverable, "--deliverable", 200)
    fields["weight"] = parse_weight(weight) if weight is not None else 1
    edits = parse_co(ledger, co)
    if edits:
        owners = [fields["dept"]] if "dept" in fields else ledger.point(point_id)["departments"]
        fields["co"] = apply_co(None, edits, owners, f"第 {point_id} 项的新任务")
    return ledger.add_task(point_id, fields, by=who(by), effective=_on(ledger, day), at=now())


def update_task(
    ledger: Ledger, point_id: int, seq: int, report: Report, *, owner: str | None, weight: str | None, by: str | None,
    day: date, source: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    checked, author, when = _checked(report), who(by), _on(ledger, day)
    new_owner = clean_text(owner, "--owner", 100) if owner is not None else None
    new_weight = parse_weight(weight) if weight is not None else None
    co = parse_co(ledger, report.co)
    task_due_within(ledger, point_id, checked["due"], f"任务 {point_id}.{seq} ")
    # a task without a department of its own is its point's: those leads cannot co-operate on it
    leads = ledger.point(point_id)["departments"] if co else []

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        wanted = _loop(current, checked, when, f"任务 {point_id}.{seq} ", not ledger.office)
        if co:
            wanted["co"] = apply_co(current["co"], co, owners_of(current) or leads, f"任务 {point_id}.{seq} ")
        if new_owner is not None:
            wanted["owner"] = new_owner
        if new_weight is not None:
            wanted["weight"] = new_weight
        return wanted

    entry = ledger.change("task", (point_id, seq), decide, note=checked["note"], by=author, effective=when, at=now(),
                          source=source)  # fmt: skip
    return _changed(entry, f"任务 {point_id}.{seq}")


def remove_task(ledger: Ledger, point_id: int, seq: int, *, by: str | None, day: date) -> dict[str, Any]:
    return ledger.remove_task(point_id, seq, by=who(by), effective=_on(ledger, day), at=now())


def set_target(
    ledger: Ledger, point_id: int, metric: str, *, actual: str, as_of: date, note: str | None, by: str | None, day: date
) -> dict[str, Any]:
    from gkplan.filters import resolve_name

    text, author = clean_note(note), who(by)
    ledger.point(point_id)  # an unknown point is named as such
    units = {t["metric"]: t["unit"] for t in ledger.targets(point=point_id)}
    if not units:
        raise NotFound(f"第 {point_id} 项没有量化指标")
    exact = resolve_name(metric, list(units), "指标")
    value = parse_number(actual, units[exact])

    if as_of > day:
        raise InvalidValue(f"--as-of（统计日期）{as_of.isoformat()} 晚于这条记录的日期 {day.isoformat()}；统计日期不能在将来")

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        return {"actual": value, "actual_as_of": as_of.isoformat()}

    entry = ledger.change("target", (point_id, exact), decide, note=text, by=author, effective=_on(ledger, day), at=now())
    return _changed(entry, f"第 {point_id} 项指标“{exact}”")


# -- value checks --------------------------------------------------------------------------------


def clean_text(text: str, what: str, limit: int) -> str:
    value = text.translate(INVISIBLE).strip()
    if not value:
        raise InvalidValue(f"{what}不能为空")
    if len(value) > limit:
        raise InvalidValue(f"{what}过长（{len(value)} 字），最多 {limit} 字")
    if not value.isprintable():
        raise InvalidValue(f"{what}含有控制字符")
    return value


def parse_weight(text: str) -> int:
    s = text.strip()
    if not (s.isascii() and s.isdigit()) or not 1 <= int(s[:6]) <= 1000:
        raise InvalidValue(f"--weight 应为 1–1000 的整数，收到：{text!r}")
    return int(s)


def parse_number(text: str, unit: str | None = None) -> int | float:
    """'1600000', '160万', '1,600,000', '1.5亿', '85%' → a number in base units; with the target's `unit` after
    it too, as `target list` shows a value ('1500万元', '15门')."""
    import unicodedata

    s = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("，", "")
    if unit and s.endswith(unicodedata.normalize("NFKC", unit)):
        s = s[: -len(unicodedata.normalize("NFKC", unit))].strip()
    scale = 1
    for suffix, factor in (("亿", 100_000_000), ("万", 10_000), ("千", 1000), ("%", 1)):
        if s.endswith(suffix):
            s, scale = s[: -len(suffix)].strip(), factor
            break
    try:
        value = float(s) * scale
    except ValueError:
        raise InvalidValue(f"应为数值，如 1600000、160万，收到：{text!r}") from None
    if not (0 <= value < 1e15):
        raise InvalidValue(f"数值超出范围：{text!r}")
    return int(value) if value.is_integer() else round(value, 4)
