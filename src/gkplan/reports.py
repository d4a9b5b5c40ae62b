"""Computes the rows the commands show: filters resolved to exact names, days left, summaries."""

from __future__ import annotations

import difflib
import unicodedata
from datetime import date
from typing import Any

from gkplan.errors import InvalidValue, NotFound
from gkplan.ledger import Ledger, PointQuery
from gkplan.values import STATUS_LABELS, parse_status

UNASSIGNED = "（未指定）"
_CN_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
GROUPINGS = {"dept": "department", "department": "department", "leader": "leader", "section": "section"}
GROUP_LABELS = {"department": "牵头部门", "leader": "校领导", "section": "部分"}


def resolve_name(text: str, known: list[str], what: str) -> str:
    """Exact name, else the one known name that contains `text`; otherwise an error naming the closest."""
    wanted = unicodedata.normalize("NFKC", text).strip()
    if wanted in known:
        return wanted
    partial = [name for name in known if wanted and wanted in name]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise NotFound(f"“{text}”可指多个{what}：{'、'.join(partial)}；请写得更完整")
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.3)
    hint = f"；最接近的是：{'、'.join(close)}" if close else f"；用 gkplan {'depts' if what == '部门' else 'leaders'} 查看全部"
    raise NotFound(f"没有名为“{text}”的{what}{hint}")


def resolve_section(text: str, sections: list[dict[str, Any]]) -> int:
    s = unicodedata.normalize("NFKC", text).strip().rstrip("、.")
    numbers = {sec["id"] for sec in sections}
    number = int(s) if s.isdigit() and len(s) < 9 else _CN_NUMERALS.get(s)
    if number is not None:
        if number in numbers:
            return number
        raise NotFound(f"没有第 {text} 部分；共有 {len(numbers)} 个部分")
    titles = {sec["title"]: sec["id"] for sec in sections}
    return titles[resolve_name(text, list(titles), "部分")]


def build_query(
    ledger: Ledger,
    *,
    depts: list[str] = (),
    leaders: list[str] = (),
    sections: list[str] = (),
    statuses: list[str] = (),
    overdue: bool = False,
    due_before: date | None = None,
    search: str | None = None,
    as_of: date,
) -> PointQuery:
    """Turn what the user typed into exact filters; unknown names fail here, before any query runs."""
    known_depts = [n["name"] for n in ledger.names("department")] if depts else []
    known_leaders = [n["name"] for n in ledger.names("leader")] if leaders else []
    known_sections = ledger.sections() if sections else []
    return PointQuery(
        departments=tuple(resolve_name(d, known_depts, "部门") for d in depts),
        leaders=tuple(resolve_name(name, known_leaders, "校领导") for name in leaders),
        sections=tuple(resolve_section(s, known_sections) for s in sections),
        statuses=tuple(parse_status(s) for s in statuses),
        due_before=due_before,
        overdue_as_of=as_of if overdue else None,
        search=search.strip() if search and search.strip() else None,
    )


def with_days(point: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Add what depends on the as-of date: days left (negative when late) and whether it is overdue."""
    days = (date.fromisoformat(point["due"]) - as_of).days
    point["status_label"] = STATUS_LABELS[point["status"]]
    point["days_left"] = days
    point["overdue"] = days < 0 and point["status"] != "done"
    return point


def list_points(ledger: Ledger, query: PointQuery, as_of: date) -> list[dict[str, Any]]:
    return [with_days(p, as_of) for p in ledger.points(query)]


def show_point(ledger: Ledger, point_id: int, as_of: date, history: int = 10) -> dict[str, Any]:
    point = with_days(ledger.point(point_id), as_of)
    point["history"] = ledger.history(point=point_id, limit=history)
    return point


def overdue(ledger: Ledger, as_of: date) -> list[dict[str, Any]]:
    """Every point past due and not done, most overdue first."""
    rows = list_points(ledger, PointQuery(overdue_as_of=as_of), as_of)
    for row in rows:
        row["days_overdue"] = -row["days_left"]
    return sorted(rows, key=lambda r: (-r["days_overdue"], r["id"]))


def summary(ledger: Ledger, by: str, as_of: date) -> list[dict[str, Any]]:
    key = GROUPINGS.get(by.strip().lower())
    if key is None:
        raise InvalidValue(f"未知分组方式：{by!r}；可用：dept / leader / section")
    rows = []
    for row in ledger.summary(key, as_of):
        rows.append(
            {
                "group": row["grp"] or UNASSIGNED,
                "points": row["points"],
                "done": row["done"],
                "in_progress": row["in_progress"],
                "not_started": row["not_started"],
                "blocked": row["blocked"],
                "deferred": row["deferred"],
                "overdue": row["overdue"],
                "mean_progress": round(row["mean_progress"] or 0, 1),
            }
        )
    return rows
