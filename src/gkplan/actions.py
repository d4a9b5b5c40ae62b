"""Changes to the ledger: check what the user asked for, apply the ledger's rules, write through ledger."""

from __future__ import annotations

import getpass
import os
from datetime import date, datetime
from typing import Any

from gkplan.errors import InvalidValue
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
    today: date,
) -> dict[str, Any]:
    """Every value is checked before the ledger is touched; the write is one transaction."""
    new_progress = parse_progress(progress) if progress is not None else None
    new_status = parse_status(status) if status is not None else None
    text = clean_note(note)
    author = who(by)

    def decide(current: dict[str, Any]) -> dict[str, Any]:
        value, state = reconcile(current["progress"], current["status"], new_progress, new_status)
        wanted: dict[str, Any] = {"progress": value, "status": state}
        if due is not None:
            wanted["due"] = due.isoformat()
        return wanted

    entry = ledger.update_point(point_id, decide, note=text, by=author, at=now())
    if entry is None:
        raise InvalidValue(f"第 {point_id} 项没有变化：给出的值与当前值相同")
    return entry
