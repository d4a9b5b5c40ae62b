"""`gkplan admin`: the shared ledger on a PostgreSQL server — init, push, roles, user add (issue 9 §1)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from gkplan.clizh import ZhGroup
from gkplan.cliargs import to_format
from gkplan.clikit import command, effective
from gkplan.cliopts import FormatOpt

app = typer.Typer(
    cls=ZhGroup,
    help="多部门共用的台账（PostgreSQL）：在服务器上建立台账、部门角色和登录账号（督查办的管理员使用）。", no_args_is_help=True,
)  # fmt: skip
user_app = typer.Typer(cls=ZhGroup, help="登录账号：每人一个，属于督查办或一个部门。", no_args_is_help=True)
app.add_typer(user_app, name="user")

DsnArg = Annotated[str, typer.Argument(metavar="DSN", help="PostgreSQL 连接串：postgresql://用户@主机:端口/数据库（管理员账号）")]
DsnOpt = Annotated[Optional[str], typer.Option(
    "--dsn", envvar="GKPLAN_DSN", help="PostgreSQL 连接串（管理员账号；默认 $GKPLAN_DSN）", metavar="DSN")]  # fmt: skip


def _dsn(dsn: Optional[str]) -> str:
    from gkplan.errors import InvalidValue

    if not dsn:
        raise InvalidValue("请用 --dsn postgresql://用户@主机/数据库 或环境变量 GKPLAN_DSN 指定 PostgreSQL 服务器")
    return dsn


@command(
    app, "init",
    epilog="示例：gkplan admin init postgresql://admin@db.example/gkplan ｜ "
    "gkplan admin init postgresql://admin@db.example/gkplan --seed workpoints_2023.yaml",
)  # fmt: skip
def init(
    dsn: DsnArg,
    seed: Annotated[Optional[Path], typer.Option("--seed", help="种子文件（默认内置的 2022 年工作要点）", metavar="FILE")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """在服务器上建立共用的台账：建表和权限规则，载入种子中的计划，为督查办和每个部门建角色。再次运行同一计划不做修改。"""
    from gkplan import admin
    from gkplan.author import now, who
    from gkplan.render import admin as view

    fmt = to_format(fmt)
    view.initialized(admin.initialize(dsn, seed, by=who(None), day=effective(None), at=now()), fmt)


@command(
    app, "push",
    epilog="示例：gkplan admin push ~/.local/share/gkplan/ledger.db postgresql://admin@db.example/gkplan",
)  # fmt: skip
def push(
    ledger: Annotated[Path, typer.Argument(metavar="LEDGER", help="本机的台账文件（SQLite）")],
    dsn: DsnArg,
    fmt: FormatOpt = "table",
) -> None:
    """把本机的台账（全部计划和历史，哈希不变）搬到服务器上一个空的台账中，再建督查办和各部门的角色。"""
    from gkplan import admin
    from gkplan.render import admin as view

    fmt = to_format(fmt)
    view.pushed(admin.push(ledger.expanduser(), dsn), fmt)


@command(
    app, "roles",
    epilog="示例：gkplan admin roles --dsn postgresql://admin@db.example/gkplan ｜ GKPLAN_DSN=… gkplan admin roles --format json",
)  # fmt: skip
def roles(dsn: DsnOpt = None, fmt: FormatOpt = "table") -> None:
    """督查办和各部门的角色、对应的部门、属于它的登录账号。"""
    from gkplan import admin
    from gkplan.render import admin as view

    fmt = to_format(fmt)
    view.roles(admin.roles(_dsn(dsn)), fmt)


@command(
    user_app, "add",
    epilog="示例：gkplan admin user add zhangsan --dept 教务部 --dsn postgresql://admin@db.example/gkplan ｜ "
    "gkplan admin user add lisi --office --password '…'",
)  # fmt: skip
def user_add(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help="登录名（PostgreSQL 用户名）")],
    dept: Annotated[Optional[str], typer.Option("--dept", "-d", help="所属部门（部门名称，或其中唯一的一部分）", metavar="DEPT")] = None,
    office: Annotated[bool, typer.Option("--office", help="属于督查办")] = False,
    password: Annotated[Optional[str], typer.Option("--password", help="新账号的密码（不写：账号没有密码，由服务器的其他认证方式登录）")] = None,
    dsn: DsnOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """新建一个登录账号，属于督查办（--office）或一个部门（--dept）；已有的账号加入该角色。"""
    from gkplan import admin
    from gkplan.render import admin as view

    fmt = to_format(fmt)
    view.user_added(admin.add_user(_dsn(dsn), login, department=dept, office=office, password=password), fmt)
