"""The ledger's tables, and the steps that bring an older ledger up to them.

Version 9 keeps what a reload replaced: the seed's words of a point (title, text, owners, section, start, due
date), of a task (kind, department) and of a target (unit, bounds, due date, source; one a reload added did not
exist before it), and a section's title, each version with the day it ended (`ended`: the reload's day), so that
any past day reads as it stood. `reseeded` on the item: the day of its latest such version, which a read of a
later day skips without a lookup.
Version 8 indexes the reports alone (idx_history_report: the history's updates and additions, item by item), so
that an item's latest report (`stale`) is read from the index without a visit to the table.

Version 6 marks a target whose value is a 约数 (`approx`: 160万人左右, met within a band around it).
Version 7 names where an entry came from (`history.source`: the workbook an `import` read) and gives
the ledger an identity (meta `ledger_id`) that the workbooks it hands out carry.
Version 5 adds the supervision loop's state (reports in three parts, evidence, the day of the latest
report and of the 办结 report, the due date before any 延期, co-operating departments, checkpoints,
whether a point follows its tasks) to points, tasks and their states; version 4 gave the ledger its three dimensions: plans (every table is keyed by `plan`), time
(every history entry has the day it is effective on, and `*_states` keep each item's state after
each entry, so any day can be read back), and people (every entry names who made it, entries are
chained by hash and never updated).
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 9
APPLICATION_ID = 0x676B706C  # 'gkpl' in the SQLite header: marks a file as a gkplan ledger

# What counts as a report (an item's latest one: `stale`), as a condition on history: the partial index
# idx_history_report holds these entries only, and a query uses it only when it states this very condition.
REPORTED = "action IN ('update', 'add')"

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE plans (
    key TEXT PRIMARY KEY, title TEXT NOT NULL, document TEXT, year INTEGER NOT NULL, issued TEXT NOT NULL,
    start TEXT NOT NULL, "end" TEXT NOT NULL, loaded INTEGER NOT NULL, grown TEXT);
CREATE TABLE sections (plan TEXT NOT NULL REFERENCES plans(key), id INTEGER NOT NULL, title TEXT NOT NULL,
    reseeded TEXT, PRIMARY KEY (plan, id));
CREATE TABLE points (
    plan TEXT NOT NULL, id INTEGER NOT NULL, section INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
    leads TEXT NOT NULL, due_seed TEXT NOT NULL, due_base TEXT NOT NULL, due TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'not_started', note TEXT, updated_at TEXT,
    changed TEXT, department_key TEXT, leader_key TEXT, since TEXT, start TEXT,
    problem TEXT, next TEXT, evidence TEXT, reported TEXT, closed TEXT, due_original TEXT,
    follows INTEGER NOT NULL DEFAULT 0, co TEXT, checkpoints TEXT, late TEXT,
    co_base TEXT, checkpoints_base TEXT, seed_loop TEXT, reseeded TEXT,
    PRIMARY KEY (plan, id), FOREIGN KEY (plan, section) REFERENCES sections (plan, id));
CREATE TABLE point_departments (plan TEXT NOT NULL, point INTEGER NOT NULL, ord INTEGER NOT NULL,
    department TEXT NOT NULL, PRIMARY KEY (plan, point, ord), FOREIGN KEY (plan, point) REFERENCES points (plan, id));
CREATE TABLE point_leaders (plan TEXT NOT NULL, point INTEGER NOT NULL, ord INTEGER NOT NULL,
    leader TEXT NOT NULL, PRIMARY KEY (plan, point, ord), FOREIGN KEY (plan, point) REFERENCES points (plan, id));
CREATE TABLE point_co (department TEXT NOT NULL, plan TEXT NOT NULL, point INTEGER NOT NULL,
    PRIMARY KEY (department, plan, point)) WITHOUT ROWID;
CREATE TABLE tasks (
    plan TEXT NOT NULL, point INTEGER NOT NULL, seq INTEGER NOT NULL, title TEXT NOT NULL, due TEXT, owner TEXT,
    dept TEXT, deliverable TEXT, weight INTEGER NOT NULL DEFAULT 1, progress INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'not_started', note TEXT, origin TEXT NOT NULL DEFAULT 'user',
    created_at TEXT, updated_at TEXT, removed INTEGER NOT NULL DEFAULT 0, timeless INTEGER NOT NULL DEFAULT 0,
    changed TEXT, kind TEXT NOT NULL DEFAULT 'task',
    problem TEXT, next TEXT, evidence TEXT, reported TEXT, closed TEXT, due_original TEXT, co TEXT,
    due_base TEXT, co_base TEXT, seed_loop TEXT, reseeded TEXT,
    PRIMARY KEY (plan, point, seq), FOREIGN KEY (plan, point) REFERENCES points (plan, id));
CREATE TABLE targets (
    plan TEXT NOT NULL, point INTEGER NOT NULL, metric TEXT NOT NULL, unit TEXT NOT NULL, target_min REAL NOT NULL,
    target_max REAL, due TEXT, source TEXT, actual REAL, actual_as_of TEXT, note TEXT, updated_at TEXT, changed TEXT,
    ord INTEGER NOT NULL DEFAULT 0, approx INTEGER NOT NULL DEFAULT 0, reseeded TEXT,
    PRIMARY KEY (plan, point, metric), FOREIGN KEY (plan, point) REFERENCES points (plan, id));
CREATE TABLE history (
    id INTEGER PRIMARY KEY, plan TEXT NOT NULL, point INTEGER NOT NULL, entity TEXT NOT NULL, ref TEXT,
    action TEXT NOT NULL, effective TEXT NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL, changes TEXT NOT NULL,
    note TEXT, cause INTEGER, undoes INTEGER, hash TEXT NOT NULL, source TEXT);
CREATE TABLE point_states (plan TEXT NOT NULL, point INTEGER NOT NULL, effective TEXT NOT NULL, hid INTEGER NOT NULL,
    progress INTEGER NOT NULL, status TEXT NOT NULL, note TEXT, due TEXT NOT NULL, at TEXT,
    problem TEXT, next TEXT, evidence TEXT, reported TEXT, closed TEXT, due_original TEXT,
    follows INTEGER NOT NULL DEFAULT 0, co TEXT, checkpoints TEXT, late TEXT,
    PRIMARY KEY (plan, point, effective, hid)) WITHOUT ROWID;
CREATE TABLE task_states (plan TEXT NOT NULL, point INTEGER NOT NULL, seq INTEGER NOT NULL, effective TEXT NOT NULL,
    hid INTEGER NOT NULL, present INTEGER NOT NULL, due TEXT, owner TEXT, weight INTEGER, progress INTEGER,
    status TEXT, note TEXT, at TEXT,
    problem TEXT, next TEXT, evidence TEXT, reported TEXT, closed TEXT, due_original TEXT, co TEXT,
    PRIMARY KEY (plan, point, seq, effective, hid)) WITHOUT ROWID;
CREATE TABLE target_states (plan TEXT NOT NULL, point INTEGER NOT NULL, metric TEXT NOT NULL,
    effective TEXT NOT NULL, hid INTEGER NOT NULL, actual REAL, actual_as_of TEXT, note TEXT, at TEXT,
    PRIMARY KEY (plan, point, metric, effective, hid)) WITHOUT ROWID;
CREATE TABLE point_seeds (plan TEXT NOT NULL, point INTEGER NOT NULL, ended TEXT NOT NULL, hid INTEGER NOT NULL,
    section INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, leads TEXT NOT NULL, due_seed TEXT NOT NULL,
    department_key TEXT, leader_key TEXT, start TEXT,
    PRIMARY KEY (plan, point, ended, hid)) WITHOUT ROWID;
CREATE TABLE task_seeds (plan TEXT NOT NULL, point INTEGER NOT NULL, seq INTEGER NOT NULL, ended TEXT NOT NULL,
    hid INTEGER NOT NULL, kind TEXT NOT NULL, dept TEXT, deliverable TEXT,
    PRIMARY KEY (plan, point, seq, ended, hid)) WITHOUT ROWID;
CREATE TABLE target_seeds (plan TEXT NOT NULL, point INTEGER NOT NULL, metric TEXT NOT NULL, ended TEXT NOT NULL,
    hid INTEGER NOT NULL, present INTEGER NOT NULL, unit TEXT, target_min REAL, target_max REAL, due TEXT, source TEXT,
    ord INTEGER, approx INTEGER, PRIMARY KEY (plan, point, metric, ended, hid)) WITHOUT ROWID;
CREATE TABLE section_seeds (plan TEXT NOT NULL, id INTEGER NOT NULL, ended TEXT NOT NULL, hid INTEGER NOT NULL,
    title TEXT NOT NULL, PRIMARY KEY (plan, id, ended, hid)) WITHOUT ROWID;
CREATE INDEX idx_points_section ON points (plan, section);
CREATE INDEX idx_points_brief ON points (plan, due, status, progress, section, title, department_key, leader_key, id, changed, due_base,
    reported, closed, late, start, checkpoints, due_original);
CREATE INDEX idx_point_departments ON point_departments (department, plan, point);
CREATE INDEX idx_point_leaders ON point_leaders (leader, plan, point);
CREATE INDEX idx_tasks_dept ON tasks (dept);
CREATE INDEX idx_history_item ON history (plan, point, entity, ref, effective, id);
CREATE INDEX idx_history_by ON history (by, id);
CREATE INDEX idx_history_undoes ON history (undoes);
CREATE INDEX idx_history_effective ON history (plan, effective);
CREATE INDEX idx_history_report ON history (plan, point, entity, ref, effective, action) WHERE REPORTED;
CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_append_only_delete BEFORE DELETE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
""".replace("REPORTED", REPORTED)

# What gkplan itself creates: `check` reports any other table, index, view or trigger.
OWN_OBJECTS = frozenset(
    name
    for statement in TABLES.split(";\n")
    for word, name in [statement.split()[1:3] if len(statement.split()) > 2 else ("", "")]
    if word in ("TABLE", "INDEX", "TRIGGER")
)


def create(conn: sqlite3.Connection) -> None:
    """A new ledger's schema: called inside the transaction that creates it."""
    for statement in TABLES.split(";\n"):  # one statement a line end: trigger bodies hold ';' mid-line
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


# Version 4 → 5: the new columns, all empty (NULL / 0): what a version 4 ledger meant by them.
V5_COLUMNS = {
    "points": "start TEXT|problem TEXT|next TEXT|evidence TEXT|reported TEXT|closed TEXT|due_original TEXT"
              "|follows INTEGER NOT NULL DEFAULT 0|co TEXT|checkpoints TEXT|late TEXT",
    "point_states": "problem TEXT|next TEXT|evidence TEXT|reported TEXT|closed TEXT|due_original TEXT"
                    "|follows INTEGER NOT NULL DEFAULT 0|co TEXT|checkpoints TEXT|late TEXT",
    "tasks": "kind TEXT NOT NULL DEFAULT 'task'|problem TEXT|next TEXT|evidence TEXT|reported TEXT|closed TEXT"
             "|due_original TEXT|co TEXT",
    "task_states": "problem TEXT|next TEXT|evidence TEXT|reported TEXT|closed TEXT|due_original TEXT|co TEXT",
}
# Version 5 → 6: what a seed gave an item before any change (NULL: a version 5 seed gave none of it),
# the index of every department a point's `co` ever named, and targets that are 约数 (`approx`).
V6_COLUMNS = {"points": "co_base TEXT|checkpoints_base TEXT|seed_loop TEXT", "tasks": "due_base TEXT|co_base TEXT|seed_loop TEXT",
              "targets": "approx INTEGER NOT NULL DEFAULT 0"}  # fmt: skip
V6_TABLES = ("point_co",)  # (which targets are 约数 follows from their words: migrate._mark_approx)
# Version 6 → 7: the file an entry was imported from (NULL: typed at the command line, as everything before).
V7_COLUMNS = {"history": "source TEXT"}
# Version 7 → 8: the reports' index.
V8_INDEXES = ("idx_history_report",)
# Version 8 → 9: the seed's replaced versions (none: reloads before version 9 kept none) and the day of each item's latest.
V9_COLUMNS = {"points": "reseeded TEXT", "tasks": "reseeded TEXT", "targets": "reseeded TEXT", "sections": "reseeded TEXT"}
V9_TABLES = ("point_seeds", "task_seeds", "target_seeds", "section_seeds")


def index_statement(name: str) -> str:
    """The CREATE statement of one index of TABLES."""
    return next(s for s in TABLES.split(";\n") if s.split()[1:3] == ["INDEX", name])


def create_tables(conn: sqlite3.Connection, names: tuple[str, ...]) -> None:
    """Only the named tables of TABLES (an upgrade adds them to a ledger that has the rest)."""
    for statement in TABLES.split(";\n"):
        words = statement.split()
        if len(words) > 2 and words[1] == "TABLE" and words[2] in names:
            conn.execute(statement)
