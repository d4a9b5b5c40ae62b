"""`gkplan import`: a filled-in 填报 workbook back into the ledger.

The workbook is read and every cell checked (sheet_read.py); then each row is judged against the ledger
as it stands now: the row's item must still be the department's, a row the clerk edited whose item the
ledger changed since the sheet was made is a conflict (its editable fields' fingerprints differ from the
ledger's values now), and the loop's rules are checked in the sheet's terms so that the problem names
its cell (a 办结 without 佐证 names the 办结佐证 cell). Every problem of the file is collected before
anything is refused.

The changes then go through the same functions `update` and `task update` use (actions.update_point and
update_task), judged and written in one transaction: with --apply (and no conflict, or --force) it commits, each change
an entry whose author is the department (or --by) and whose `source` is the file's name; otherwise — a
preview, or a row the rules refuse — it is rolled back, so the preview shows exactly what applying would
record, progress-and-status reconciliation included.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from gkplan.errors import CellProblem, GkplanError, NotFound, SheetError
from gkplan.ledger import Ledger
from gkplan.sheet import EDITABLE, FORM, META, cell_value, column_of, untouched
from gkplan.sheet_read import Book, Row, read

_CLOSED = ("pending_review", "done")
# the command line's words in a rule's message, as the sheet says them
_WORDS = {"--progress": "“本期进度”", "--status": "“状态”", "--evidence": "“办结佐证”", "--note": "“进展情况”",
          "--problem": "“存在问题”", "--next": "“下一步计划”"}  # fmt: skip


class Change(NamedTuple):
    row: Row
    wanted: dict[str, Any]  # field → the value to report
    conflict: dict[str, Any]  # field → the ledger's value now, where it changed since the sheet was made
    records: list[dict[str, Any]]  # the entries that changed it


class _Rollback(Exception):
    """Leaves the import's transaction without committing: a preview, or a refused import."""


def run(ledger: Ledger, path: Path, *, apply: bool, force: bool, by: str | None, today: date) -> dict[str, Any]:
    from gkplan.author import who

    book, problems = read(path)
    if book is None:
        raise SheetError(f"{path.name}：不能导入", problems)
    wrong = _meta_problems(ledger, book, today)
    if wrong:  # a sheet of another plan or ledger: its rows mean nothing here
        raise _refused(book, wrong + problems)
    department = book.meta["department"]
    day = min(today, date.fromisoformat(book.meta["period_end"]))
    author = who(by if by is not None else department)
    unread = {p.row for p in problems}  # rows with a cell that did not read are not judged further
    codes: list[int] = []
    done: list[tuple[Change, dict[str, Any]]] = []
    conflicts: list[Change] = []
    commit = False
    try:
        with ledger.transaction():  # judged and written at once: nobody changes an item in between
            changes = [c for row in book.rows if row.number not in unread and (c := _judge(ledger, row, department, problems))]
            conflicts = [c for c in changes if c.conflict]
            commit = apply and (force or not conflicts) and not problems
            if not problems:
                done = _write(ledger, changes, book.name, author, day, problems, codes)
            if problems or not commit:
                raise _Rollback
    except _Rollback:
        pass
    if problems:  # a domain rule refusing a change is a contradiction with the ledger (6) or a value (2)
        raise _refused(book, problems, exit_code=6 if codes and all(code == 6 for code in codes) else 2)
    rows = [{"row": c.row.number, "id": c.row.key, "kind": c.row.kind, "field": field, "old": old, "new": new,
             "conflict": bool(c.conflict), "record": entry["id"] if commit else None}
            for c, entry in done for field, (old, new) in entry["changes"].items() if field in EDITABLE]  # fmt: skip
    # `by` as `undo --by` takes it; `recorder` as the records show it (on a server: the login, then the department)
    return {"file": book.name, "department": department, "period": book.meta.get("period"), "effective": day.isoformat(),
            "by": author, "recorder": ledger.author(author), "applied": commit, "forced": force, "changes": rows,
            "items": len(done), "conflicts": [_conflict(c) for c in conflicts]}  # fmt: skip


def refuse_conflicts(result: dict[str, Any]) -> None:
    """A sheet with conflicting rows is not imported without --force: exit 6, each row told."""
    if result["conflicts"] and not result["forced"]:
        problems = [CellProblem(FORM, c["row"], *column_of("id"), c["message"]) for c in result["conflicts"]]
        raise SheetError(f"{result['file']}：{len(problems)} 行在制表后台账中已有改动，没有导入任何内容；"
                         "核对后确需以本表为准，请加 --force", problems, exit_code=6)  # fmt: skip


def _refused(book: Book, problems: list[CellProblem], exit_code: int = 2) -> SheetError:
    order = {META: 0, FORM: 1}
    problems = sorted(problems, key=lambda p: (order.get(p.sheet, 2), p.row or 0, len(p.column or ""), p.column or ""))
    return SheetError(f"{book.name}：{len(problems)} 处问题，没有导入任何内容", problems, exit_code=exit_code)


def _meta_problems(ledger: Ledger, book: Book, today: date) -> list[CellProblem]:
    """The sheet must come from this ledger and the plan in use, for a department it knows."""
    meta, rows = book.meta, book.meta_rows
    out = []

    def bad(key: str, message: str) -> None:
        out.append(CellProblem(META, rows.get(key), "B" if key in rows else None, None, message))

    plan = ledger.plan_key
    if meta.get("plan") != plan:
        known = [p["key"] for p in ledger.all_plans()]
        hint = f"请用 gkplan --plan {meta.get('plan')} import" if meta.get("plan") in known else "台账中没有这个计划"
        bad("plan", f"这份填报表属于计划“{meta.get('plan', '')}”，台账使用的是计划“{plan}”；{hint}")
    identity = ledger.identity()
    if meta.get("ledger") != identity:
        bad("ledger", "这份填报表由另一个台账生成（台账标识不符）；请导入由本台账生成的填报表")
    if meta.get("department") not in ledger.known_departments():
        bad("department", f"台账中没有部门“{meta.get('department', '')}”")
    try:
        start, end = date.fromisoformat(meta["period_start"]), date.fromisoformat(meta["period_end"])
    except (KeyError, ValueError):
        bad("period_start", "填报期被改动；请重新生成填报表")
    else:
        if start > today or end < start:
            bad("period_start", f"填报期 {meta.get('period')} 尚未开始；请检查填报表或 GKPLAN_TODAY")
        elif end.isoformat() < ledger.plan()["start"]:
            bad("period_end", f"填报期 {meta.get('period')} 早于计划的开始日期 {ledger.plan()['start']}")
    return out


def _item(ledger: Ledger, row: Row) -> dict[str, Any] | None:
    try:
        return ledger.point(row.point) if row.seq is None else ledger.task(row.point, row.seq)
    except NotFound:
        return None


def _judge(ledger: Ledger, row: Row, department: str, problems: list[CellProblem]) -> Change | None:
    """What the row asks of the ledger now, or None when nothing; its problems added to `problems`."""
    what = f"第 {row.point} 项" if row.seq is None else f"任务 {row.key}"
    ident = (FORM, row.number, *column_of("id"))
    item = _item(ledger, row)
    if item is None:
        if row.edited:
            problems.append(CellProblem(*ident, f"{what}在制表后已从台账删除，不能填报"))
        return None
    if not row.edited:  # (an item a reload gave another department since: nothing asked of it, as for one deleted)
        return None
    if department not in item["departments"]:
        owners = "、".join(item["departments"]) or "（未指定）"
        problems.append(CellProblem(*ident, f"{what}由{owners}负责，不是{department}的事项，不能由这份填报表报送"))
        return None
    now = {k: cell_value(k, item) for k in EDITABLE}
    changed = {k: item.get(k) for k in EDITABLE if not untouched(now[k], row.prints[k])}
    wanted = {k: row.values[k] for k in row.edited if row.values[k] != item.get(k)}
    if not _rules(row, item, wanted, problems) or not wanted:
        return None
    records = []
    if changed:
        fields = set(changed)
        records = [h for h in ledger.history(point=row.point, entity=row.kind, ref=None if row.seq is None else str(row.seq))
                   if h["id"] > row.version and fields & set(h["changes"])]  # fmt: skip
    return Change(row, wanted, changed, records)


def _rules(row: Row, item: dict[str, Any], wanted: dict[str, Any], problems: list[CellProblem]) -> bool:
    """The loop's rules (actions._loop) checked in the sheet's terms, each problem at the cell to fix."""
    from gkplan.values import reconcile

    def at(key: str, message: str) -> bool:
        problems.append(CellProblem(FORM, row.number, *column_of(key), message))
        return False

    follows = row.seq is None and bool(item.get("follows")) and bool(item.get("tasks"))
    if follows and ("progress" in wanted or wanted.get("status") in _CLOSED):
        return at("status" if "status" in wanted else "progress", "这一项的进度由任务汇总，不能直接填写进度或报办结；请填写它的任务")
    try:
        _, status = reconcile(item["progress"], item["status"], wanted.get("progress"), wanted.get("status"))
    except GkplanError as exc:
        return at("status" if "status" in wanted else "progress", _sheet_words(str(exc)))
    if status == item["status"]:  # 已完成 picked for an item already 待销号 (a department's 办结 is that): no change
        wanted.pop("status", None)
    if status == "pending_review" and item["status"] != "pending_review":
        if not row.values.get("evidence"):
            return at("evidence", "报办结（进度 100 或状态“已完成”）须填写办结佐证：文号、链接或一句话说明")
        wanted.setdefault("evidence", row.values["evidence"])  # a 办结 report carries its evidence, as on the command line
    elif item["status"] in _CLOSED and status not in _CLOSED and "note" not in wanted:
        return at("note", "已报办结或已销号的事项重新打开，须在“进展情况”中写明原因")
    return True


def _write(ledger: Ledger, changes: list[Change], source: str, author: str, day: date, problems: list[CellProblem],
           codes: list[int]) -> list[tuple[Change, dict[str, Any]]]:  # fmt: skip
    """Every change through the domain's own functions, inside the caller's transaction. A change the domain
    refuses becomes a problem at its row, and its exit code one of `codes`."""
    from gkplan.actions import Report, update_point
    from gkplan.task_actions import update_task

    done: list[tuple[Change, dict[str, Any]]] = []
    for change in changes:
        row, w = change.row, change.wanted
        if later := _overtaken(ledger, row, w, day):
            problems.append(CellProblem(FORM, row.number, *column_of(later[0]), later[1]))
            codes.append(6)
            continue
        report = Report(str(w["progress"]) if "progress" in w else None, w.get("status"), w.get("note"), w.get("problem"),
                        w.get("next"), w.get("evidence"))  # fmt: skip
        try:
            if row.seq is None:
                entry = update_point(ledger, row.point, report, by=author, day=day, source=source)
            else:
                entry = update_task(ledger, row.point, row.seq, report, owner=None, weight=None, by=author, day=day,
                                    source=source)  # fmt: skip
        except GkplanError as exc:
            problems.append(CellProblem(FORM, row.number, *column_of(next(iter(w))), _sheet_words(str(exc))))
            codes.append(exc.exit_code)
            continue
        done.append((change, entry))
    return done


def _overtaken(ledger: Ledger, row: Row, wanted: dict[str, Any], day: date) -> tuple[str, str] | None:
    """A field of the row whose value a record after the sheet's day set: the sheet's value, recorded on its day
    (a past period's end), would lie under that record and never show. (field, message), or None."""
    fields = [f for f in wanted if f not in ("progress", "status")]  # (those the domain keeps in date order itself)
    if not fields:
        return None
    ref, first = None if row.seq is None else str(row.seq), None
    for h in ledger.history(point=row.point, entity=row.kind, ref=ref, since=day.isoformat()):  # (newest first)
        field = next((f for f in fields if f in h["changes"]), None)
        if field is not None and h["effective"] > day.isoformat():
            first = field, h
    if first is None:
        return None
    field, h = first
    what = f"第 {row.point} 项" if row.seq is None else f"任务 {row.key}"
    return field, (f"{what}的“{column_of(field)[1]}”在 {h['effective']} 已有记录 #{h['id']}（{h['by']}），"
                   f"晚于本表的填报日 {day}：本表的值记在 {day}，不会成为现值；请用当期的填报表报送，或先撤销 #{h['id']}")


def _sheet_words(message: str) -> str:
    for option, words in _WORDS.items():
        message = message.replace(option, words)
    return message


def _shown(field: str, value: Any) -> str:
    if value is None:
        return " 空"
    if field == "progress":
        return f" {value}%"
    text = str(cell_value(field, {field: value}))
    return f"“{text if len(text) <= 30 else text[:30] + '…'}”"


def _conflict(change: Change) -> dict[str, Any]:
    """A conflicting row for people (message) and scripts: the ledger's values now beside the sheet's."""
    row = change.row
    what = f"第 {row.point} 项" if row.seq is None else f"任务 {row.key}"
    records = "、".join(f"#{h['id']} {h['by']}" for h in change.records)
    parts = []
    for field, now in change.conflict.items():
        mine = f"本表为{_shown(field, change.wanted[field])}" if field in change.wanted else "本表未改"
        parts.append(f"{column_of(field)[1]}：台账现为{_shown(field, now)}，{mine}")
    message = f"{what}在制表后已被修改{f'（记录 {records}）' if records else ''}：{'；'.join(parts)}"
    return {"row": row.number, "id": row.key, "kind": row.kind, "message": message, "records": [h["id"] for h in change.records],
            "fields": {f: {"ledger": now, "sheet": change.wanted.get(f)} for f, now in change.conflict.items()}}  # fmt: skip
