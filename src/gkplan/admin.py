"""`gkplan admin`: the ledger on a PostgreSQL server that the departments share (issue 9 §1, the server side).

`init` loads a seed exactly as `gkplan load` would — into a temporary SQLite ledger, with the same load code
— and copies its rows onto the server; `push` copies a local ledger's rows, history included. Either then gives
each department of the ledger a group role, named after the department's pinyin initials (教务部 →
gkplan_dept_jwb), which the server's policies (ledger/pg_schema.py) bind to that department's points and
tasks; `user add` makes a person's login a member of one. psycopg and pypinyin load here, on first use.
"""

from __future__ import annotations

import tempfile
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from gkplan.errors import Conflict, InvalidValue, LedgerError, NotFound, Unavailable
from gkplan.ledger.pg_schema import DEPARTMENT_PREFIX, OFFICE

MAX_NAME = 63  # bytes in a PostgreSQL identifier (NAMEDATALEN - 1): a longer name would be cut short silently
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def initials(department: str) -> str:
    """教务部 → jwb: each character's first pinyin letter (words in Latin letters kept whole), lowercase
    ASCII letters and digits only; 'x' when nothing is left (a name of punctuation alone)."""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:
        raise Unavailable("需要 pypinyin（由部门名称生成角色名）：pip install pypinyin") from None
    text = unicodedata.normalize("NFKC", department)  # full-width Ａ and ① become A and 1
    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    return "".join(ch for ch in letters if ch in _SAFE) or "x"


def role_name(department: str, number: int = 1) -> str:
    """The department's role name: gkplan_dept_ + initials, and `_2`, `_3` … for the second, third department
    with the same initials. Initials carry no underscore, so a numbered name never equals a plain one; long
    initials are cut so that the whole name stays within PostgreSQL's 63 bytes."""
    suffix = "" if number == 1 else f"_{number}"
    return DEPARTMENT_PREFIX + initials(department)[: MAX_NAME - len(DEPARTMENT_PREFIX) - len(suffix)] + suffix


def assign(departments: list[str], used: set[str], server: dict[str, tuple[str | None, bool]]) -> list[tuple[str, str, bool]]:
    """(department, role, exists) for each department, in order: the first of its names that this database
    does not use and that the server has no other role by. A role the server has whose comment is this
    department (made for another gkplan database on the same server) is the department's, and is reused."""
    out, used = [], set(used)
    for department in departments:
        number = 1
        while True:
            name = role_name(department, number)
            found = server.get(name)
            if name not in used and (found is None or (found[0] == department and not found[1])):
                break
            number += 1
        used.add(name)
        out.append((department, name, found is not None))
    return out


def _roles(server: Any) -> dict[str, Any]:
    """Give every department of the server's ledger its role (those it has keep theirs)."""
    mapped = server.role_map()
    existing = server.server_roles(DEPARTMENT_PREFIX)
    for department, role in mapped.items():  # dropped on the server behind gkplan's back: made again
        if role not in existing:
            server.add_department_role(role, department, exists=False, mapped=True)
    new = assign([d for d in server.departments() if d not in mapped], set(mapped.values()), existing)
    for department, role, exists in new:
        server.add_department_role(role, department, exists=exists, mapped=False)
    return {"roles": len(mapped) + len(new),
            "added": [{"role": r, "department": d, "reused": exists} for d, r, exists in new]}  # fmt: skip


def _prepared(server: Any) -> None:
    if _current(server) == "absent":
        server.create_schema()
    server.ensure_rules()


def _current(server: Any) -> str:
    """The server's schema state, with the turn taken; a ledger of an older version, or one without a rule of
    this gkplan's (a policy added since), is upgraded first, and that is committed whatever the command then does
    (an administrator's command upgrades: the owner alone may)."""
    server.take_turn()
    state = server.schema_state()
    if state == "old" or (state == "present" and server.rules_missing()):
        if state == "old":
            server.upgrade_schema()
        server.ensure_rules()
        server.commit()  # (which ends the turn: taken again)
        server.take_turn()
        state = server.schema_state()
    return state


def initialize(dsn: str, seed_file: Path | None, *, by: str, day: date, at: str) -> dict[str, Any]:
    """The schema, the seed's plan and the roles on the server. On a server that has the plan already, and
    the same seed's words for it, nothing changes (a role that went missing is made again)."""
    from gkplan.ledger import Ledger, create, pg_admin, pg_copy
    from gkplan.bundled import bundled_path, open_plan

    where = pg_admin.describe(dsn)  # a malformed DSN is told before any seed is read
    source = seed_file or bundled_path()
    seed = open_plan(seed_file)
    with tempfile.TemporaryDirectory(prefix="gkplan-admin-") as folder:
        path = Path(folder) / "ledger.db"
        loaded = []
        create(path, lambda ledger: loaded.append(ledger.load(seed, by=by, effective=day.isoformat(), at=at)))
        plan, points = loaded[0].plan, loaded[0].added
        ledger = Ledger(path)
        try:
            with pg_admin.session(dsn) as server:
                _prepared(server)
                rows = None
                if pg_copy.is_empty(server):
                    rows = pg_copy.copy_in(server, ledger.conn)
                else:
                    _same_plan(server, ledger.conn, plan)
                roles = _roles(server)
                server.commit()
        finally:
            ledger.close()
    return {"server": where, "source": str(source), "plan": plan, "points": points, "loaded": rows is not None,
            "rows": rows or {}, **roles}  # fmt: skip


def _same_plan(server: Any, local: Any, plan: str) -> None:
    from gkplan.ledger import pg_copy

    held = pg_copy.plans(server)
    if plan not in held:
        raise Conflict(f"{server.where}: 服务器上的台账已有计划 {'、'.join(held)}，没有“{plan}”；admin init 只在空的台账上载入计划"
                       "（往服务器上的台账载入新计划，是以后的 gkplan --db postgresql://… load）")  # fmt: skip
    table = pg_copy.seed_difference(server, local, plan)
    if table is not None:
        raise Conflict(f"{server.where}: 服务器上的计划“{plan}”与种子文件不同（{table}）；admin init 不会改动已有的计划")


def push(path: Path, dsn: str) -> dict[str, Any]:
    """A local ledger, every row of it, onto an empty server ledger, then the roles."""
    from gkplan.ledger import Ledger, pg_admin, pg_copy

    where = pg_admin.describe(dsn)
    ledger = Ledger(path)
    try:
        with ledger.snapshot() as local, pg_admin.session(dsn) as server:
            _prepared(server)
            if not pg_copy.is_empty(server):
                held = "、".join(pg_copy.plans(server)) or "（无计划）"
                raise Conflict(f"{where}: 服务器上的台账不是空的（已有计划 {held}）；admin push 只推到空的台账，"
                               "请换一个新建的数据库")  # fmt: skip
            rows = pg_copy.copy_in(server, local)
            roles = _roles(server)
            plans = pg_copy.plans(server)
            server.commit()
    finally:
        ledger.close()
    return {"server": where, "source": str(path), "plans": plans, "rows": rows, **roles}


def _server_ledger(server: Any) -> None:
    if _current(server) == "absent":
        raise LedgerError(f"{server.where}: 服务器上还没有 gkplan 台账；请先运行 gkplan admin init 或 gkplan admin push")


def add_user(dsn: str, login: str, *, department: str | None, office: bool, password: str | None) -> dict[str, Any]:
    """A login that is a member of the office's role or of one department's."""
    from gkplan.ledger import pg_admin

    if office == (department is not None):
        raise InvalidValue("请写 --dept 部门 或 --office 中的一个")
    name = login.strip()
    if not name or not name.isprintable():
        raise InvalidValue(f"登录名无效：{login!r}")
    if len(name.encode("utf-8")) > MAX_NAME:
        raise InvalidValue(f"登录名过长（{len(name.encode('utf-8'))} 字节），PostgreSQL 最多 {MAX_NAME} 字节")
    if name.lower().startswith(("gkplan_", "pg_")):
        raise InvalidValue(f"以 gkplan_ 或 pg_ 开头的名称留给 gkplan 和 PostgreSQL 自己的角色，请换一个登录名：{name}")
    if password is not None and not password:
        raise InvalidValue("--password 不能为空")
    with pg_admin.session(dsn) as server:
        _server_ledger(server)
        if not office:
            _roles(server)  # a department a later plan's `load` brought (the office cannot make roles): made now
        role, label = (OFFICE, None) if office else _department_role(server.role_map(), department or "")
        done = server.add_login(name, role, password)
        server.commit()
    return {"login": name, "role": role, "department": label, "result": done, "server": server.where}


def _department_role(mapped: dict[str, str], wanted: str) -> tuple[str, str]:
    """(role, department) for a department's exact name, its role's name, or a unique part of its name."""
    text = wanted.strip()
    if text in mapped:
        return mapped[text], text
    by_role = {role: d for d, role in mapped.items()}
    if text in by_role:
        return text, by_role[text]
    partial = [d for d in mapped if text and text in d]
    if len(partial) == 1:
        return mapped[partial[0]], partial[0]
    if partial:
        raise InvalidValue(f"“{text}”可以是几个部门：{'、'.join(partial)}；请写完整的部门名称")
    import difflib

    close = difflib.get_close_matches(text, list(mapped), n=3, cutoff=0.3)
    hint = f"；最接近的是：{'、'.join(close)}" if close else "；用 gkplan admin roles 查看全部部门"
    raise NotFound(f"服务器上的台账没有部门“{text}”{hint}")


def roles(dsn: str) -> list[dict[str, Any]]:
    from gkplan.ledger import pg_admin

    with pg_admin.session(dsn) as server:
        _server_ledger(server)
        _roles(server)  # a department a later plan's `load` brought (the office cannot make roles): made now
        server.commit()
        return server.group_roles()
