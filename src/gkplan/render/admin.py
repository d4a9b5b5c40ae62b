"""Views of `gkplan admin`: the ledger made or moved onto a PostgreSQL server, its roles, a login added."""

from __future__ import annotations

from typing import Any

from gkplan.render.items import _esc
from gkplan.render.output import _emit
from gkplan.render.text import _table

ROLE_FIELDS = ("role", "department", "members")
_RESULTS = {"created": "已新建登录账号 {login}，加入{group}", "added": "已把登录账号 {login} 加入{group}",
            "member": "登录账号 {login} 已是 {group} 的成员，未做修改"}  # fmt: skip


def _group(department: str | None) -> str:
    return f"“{department}”" if department else "督查办"


def _roles_line(result: dict[str, Any]) -> str:
    # a role of the same department made for another ledger on this server is used, not made again: say so
    reused = sum(a["reused"] for a in result["added"])
    made = len(result["added"]) - reused
    parts = [f"新建 {made} 个"] if made else []
    if reused:
        parts.append(f"沿用服务器上已有的同一部门的角色 {reused} 个" + ("，未新建" if not made else ""))
    added = f"（{'，'.join(parts)}）" if parts else "（都已有）"
    return f"部门角色 {result['roles']} 个{added}；用 gkplan admin roles --dsn … 查看，gkplan admin user add 登录名 --dept 部门 添加登录账号"


def initialized(result: dict[str, Any], fmt: str) -> None:
    def text() -> str:
        if result["loaded"]:
            done = (f"已在 {_esc(result['server'])} 建立台账，载入计划 {_esc(result['plan'])}（{_esc(result['source'])}）"
                    f"共 {result['points']} 项工作要点")  # fmt: skip
        else:
            done = f"{_esc(result['server'])} 上已有计划 {_esc(result['plan'])}，与种子文件相同，未载入"
        return f"{done}；{_roles_line(result)}"

    _emit(fmt, result, tuple(result), text)


def pushed(result: dict[str, Any], fmt: str) -> None:
    def text() -> str:
        rows = result["rows"]
        return (f"已把台账 {_esc(result['source'])} 推送到 {_esc(result['server'])}：计划 {'、'.join(map(_esc, result['plans']))}，"
                f"工作要点 {rows.get('points', 0)} 项，历史记录 {rows.get('history', 0)} 条（哈希链已在服务器上核对）；"
                f"{_roles_line(result)}")  # fmt: skip

    _emit(fmt, result, tuple(result), text)


def user_added(result: dict[str, Any], fmt: str) -> None:
    def text() -> str:
        group = f"{_group(result['department'])}的角色 {result['role']}"
        return _RESULTS[result["result"]].format(login=_esc(result["login"]), group=_esc(group))

    _emit(fmt, result, tuple(result), text)


def roles(rows: list[dict[str, Any]], fmt: str) -> None:
    def table():  # noqa: ANN202
        t = _table("角色", "部门", "成员")
        for r in rows:
            t.add_row(r["role"], _esc(r["department"] or "督查办"), _esc("、".join(r["members"])) or "—")
        t.caption = f"督查办 1 个角色，部门 {len(rows) - 1} 个角色；成员是可以登录的账号（gkplan admin user add）"
        return t

    _emit(fmt, rows, ROLE_FIELDS, table)
