"""The supervision office's own actions: 审核 (销号 or 退办) of a 办结 report, declaring a point's task
list complete, and a point's checkpoints (节点). Each is one history entry, undoable like any other."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from gkplan.actions import _on, clean_note
from gkplan.author import now, who
from gkplan.errors import Conflict, InvalidValue
from gkplan.ledger import Ledger
from gkplan.values import parse_progress


def parse_item(text: str) -> tuple[int, int | None]:
    """'17' → (17, None); '17.2' → (17, 2)."""
    s = text.strip()
    head, _, tail = s.partition(".")
    if not (head.isascii() and head.isdigit()) or (tail and not (tail.isascii() and tail.isdigit())) or len(s) > 20:
        raise InvalidValue(f"应为要点编号（如 17）或任务编号（如 17.2），收到：{text!r}")
    return int(head), int(tail) if tail else None


def review(
    ledger: Ledger, item: str, *, accept: bool, note: str | None, override: str | None, progress: str | None,
    by: str | None, day: date,
) -> dict[str, Any]:  # fmt: skip
    """销号 (accept: 已完成) or 退办 (return: back to 进行中 with the reason) an item waiting for review."""
    if not ledger.office:
        from gkplan.errors import Forbidden

        raise Forbidden("销号和退办由督查办审核；部门报办结请用 gkplan update … --status 已完成 --evidence 佐证")
    point, seq = parse_item(item)
    entity, key = ("point", (point,)) if seq is None else ("task", (point, seq))
    what = f"第 {point} 项" if seq is None else f"任务 {point}.{seq}"
    reason, why = clean_note(note), clean_note(override, "--override")
    back = parse_progress(progress) if progress is not None else None
    if accept and back is not None:
        raise InvalidValue("--progress 只用于退办（--return）")
    if not accept and not reason:
        raise InvalidValue(f"退办{what}须写明原因：请加 --note")
    if back is not None and back >= 100:
        raise InvalidValue("退办后的进度应低于 100")
    author, when = who(by), _on(ledger, day)
    blockers = _blockers(ledger, point, day) if accept and seq is None else []

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        if current["status"] != "pending_review":
            raise Conflict(f"{what}不在待销号状态（现为{_label(current['status'])}）；报办结后才能审核")
        if accept:
            if blockers and not why:
                raise Conflict(f"{what}不能销号：{'；'.join(blockers)}；确需销号请加 --override 理由")
            return {"status": "done"}
        before = ledger.progress_before_closing(entity, key, when)
        return {"status": "in_progress", "progress": back if back is not None else before, "closed": None}

    text = "；".join(t for t in (reason, f"特批：{why}" if why and blockers else None) if t) or None
    # (销号's opinion stays in the history: the department's last report is the 进展 published; a 退办's reason
    # is the 进展 until the department reports again, for it to see where it works: sheet, list, show)
    entry = ledger.change(entity, key, decide, note=text, by=author, effective=when, at=now(), action="review",
                          reported=not accept)  # fmt: skip
    assert entry is not None  # the status always changes
    return entry


def decide_extension(ledger: Ledger, item: str, *, accept: bool, note: str | None, by: str | None, day: date) -> dict[str, Any]:
    """The office's answer to a department's 延期 request (review --accept-extension / --reject-extension): the
    due date moves as asked, with the department's reason and the first due date kept, or stays; either way
    an entry that names the request it answers (changes["request"]: [its record number, accepted/rejected])."""
    from gkplan.actions import _loop, task_due_within, tasks_due_by
    from gkplan.errors import Forbidden

    point, seq = parse_item(item)
    entity, key = ("point", (point,)) if seq is None else ("task", (point, seq))
    what = f"第 {point} 项" if seq is None else f"任务 {point}.{seq}"
    if not ledger.office:
        raise Forbidden(f"只有督查办可以审批延期申请（{what}）")
    pending = ledger.pending_request(entity, key)
    if pending is None:
        how = f"update {point}" if seq is None else f"task update {point}.{seq}"
        raise Conflict(f"{what}没有待审批的延期申请；部门用 gkplan {how} --due 日期 --reason 理由 申请")
    asked, text, when = pending["changes"]["request"][1], clean_note(note), _on(ledger, day)
    if accept and seq is None:
        tasks_due_by(ledger, point, asked["due"])  # (a request for an earlier day: the tasks moved on since)
    elif accept:
        task_due_within(ledger, point, asked["due"], what)  # (the point's due date may have moved since)

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        current["request"] = pending["id"]  # the entry's change reads [the request's number, the answer]
        if not accept:
            return {"request": "rejected"}
        report = dict.fromkeys(("progress", "status", "note", "problem", "next", "evidence")) | asked
        if current["due"] is None or asked["due"] <= current["due"]:  # the due date moved past the request since
            report["reason"] = None  # not a 延期 any more: the reason would be refused (--reason is for 延期 only)
        return _loop(current, report, when, what) | {"request": "accepted"}

    entry = ledger.change(entity, key, decide, note=text, by=who(by), effective=when, at=now(), action="review",
                          reported=False)  # fmt: skip
    assert entry is not None  # the request's answer is always a change
    return entry


def _blockers(ledger: Ledger, point: int, day: date) -> list[str]:
    """Why a point cannot be accepted yet: a task not 销号, a target below its lower bound (no actual counts;
    a 约数's band applies, as in its light: targets.below)."""
    from gkplan.reports import frame
    from gkplan.targets import below

    fr = frame(ledger, day)
    tasks = [t["id"] for t in ledger.tasks(_ids(point), clock=fr.clock) if t["status"] != "done"]
    low = below(ledger, fr, point)
    return ([f"任务 {'、'.join(tasks)} 尚未销号"] if tasks else []) + ([f"指标“{'、'.join(low)}”未达下限"] if low else [])


def _ids(point: int) -> Any:
    from gkplan.ledger import PointQuery

    return PointQuery(ids=(point,))


def _label(status: str) -> str:
    from gkplan.values import STATUS_LABELS

    return f"“{STATUS_LABELS.get(status, status)}”"


def complete_tasks(ledger: Ledger, point: int, *, by: str | None, day: date) -> dict[str, Any]:
    """Declare a point's task list complete: from then on its progress is its tasks' weighted roll-up."""
    author, when = who(by), _on(ledger, day)

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        if not current["tasks"]:
            raise Conflict(f"第 {point} 项没有任务；先用 gkplan task add {point} … 分解任务")
        if current["follows"]:
            raise Conflict(f"第 {point} 项的任务清单已确认完整")
        return {"follows": 1}

    entry = ledger.change("point", (point,), decide, note=None, by=author, effective=when, at=now(), action="complete")
    # (its change `follows` reads "任务清单确认完整，进度按任务汇总" in the history: the 进展 stays the department's)
    assert entry is not None
    return entry


def checkpoint(
    ledger: Ledger, point: int, when: date | None, progress: str | None, *, remove: bool, by: str | None, day: date
) -> dict[str, Any]:  # fmt: skip
    """Add (or replace) or remove the checkpoint of `point` on `when`: the progress due by that day."""
    value = parse_progress(progress) if progress is not None else None
    author, effective = who(by), _on(ledger, day)
    plan_start = ledger.plan()["start"]

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        nodes = {d: v for d, v in json.loads(current["checkpoints"] or "[]")}
        iso = when.isoformat() if when else ""
        if remove:
            if iso not in nodes:
                raise Conflict(f"第 {point} 项没有 {iso} 的节点")
            del nodes[iso]
        else:
            start = current["start"] or plan_start
            if not start < iso < current["due"]:
                raise InvalidValue(f"节点日期应在开始日期 {start} 与截止日期 {current['due']} 之间，收到：{iso}")
            nodes[iso] = value
            ordered = sorted(nodes.items())
            if any(a[1] > b[1] for a, b in zip(ordered, ordered[1:])):
                raise InvalidValue("节点的应有进度应随日期递增")
        return {"checkpoints": json.dumps(sorted(nodes.items()), ensure_ascii=False) if nodes else None}

    entry = ledger.change("point", (point,), decide, note=None, by=author, effective=effective, at=now(), action="checkpoint")
    if entry is None:
        raise InvalidValue(f"第 {point} 项的节点没有变化")
    return entry
