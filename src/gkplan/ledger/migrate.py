"""Bringing a ledger of versions 1–3 (one plan, history without effective days) up to today's tables, and
versions 4 to 8 up one step at a time.

One transaction, taken with the write lock and the version read again under it, so that two processes
upgrading the same file at once do it once. Entries keep their numbers and get the day they were
recorded as their effective day, undo links become `undoes`, and the chain is hashed. Changes that
version 3 made without an entry (a point's progress moved by its tasks) become one `migrate` entry per
item, so that replaying the history gives the ledger exactly.
"""

from __future__ import annotations

import json
from typing import Any

from gkplan.errors import LedgerError
from gkplan.ledger import schema

_OLD_TABLES = ("meta", "sections", "points", "point_departments", "point_leaders", "tasks", "targets", "history")


def upgrade(ledger: Any, version: int) -> None:
    conn = ledger.conn
    try:
        with ledger._errors():
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] == version:  # nobody did it meanwhile
                    if version < 4:
                        _upgrade(ledger, conn)  # builds today's tables outright (version 9's included)
                        _mark_approx(conn)
                    else:
                        if version == 4:
                            _upgrade_4(conn)
                        if version <= 5:
                            _upgrade_5(conn)
                        if version <= 6:
                            _upgrade_6(conn)
                        if version <= 7:
                            _upgrade_7(conn)
                        _upgrade_8(conn)
                    identify(conn)
                    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
                conn.execute("COMMIT")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the recorded name reaches the file itself
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    except LedgerError as exc:
        raise LedgerError(f"{exc}（台账需要从结构版本 {version} 升级到 {schema.SCHEMA_VERSION}）") from None


def _upgrade_4(conn: Any) -> None:
    """Version 4 → 5: new columns only. A point that version 4 had switched to its tasks' roll-up keeps the
    progress it has and reports its own from now on, until its task list is declared complete."""
    _add_columns(conn, schema.V5_COLUMNS)


def _upgrade_5(conn: Any) -> None:
    """Version 5 → 6: the seed's base values (none in a version 5 ledger), point_co (empty: version 5 set
    no co-operating departments), which targets are 约数, and the covering index of tables and summaries
    rebuilt with the report's new input (due_original: 延期)."""
    _add_columns(conn, schema.V6_COLUMNS)
    schema.create_tables(conn, schema.V6_TABLES)
    conn.execute("DROP INDEX idx_points_brief")
    conn.execute(next(s for s in schema.TABLES.split(";\n") if "idx_points_brief" in s))
    _mark_approx(conn)


def _mark_approx(conn: Any) -> None:
    """A target loaded before seeds could say `approx` is one when its words say so (rules.approximate),
    as a reload of the same seed would mark it: the two never disagree."""
    from gkplan.rules import approximate

    rows = conn.execute("SELECT rowid, source FROM targets").fetchall()
    conn.executemany("UPDATE targets SET approx = 1 WHERE rowid = ?", [(r[0],) for r in rows if approximate(r[1])])


def _upgrade_6(conn: Any) -> None:
    """Version 6 → 7: where an entry came from (`source`), empty for every entry so far: all were typed at the
    command line. No hash changes: the chain covers `source` only where it is set (chain.entry_hash)."""
    _add_columns(conn, schema.V7_COLUMNS)


def _upgrade_7(conn: Any) -> None:
    """Version 7 → 8: the reports' index (no rows change). Built from the whole history at once: 0.4 s at 300,000
    entries."""
    for name in schema.V8_INDEXES:
        conn.execute(schema.index_statement(name))


def _upgrade_8(conn: Any) -> None:
    """Version 8 → 9: the seed's replaced versions, none so far (a reload before version 9 kept none: a past day
    reads its latest seed's words, as before)."""
    _add_columns(conn, schema.V9_COLUMNS)
    schema.create_tables(conn, schema.V9_TABLES)


def identify(conn: Any) -> None:
    """A ledger from before version 7 gets its identity (meta `ledger_id`) from what it already holds: the name
    it was made under and the hash of its first entry. Derived, not drawn at random, so that a ledger this user
    may only read, upgraded in memory at every opening, shows the same identity each time."""
    import hashlib

    if conn.execute("SELECT 1 FROM meta WHERE key = 'ledger_id'").fetchone():
        return
    path = conn.execute("SELECT value FROM meta WHERE key = 'path'").fetchone()
    first = conn.execute("SELECT hash FROM history ORDER BY id LIMIT 1").fetchone()
    basis = f"{path[0] if path else ''}\x1f{first[0] if first else ''}"
    conn.execute("INSERT INTO meta (key, value) VALUES ('ledger_id', ?)", (hashlib.sha256(basis.encode()).hexdigest()[:32],))


def _add_columns(conn: Any, tables: dict[str, str]) -> None:
    for table, columns in tables.items():
        for column in columns.split("|"):
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def _upgrade(ledger: Any, conn: Any) -> None:
    from gkplan.ledger.chain import GENESIS, entry_hash

    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    for table in _OLD_TABLES:
        conn.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
    schema.create(conn)
    meta = dict(conn.execute("SELECT key, value FROM old_meta").fetchall())
    key = meta.get("year") or "2022"
    conn.execute(
        'INSERT INTO plans (key, title, document, year, issued, start, "end", loaded) VALUES (?, ?, ?, ?, ?, ?, ?, 1)',
        (key, meta.get("title", ""), meta.get("document") or None, int(key), meta.get("issued", ""),
         meta.get("start", meta.get("issued", "")), meta.get("end", f"{key}-12-31")),
    )  # fmt: skip
    conn.execute("INSERT INTO sections (plan, id, title) SELECT ?, id, title FROM old_sections", (key,))
    conn.execute(
        "INSERT INTO points (plan, id, section, title, text, leads, due_seed, due_base, due, progress, status, note,"
        " updated_at) SELECT ?, id, section, title, text, leads, due_seed, due_seed, due, progress, status, note,"
        " updated_at FROM old_points", (key,),
    )  # fmt: skip
    from gkplan.ledger.points import KEY_SEPARATOR, names_of

    for pid, leads in conn.execute("SELECT id, leads FROM points").fetchall():
        decoded = json.loads(leads)
        depts, leaders = names_of(decoded, "departments"), names_of(decoded, "leader")
        conn.execute("UPDATE points SET department_key = ?, leader_key = ? WHERE plan = ? AND id = ?",
                     (KEY_SEPARATOR.join(depts) or None, KEY_SEPARATOR.join(leaders) or None, key, pid))  # fmt: skip
    for kind in ("department", "leader"):
        conn.execute(f"INSERT INTO point_{kind}s (plan, point, ord, {kind}) SELECT ?, point, ord, {kind} FROM old_point_{kind}s", (key,))
    added = {(r[0], r[1]) for r in conn.execute("SELECT point, ref FROM old_history WHERE entity = 'task' AND action = 'add'")}
    conn.execute(
        "INSERT INTO tasks (plan, point, seq, title, due, owner, dept, deliverable, weight, progress, status, note, origin,"
        " created_at, updated_at) SELECT ?, point, seq, title, due, owner, dept, deliverable, weight, progress, status,"
        " note, origin, created_at, updated_at FROM old_tasks", (key,),
    )  # fmt: skip
    for point, seq, origin in conn.execute("SELECT point, seq, origin FROM tasks").fetchall():
        timeless = origin == "seed" and (point, str(seq)) not in added
        conn.execute("UPDATE tasks SET timeless = ? WHERE plan = ? AND point = ? AND seq = ?", (int(timeless), key, point, seq))
    # tasks removed in version 3 are gone from its table: back from their history, marked removed
    for point, ref, changes in conn.execute(
        "SELECT point, ref, changes FROM old_history WHERE entity = 'task' AND action = 'remove' ORDER BY id"
    ).fetchall():  # fmt: skip
        row = json.loads(changes)["task"][0]
        conn.execute(
            "INSERT OR IGNORE INTO tasks (plan, point, seq, title, due, owner, dept, deliverable, weight, progress, status,"
            " note, origin, created_at, updated_at, removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (key, point, int(ref), row["title"], row.get("due"), row.get("owner"), row.get("dept"), row.get("deliverable"),
             row.get("weight", 1), row.get("progress", 0), row.get("status", "not_started"), row.get("note"),
             row.get("origin", "user"), row.get("created_at"), row.get("updated_at")),
        )  # fmt: skip
    conn.execute(
        "INSERT INTO targets (plan, point, metric, unit, target_min, target_max, due, source, actual, actual_as_of, note,"
        " updated_at, ord) SELECT ?, point, metric, unit, target_min, target_max, due, source, actual, actual_as_of, note,"
        " updated_at, rowid FROM old_targets", (key,),
    )  # fmt: skip
    undoes = dict(conn.execute("SELECT undone_by, id FROM old_history WHERE undone_by IS NOT NULL").fetchall())
    previous = GENESIS
    for row in conn.execute("SELECT id, point, entity, ref, at, by, action, changes, note FROM old_history ORDER BY id").fetchall():
        entry = {"id": row[0], "plan": key, "point": row[1], "entity": row[2], "ref": row[3], "action": row[6],
                 "effective": row[4][:10], "at": row[4], "by": row[5], "changes": row[7], "note": row[8], "cause": None,
                 "undoes": undoes.get(row[0])}  # fmt: skip
        entry["hash"] = previous = entry_hash(previous, entry)
        conn.execute(f"INSERT INTO history ({', '.join(entry)}) VALUES ({', '.join('?' * len(entry))})", tuple(entry.values()))
    for table in _OLD_TABLES:
        conn.execute(f"DROP TABLE old_{table}")
    conn.execute("INSERT INTO meta (key, value) VALUES ('path', ?), ('migrated_from', '3')", (str(ledger.path),))
    _reconcile(ledger, conn, key, meta.get("start", meta.get("issued", f"{key}-01-01")))


def _reconcile(ledger: Any, conn: Any, key: str, start: str) -> None:
    """States for every item with entries; where replay falls short of what version 3 stored, a `migrate` entry."""
    from gkplan.ledger.states import STATE_FIELDS, apply

    ledger._plan = {"key": key}
    last_day = dict(conn.execute("SELECT point, max(effective) FROM history GROUP BY point").fetchall())
    items = [("point", (r[0],), r[1:]) for r in conn.execute("SELECT id, progress, status, note, due FROM points")] + [
        ("task", (r[0], r[1]), r[2:]) for r in conn.execute(
            "SELECT point, seq, NOT removed, due, owner, weight, progress, status, note FROM tasks")] + [
        ("target", (r[0], r[1]), r[2:]) for r in conn.execute("SELECT point, metric, actual, actual_as_of, note FROM targets")]  # fmt: skip
    for entity, item, stored in items:
        state = ledger.base_state(conn, entity, item)
        ref = None if entity == "point" else str(item[1])
        for hid, effective, at, changes in conn.execute(
            "SELECT id, effective, at, changes FROM history WHERE point = ? AND entity = ? AND ref IS ? ORDER BY effective, id",
            (item[0], entity, ref),
        ).fetchall():  # fmt: skip
            state = apply(state, json.loads(changes))
            ledger._add_state(conn, entity, item, {"id": hid, "effective": effective, "at": at}, state)
        actual = dict(zip(STATE_FIELDS[entity], stored))
        if entity == "task":
            actual["present"] = int(actual["present"])
        missing = {k: [state[k], v] for k, v in actual.items() if state[k] != v}
        if missing:
            day = last_day.get(item[0]) or start
            ledger.record(conn, entity, item, "migrate", missing, "结构升级时补记", "gkplan", day, f"{day}T00:00:00+00:00")
    for table, entity, cols in (("points", "point", ("id",)), ("tasks", "task", ("point", "seq")),
                                ("targets", "target", ("point", "metric"))):
        match = " AND ".join(f"s.{'point' if c == 'id' else c} = {table}.{c}" for c in cols)
        conn.execute(f"UPDATE {table} SET changed = (SELECT max(effective) FROM {entity}_states s WHERE s.plan = {table}.plan"
                     f" AND {match})")  # fmt: skip
