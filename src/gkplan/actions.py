"""Changes to the ledger: check what the user asked for, apply the ledger's rules, write through ledger."""

from __future__ import annotations

import getpass
import os
from datetime import date, datetime
from typing import Any

from gkplan.errors import Conflict, InvalidValue, NotFound
from gkplan.ledger import Ledger
from gkplan.values import parse_progress, parse_status, reconcile

MAX_NOTE = 5000


def who(by: str | None) -> str:
    """--by, else $GKPLAN_USER, else the login name."""
    name = by if by is not None else os.environ.get("GKPLAN_USER") or _login()
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise InvalidValue(f"记录人姓名无效：{name!r}")
    return name


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "unknown"


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    text = note.strip()
    if not text:
        raise InvalidValue("--note 不能为空")
    if len(text) > MAX_NOTE:
        raise InvalidValue(f"--note 过长（{len(text)} 字），最多 {MAX_NOTE} 字")
    if any(not ch.isprintable() and ch not in "\n\t" for ch in text):
        raise InvalidValue("--note 含有控制字符")
    return text


def update_point(
    ledger: Ledger,
    point_id: int,
    *,
    progress: str | None,
    status: str | None,
    note: str | None,
    due: date | None,
    by: str | None,
    day: date,
) -> dict[str, Any]:
    """Every value is checked before the ledger is touched; the write is one transaction."""
    new_progress = parse_progress(progress) if progress is not None else None
    new_status = parse_status(status) if status is not None else None
    text, author = clean_note(note), who(by)

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        if current["follows_tasks"] and (new_progress is not None or new_status == "done"):
            raise Conflict(
                f"第 {point_id} 项有 {current['tasks']} 个任务，进度由任务按权重计算，不能直接修改；"
                f"请更新任务：gkplan task update {point_id}.N --progress …"
            )
        return _progress_and_status(current, new_progress, new_status) | _due(due)

    entry = ledger.change("point", (point_id,), decide, note=text, by=author, effective=_on(ledger, day), at=now())
    return _changed(entry, f"第 {point_id} 项")


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
) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": clean_text(title, "任务名称", 200)}
    if due is not None:
        fields["due"] = due.isoformat()
    if owner is not None:
        fields["owner"] = clean_text(owner, "--owner", 100)
    if dept is not None:
        from gkplan.reports import resolve_name

        fields["dept"] = resolve_name(dept, [n["name"] for n in ledger.names("department")], "部门")
    if deliverable is not None:
        fields["deliverable"] = clean_text(deliverable, "--deliverable", 200)
    fields["weight"] = parse_weight(weight) if weight is not None else 1
    return ledger.add_task(point_id, fields, by=who(by), effective=_on(ledger, day), at=now())


def update_task(
    ledger: Ledger,
    point_id: int,
    seq: int,
    *,
    progress: str | None,
    status: str | None,
    note: str | None,
    due: date | None,
    owner: str | None,
    weight: str | None,
    by: str | None,
    day: date,
) -> dict[str, Any]:
    new_progress = parse_progress(progress) if progress is not None else None
    new_status = parse_status(status) if status is not None else None
    text, author = clean_note(note), who(by)
    new_owner = clean_text(owner, "--owner", 100) if owner is not None else None
    new_weight = parse_weight(weight) if weight is not None else None

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        wanted = _progress_and_status(current, new_progress, new_status) | _due(due)
        if new_owner is not None:
            wanted["owner"] = new_owner
        if new_weight is not None:
            wanted["weight"] = new_weight
        return wanted

    entry = ledger.change("task", (point_id, seq), decide, note=text, by=author, effective=_on(ledger, day), at=now())
    return _changed(entry, f"任务 {point_id}.{seq}")


def remove_task(ledger: Ledger, point_id: int, seq: int, *, by: str | None, day: date) -> dict[str, Any]:
    return ledger.remove_task(point_id, seq, by=who(by), effective=_on(ledger, day), at=now())


def set_target(
    ledger: Ledger, point_id: int, metric: str, *, actual: str, as_of: date, note: str | None, by: str | None, day: date
) -> dict[str, Any]:
    from gkplan.reports import resolve_name

    value = parse_number(actual)
    text, author = clean_note(note), who(by)
    ledger.point(point_id)  # an unknown point is named as such
    known = [t["metric"] for t in ledger.targets(point=point_id)]
    if not known:
        raise NotFound(f"第 {point_id} 项没有量化指标")
    exact = resolve_name(metric, known, "指标")

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        return {"actual": value, "actual_as_of": as_of.isoformat()}

    entry = ledger.change("target", (point_id, exact), decide, note=text, by=author, effective=_on(ledger, day), at=now())
    return _changed(entry, f"第 {point_id} 项指标“{exact}”")


def undo(ledger: Ledger, *, by: str | None, number: int | None = None, force: bool = False) -> dict[str, Any]:
    """The caller's own latest change (or record `number`), with what it caused."""
    author = who(by)
    entry = ledger.undo(by=author, at=now(), number=number, force=force)
    if entry is None:
        raise Conflict(f"{author} 没有可以撤销的修改（只撤销自己的修改；撤销别人的请写 gkplan undo 记录号）")
    return entry


def _on(ledger: Ledger, day: date) -> str:
    """The effective day of a change: not before the plan it reports on began."""
    plan = ledger.plan()
    if day.isoformat() < plan["start"]:
        raise InvalidValue(f"--date {day.isoformat()} 早于计划“{plan['key']}”的开始日期 {plan['start']}")
    return day.isoformat()


# -- value checks --------------------------------------------------------------------------------


def _progress_and_status(current: dict[str, Any], progress: int | None, status: str | None) -> dict[str, Any]:
    value, state = reconcile(current["progress"], current["status"], progress, status)
    return {"progress": value, "status": state}


def _due(due: date | None) -> dict[str, Any]:
    return {"due": due.isoformat()} if due is not None else {}


def _changed(entry: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if entry is None:
        raise InvalidValue(f"{what}没有变化：给出的值与当前值相同")
    return entry


def clean_text(text: str, what: str, limit: int) -> str:
    value = text.strip()
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


def parse_number(text: str) -> int | float:
    """'1600000', '160万', '1,600,000', '1.5亿', '85%' → a number in base units."""
    import unicodedata

    s = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("，", "")
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
