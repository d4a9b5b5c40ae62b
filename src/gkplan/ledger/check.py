"""What `gkplan check` verifies: the file, the schema (nothing gkplan did not create), the rows, the
history's hash chain, and that replaying the history gives the ledger's states and today's tables.

By default only what is bounded or one cheap pass runs (SQLite's quick_check, the schema, the rows' plain
columns, the history's numbering, and the chain and replay of the last WINDOW entries), so that a million
points check in seconds (the roll-ups too: they grow with the tasks only); `--full` runs everything over every
row (integrity_check, references, the owners' JSON, the summary keys, the whole chain and the whole replay).
Each row says which ran (`scope`)."""

from __future__ import annotations

import json
from typing import Any

from gkplan.ledger import schema
from gkplan.ledger.chain import GENESIS, entry_hash
from gkplan.ledger.states import STATE_FIELDS, apply, key_of
from gkplan.ledger.points import KEY_SEPARATOR, STATUS_CODES, names_of
from gkplan.rules import rollup, task_mean

_LABEL = {"point": "第 {0} 项", "task": "任务 {0}.{1}", "target": "第 {0} 项指标 {1}"}
WINDOW = 10_000  # the history entries whose chain and items a default check verifies: the newest
# the checks only --full runs: each reads every row, or decodes JSON or hashes for each
FULL_ONLY = ("引用完整", "牵头部门", "汇总索引", "种子版本")  # (the roll-ups run by default: they read the tasks, not the points)


class CheckMixin:
    """Called as CheckMixin.check(ledger): kept out of Ledger's bases so that only `check` imports it."""

    def check(self, full: bool = False, diverge: int = 20) -> list[dict[str, Any]]:
        """Everything a doubtful user wants to know about the file, each as {check, ok, detail, scope}."""
        out: list[dict[str, Any]] = []
        scope = "full" if full else "quick"

        def add(name: str, problems: list[str], fine: str) -> None:
            out.append({"check": name, "ok": not problems, "scope": scope, "detail": "；".join(problems[:10]) + (
                f"……共 {len(problems)} 处" if len(problems) > 10 else "") if problems else fine})  # fmt: skip

        with self.snapshot() as conn:
            q = conn.execute
            if self.dialect.name == "sqlite":
                CheckMixin._file(q, add, full)
            else:
                from gkplan.ledger.pg_rules import server_checks

                server_checks(q, add)
            CheckMixin._rows(self, q, add, out, diverge, full)
        if not full:
            skipped = [name for name in FULL_ONLY if self.dialect.name == "sqlite" or name not in ("引用完整", "牵头部门")]
            out.append({"check": "检查范围", "ok": True, "scope": scope, "detail": (
                ("快速检查：文件用 quick_check，" if self.dialect.name == "sqlite" else "快速检查：")
                + f"历史链和历史重放只查最近 {WINDOW} 条记录；未做：{'、'.join(skipped)}。加 --full 做完整检查")})  # fmt: skip
        return out

    @staticmethod
    def _file(q, add, full: bool) -> None:  # noqa: ANN001
        """The SQLite file: its pages, its header, nothing but gkplan's objects, its keys, its rows' formats."""
        result = [r[0] for r in q("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
        add("文件完整性", [] if result == ["ok"] else result, "SQLite " + ("integrity_check" if full else "quick_check") + " 通过")
        version, app = q("PRAGMA user_version").fetchone()[0], q("PRAGMA application_id").fetchone()[0]
        wrong = ([f"版本 {version}，应为 {schema.SCHEMA_VERSION}"] if version != schema.SCHEMA_VERSION else []) + (
            ["文件头没有 gkplan 标记"] if app != schema.APPLICATION_ID else [])  # fmt: skip
        add("结构版本", wrong, f"版本 {version}")
        foreign = [f"{r[0]} {r[1]}" for r in q(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            if r[1] not in schema.OWN_OBJECTS]  # fmt: skip
        add("没有外来对象", foreign, "只有 gkplan 自己的表、索引和触发器")
        if full:
            keys = [f"{r[0]} 第 {r[1]} 行" for r in q("PRAGMA foreign_key_check")]
            add("引用完整", keys, "任务、指标、部门都指向存在的要点")
        add("记录格式", CheckMixin._malformed(q, full), "每条记录的进度、状态、日期" + (
            "、牵头信息和历史记录格式正确" if full else "格式正确（牵头信息和历史记录的 JSON 只在 --full 时检查）"))  # fmt: skip
        if not full:
            return
        orphans = [f"{r[0]} 第 {r[1]} 项" for r in q(
            "SELECT plan, id FROM points p WHERE NOT EXISTS (SELECT 1 FROM point_departments d WHERE d.plan = p.plan"
            " AND d.point = p.id) AND NOT EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(p.leads) THEN p.leads"
            " ELSE '[]' END) WHERE json_extract(value, '$.note') IS NOT NULL)")]  # fmt: skip
        add("牵头部门", orphans, "每项要点都有牵头部门或分工说明")

    def _rows(self, q, add, out: list, diverge: int, full: bool) -> None:  # noqa: ANN001
        """What both engines check alike: the rows against each other, the chain, the replay."""
        if full:
            stale = []
            for plan, pid, leads, dkey, lkey in q("SELECT plan, id, leads, department_key, leader_key FROM points"):
                try:
                    decoded = json.loads(leads)
                    fine = dkey == (KEY_SEPARATOR.join(names_of(decoded, "departments")) or None) and lkey == (
                        KEY_SEPARATOR.join(names_of(decoded, "leader")) or None)  # fmt: skip
                except (ValueError, TypeError, KeyError):
                    fine = False
                if not fine:
                    stale.append(f"{plan} 第 {pid} 项")
            add("汇总索引", stale, "按部门、校领导汇总所用的名称与牵头信息一致")
            add("种子版本", CheckMixin._versions(q), "重新载入替换下的种子文字都属于那次载入的记录，各项都指向自己最后的版本")
        closed = "(progress = 100) <> (status IN ('done', 'pending_review')) OR (progress > 0 AND status = 'not_started')"
        bad = [f"{r[0]} 第 {r[1]} 项" for r in q(f"SELECT plan, id FROM points WHERE {closed}")] + [
            f"{r[0]} 任务 {r[1]}.{r[2]}" for r in q(f"SELECT plan, point, seq FROM tasks WHERE removed = 0 AND {closed}")]  # fmt: skip
        add("进度与状态一致", bad, "进度 100 与“待销号”或“已完成”一一对应，有进度的不是“未启动”")
        follows, apart = CheckMixin._rollups(q, diverge)  # (by default too: its cost grows with the tasks only)
        add("任务汇总", follows, "任务清单已确认完整的要点，进度等于任务的加权平均")
        out.append({"check": "填报与任务", "ok": True, "scope": "full" if full else "quick", "warning": bool(apart), "detail": (
            f"提醒：以下要点填报的进度与任务汇总相差超过 {diverge} 个百分点：" + "；".join(apart[:10])
            + (f"……共 {len(apart)} 处" if len(apart) > 10 else "")) if apart
            else f"填报的进度与任务汇总相差都不超过 {diverge} 个百分点"})  # fmt: skip
        count, last = q("SELECT count(*), coalesce(max(id), 0) FROM history").fetchone()
        since = 0 if full or last <= WINDOW else last - WINDOW  # entries after `since` are verified one by one
        where = f"最近 {last - since} 条" if since else "每条"
        gaps = [] if not since or count == last else [f"记录编号不连续：共 {count} 条，最大编号 {last}（有记录被删除）"]
        add("历史链", gaps + CheckMixin._chain(q, since), f"{where}历史记录都与前一条相连，没有被改动、删除或插入")
        add("历史重放", CheckMixin._replay(self, q, since) + ([] if since else CheckMixin._unrecorded(q)),
            ("按生效日期重放历史" if not since else f"最近 {last - since} 条记录涉及的要点按生效日期重放历史")
            + "，得到的状态与台账一致")  # fmt: skip

    @staticmethod
    def _versions(q) -> list[str]:  # noqa: ANN001
        """The seed's words a reload replaced (ledger/load_versions.py): each version of an item belongs to a reload's
        entry of that item, and the item's `reseeded` is the day its latest version ended, none without one (else a
        past day reads words no reload replaced, or skips those one did)."""
        from gkplan.ledger.load_versions import ITEMS, version_key

        out = []
        for entity, ref in (("point", "NULL"), ("task", "CAST(w.seq AS TEXT)"), ("target", "w.metric"), ("section", None)):
            table, own = ITEMS[entity]
            keys = version_key(entity)
            mine = " AND ".join(f"x.{o} = w.{k}" for o, k in zip(own, keys))
            same = " AND ".join(f"e.{k} = w.{k}" for k in keys)
            entry = "" if ref is None else (
                f" OR NOT EXISTS (SELECT 1 FROM history h WHERE h.id = w.hid AND h.plan = w.plan AND h.point = w.point"
                f" AND h.entity = '{entity}' AND h.ref IS NOT DISTINCT FROM {ref} AND h.action = 'load')")  # fmt: skip
            found = q(f"SELECT DISTINCT w.plan, {', '.join(f'w.{k}' for k in keys)} FROM {entity}_seeds w WHERE NOT EXISTS"
                      f" (SELECT 1 FROM {table} x WHERE x.plan = w.plan AND {mine} AND x.reseeded = (SELECT max(e.ended)"
                      f" FROM {entity}_seeds e WHERE e.plan = w.plan AND {same})){entry} ORDER BY 1, 2").fetchall()  # fmt: skip
            found += q(f"SELECT x.plan, {', '.join(f'x.{o}' for o in own)} FROM {table} x WHERE x.reseeded IS NOT NULL"
                       f" AND NOT EXISTS (SELECT 1 FROM {entity}_seeds w WHERE w.plan = x.plan AND {mine})"
                       " ORDER BY 1, 2").fetchall()  # fmt: skip
            label = {"section": "第 {0} 部分"}.get(entity) or _LABEL[entity]
            out += [label.format(*r[1:]) + f"（{r[0]}）" for r in found]
        return out

    @staticmethod
    def _unrecorded(q) -> list[str]:  # noqa: ANN001
        """Items with no entry of their own whose reporting values are not a seed's: written past the history (by
        hand, or by SQL on a server), where no replay looks. The seed gives none of these values."""
        reported = "progress <> 0 OR status <> 'not_started' OR note IS NOT NULL OR problem IS NOT NULL OR next IS NOT NULL" \
                   " OR evidence IS NOT NULL OR reported IS NOT NULL OR closed IS NOT NULL OR due_original IS NOT NULL"
        tables = (("point", "points p", "p.id", "NULL", f"({reported} OR follows <> 0)"),
                  ("task", "tasks p", "p.point, p.seq", "CAST(p.seq AS TEXT)", f"({reported} OR owner IS NOT NULL)"),
                  ("target", "targets p", "p.point, p.metric", "p.metric", "(actual IS NOT NULL OR actual_as_of IS NOT NULL OR note IS NOT NULL)"))
        out = []
        for entity, table, key, ref, changed in tables:
            point = "p.id" if entity == "point" else "p.point"
            for r in q(f"SELECT p.plan, {key} FROM {table} WHERE {changed} AND NOT EXISTS (SELECT 1 FROM history h"
                       f" WHERE h.plan = p.plan AND h.point = {point} AND h.entity = '{entity}' AND h.ref IS NOT DISTINCT FROM {ref})"
                       f" ORDER BY 1, 2"):  # fmt: skip
                out.append(_LABEL[entity].format(*r[1:]) + f"（{r[0]}；台账中有修改，历史中没有记录）")
        return out

    @staticmethod
    def _malformed(q, full: bool) -> list[str]:  # noqa: ANN001
        """Rows' formats; the owners' JSON and the history's only in a full check (one decode per row)."""
        codes = ",".join(f"'{c}'" for c in STATUS_CODES)
        row_rule = (f"typeof(progress) != 'integer' OR progress NOT BETWEEN 0 AND 100 OR status NOT IN ({codes})"
                    " OR due IS NULL OR date(due) IS NOT due")  # fmt: skip
        leads = " OR NOT json_valid(leads) OR json_type(leads) != 'array'" if full else ""
        return [f"{r[0]} 第 {r[1]} 项" for r in q(f"SELECT plan, id FROM points WHERE {row_rule}{leads}")] + [
            f"{r[0]} 任务 {r[1]}.{r[2]}" for r in q(
                f"SELECT plan, point, seq FROM tasks WHERE typeof(progress) != 'integer' OR progress NOT BETWEEN 0 AND 100"
                f" OR status NOT IN ({codes}) OR (due IS NOT NULL AND date(due) IS NOT due)"
                " OR typeof(weight) != 'integer' OR weight < 1")] + [
            f"记录 #{r[0]}" for r in (q(
                "SELECT id FROM history WHERE NOT json_valid(changes) OR json_type(changes) != 'object'"
                " OR entity NOT IN ('point', 'task', 'target') OR date(effective) IS NOT effective") if full else ())]  # fmt: skip

    @staticmethod
    def _rollups(q, diverge: int) -> tuple[list[str], list[str]]:  # noqa: ANN001
        """Points that follow their tasks and whose progress is not their roll-up (a failure); points that
        report their own and differ from it by more than `diverge` points (a warning)."""
        tasks: dict[tuple, list] = {}
        for r in q("SELECT plan, point, weight, progress, status FROM tasks WHERE removed = 0"):
            tasks.setdefault((r[0], r[1]), []).append((r[2], r[3], r[4]))
        problems, apart = [], []
        for (plan, pid), rows in tasks.items():
            point = q("SELECT progress, status, follows FROM points WHERE plan = ? AND id = ?", (plan, pid)).fetchone()
            try:
                expected, mean = (rollup(rows, point[1]), task_mean(rows)) if point else (None, None)
            except TypeError:
                continue  # a malformed task: named by the format check
            if not point or mean is None or type(point[0]) is not int:
                continue  # (a progress edited to text or a fraction: named by the format check)
            if point[2] and expected and point[0] != expected[0]:  # (none for a point 销号'd: it keeps its 100)
                problems.append(f"{plan} 第 {pid} 项（{point[0]}%，任务计算为 {expected[0]}%）")
            elif not point[2] and abs(point[0] - mean) > diverge:
                apart.append(f"{plan} 第 {pid} 项（填报 {point[0]}%，任务汇总 {mean}%）")
        return problems, apart

    @staticmethod
    def _chain(q, since: int = 0) -> list[str]:  # noqa: ANN001
        """The chain from entry `since` + 1 on, starting from the hash recorded on entry `since`."""
        problems, previous, expected_id = [], GENESIS, since + 1
        if since:
            row = q("SELECT hash FROM history WHERE id = ?", (since,)).fetchone()
            if row is None:
                return [f"记录 #{since} 缺失"]
            previous = row[0]
        for row in q("SELECT id, plan, point, entity, ref, action, effective, at, by, changes, note, cause, undoes, source,"
                     " hash FROM history WHERE id > ? ORDER BY id", (since,)):  # fmt: skip
            entry = dict(row)
            if entry["id"] != expected_id:
                problems.append(f"记录 #{expected_id} 缺失")
            if entry_hash(previous, entry) != entry["hash"]:
                problems.append(f"记录 #{entry['id']} 与哈希链不符（被改动，或其前面的记录被改动、删除）")
            previous, expected_id = entry["hash"], entry["id"] + 1
        return problems

    def _replay(self, q, since: int = 0) -> list[str]:  # noqa: ANN001
        """Fold every item's entries from its base state (of every point an entry after `since` touched);
        compare with its states and today's row."""
        problems: list[str] = []
        current: tuple | None = None
        state: dict[str, Any] = {}
        states: list[dict[str, Any]] = []

        def finish() -> None:
            if current is None:
                return
            plan, entity, key = current
            fields = STATE_FIELDS[entity]
            cols = ("plan", *(("point",) if entity == "point" else ("point", "seq" if entity == "task" else "metric")))
            where = " AND ".join(f"{c} = ?" for c in cols)
            stored = [dict(zip(fields, r)) for r in q(
                f"SELECT {', '.join(fields)} FROM {entity}_states WHERE {where} ORDER BY effective, hid", (plan, *key))]  # fmt: skip
            table, idcols = {"point": ("points", "id"), "task": ("tasks", "point, seq"), "target": ("targets", "point, metric")}[entity]
            today_cols = [f if f != "present" else "1 - removed" for f in fields]
            today = q(f"SELECT {', '.join(today_cols)} FROM {table} WHERE plan = ? AND ({idcols}) = ({', '.join('?' * len(key))})",
                      (plan, *key)).fetchone()  # fmt: skip
            if stored != states or today is None or dict(zip(fields, today)) != state:
                problems.append(_LABEL[entity].format(*key) + f"（{plan}）")

        saved = self._plan
        try:
            valid = " AND json_valid(changes)" if self.dialect.name == "sqlite" else ""  # (a server's are checked on insert)
            # the recent points' whole histories, through idx_history_item (the inner ORDER BY keeps SQLite on the
            # rowid range: a bare DISTINCT would scan the whole item index to avoid a sort)
            recent = (" JOIN (SELECT DISTINCT p, n FROM (SELECT plan AS p, point AS n FROM history WHERE id > ? ORDER BY id) i) r"
                      " ON plan = r.p AND point = r.n")  # fmt: skip
            for row in q(f"SELECT plan, entity, point, ref, changes FROM history{recent if since else ''} WHERE 1 = 1{valid}"
                         " ORDER BY plan, entity, point, ref, effective, id", (since,) if since else ()):  # fmt: skip
                item = (row[0], row[1], key_of(row[1], row[2], row[3]))
                if item != current:
                    finish()
                    current, states = item, []
                    self._plan = {"key": row[0]}
                    try:
                        state = self.base_state(self.conn, row[1], item[2])
                    except Exception:  # noqa: BLE001 - an entry for an item that does not exist
                        problems.append(_LABEL[row[1]].format(*item[2]) + "（历史中有，台账中没有）")
                        current = None
                        continue
                if current is None:
                    continue
                state = apply(state, json.loads(row[4]))
                states.append(state)
            finish()
        finally:
            self._plan = saved
        return problems
