"""The Excel 填报 round trip (gkplan sheet → a department fills it in → gkplan import): what a workbook
holds, shared by the writer (sheet_write.py) and the reader (sheet_read.py, sheet_import.py).

A workbook has three sheets: 填报说明 (how to fill it in), 填报 (one row per point or task the department
answers for), and a hidden, protected `_gkplan` with what the import checks the file against: the plan,
the ledger's identity, the department and the period. Each row of 填报 ends in a hidden, locked column
(行标识) that names its item, its row version (the item's latest history entry when the sheet was made)
and a fingerprint of every cell as written. The fingerprints are how the import tells an edited cell from
an untouched one without trusting what the clerk's spreadsheet did to the file, and how it sees a row whose
item the ledger changed after the sheet was made (a conflict): the ledger's value now is fingerprinted
and compared. Fingerprints, not the values themselves, because four notes of 5,000 characters would
not fit in one cell (Excel's limit is 32,767).

No openpyxl here: `sheet` writes the workbook with zipfile (sheet_write.py, xlsx_guard.py) and `import` reads it
with zipfile and expat (xlsx_read.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

try:  # hashlib's sha256 without importing hashlib (OpenSSL's module: some 12M instructions of the start-up)
    from _sha256 import sha256
except ImportError:  # (3.12 names it _sha2; any interpreter: hashlib's)
    try:
        from _sha2 import sha256
    except ImportError:
        from hashlib import sha256

from gkplan.ledger import Ledger, PointQuery
from gkplan.reports import LIGHTS, Frame, iter_points, list_tasks
from gkplan.values import INVISIBLE, STATUS_LABELS

FORMAT = "gkplan-sheet/1"  # what a workbook's _gkplan says it is; a later layout gets a new number
GUIDE, FORM, META = "填报说明", "填报", "_gkplan"
KINDS = {"point": "要点", "task": "任务"}
# the statuses a clerk picks from: 待销号 too, so that an item waiting for review shows as it is
STATUS_CHOICES = tuple(STATUS_LABELS.values())


class Column(NamedTuple):
    key: str
    header: str
    width: int
    editable: bool = False


COLUMNS = (
    Column("id", "编号", 7), Column("kind", "类型", 6), Column("title", "事项", 34), Column("parent", "所属", 28),
    Column("leaders", "分管校领导", 12), Column("owner", "责任人", 8), Column("deliverable", "成果形式", 9),
    Column("due", "截止日期", 11), Column("light", "灯色", 7), Column("reported", "上次报送", 11),
    Column("progress", "本期进度", 9, True), Column("status", "状态", 9, True), Column("note", "进展情况", 40, True),
    Column("problem", "存在问题", 30, True), Column("next", "下一步计划", 30, True), Column("evidence", "办结佐证", 24, True),
    Column("remark", "备注", 24), Column("text", "要点原文", 60),
)  # fmt: skip
EDITABLE = tuple(c.key for c in COLUMNS if c.editable)  # the ledger's own field names: progress, status, note …
TEXT_FIELDS = ("note", "problem", "next", "evidence")
KEY_COLUMN = len(COLUMNS) + 1  # 行标识, hidden: after the visible columns
KEY_HEADER = "行标识（勿改）"


def letter(index: int) -> str:
    """A column's letter from its 1-based index (the layout has fewer than 27 columns)."""
    return chr(64 + index)


def column_of(key: str) -> tuple[str, str]:
    """The letter and header of the column that holds `key`."""
    i = next(n for n, c in enumerate(COLUMNS, start=1) if c.key == key)
    return letter(i), COLUMNS[i - 1].header


def normal(value: Any) -> str:
    """A cell's value as text, the same however the spreadsheet stored it: 60 and 60.0 and '60' alike,
    line ends as \\n, invisible characters and surrounding space dropped, an empty cell ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if "\u200b" in text or "\u2060" in text or "\ufeff" in text:  # (rare: scanned for, not translated, in every cell)
        text = text.translate(INVISIBLE)  # what the user cannot see is not what they typed (values.INVISIBLE)
    return text.strip()


def fingerprint(value: Any) -> str:
    return sha256(normal(value).encode("utf-8")).hexdigest()[:12]


def untouched(value: Any, printed: str) -> bool:
    """Whether a cell holds what the sheet was made with: its print, or the one a sheet made before invisible
    characters were dropped (normal) gave a text that has them (a seed's words may)."""
    if fingerprint(value) == printed:
        return True
    if not isinstance(value, str) or not any(ch in value for ch in "\u200b\u2060\ufeff"):
        return False
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return sha256(text.encode("utf-8")).hexdigest()[:12] == printed


def identity_text(identity: dict[str, Any]) -> str:
    """A row's 行标识: `json.dumps(identity, ensure_ascii=False, separators=(",", ":"))`, without importing json."""
    from gkplan.ledger.jsonwrite import dumps

    return dumps(identity, separators=(",", ":"))


def cell_value(key: str, item: dict[str, Any]) -> Any:
    """What the sheet shows for an editable field of the ledger's item (status as its Chinese label)."""
    value = item.get(key)
    if key == "status":
        return STATUS_LABELS.get(value, value)
    return value


# -- what a department's sheet lists -----------------------------------------------------------------


def department_rows(ledger: Ledger, fr: Frame, department: str) -> list[dict[str, Any]]:
    """Every point the department leads, each followed by its tasks the department answers for; then the
    department's tasks under other departments' points. Each row: its cells (by column key), the item's
    key, its row version, and the editable cells it locks (a point whose progress is its tasks' roll-up).
    The points are made into rows as they come (a department of a million-point plan leads 18,000 of them:
    their rows are what is held, not the points too)."""
    tasks = list_tasks(ledger, PointQuery(departments=(department,)), fr)
    by_point: dict[int, list[dict[str, Any]]] = {}
    for t in tasks:
        by_point.setdefault(t["point"], []).append(t)
    del tasks
    rows: list[dict[str, Any]] = []
    items: list[tuple[str, int, str | None]] = []  # each row's item, as the history names it (its version, below)

    def add(head: dict[str, Any], own: bool) -> None:
        number = head["id"]
        if own:
            rows.append(_point_row(head))
            items.append(("point", number, None))
        for t in by_point.pop(number, ()):
            rows.append(_task_row(t, head))
            items.append(("task", number, str(t["seq"])))

    for p in iter_points(ledger, PointQuery(departments=(department,), role="lead"), fr):
        add(p, True)
    if by_point:  # tasks under points the department does not lead
        for p in iter_points(ledger, PointQuery(ids=tuple(sorted(by_point))), fr):
            add(p, False)
    last = ledger.last_entries(sorted({number for _, number, _ in items}))
    for r, item in zip(rows, items):
        r["version"] = last.get(item, 0)
    return rows


def _point_row(p: dict[str, Any]) -> dict[str, Any]:
    follows = bool(p["follows"]) and bool(p["tasks"])
    remark = ["进度按任务汇总：请填它的任务"] if follows else []
    cells = {
        "id": str(p["id"]), "kind": KINDS["point"], "title": p["title"], "parent": _section(p["section"], p["section_title"]),
        "leaders": "、".join(p["leaders"]), "owner": None, "deliverable": None, "due": p["due"],
        "light": LIGHTS.get(p["light"], p["light"]), "reported": p["reported"], "remark": "；".join(remark + _remarks(p)) or None,
        "text": p["text"], **{k: cell_value(k, p) for k in EDITABLE},
    }  # fmt: skip
    return {"kind": "point", "key": str(p["id"]), "version": 0, "locked": ["progress"] if follows else [], "cells": cells}


def _task_row(t: dict[str, Any], head: dict[str, Any]) -> dict[str, Any]:
    cells = {
        "id": t["id"], "kind": KINDS["task"], "title": t["title"], "parent": f"第 {t['point']} 项 {head['title']}",
        "leaders": "、".join(head["leaders"]), "owner": t["owner"], "deliverable": t["deliverable"],
        "due": t["effective_due"], "light": LIGHTS.get(t["light"], t["light"]), "reported": t["reported"],
        "remark": "；".join(_remarks(t)) or None, "text": None, **{k: cell_value(k, t) for k in EDITABLE},
    }  # fmt: skip
    return {"kind": "task", "key": t["id"], "version": 0, "locked": [], "cells": cells}


def _section(number: int, title: str) -> str:
    numerals = "一二三四五六七八九十"
    return f"{numerals[number - 1] if 1 <= number <= 10 else number}、{title}"


def _remarks(item: dict[str, Any]) -> list[str]:
    out = []
    if item["status"] == "pending_review":
        out.append("已报办结，待督查办审核")
    elif item["status"] == "done":
        out.append("已销号")
    if item.get("due_original"):
        out.append(f"已延期，原定 {item['due_original']}")
    if item.get("co"):
        out.append("协办：" + "、".join(item["co"]))
    return out


def departments(ledger: Ledger) -> list[str]:
    """Every department that answers for something: leading a point or owning a task, in the plan's order."""
    leads = [n["name"] for n in ledger.names("department")]
    return leads + [d for d in ledger.known_departments() if d not in leads]


def safe_name(text: str) -> str:
    """A department's name as part of a file name: no folder separators or characters Windows refuses."""
    return "".join("_" if ch in '/\\:*?"<>|' or not ch.isprintable() else ch for ch in text).strip(" .") or "_"
