"""Undoing a change: the caller's own latest, or record N — as new entries, never by deleting one."""

from __future__ import annotations

import sqlite3
from typing import Any

from gkplan.errors import Conflict, NotFound
from gkplan.ledger.history import HISTORY_COLUMNS, entry_of
from gkplan.ledger.states import key_of

# kept by the loop's rules, not written by anyone: a later report moving 最近报送 stands on no value of the undone one
AUTOMATIC = {"reported"}


class UndoMixin:
    def undo(self, *, by: str, at: str, number: int | None = None, force: bool = False) -> dict[str, Any] | None:
        """Revert record `number`, or the caller's own latest change not yet undone, with the changes it
        caused; as new entries, effective on the day the reverted ones were. Refused when a change after it in
        the item's timeline touched the same field, unless `force` (then the revert takes effect after the last
        such change)."""
        with self._write() as conn:
            if number is None:
                mine, who = self.mine("h.by", by)
                row = conn.execute(
                    f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.plan = ? AND {mine} AND h.cause IS NULL"
                    " AND h.action IN ('update', 'add', 'remove', 'review', 'complete', 'checkpoint') AND NOT EXISTS (SELECT 1 FROM history u WHERE u.undoes = h.id)"
                    " ORDER BY h.id DESC LIMIT 1", (self.plan_key, *who),
                ).fetchone()  # fmt: skip
                if row is None:
                    return None
            else:
                row = conn.execute(f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.id = ?", (number,)).fetchone()
                if row is None:
                    raise NotFound(f"没有编号为 #{number} 的历史记录；用 gkplan log 查看")
            main = entry_of(row)
            if not self.office and not self.authored(main["by"]):  # a department undoes its own records only
                from gkplan.errors import Forbidden

                raise Forbidden(f"记录 #{main['id']} 是 {main['by']} 的修改，只能由督查办撤销；用 gkplan undo 撤销自己的修改")
            if main["plan"] != self.plan_key:  # `undo N` acts in the plan of record N
                self._plan = next(p for p in self.all_plans() if p["key"] == main["plan"])
            n = main["id"]
            if main["action"] == "load":
                raise Conflict(f"记录 #{n} 是载入种子文件时的修改，不能撤销；请重新载入原来的种子文件")
            if main["action"] == "migrate":
                raise Conflict(f"记录 #{n} 是升级台账结构时补记的状态，不能撤销")
            if main["action"] == "undo":
                raise Conflict(f"记录 #{n} 本身是一次撤销，不能再撤销")
            if main["cause"] is not None:
                raise Conflict(f"记录 #{n} 是由记录 #{main['cause']} 引起的；请撤销 #{main['cause']}")
            if main["undone_by"] is not None:
                raise Conflict(f"记录 #{n} 已被记录 #{main['undone_by']} 撤销")
            derived = [entry_of(r) for r in conn.execute(
                f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.cause = ? ORDER BY h.id", (n,))]  # fmt: skip
            ids = {n} | {e["id"] for e in derived}
            later = self._later_changes(conn, main, ids)
            if later and not force:
                raise Conflict(
                    f"不能撤销记录 #{n}：之后 {later[0]['by']} 在记录 #{later[0]['id']} 中又修改了同一项的同一字段；要强行撤销请加 --force"
                )
            day = max([main["effective"], *(e["effective"] for e in later)])  # forced: after the later changes
            key = key_of(main["entity"], main["point"], main["ref"])
            undo = self.record(conn, main["entity"], key, "undo", self._reverted(conn, main, day), f"撤销记录 #{n}", by,
                               day, at, undoes=n)  # fmt: skip
            # what the change caused goes back exactly where nothing touched it since; where something did (a later
            # task change moved the point again), the point is derived afresh from its tasks
            settled = [d for d in derived if not self._later_changes(conn, d, ids)]
            for d in settled:
                self.record(conn, d["entity"], key_of(d["entity"], d["point"], d["ref"]), "undo",
                            self._reverted(conn, d, d["effective"]), None, by, d["effective"], at, cause=undo["id"],
                            undoes=d["id"])  # fmt: skip
            self.derive(conn, main["point"], min(main["effective"], day), undo["id"], by, at)
            if {"due", "task"} & set(undo["changes"]):  # (a due date back, or a task brought back)
                self._dues_in_order(conn, main["point"], n)
            return undo | {"undone": main}

    def _dues_in_order(self, conn: sqlite3.Connection, point: int, n: int) -> None:
        """An undo that would leave an unfinished task due after its point is refused (its transaction rolls back)."""
        from gkplan.ledger.tasks import tasks_after

        for row in tasks_after(conn, self.plan_key, point)[:1]:
            from gkplan.errors import InvalidValue

            raise InvalidValue(f"不能撤销记录 #{n}：撤销后任务 {point}.{row[0]} 的截止日期 {row[1]} 晚于第 {point} 项的截止日期 {row[2]}；"
                               f"请先调整任务：gkplan task update {point}.{row[0]} --due 日期")  # fmt: skip

    def _later_changes(self, conn: sqlite3.Connection, entry: dict[str, Any], group: set[int]) -> list[dict[str, Any]]:
        """The changes after `entry` in its item's timeline (recorded after it and effective on its day or later)
        that touched a field it changed. One recorded later but effective earlier (a report back-dated under it)
        is not after it: undoing the entry uncovers that report's values (_restored)."""
        fields = set(entry["changes"]) - AUTOMATIC
        whole = "task" in fields  # a task added or removed: any later change to it stands on that
        out = []
        for row in conn.execute(
            f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.plan = ? AND h.point = ? AND h.entity = ? AND h.ref IS NOT DISTINCT FROM ?"
            " AND h.id > ? AND h.effective >= ? ORDER BY h.id",
            (entry["plan"], entry["point"], entry["entity"], entry["ref"], entry["id"], entry["effective"]),
        ):  # fmt: skip
            later = entry_of(row)
            # a later change that was itself undone, and that undo, leave the field as this entry left it
            settled = later["undone_by"] is not None or (later["undoes"] or 0) > entry["id"]
            if later["id"] not in group and not settled and (whole or fields & set(later["changes"])):
                out.append(later)
        return out

    def _reverted(self, conn: sqlite3.Connection, entry: dict[str, Any], day: str) -> dict[str, list[Any]]:
        """The changes that undo `entry` on `day` (after everything recorded for that day): each field it changed
        from its value then back to what the timeline holds just before the entry — its recorded old value,
        unless a report back-dated under it since says otherwise. 最近报送 that a later report moved stays; where
        one of progress and status goes back beside the other as a later change left it (a forced undo), the
        other follows (values.reconcile), or the undo is refused where no value can."""
        key = key_of(entry["entity"], entry["point"], entry["ref"])
        before = self.state_before(conn, entry["entity"], key, entry["effective"], entry["id"])
        now = self.state_at(conn, entry["entity"], key, day)
        out = {k: [now.get(k, new), before.get(k, old)] if k != "task" else [new, old]
               for k, (old, new) in entry["changes"].items() if k not in AUTOMATIC or now.get(k) == new}
        if ("progress" in out) == ("status" in out) or "progress" not in now:
            return out
        from gkplan.errors import GkplanError
        from gkplan.values import STATUS_LABELS, reconcile

        back = {f: out[f][1] if f in out else None for f in ("progress", "status")}  # the one going back
        try:
            progress, status = reconcile(now["progress"], now["status"], back["progress"], back["status"])
        except GkplanError:
            shown = {f: now[f] if v is None else v for f, v in back.items()}
            raise Conflict(f"不能强行撤销记录 #{entry['id']}：撤销后进度 {shown['progress']}% 与状态“{STATUS_LABELS[shown['status']]}”"
                           "矛盾（之后的修改改动了其中之一）；请先撤销之后的修改") from None
        for field, value in (("progress", progress), ("status", status)):
            if field not in out and value != now[field]:
                out[field] = [now[field], value]
        return out
