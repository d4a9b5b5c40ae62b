"""Changes to the ledger: check what the user asked for, apply the ledger's rules, write through ledger.

Here: a point's report (and any report's checks under the supervision loop's rules) and undo; tasks' and targets'
changes are task_actions.py's.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from gkplan.author import now, who
from gkplan.co_depts import apply_co, owners_of, parse_co
from gkplan.errors import Conflict, InvalidValue
from gkplan.ledger import Ledger
from gkplan.values import INVISIBLE, parse_progress, parse_status, reconcile

MAX_NOTE = 5000


def clean_note(note: str | None, what: str = "--note") -> str | None:
    if note is None:
        return None
    text = note.translate(INVISIBLE).strip()
    if not text:
        raise InvalidValue(f"{what} 不能为空")
    if len(text) > MAX_NOTE:
        raise InvalidValue(f"{what} 过长（{len(text)} 字），最多 {MAX_NOTE} 字")
    if any(not ch.isprintable() and ch not in "\n\t" for ch in text):
        raise InvalidValue(f"{what} 含有控制字符")
    return text


class Report(NamedTuple):
    """One progress report (填报) on a point or task, as the user typed it; checked by `values`."""

    progress: str | None = None
    status: str | None = None
    note: str | None = None  # 进展 (--done; --note is its shorthand)
    problem: str | None = None  # 存在问题
    next: str | None = None  # 下一步计划
    evidence: str | None = None  # 办结 佐证: a 文号, a link or a sentence
    due: date | None = None
    reason: str | None = None  # 延期 理由
    co: tuple[str, ...] | None = None  # --co-dept edits: 名 adds a co-operating department, -名 removes one


def update_point(ledger: Ledger, point_id: int, report: Report, *, by: str | None, day: date,
                 source: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Every value is checked before the ledger is touched; the write is one transaction. `source`: the file
    the report was imported from (gkplan import), kept with its history entry."""
    checked, author, when = _checked(report), who(by), _on(ledger, day)
    co = parse_co(ledger, report.co)

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        if checked["due"] is not None and checked["due"] <= (start := current["start"] or ledger.plan()["start"]):
            raise InvalidValue(f"第 {point_id} 项的截止日期 {checked['due']} 应晚于它的开始日期 {start}")
        tasks_due_by(ledger, point_id, checked["due"])
        if co:
            current = current | {"co": apply_co(current["co"], co, owners_of(current), f"第 {point_id} 项")}
        if current["follows_tasks"] and (checked["progress"] is not None or checked["status"] in ("done", "pending_review")):
            raise Conflict(
                f"第 {point_id} 项的任务清单已确认完整，进度由 {current['tasks']} 个任务按权重计算，不能直接修改；"
                f"请更新任务：gkplan task update {point_id}.N --progress …（或撤销 task complete）"
            )
        return _loop(current, checked, when, f"第 {point_id} 项", not ledger.office) | ({"co": current["co"]} if co else {})

    entry = ledger.change("point", (point_id,), decide, note=checked["note"], by=author, effective=when, at=now(),
                          source=source)  # fmt: skip
    return _changed(entry, f"第 {point_id} 项")


def check_report(report: Report) -> None:
    """What the options say besides the progress, checked before anything is asked at the terminal:
    a wrong --note is said at once, not after the last question."""
    _checked(report._replace(progress=None))


def check_answer(current: dict[str, Any], report: Report, what: str, day: date) -> None:
    """Whether `report`, with a progress answered at the terminal, would be accepted for an item now at
    `current` (a point's or a task's row): the same rules the write applies (a 100 is a 办结 report and needs
    evidence; reopening needs a reason), so that a refused answer is asked again with the reason."""
    _loop(current, _checked(report), day.isoformat(), what)


def _checked(report: Report) -> dict[str, Any]:
    return {
        "progress": parse_progress(report.progress) if report.progress is not None else None,
        "status": parse_status(report.status) if report.status is not None else None,
        "note": clean_note(report.note), "problem": clean_note(report.problem, "--problem"),
        "next": clean_note(report.next, "--next"), "evidence": clean_note(report.evidence, "--evidence"),
        "due": report.due.isoformat() if report.due else None, "reason": clean_note(report.reason, "--reason"),
    }  # fmt: skip


def _loop(current: dict[str, Any], r: dict[str, Any], day: str, what: str, request: bool = False) -> dict[str, Any]:
    """A report's changes under the supervision loop's rules: 100 or 已完成 is a 办结 report and needs
    evidence; reopening a closed item needs a reason; a later due date is a 延期 and needs a reason,
    and the due date before the first one is kept. With `request` (a department on a shared ledger) a new
    due date is a request the office decides (extensions.py): recorded, the due date unmoved."""
    wanted = _progress_and_status(current, r["progress"], r["status"])
    closed = ("pending_review", "done")
    if wanted["status"] == "pending_review" and current["status"] != "pending_review":
        if not r["evidence"]:
            raise InvalidValue(f"{what}报办结须附佐证：请加 --evidence（文号、链接或一句话说明）")
        wanted["closed"] = day
    elif current["status"] in closed and wanted["status"] not in closed:
        if not r["note"]:
            raise InvalidValue(f"{what}已{'报办结' if current['status'] == 'pending_review' else '销号'}；重新打开须写明原因：请加 --note")
        wanted["closed"] = None
    for field in ("evidence", "problem", "next"):
        if r[field] is not None:
            wanted[field] = r[field]
    if r["progress"] is not None or r["status"] is not None or r["note"] or r["problem"] or r["next"]:
        wanted["reported"] = day
    if r["due"] is not None and request:
        if r["due"] == current["due"]:
            raise Conflict(f"{what}的截止日期已是 {r['due']}")
        later = current["due"] is not None and r["due"] > current["due"]  # a task may have had no due date
        if later and not r["reason"]:
            raise InvalidValue(f"{what}申请延期（{current['due']} → {r['due']}）须写明理由：请加 --reason")
        if r["reason"] is not None and not later:  # as without a request: the office could not grant it as asked
            raise InvalidValue("--reason 只用于延期（把截止日期推后的 --due）")
        wanted["request"] = {"due": r["due"], "reason": r["reason"]}  # an entry of its own; not a field of the item
        return wanted
    if r["due"] is not None:
        wanted["due"] = r["due"]
        if current["due"] is not None and r["due"] > current["due"]:
            if not r["reason"]:
                raise InvalidValue(f"{what}截止日期推后（{current['due']} → {r['due']}）即延期，须写明理由：请加 --reason")
            wanted["due_original"] = current["due_original"] or current["due"]
            wanted["extension"] = r["reason"]  # recorded with the entry; not a field of the item
    if r["reason"] is not None and "extension" not in wanted:
        raise InvalidValue("--reason 只用于延期（把截止日期推后的 --due）")
    return wanted


def undo(ledger: Ledger, *, by: str | None, number: int | None = None, force: bool = False) -> dict[str, Any]:
    """The caller's own latest change (or record `number`), with what it caused."""
    author = who(by)
    entry = ledger.undo(by=author, at=now(), number=number, force=force)
    if entry is None:
        raise Conflict(f"{ledger.author(author)} 没有可以撤销的修改（只撤销自己的修改；撤销别人的请写 gkplan undo 记录号）")
    return entry


def _on(ledger: Ledger, day: date) -> str:
    """The effective day of a change: not before the plan it reports on began."""
    plan = ledger.plan()
    if day.isoformat() < plan["start"]:
        raise InvalidValue(f"--date {day.isoformat()} 早于计划“{plan['key']}”的开始日期 {plan['start']}")
    return day.isoformat()


def task_due_within(ledger: Ledger, point_id: int, due: str | None, what: str) -> None:
    """A task's due date where the seed puts it (seed_model): from its point's start to its point's due."""
    if due is None:
        return
    point = ledger.point(point_id)
    start = point["start"] or ledger.plan()["start"]
    if due < start:
        raise InvalidValue(f"{what}的截止日期 {due} 早于第 {point_id} 项的开始日期 {start}")
    if due > point["due"]:
        raise InvalidValue(f"{what}的截止日期 {due} 晚于第 {point_id} 项的截止日期 {point['due']}；"
                           f"要点本身要延期，请先 gkplan update {point_id} --due {due} --reason 理由")  # fmt: skip


def tasks_due_by(ledger: Ledger, point_id: int, due: str | None) -> None:
    """A point's new due date is no earlier than its unfinished tasks' (the other side of task_due_within):
    a task due after its point would turn the point late on a day the plan never set."""
    after = ledger.tasks_after(point_id, due) if due is not None else []
    if after:
        ids = "、".join(f"{point_id}.{seq}" for seq, _, _ in after[:3]) + (f" 等 {len(after)} 个任务" if len(after) > 3 else "")
        raise InvalidValue(f"第 {point_id} 项的截止日期不能提前到 {due}：未完成的任务 {ids} 的截止日期在这之后（最晚 {after[0][1]}）；"
                           f"请先调整任务：gkplan task update {point_id}.{after[0][0]} --due 日期")  # fmt: skip


# -- value checks --------------------------------------------------------------------------------


def _progress_and_status(current: dict[str, Any], progress: int | None, status: str | None) -> dict[str, Any]:
    value, state = reconcile(current["progress"], current["status"], progress, status)
    return {"progress": value, "status": state}


def _changed(entry: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if entry is None:
        raise InvalidValue(f"{what}没有变化：给出的值与当前值相同")
    return entry
