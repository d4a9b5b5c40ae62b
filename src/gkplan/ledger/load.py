"""Seeds into the ledger. A seed's plan (its year, or the `key` it sets) is added beside the plans the
ledger holds, or reloaded when it is already there: a reload refreshes the seed's own fields and adds
what is new, and never touches reported progress, status, notes, actuals or a due date the user moved."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from gkplan.errors import Conflict
from gkplan.ledger.load_versions import WORDS, ended, keep_versions
from gkplan.ledger.points import KEY_SEPARATOR, names_of

if TYPE_CHECKING:
    from gkplan.seed_model import Point
    from gkplan.seed import SeedSource

LOAD_BATCH = 2000  # points written at a time while a seed streams in
_SEED_FIELDS = ("section", "title", "text", "leads", "due_seed", "start", "seed_loop")
# a target's seed values as a reload's history entry names them
_TARGET_FIELDS = ("unit", "target_min", "target_max", "due", "source", "approx")


class LoadResult:
    """Counts, so that a 100,000-point load keeps no list of ids; the ids of changed points are named."""

    def __init__(self, plan: str = "") -> None:
        self.plan = plan
        self.new_plan = False
        self.added = self.changed = self.unchanged = 0
        self.changed_ids: list[int] = []
        self.not_in_seed: list[int] = []
        self.tasks_added = self.targets_added = self.targets_changed = 0


class LoadMixin:
    def load(self, seed: SeedSource, *, by: str, effective: str, at: str) -> LoadResult:
        """Points arrive one at a time from `seed` and are written in batches inside one transaction; if the
        seed has any problem, anywhere, the transaction is rolled back and every problem is reported."""
        import gc

        # what is loaded by now (modules, the seed checker's tables) is kept out of the collector's sight while the
        # points stream in, so that the full collections they set off stay cheap (≈ 8% of a load); given back after
        gc.freeze()
        try:
            return self._load(seed, by, effective, at)
        finally:
            gc.unfreeze()

    def _load(self, seed: SeedSource, by: str, effective: str, at: str) -> LoadResult:
        with self._write() as conn:
            plan = seed.plan
            result = LoadResult(plan.plan_key if plan is not None else "")
            if plan is not None and seed.ok:
                self._load_plan(conn, plan, result)
                if not result.new_plan:
                    self._keep_sections(conn, result.plan, {s.number: s.title for s in seed.sections}, effective)
                conn.executemany(
                    "INSERT INTO sections (plan, id, title) VALUES (?, ?, ?)"
                    " ON CONFLICT (plan, id) DO UPDATE SET title = excluded.title",
                    [(result.plan, s.number, s.title) for s in seed.sections],
                )
            end = plan.end_date.isoformat() if plan else ""
            stamp = (by, effective, at)
            # into a ledger with no points yet, rows go in faster without the indexes, built once at the end
            bulk = seed.ok and self.dialect.name == "sqlite" and conn.execute("SELECT 1 FROM points").fetchone() is None
            deferred = _drop_indexes(conn) if bulk else []
            batch: list[Point] = []
            self._owner_cache: dict[tuple, tuple] = {}
            self._versions_after = {}  # (what a read of a past day found of the versions: this load may add some)
            for point in seed.points():
                batch.append(point)
                if len(batch) == LOAD_BATCH:
                    self._load_batch(conn, batch, end, stamp, result, write=seed.ok)
                    batch = []
            self._load_batch(conn, batch, end, stamp, result, write=seed.ok)
            seed.finish()  # any problem: raises, and the transaction is rolled back
            for statement in deferred:
                conn.execute(statement)
            if not result.new_plan:  # (every point of a new plan came from this seed)
                result.not_in_seed = [r[0] for r in conn.execute(
                    "SELECT id FROM points WHERE plan = ? ORDER BY id", (result.plan,)) if r[0] not in seed.numbers]  # fmt: skip
        return result

    def _load_plan(self, conn: sqlite3.Connection, plan: Any, result: LoadResult) -> None:
        key = result.plan
        old = conn.execute("SELECT title, document FROM plans WHERE key = ?", (key,)).fetchone()
        if old is not None and (old["document"] or "") != (plan.document or "") and old["document"] and plan.document:
            raise Conflict(
                f"台账中已有计划“{key}”（{old['document']}），这是另一份计划（{plan.document}）；"
                "请在种子文件的 plan 中写 key: 区分两者"
            )
        result.new_plan = old is None
        loaded = conn.execute("SELECT coalesce(max(loaded), 0) + 1 FROM plans").fetchone()[0]
        conn.execute(
            'INSERT INTO plans (key, title, document, year, issued, start, "end", loaded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
            ' ON CONFLICT (key) DO UPDATE SET title = excluded.title, document = excluded.document, year = excluded.year,'
            ' issued = excluded.issued, start = excluded.start, "end" = excluded."end"',
            (key, plan.title, plan.document, plan.year, plan.issued.isoformat(), plan.start_date.isoformat(),
             plan.end_date.isoformat(), loaded),
        )  # fmt: skip
        # a load works in the seed's plan, whatever --plan says
        self._plan = dict(conn.execute('SELECT key, title, document, year, issued, start, "end", loaded FROM plans'
                                       ' WHERE key = ?', (key,)).fetchone())  # fmt: skip

    def _keep_sections(self, conn: sqlite3.Connection, key: str, titles: dict[int, str], effective: str) -> None:
        """A section's title that a reload replaces is kept with the day it ended; that day then reads as of the
        versions (plans.grown: no entry says so)."""
        # (no entry names a section's version: it is numbered after the section's earlier ones)
        versions = [(key, number, ended(reseeded, effective), made + 1, title) for number, title, reseeded, made in conn.execute(
            "SELECT id, title, reseeded, (SELECT count(*) FROM section_seeds w WHERE w.plan = s.plan AND w.id = s.id)"
            " FROM sections s WHERE plan = ?", (key,)).fetchall() if number in titles and titles[number] != title]  # fmt: skip
        keep_versions(conn, "section", versions)
        if versions:
            grown = self.dialect.greatest("coalesce(grown, '')", "?")
            conn.execute(f"UPDATE plans SET grown = {grown} WHERE key = ?", (effective, key))

    def _load_batch(
        self, conn: sqlite3.Connection, batch: list[Point], end: str, stamp: tuple[str, str, str], result: LoadResult,
        *, write: bool,
    ) -> None:  # fmt: skip
        from gkplan.ledger.load_items import add_point_co, follow_seed, load_deliverables, point_loop, seed_loop
        from gkplan.ledger.tasks import tasks_after

        if not batch or not write:
            return
        key = result.plan
        existing: dict[int, Any] = {}
        if not result.new_plan:  # (a new plan has no rows to compare with)
            ids = [p.number for p in batch]
            marks = ",".join("?" * len(ids))
            existing = {
                row["id"]: row for row in conn.execute(
                    f"SELECT id, section, title, text, leads, due_seed, due, start, seed_loop, co, checkpoints, department_key,"
                    f" leader_key, reseeded FROM points"
                    f" WHERE plan = ? AND id IN ({marks})",
                    (key, *ids))
            }  # fmt: skip
        new_rows, changed_rows, people, moved, fresh, co = [], [], [], [], set(), []
        for point in batch:
            leads, depts, leaders, dkey, lkey = _owners(point.leads, self._owner_cache)
            due_seed = point.due.isoformat() if point.due else end
            start = point.start.isoformat() if point.start else None
            loop = point_loop(point)
            loaded = seed_loop(loop)
            old = existing.get(point.number)
            if old is None:  # a point a reload adds exists from that day; the plan's first load, from the start
                since = None if result.new_plan else stamp[1]
                new_rows.append((key, point.number, point.section, point.title, point.text, leads, due_seed, due_seed,
                                 due_seed, dkey, lkey, since, start, loop["co"], loop["checkpoints"], loop["co"],
                                 loop["checkpoints"], loaded))  # fmt: skip
                fresh.add(point.number)
                if loop["co"]:
                    co.append((point.number, loop["co"]))
                result.added += 1
                people.append((point.number, depts, leaders))
                continue
            row = {
                "plan": key, "id": point.number, "section": point.section, "title": point.title, "text": point.text,
                "leads": leads, "due_seed": due_seed, "department_key": dkey, "leader_key": lkey, "start": start,
                "seed_loop": loaded,
            }  # fmt: skip
            if any(old[k] != row[k] for k in _SEED_FIELDS):
                changed_rows.append(row)
                changes = {k: [old[k], row[k]] for k in ("section", "title", "due_seed", "start") if old[k] != row[k]}
                changes |= follow_seed(old["seed_loop"], loop, dict(old))  # co-departments, checkpoints
                # a due date that followed the seed follows it; one the user moved stays
                if old["due"] == old["due_seed"] and old["due_seed"] != row["due_seed"]:
                    changes["due"] = [old["due"], row["due_seed"]]
                changes |= {k: ["…", "…"] for k in ("text", "leads") if old[k] != row[k]}
                # the words a past day read, kept when they change (never empty here: the entry names them)
                kept = tuple(old[k] for k in WORDS["point"]) if any(old[k] != row[k] for k in WORDS["point"]) else None
                moved.append((point.number, changes, kept, old["reseeded"]))
                result.changed += 1
                result.changed_ids.append(point.number)
            else:
                result.unchanged += 1
                continue
            people.append((point.number, depts, leaders))
        conn.executemany(  # (positional: binding a dict per row costs a lookup per column)
            "INSERT INTO points (plan, id, section, title, text, leads, due_seed, due_base, due, department_key, leader_key,"
            " since, start, co, checkpoints, co_base, checkpoints_base, seed_loop)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new_rows,
        )  # fmt: skip
        add_point_co(conn, key, co)
        if new_rows and not result.new_plan:
            grown = self.dialect.greatest("coalesce(grown, '')", "?")
            conn.execute(f"UPDATE plans SET grown = {grown} WHERE key = ?", (stamp[1], key))
        conn.executemany(
            "UPDATE points SET section=:section, title=:title, text=:text, leads=:leads, due_seed=:due_seed,"
            " department_key=:department_key, leader_key=:leader_key, start=:start, seed_loop=:seed_loop"
            " WHERE plan=:plan AND id=:id",
            changed_rows,
        )
        by, effective, at = stamp
        versions = []
        for number, changes, kept, reseeded in moved:  # each reload change is in the history; a moved due date is replayed
            if changes:  # (none when only seed values the user has since overridden moved)
                entry = self.record(conn, "point", (number,), "load", changes, None, by, effective, at)
                if kept is not None:
                    versions.append((key, number, ended(reseeded, effective), entry["id"], *kept))
        keep_versions(conn, "point", versions)
        self._index_people(conn, key, people, fresh=fresh)
        added_tasks, retasked = load_deliverables(self, conn, key, batch, fresh, stamp)
        result.tasks_added += added_tasks
        added, changed = self._load_targets(conn, key, batch, None if result.new_plan else (fresh, stamp))
        result.targets_added += added
        result.targets_changed += changed
        # a point's due date the seed moved, or its tasks' (a task the user added may be due after the point's new date,
        # a seed's task moved past a point whose date the office moved): never a task due after its point
        for number in sorted({m[0] for m in moved if "due" in m[1]} | retasked):
            for seq, due, point_due in tasks_after(conn, key, number)[:1]:
                raise Conflict(f"重新载入后第 {number} 项的截止日期 {point_due} 早于它未完成的任务 {number}.{seq} 的截止日期 {due}；"
                               f"请先调整要点或任务的截止日期（gkplan update {number} --due …，gkplan task update {number}.{seq} --due …），"
                               "或改种子；台账没有改动")  # fmt: skip

    def _load_targets(self, conn: sqlite3.Connection, key: str, batch: list[Point],
                      reload: tuple[set[int], tuple[str, str, str]] | None) -> tuple[int, int]:  # fmt: skip
        """Insert or update the batch's targets. On a reload each one added to or changed on a point the ledger
        had is a history entry (`load`), as a point's own seed changes are: who changed a target's bounds, and when."""
        with_targets = [p for p in batch if p.targets]
        if not with_targets:
            return 0, 0
        ids = [p.number for p in with_targets]
        marks = ",".join("?" * len(ids))
        found = {
            (r[0], r[1]): tuple(r)[2:]
            for r in conn.execute(
                f"SELECT point, metric, unit, target_min, target_max, due, source, approx, ord, reseeded FROM targets"
                f" WHERE plan = ? AND point IN ({marks})",
                (key, *ids),
            )
        }  # fmt: skip
        old = {k: r[:6] for k, r in found.items()}
        added = changed = 0
        rows, entries = [], []
        for point in with_targets:
            for i, t in enumerate(point.targets):
                values = (t.unit, t.min, t.max, t.due.isoformat() if t.due else None, t.source, int(t.about))
                k = (point.number, t.metric)
                if k not in old:
                    added += 1
                    entries.append((k, {"target": [None, dict(zip(_TARGET_FIELDS, values))]}, (0, *[None] * 7), None))
                elif old[k] != values:
                    changed += 1
                    unit, low, high, due, source, approx, order, reseeded = found[k]
                    entries.append((k, {f: [a, b] if f != "source" else ["…", "…"]
                                        for f, a, b in zip(_TARGET_FIELDS, old[k], values) if a != b},
                                    (1, unit, low, high, due, source, order, approx), reseeded))  # fmt: skip
                else:
                    continue
                rows.append((key, *k, *values, i))
        conn.executemany(
            "INSERT INTO targets (plan, point, metric, unit, target_min, target_max, due, source, approx, ord)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (plan, point, metric) DO UPDATE SET unit = excluded.unit,"
            " target_min = excluded.target_min, target_max = excluded.target_max, due = excluded.due,"
            " source = excluded.source, approx = excluded.approx",
            rows,
        )
        if reload is not None:
            fresh, (by, effective, at) = reload
            versions = []
            for k, changes, kept, reseeded in entries:
                if k[0] not in fresh:  # (a point this reload adds comes with its targets)
                    entry = self.record(conn, "target", k, "load", changes, None, by, effective, at)
                    versions.append((key, *k, ended(reseeded, effective), entry["id"], *kept))  # (one added: absent before)
            keep_versions(conn, "target", versions)
        return added, changed

    @staticmethod
    def _index_people(conn: sqlite3.Connection, key: str, people: list[tuple[int, list[str], list[str]]], fresh: set[int]) -> None:
        """Flat (point, name) rows for filtering: names in document order, each once."""
        stale = [(key, pid) for pid, _, _ in people if pid not in fresh]
        conn.executemany("DELETE FROM point_departments WHERE plan = ? AND point = ?", stale)
        conn.executemany("DELETE FROM point_leaders WHERE plan = ? AND point = ?", stale)
        conn.executemany(
            "INSERT INTO point_departments (plan, point, ord, department) VALUES (?, ?, ?, ?)",
            [(key, pid, i, name) for pid, depts, _ in people for i, name in enumerate(depts)],
        )
        conn.executemany(
            "INSERT INTO point_leaders (plan, point, ord, leader) VALUES (?, ?, ?, ?)",
            [(key, pid, i, name) for pid, _, leaders in people for i, name in enumerate(leaders)],
        )


def _owners(leads: Any, cache: dict[tuple, tuple]) -> tuple[str, list[str], list[str], str | None, str | None]:
    """A point's owners as stored (leads JSON, departments, leaders and their keys): worked out once per
    distinct owner line, of which a big plan has few however many points share them."""
    from gkplan.ledger.jsonwrite import dumps  # (the load path only: a listing never pays for it)

    key = tuple((lead.leader, tuple(lead.departments), lead.scope, lead.note) for lead in leads)
    found = cache.get(key)
    if found is None:
        decoded = [{"leader": k[0], "departments": list(k[1]), "scope": k[2], "note": k[3]} for k in key]
        depts, leaders = names_of(decoded, "departments"), names_of(decoded, "leader")
        found = (dumps(decoded), depts, leaders, KEY_SEPARATOR.join(depts) or None,
                 KEY_SEPARATOR.join(leaders) or None)  # fmt: skip
        if len(cache) < 10_000:  # bounded: a seed whose every owner line differs keeps only the first
            cache[key] = found
    return found


_BULK_INDEXES = ("idx_points_section", "idx_points_brief", "idx_point_departments", "idx_point_leaders")


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the indexes of the tables a first load fills; their CREATE statements, to run afterwards."""
    rows = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({','.join('?' * len(_BULK_INDEXES))})",
        _BULK_INDEXES).fetchall()  # fmt: skip
    for name, _ in rows:
        conn.execute(f"DROP INDEX {name}")
    return [sql for _, sql in rows]
