"""The published progress page (point 36: 各项任务进展情况和成效定期公开): a curated, read-only SQLite
file for Datasette, and the Datasette metadata that titles, describes and facets it.

The file is built from the domain layer's rows as of one day (reports.py), never copied from the
ledger: it holds only what is meant for the public. Leaders and departments are named, as in the
public document itself; nobody from the history is — no recorder (`by`), reviewer or task owner
(责任人) — and no record time, so the same day publishes the same bytes. Free text (进展情况, 存在问题,
下一步计划, 办结佐证) is published as the departments wrote it, as in the Markdown report — and so is a
review's return reason, which becomes the item's 进展情况: a name typed into free text is published (README).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from gkplan.file_backup import write_database
from gkplan.files import refuse, replace_atomically
from gkplan.ledger import Ledger, PointQuery
from gkplan.reports import LIGHTS, UNASSIGNED, Frame, iter_points, iter_tasks, overdue, summary, targets
from gkplan.values import ROLE_LABELS, STATUS_LABELS

NAME = "进展公开"  # the database's name on the page when none is given (`publish --serve` alone)
_NUMERALS = "一二三四五六七八九十"

# table → [(column, SQL type)]. Order here is the order on the page. Datasette sorts a table by its key, so
# where the domain's order matters (tasks 17.2 before 17.10, departments as the plan names them) the key is 序号.
TABLES: dict[str, list[tuple[str, str]]] = {
    "工作要点": [
        ("编号", "INTEGER PRIMARY KEY"), ("部分", "TEXT"), ("工作要点", "TEXT"), ("牵头校领导", "TEXT"), ("牵头部门", "TEXT"),
        ("协办部门", "TEXT"), ("状态", "TEXT"), ("进度", "INTEGER"), ("灯色", "TEXT"), ("截止日期", "TEXT"),
        ("原定截止日期", "TEXT"), ("剩余天数", "INTEGER"), ("任务数", "INTEGER"), ("进展情况", "TEXT"), ("存在问题", "TEXT"),
        ("下一步计划", "TEXT"), ("办结佐证", "TEXT"), ("最近报送", "TEXT"), ("全文", "TEXT"),
    ],
    "任务": [
        ("序号", "INTEGER PRIMARY KEY"), ("编号", "TEXT UNIQUE"), ("所属要点", "INTEGER REFERENCES 工作要点(编号)"), ("任务", "TEXT"),
        ("负责部门", "TEXT"),
        ("协办部门", "TEXT"), ("成果形式", "TEXT"), ("状态", "TEXT"), ("进度", "INTEGER"), ("灯色", "TEXT"),
        ("截止日期", "TEXT"), ("原定截止日期", "TEXT"), ("剩余天数", "INTEGER"), ("进展情况", "TEXT"), ("存在问题", "TEXT"),
        ("下一步计划", "TEXT"), ("办结佐证", "TEXT"),
    ],
    "逾期事项": [
        ("序号", "INTEGER PRIMARY KEY"), ("类别", "TEXT"), ("编号", "TEXT"), ("所属要点", "INTEGER REFERENCES 工作要点(编号)"),
        ("事项", "TEXT"), ("部门", "TEXT"), ("牵头校领导", "TEXT"), ("截止日期", "TEXT"), ("逾期天数", "INTEGER"),
        ("状态", "TEXT"), ("进度", "INTEGER"), ("进展情况", "TEXT"),
    ],
    "各部门汇总": [
        ("序号", "INTEGER PRIMARY KEY"), ("牵头部门", "TEXT UNIQUE"), ("要点数", "INTEGER"), *((label, "INTEGER") for label in STATUS_LABELS.values()),
        ("逾期", "INTEGER"), ("红灯", "INTEGER"), ("黄灯", "INTEGER"), ("绿灯", "INTEGER"), ("未报送", "INTEGER"),
        ("平均进度", "REAL"), ("延期要点数", "INTEGER"), ("延期次数", "INTEGER"),
    ],
    "量化指标": [
        ("序号", "INTEGER PRIMARY KEY"), ("所属要点", "INTEGER REFERENCES 工作要点(编号)"), ("指标", "TEXT"), ("单位", "TEXT"),
        ("目标下限", "REAL"), ("目标上限", "REAL"), ("实际值", "REAL"), ("统计日期", "TEXT"), ("完成率", "REAL"),
        ("是否达成", "TEXT"), ("截止日期", "TEXT"), ("原文", "TEXT"),
    ],
    "要点部门": [("编号", "INTEGER REFERENCES 工作要点(编号)"), ("部门", "TEXT"), ("角色", "TEXT")],
    "公开说明": [("序号", "INTEGER PRIMARY KEY"), ("项目", "TEXT"), ("内容", "TEXT")],
}  # fmt: skip


def _joined(names: Any) -> str | None:
    return "、".join(names) if names else None


def _left(row: dict[str, Any]) -> int | None:
    # days left mean nothing for what is finished or paused
    return None if row["status"] in ("done", "deferred") else row["days_left"]


def _section(row: dict[str, Any]) -> str:
    n = row["section"]
    return f"{_NUMERALS[n - 1] if 1 <= n <= 10 else n}、{row['section_title']}"


def _leads(row: dict[str, Any]) -> str:
    # a point the document gives to "校领导按分工" names no leader: its note says so
    return "、".join(dict.fromkeys(lead["leader"] or lead["note"] or "" for lead in row["leads"])) or ""


def fill(conn: sqlite3.Connection, ledger: Ledger, fr: Frame) -> None:
    """Every table as the ledger stood on the frame's day, read from one snapshot and written row by row into
    the published file (`conn`): a plan of a million points is never held whole."""
    for name, columns in TABLES.items():
        conn.execute(f'CREATE TABLE "{name}" ({", ".join(f"{c} {kind}" for c, kind in columns)})')
    insert = {name: f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(columns))})' for name, columns in TABLES.items()}
    text = lambda r: (r["note"], r["problem"], r["next"], r["evidence"])  # noqa: E731
    with ledger.snapshot():
        plan = ledger.plan()
        for p in iter_points(ledger, PointQuery(), fr):
            conn.execute(insert["工作要点"], (
                p["id"], _section(p), p["title"], _leads(p), _joined(p["departments"]), _joined(p["co"]), p["status_label"],
                p["progress"], LIGHTS[p["light"]], p["due"], p["due_original"], _left(p), p["tasks"], *text(p), p["reported"],
                p["text"]))  # fmt: skip
            conn.executemany(insert["要点部门"], [  # no lead department: 各部门汇总's （未指定）
                (p["id"], d, ROLE_LABELS[role])
                for role, names in (("lead", p["departments"] or [UNASSIGNED]), ("co", p["co"])) for d in names])  # fmt: skip
        conn.executemany(insert["任务"], (
            (i, t["id"], t["point"], t["title"], _joined(t["departments"]), _joined(t["co"]), t["deliverable"],
             t["status_label"], t["progress"], LIGHTS[t["light"]], t["effective_due"], t["due_original"], _left(t), *text(t))
            for i, t in enumerate(iter_tasks(ledger, PointQuery(), fr), start=1)))  # fmt: skip
        conn.executemany(insert["逾期事项"], (  # the point's leaders are filled in below, from 工作要点
            (i, "任务" if r["kind"] == "task" else "要点", str(r["id"]), r["point"] if r["kind"] == "task" else r["id"],
             r["title"], _joined(r["departments"]), None, r["due"], r["days_overdue"], r["status_label"], r["progress"], r["note"])
            for i, r in enumerate(overdue(ledger, fr), start=1)))  # fmt: skip
        conn.executemany(insert["各部门汇总"], (
            (i, g["group"], g["points"], *(g[k] for k in STATUS_LABELS), g["overdue"], g["red"], g["yellow"], g["green"],
             g["unreported"], g["mean_progress"], g["extended"], g["extensions"])
            for i, g in enumerate(summary(ledger, "dept", fr), start=1)))  # fmt: skip
        conn.executemany(insert["量化指标"], (
            (i, g["point"], g["metric"], g["unit"], g["target_min"], g["target_max"], g["actual"], g["actual_as_of"],
             g["attainment"], {True: "是", False: "否", None: None}[g["met"]], g["due"], g["source"])
            for i, g in enumerate(targets(ledger, fr), start=1)))  # fmt: skip
    conn.execute('UPDATE "逾期事项" SET 牵头校领导 = (SELECT w.牵头校领导 FROM "工作要点" w WHERE w.编号 = "逾期事项".所属要点)')
    conn.executemany(insert["公开说明"], [(i, *item) for i, item in enumerate((
        ("计划", plan["title"]), ("文号", plan["document"] or ""), ("数据截至", fr.as_of.isoformat()),
        ("说明", "按截至日期重算的进展；不含记录人、审核人和任务责任人等个人信息。"),
    ), start=1)])  # fmt: skip
    conn.execute('CREATE INDEX "要点部门_部门" ON "要点部门" ("部门", "编号")')
    conn.commit()


def metadata_path(target: Path) -> Path:
    """进展公开.db → 进展公开.metadata.json, beside it."""
    return target.with_name(target.stem + ".metadata.json")  # the stem is also Datasette's name for the database


def publish(ledger: Ledger, fr: Frame, target: Path, *, force: bool, today: date) -> tuple[Path, Path]:
    """Write the published database and its metadata beside it, each whole or not at all; an existing
    file of either is only replaced with --force, and the ledger never is. The day is one that has come
    (a day to come would publish a projection as fact) and one of the plan's."""
    from gkplan.errors import InvalidValue
    from gkplan.publish_meta import metadata

    meta_target = metadata_path(target)
    plan = ledger.plan()
    if fr.as_of > today:
        raise InvalidValue(f"--as-of {fr.as_of} 在今天（{today}）之后；公开的只能是已经发生的进展")
    if fr.as_of.isoformat() < plan["start"]:
        raise InvalidValue(f"--as-of {fr.as_of} 早于计划的开始日期 {plan['start']}，没有可公开的进展")
    doc = metadata(Path(target).stem, plan, fr.as_of.isoformat())
    # both targets are checked (the database first, as the user named it) before either is written
    refuse(target, force=force, protect=ledger.file)
    with replace_atomically(meta_target, force=force, protect=ledger.file) as meta_file:
        write_database(lambda conn: fill(conn, ledger, fr), ledger.file, target, force=force)
        meta_file.write((json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode())
    return target, meta_target


@contextmanager
def place(output: Path | None) -> Iterator[Path]:
    """Where to publish: the file asked for, or (`publish --serve` alone) a private temporary folder's
    进展公开.db, removed with its metadata when the block ends."""
    if output is not None:
        yield output
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gkplan-publish-") as folder:
        yield Path(folder) / f"{NAME}.db"
