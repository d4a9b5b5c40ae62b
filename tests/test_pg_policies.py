"""What the PostgreSQL server itself enforces once `gkplan admin init` has run: a department's login changes only
its own points' and tasks' reporting columns, never 销号, never a seed table; nobody changes the history, not even
its owner; thirty departments writing at once lose nothing and are refused exactly where they must be."""

from __future__ import annotations

import json
import re
import threading

import psycopg
import pytest
from psycopg import errors

H = 'INSERT INTO history (id, plan, point, entity, ref, action, effective, at, "by", changes, undoes, hash)' \
    " VALUES (%s, '2022', %s, %s, %s, 'update', '2022-06-30', '2022-06-30T10:00:00+08:00', %s, %s, %s, %s)"

CAUSED = H.replace("undoes, hash)", "cause, hash)")  # (H with `cause` in the place of `undoes`)


def login(dsn: str, user: str) -> str:
    return re.sub(r"^postgresql://[^@/]*@", f"postgresql://{user}@", dsn)


class Session:
    """One login's connection; each statement its own transaction, as a person's command would be."""

    def __init__(self, dsn: str) -> None:
        self.conn = psycopg.connect(dsn, autocommit=True)

    def rows(self, statement: str, params: tuple = ()) -> int:
        return self.conn.execute(statement, self.chained(statement, params)).rowcount

    def refused(self, statement: str, params: tuple = (), why: type = errors.InsufficientPrivilege) -> str:
        with pytest.raises(why) as caught:
            self.conn.execute(statement, self.chained(statement, params))
        return str(caught.value)

    def reported(self, who: str, point: int, statement: str, params: tuple = (), entity: str = "point", ref: str | None = None) -> int:
        """`statement` right after `who`'s entry on the item, in one write as gkplan makes it (its turn taken with
        gkplan's lock): what the server lets a department change."""
        from gkplan.ledger.pg_connection import WRITE_LOCK

        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            n = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM history").fetchone()[0]
            self.conn.execute(H, self.chained(H, (n, point, entity, ref, who, json.dumps({"reported": [None, "2022-06-30"]}))))
            return self.conn.execute(statement, params).rowcount

    def chained(self, statement: str, params: tuple) -> tuple:
        """A history entry (H): (id, point, entity, ref, by, changes[, undoes]) with the hash the chain gives it."""
        if statement not in (H, CAUSED) or len(params) == 8:
            return params
        from gkplan.ledger.chain import GENESIS, entry_hash

        fields = ("id", "point", "entity", "ref", "by", "changes", "cause" if statement == CAUSED else "undoes")
        entry = {"plan": "2022", "action": "update", "effective": "2022-06-30", "at": "2022-06-30T10:00:00+08:00",
                 "note": None, "cause": None, "undoes": None}  # fmt: skip
        entry |= dict(zip(fields, (*params, None) if len(params) == 6 else params))
        previous = self.conn.execute("SELECT hash FROM history WHERE id = %s", (entry["id"] - 1,)).fetchone()
        return (*(entry[f] for f in fields), entry_hash(previous[0] if previous else GENESIS, entry))


@pytest.fixture
def server(run, pgdb):  # noqa: ANN001
    run("admin", "init", pgdb)
    run("admin", "user", "add", "jwb_zhang", "--dept", "教务部", "--dsn", pgdb)
    run("admin", "user", "add", "dcb_li", "--office", "--dsn", pgdb)
    return pgdb


def test_a_department_reports_on_its_own_points_and_tasks_only(server):
    me = Session(login(server, "jwb_zhang"))
    numbers = iter(range(1, 100))

    def told(point: int, entity: str = "point", ref: str | None = None) -> None:
        """The department's entry on the item: a row of it changes only right after one (nothing past the history)."""
        changes = json.dumps({"actual" if entity == "target" else "reported": [None, "2022-06-30"]})
        assert me.rows(H, (next(numbers), point, entity, ref, "jwb_zhang", changes)) == 1

    # a row changed with no entry of its own in the history: `check` could not see it (no entry to replay)
    assert "row-level security" in me.refused("UPDATE points SET progress = 90, note = '伪造' WHERE plan = '2022' AND id = 7")
    told(7)
    assert me.rows("UPDATE points SET progress = 40, note = '方案初稿', problem = '经费' WHERE plan = '2022' AND id = 7") == 1
    assert me.rows("UPDATE points SET progress = 40 WHERE plan = '2022' AND id = 3") == 0  # 组织部's
    told(21)  # what 教务部 leads (7, 21), and 38, under which it has a task of its own: one row after its entry
    assert "row-level security" in me.refused("UPDATE points SET reported = '2022-06-30' WHERE plan = '2022'")
    assert me.rows("UPDATE points SET reported = '2022-06-30' WHERE plan = '2022' AND id = 21") == 1
    told(7, "task", "1")
    assert me.rows("UPDATE tasks SET progress = 10, owner = '张三' WHERE plan = '2022' AND point = 7 AND seq = 1") == 1
    assert "row-level security" in me.refused("UPDATE tasks SET progress = 10 WHERE plan = '2022' AND point = 7 AND seq = 2")
    metric = me.conn.execute("SELECT metric FROM targets WHERE plan = '2022' AND point = 7 ORDER BY ord").fetchone()[0]
    told(7, "target", metric)
    assert me.rows("UPDATE targets SET actual = 1580000, actual_as_of = '2022-06-30' WHERE plan = '2022' AND point = 7"
                   " AND metric = %s", (metric,)) == 1  # fmt: skip
    assert me.rows("UPDATE targets SET actual = 1 WHERE plan = '2022' AND point = 3") == 0
    # the due date (延期), the seed's words, who leads or co-operates: column privileges
    for column in ("due = '2023-03-31'", "title = 'x'", "text = 'x'", "leads = '[]'", "co = '人事部'", "follows = 1"):
        assert "permission denied" in me.refused(f"UPDATE points SET {column} WHERE plan = '2022' AND id = 7")
    me.refused("UPDATE tasks SET weight = 5, dept = '组织部' WHERE plan = '2022' AND point = 7")
    me.refused("UPDATE targets SET target_min = 1 WHERE plan = '2022' AND point = 7")
    for statement in ("UPDATE sections SET title = 'x'", "DELETE FROM point_departments",
                      "INSERT INTO point_departments VALUES ('2022', 3, 9, '教务部')", "UPDATE point_leaders SET leader = 'x'",
                      "UPDATE plans SET title = 'x'", "INSERT INTO gkplan_roles VALUES ('x', 'y')", "DELETE FROM points",
                      "INSERT INTO tasks (plan, point, seq, title) VALUES ('2022', 7, 9, 'x')"):  # fmt: skip
        assert "permission denied" in me.refused(statement)
    # 销号 is the office's: a department reports 办结 (pending_review), never 已完成
    assert "部门不能销号" in me.refused("UPDATE points SET status = 'done' WHERE plan = '2022' AND id = 7")
    assert "部门不能销号" in me.refused("UPDATE tasks SET status = 'done' WHERE plan = '2022' AND point = 7 AND seq = 1")
    told(7)
    assert me.rows("UPDATE points SET status = 'pending_review', closed = '2022-06-30' WHERE plan = '2022' AND id = 7") == 1
    # point 38 has no lead: each department's task under it moves its summary fields, not its report
    seq = me.conn.execute("SELECT seq FROM tasks WHERE plan = '2022' AND point = 38 AND dept = '教务部'").fetchone()[0]
    told(38, "task", str(seq))
    assert me.rows("UPDATE tasks SET progress = 30 WHERE plan = '2022' AND point = 38") == 1
    told(38)
    assert me.rows("UPDATE points SET reported = '2022-06-30', late = '2022-12-31' WHERE plan = '2022' AND id = 38") == 1
    assert "只能随本部门的任务" in me.refused("UPDATE points SET note = 'x' WHERE plan = '2022' AND id = 38")
    assert "只能随本部门的任务" in me.refused("UPDATE points SET progress = 5 WHERE plan = '2022' AND id = 38")
    assert me.rows("SELECT * FROM points") == 39 and me.rows("SELECT * FROM gkplan_roles") == 31  # reads everything


def test_history_and_states_take_a_departments_own_entries_only(server):
    me = Session(login(server, "jwb_zhang"))
    progress = json.dumps({"progress": [0, 40]})
    assert me.rows(H, (1, 7, "point", None, "jwb_zhang", progress)) == 1
    assert "row-level security" in me.refused(H, (2, 7, "point", None, "dcb_li", progress))  # in another's name
    me.refused(H, (2, 7, "point", None, "教务部", progress))
    me.refused(H, (2, 3, "point", None, "jwb_zhang", progress))  # 组织部's point
    me.refused(H, (2, 7, "point", None, "jwb_zhang", json.dumps({"status": ["pending_review", "done"]})))  # 销号
    assert me.rows(H, (2, 7, "task", "1", "jwb_zhang", progress)) == 1
    me.refused(H, (3, 3, "task", "1", "jwb_zhang", progress))
    me.refused(H, (3, 7, "task", "x", "jwb_zhang", progress))
    assert me.rows(H, (3, 38, "point", None, "jwb_zhang", json.dumps({"reported": [None, "2022-06-30"]}))) == 1
    state = "INSERT INTO point_states (plan, point, effective, hid, progress, status, due) VALUES ('2022', %s, '2022-06-30', %s, 40, %s, '2022-12-31')"
    me.refused(state, (7, 1, "in_progress"))  # a state follows its own entry just appended on the item: #3 is 38's
    assert me.rows("DELETE FROM point_states") == 0  # (so it replaces none of 7's either)
    assert me.rows(H, (4, 7, "point", None, "jwb_zhang", progress)) == 1
    assert me.rows(state, (7, 4, "in_progress")) == 1 and me.rows(state, (7, 1, "in_progress")) == 1  # (a replay)
    me.refused(state, (7, 2, "in_progress"))  # #2 is task 7.1's
    me.refused(state, (3, 4, "in_progress"))
    me.refused(state, (7, 4, "done"))
    forged = state.replace("'2022-06-30'", "'2022-07-01'")  # what the office decides is the history's, not its own
    assert "与历史记录 #4 不符" in me.refused(forged.replace("'2022-12-31')", "'2030-12-31')"), (7, 4, "in_progress"))
    with_co = forged.replace("due) VALUES", "due, co) VALUES").replace("'2022-12-31')", "'2022-12-31', '财务部')")
    assert "与历史记录 #4 不符" in me.refused(with_co, (7, 4, "in_progress"))
    assert me.rows(forged, (7, 4, "in_progress")) == 1
    for statement in ("UPDATE history SET note = 'x'", "DELETE FROM history", "TRUNCATE history",
                      "UPDATE point_states SET progress = 1"):  # fmt: skip
        assert "permission denied" in me.refused(statement)
    # a backfill replaces the states of the item of the entry just appended in its name (#4: point 7), no others
    assert me.rows("DELETE FROM task_states") == 0 and me.rows("DELETE FROM point_states") == 3
    # numbered right after the last, by anyone; an undo undoes one of its author's entries of the item
    assert "紧接在最后一条之后" in me.refused(H, (9, 7, "point", None, "jwb_zhang", progress), why=errors.IntegrityConstraintViolation)
    assert "紧接在最后一条之后" in Session(server).refused(H, (9, 3, "point", None, "x", progress), why=errors.IntegrityConstraintViolation)
    undo = H
    assert Session(login(server, "dcb_li")).rows(H, (5, 7, "point", None, "dcb_li", progress)) == 1
    me.refused(undo, (6, 7, "point", None, "jwb_zhang", progress, 5))  # the office's
    me.refused(undo, (6, 7, "point", None, "jwb_zhang", progress, 2))  # its own, of another item (task 7.1)
    assert me.rows(undo, (6, 7, "point", None, "jwb_zhang", progress, 4)) == 1
    assert "row-level security" in me.refused(CAUSED, (7, 7, "point", None, "jwb_zhang", progress, 5))  # the office's entry
    assert me.rows(CAUSED, (7, 7, "point", None, "jwb_zhang", progress, 2)) == 1  # its own task 7.1's: a derivation
    # what its entry changes: its reporting fields and a 延期 request, never the due date, 协办 or an answer to a request
    for changes in ({"due": ["2022-12-31", "2023-06-30"]}, {"co": [None, "财务部"]}, {"checkpoints": [None, "[]"]},
                    {"request": [None, "accepted"]}, {"note": [None, "x"], "follows": [0, 1]}):  # fmt: skip
        me.refused(H, (8, 7, "point", None, "jwb_zhang", json.dumps(changes)))
    me.refused(H, (8, 7, "task", "1", "jwb_zhang", json.dumps({"weight": [1, 5]})))
    asked = {"request": [None, {"due": "2023-03-31", "reason": "经费"}], "note": [None, "申请延期"]}
    assert me.rows(H, (8, 7, "point", None, "jwb_zhang", json.dumps(asked))) == 1
    # hashed as the chain says (gkplan's own entries: every other test), by anyone
    for session in (me, Session(server)):
        assert "与哈希链不符" in session.refused(H, (9, 7, "point", None, "jwb_zhang", progress, None, "0" * 64),
                                                why=errors.IntegrityConstraintViolation)  # fmt: skip
    # a task's state: its presence, due date, weight and 协办 are what the history gives
    assert me.rows(H, (9, 7, "task", "1", "jwb_zhang", progress)) == 1
    present, due = Session(server).conn.execute("SELECT timeless, due_base FROM tasks WHERE point = 7 AND seq = 1").fetchone()
    task = ("INSERT INTO task_states (plan, point, seq, effective, hid, present, due, weight, progress, status)"
            " VALUES ('2022', 7, 1, '2022-06-30', 9, %s, %s, %s, 40, 'in_progress')")  # fmt: skip
    for forged in ((present, "2030-12-31", 1), (present, due, 5), (1 - present, due, 1)):
        assert "与历史记录 #9 不符" in me.refused(task, forged)
    assert me.rows(task, (present, due, 1)) == 1


def test_nobody_changes_or_removes_history_not_even_its_owner(server):
    owner, office = Session(server), Session(login(server, "dcb_li"))
    assert office.rows(H, (1, 3, "point", None, "someone", json.dumps({"status": ["pending_review", "done"]}))) == 1
    assert office.rows("UPDATE points SET status = 'done', due = '2023-03-31' WHERE plan = '2022' AND id = 3") == 1
    assert office.rows("DELETE FROM point_states") == 0 and office.rows("UPDATE sections SET title = title") == 10
    for statement in ("UPDATE history SET note = 'x'", "DELETE FROM history WHERE id = 1", "TRUNCATE history"):
        assert "permission denied" in office.refused(statement)
        assert "append-only" in owner.refused(statement)  # the superuser who owns it: the trigger
    assert "append-only" in owner.refused("DELETE FROM history WHERE false")  # a statement, even one matching nothing
    assert owner.rows("SELECT * FROM history") == 1


def test_an_administrator_who_is_not_a_superuser_owns_the_ledger(run, pg_server):
    pg_server.sql("CREATE ROLE gkadmin LOGIN CREATEROLE", "CREATE DATABASE t_owned OWNER gkadmin")
    dsn = pg_server.dsn("t_owned", user="gkadmin")
    run("admin", "init", dsn)
    run("admin", "user", "add", "zz_wang", "--dept", "组织部", "--dsn", dsn)
    roles = {r["role"]: r["members"] for r in run.json("admin", "roles", "--dsn", dsn)}
    assert roles["gkplan_office"] == [] and roles["gkplan_dept_zzb"] == ["zz_wang"]  # the administrator is no member
    owner = Session(dsn)
    assert owner.rows("UPDATE points SET due = '2023-01-31' WHERE plan = '2022' AND id = 3") == 1  # not bound by the policies
    assert "append-only" in owner.refused("DELETE FROM history")
    assert Session(login(dsn, "zz_wang")).reported("zz_wang", 3, "UPDATE points SET progress = 5 WHERE plan = '2022' AND id = 3") == 1


def test_thirty_departments_writing_at_once(run, server, pg_server):
    admin_db = Session(server)
    leads: dict[str, set[int]] = {}
    for point, department in admin_db.conn.execute("SELECT point, department FROM point_departments"):
        leads.setdefault(department, set()).add(point)
    departments = sorted(leads)[:30]
    assert len(departments) == 30
    for i, department in enumerate(departments):
        run("admin", "user", "add", f"u{i}", "--dept", department, "--dsn", server)
    related = {d: leads[d] | {p for (p,) in admin_db.conn.execute("SELECT point FROM tasks WHERE dept = %s", (d,))}
               for d in departments}  # fmt: skip
    barrier, outcome, failures = threading.Barrier(30), {}, []

    def department_writes(i: int, department: str) -> None:
        try:
            me = Session(login(server, f"u{i}"))
            barrier.wait(timeout=60)
            own = [me.reported(f"u{i}", p, "UPDATE points SET progress = progress + 1, note = coalesce(note, '') || %s"
                               " WHERE plan = '2022' AND id = %s", (f"[{department}]", p)) for p in sorted(leads[department])]  # fmt: skip
            tasks = list(me.conn.execute("SELECT point, seq FROM tasks WHERE plan = '2022' AND dept = %s", (department,)))
            own_tasks = sum(me.reported(f"u{i}", point, "UPDATE tasks SET progress = 60 WHERE plan = '2022' AND point = %s AND seq = %s",
                                        (point, seq), "task", str(seq)) for point, seq in tasks)  # fmt: skip
            foreign = min(set(range(1, 40)) - related[department])
            refused = me.rows("UPDATE points SET progress = 99 WHERE plan = '2022' AND id = %s", (foreign,))
            me.refused("UPDATE points SET due = '2023-01-01' WHERE plan = '2022' AND id = %s", (sorted(leads[department])[0],))
            outcome[department] = (own, own_tasks, refused)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            failures.append((department, exc))

    threads = [threading.Thread(target=department_writes, args=(i, d)) for i, d in enumerate(departments)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    for department, (own, own_tasks, refused) in outcome.items():
        assert own == [1] * len(leads[department]) and refused == 0
        assert own_tasks == sum(1 for _ in admin_db.conn.execute("SELECT 1 FROM tasks WHERE dept = %s", (department,)))
    writers = {p: [d for d in departments if p in leads[d]] for p in range(1, 40)}
    for point, progress, note in admin_db.conn.execute("SELECT id, progress, coalesce(note, '') FROM points WHERE plan = '2022'"):
        assert progress == len(writers[point]), (point, progress)  # two departments on one point: both increments land
        assert sorted(note.strip("[]").split("][")) == sorted(writers[point]) if writers[point] else note == ""
    for dept, progress in admin_db.conn.execute("SELECT dept, progress FROM tasks WHERE dept IS NOT NULL"):
        assert progress == (60 if dept in departments else 0)


def test_the_server_hashes_an_entry_as_gkplan_does_whatever_its_text(server):
    from gkplan.ledger.chain import entry_hash
    from gkplan.ledger.jsonwrite import dumps

    owner = Session(server)
    texts = ['引号"与\\反斜杠', "控制\x01\x1f\b\f\n\r\t字符", "\x7f\u2028\u2029\ufeff", "😀 emoji", "", "null", "[1,2]"]
    previous, number = "0" * 64, 0  # (admin init's ledger has no entry yet)
    columns = ", ".join(f'"{c}"' for c in ("id", "plan", "point", "entity", "ref", "action", "effective", "at", "by",
                                            "changes", "note", "cause", "undoes", "source", "hash"))  # fmt: skip
    for i, text in enumerate(texts):
        number += 1
        entry = {"id": number, "plan": "2022", "point": 7, "entity": "task" if i % 2 else "point", "ref": "1" if i % 2 else None,
                 "action": "update", "effective": "2022-06-30", "at": text or "2022-06-30T10:00:00+08:00", "by": text,
                 "changes": dumps({"note": [None, text]}), "note": text, "cause": i or None, "undoes": None,
                 "source": text if i % 3 else None}  # fmt: skip
        entry["hash"] = entry_hash(previous, entry)
        owner.rows(f"INSERT INTO history ({columns}) VALUES ({', '.join(['%s'] * 15)})", tuple(entry.values()))
        previous = entry["hash"]
    assert owner.rows("SELECT * FROM history") == len(texts)  # each accepted: the server's hash is gkplan's
