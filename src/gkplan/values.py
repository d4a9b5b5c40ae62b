"""The ledger's small vocabularies (statuses, progress) and their parsing from user text.

Kept free of heavy imports so that the read path stays cheap to import.
"""

from __future__ import annotations

from typing import Any

from gkplan.errors import InvalidValue

# English key (stable, in JSON/CSV and the database) → Chinese label (what people read).
ROLE_LABELS = {"lead": "牵头", "co": "协办"}  # a department's part in a point
FORMULA_STARTS = "=+-@\t\r"  # at the start of a cell, what a spreadsheet would run as a formula
# invisible characters that text pasted from web pages, chat and word processors carries (zero width space, word
# joiner, byte order mark): dropped from what a user writes, rather than refusing it as a control character they
# cannot see. (Bidirectional controls stay refused: they change what a reader sees.)
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe."""
    if isinstance(value, str) and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value
STATUS_LABELS: dict[str, str] = {
    "not_started": "未启动",
    "in_progress": "进行中",
    "pending_review": "待销号",
    "done": "已完成",
    "blocked": "受阻",
    "deferred": "暂缓",
}
_STATUS_ALIASES = {label: key for key, label in STATUS_LABELS.items()} | {
    key.replace("_", "-"): key for key in STATUS_LABELS
} | {"完成": "done", "已启动": "in_progress", "推进中": "in_progress", "todo": "not_started", "办结": "done",
     "已办结": "done", "销号": "done", "已销号": "done", "待审核": "pending_review", "review": "pending_review"}


def parse_status(text: str) -> str:
    from unicodedata import normalize  # (a C extension: only the commands that read a value load it)

    s = normalize("NFKC", text).strip().lower()
    key = s if s in STATUS_LABELS else _STATUS_ALIASES.get(s)
    if key is None:
        choices = " / ".join(f"{label}（{key}）" for key, label in STATUS_LABELS.items())
        raise InvalidValue(f"未知状态：{text!r}；可用：{choices}")
    return key


def parse_progress(text: str) -> int:
    """'60', '60%', '６０' → 60; anything else, or outside 0–100, is refused."""
    from unicodedata import normalize  # (a C extension: only the commands that read a value load it)

    s = normalize("NFKC", text).strip().removesuffix("%").strip()
    if not (s.isascii() and s.isdigit()) or len(s) > 3:
        raise InvalidValue(f"进度应为 0–100 的整数，收到：{text!r}")
    value = int(s)
    if value > 100:
        raise InvalidValue(f"进度应为 0–100 的整数，收到：{text!r}")
    return value


def reconcile(current_progress: int, current_status: str, progress: int | None, status: str | None) -> tuple[int, str]:
    """The one rule that ties progress to status: 100 is a 办结 report and a 办结 report is 100.

    A department that reports 100 or 已完成 reports 办结: the item waits for review (待销号) — only the
    office's review makes it 已完成. Progress below 100 moves a 未启动, 待销号 or 已完成 item to 进行中;
    other statuses stay.
    """
    from gkplan.errors import Conflict

    closed = ("done", "pending_review")
    if status is not None and status in closed and current_status == "done":
        status = "done"  # already accepted: nothing to report
    elif status in closed:
        status = "pending_review"
    if progress is not None and status is not None:
        if status == "not_started" and progress > 0:
            raise Conflict(f"进度 {progress}% 与状态“未启动”矛盾")
        if (progress == 100) != (status in closed):
            raise Conflict(f"进度 {progress}% 与状态“{STATUS_LABELS[status]}”矛盾：进度 100 即办结，办结即进度 100")
        return progress, status
    if progress is not None:
        if progress == 100:
            return 100, "done" if current_status == "done" else "pending_review"
        if current_status in closed or (current_status == "not_started" and progress > 0):
            return progress, "in_progress"
        return progress, current_status
    if status is not None:
        if status in closed:
            return 100, status
        if current_progress == 100:
            raise Conflict(f"当前进度为 100%，改为“{STATUS_LABELS[status]}”时请同时用 --progress 给出新的进度（低于 100）")
        if status == "not_started" and current_progress > 0:
            raise Conflict(f"当前进度为 {current_progress}%，不能是“未启动”；请同时写 --progress 0")
        return current_progress, status
    return current_progress, current_status
