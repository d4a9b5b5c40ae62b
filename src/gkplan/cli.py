"""Typer commands only: convert arguments, make one domain call, hand the result to render.

Start-up time matters (people run this dozens of times a day), so the domain modules are
imported inside the commands: `gkplan list` never imports pydantic, yaml or sqlite-utils.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperCommand

from gkplan import render
from gkplan.errors import GkplanError, InvalidValue

if TYPE_CHECKING:
    from gkplan.ledger import Ledger

ASK = "\x00ask"  # stands for a bare `--progress`: ask for the value at the terminal

app = typer.Typer(
    name="gkplan",
    help="国家开放大学年度工作要点督查台账：查询、更新、汇总每项工作要点的进度。",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
)

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="输出格式：table / json / csv", metavar="FORMAT")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="按此日期计算剩余/逾期天数（默认今天）", metavar="DATE")]


# -- the one place where a GkplanError becomes a message and an exit code ----------------------


def command(name: str, **kwargs: Any) -> Callable:
    def register(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            except GkplanError as exc:
                render.message(f"错误：{exc}")
                raise typer.Exit(exc.exit_code) from None

        app.command(name, **kwargs)(run)
        return fn

    return register


class AskableCommand(TyperCommand):
    """Lets `--progress` stand without a value, exactly as in `gkplan update 17 --progress`."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        out: list[str] = []
        for i, arg in enumerate(args):
            out.append(arg)
            if arg == "--":
                out += args[i + 1 :]
                break
            if arg in ("--progress", "-p"):
                following = args[i + 1] if i + 1 < len(args) else None
                if following is None or (following.startswith("-") and not re.fullmatch(r"-\d+%?", following)):
                    out.append(ASK)
        return super().parse_args(ctx, out)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Optional[Path],
        typer.Option("--db", envvar="GKPLAN_DB", help="台账文件（默认 $XDG_DATA_HOME/gkplan/ledger.db）", metavar="PATH"),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", help="显示版本号并退出", is_eager=True, callback=lambda v: _version(v))
    ] = False,
) -> None:
    """国家开放大学年度工作要点督查台账。

    第一次运行时自动新建台账并载入内置的《国家开放大学 2022 年工作要点》。
    """
    ctx.obj = db


def _version(wanted: bool) -> None:
    if wanted:
        from gkplan import __version__

        typer.echo(f"gkplan {__version__}")
        raise typer.Exit()


def _db_path(ctx: typer.Context) -> tuple[Path, bool]:
    given = ctx.find_root().obj
    if given is not None:
        return Path(given).expanduser(), False
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "gkplan" / "ledger.db", True


@contextmanager
def _ledger(ctx: typer.Context, *, seed_if_new: bool = True) -> Iterator[Ledger]:
    from gkplan.ledger import Ledger

    path, default = _db_path(ctx)
    if default:
        path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    ledger = Ledger(path)
    try:
        if ledger.is_new and seed_if_new:
            from gkplan.seed import bundled_path, read_seed

            seed = read_seed(bundled_path())
            ledger.load(seed)
            render.message(f"已新建台账 {path}，并载入《{seed.plan.title}》共 {len(seed.points)} 项工作要点")
        yield ledger
    finally:
        ledger.close()
        if not existed and ledger.is_new:  # a command that failed before the ledger got its schema
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def _today() -> date:
    """GKPLAN_TODAY pins 'today' (ISO date) for reproducible reports and tests."""
    pinned = os.environ.get("GKPLAN_TODAY")
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise InvalidValue(f"环境变量 GKPLAN_TODAY 应为 ISO 日期（如 2022-06-30），收到：{pinned!r}") from None
    return date.today()


def _date(text: str | None, default: date | None = None) -> date | None:
    if text is None:
        return default
    from gkplan.dates import parse_date

    return parse_date(text, _today())


def _format(fmt: str) -> str:
    from gkplan.values import parse_format

    return parse_format(fmt)


def _point_id(text: str) -> int:
    s = text.strip()
    if not (s.isascii() and s.isdigit()) or len(s) > 9:
        raise InvalidValue(f"要点编号应为正整数，收到：{text!r}")
    return int(s)


# -- commands ----------------------------------------------------------------------------------


@command(
    "list",
    epilog="示例：gkplan list --dept 教务部 ｜ gkplan list --leader 李松 --status 进行中 ｜ "
    "gkplan list --section 3 --overdue ｜ gkplan list --search 老年 --format json",
)
def list_(
    ctx: typer.Context,
    dept: Annotated[list[str], typer.Option("--dept", "-d", help="牵头部门（可重复；可写部门名的一部分）")] = [],  # noqa: B006
    leader: Annotated[list[str], typer.Option("--leader", "-l", help="校领导（可重复）")] = [],  # noqa: B006
    section: Annotated[list[str], typer.Option("--section", "-s", help="部分：编号（3、三）或标题")] = [],  # noqa: B006
    status: Annotated[list[str], typer.Option("--status", help="状态：未启动/进行中/已完成/受阻/暂缓")] = [],  # noqa: B006
    overdue: Annotated[bool, typer.Option("--overdue", help="只看已逾期且未完成的")] = False,
    due_before: Annotated[Optional[str], typer.Option("--due-before", help="截止日期早于此日期", metavar="DATE")] = None,
    search: Annotated[Optional[str], typer.Option("--search", "-q", help="在标题和全文中查找")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """列出工作要点，可按部门、校领导、部分、状态、截止日期筛选（条件同时满足）。"""
    from gkplan import reports

    fmt, when, before = _format(fmt), _date(as_of, _today()), _date(due_before)
    with _ledger(ctx) as ledger:
        query = reports.build_query(
            ledger, depts=dept, leaders=leader, sections=section, statuses=status,
            overdue=overdue, due_before=before, search=search, as_of=when,
        )  # fmt: skip
        render.points(reports.list_points(ledger, query, when), fmt)


@command("show", epilog="示例：gkplan show 17 ｜ gkplan show 17 --format json")
def show(
    ctx: typer.Context,
    point_id: Annotated[str, typer.Argument(metavar="ID", help="要点编号")],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """显示一项工作要点的全部内容：全文、牵头校领导和部门、进度、截止日期和最近记录。"""
    from gkplan import reports

    fmt, pid, when = _format(fmt), _point_id(point_id), _date(as_of, _today())
    with _ledger(ctx) as ledger:
        render.point(reports.show_point(ledger, pid, when), fmt)


@command(
    "update",
    cls=AskableCommand,
    epilog="示例：gkplan update 17 --progress 60 --note 已完成方案初稿 ｜ gkplan update 17 --progress（交互输入） ｜ "
    "gkplan update 7 --status 受阻 --note 等待批复 ｜ gkplan update 22 --due 2022/9/30",
)
def update(
    ctx: typer.Context,
    point_id: Annotated[str, typer.Argument(metavar="ID", help="要点编号")],
    progress: Annotated[
        Optional[str], typer.Option("--progress", "-p", help="进度 0–100；不写数值则在终端询问", metavar="[N]")
    ] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="未启动/进行中/已完成/受阻/暂缓")] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help="进展说明（单独使用即记录一次进展报告）")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="新的截止日期：2022-06-30、2022/6/30、2022年6月30日、+14d", metavar="DATE")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="记录人（默认 $GKPLAN_USER 或登录名）")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """更新一项工作要点的进度、状态、截止日期或进展说明；每次修改都记入历史。"""
    from gkplan import actions

    fmt, pid = _format(fmt), _point_id(point_id)
    if progress is None and status is None and note is None and due is None:
        raise InvalidValue("没有要修改的内容：请给出 --progress、--status、--note 或 --due 中的至少一项")
    with _ledger(ctx) as ledger:
        if progress == ASK:
            progress = _ask_progress(ledger, pid)
        entry = actions.update_point(
            ledger, pid, progress=progress, status=status, note=note, due=_date(due), by=by, today=_today()
        )
        render.change(entry, fmt)


def _ask_progress(ledger: Ledger, pid: int) -> str:
    import sys

    from gkplan.values import parse_progress

    if not sys.stdin.isatty():
        raise InvalidValue("--progress 没有给出数值，且没有终端可以询问；请写成 --progress 60")
    current = ledger.point(pid)
    render.message(f"第 {pid} 项：{current['title']}（当前进度 {current['progress']}%）")
    while True:
        answer = typer.prompt("新的进度（0–100）")
        try:
            parse_progress(answer)
            return answer
        except InvalidValue as exc:
            render.message(str(exc))


@command(
    "report",
    epilog="示例：gkplan report --overdue ｜ gkplan report --overdue --as-of 2023-01-15 ｜ gkplan report --by leader ｜ "
    "gkplan report --by section --format csv",
)
def report(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="列出逾期未完成的要点，逾期最久的在前")] = False,
    by: Annotated[str, typer.Option("--by", help="汇总方式：dept（部门）/ leader（校领导）/ section（部分）")] = "dept",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """汇总进度：按部门、校领导或部分统计，或列出逾期未完成的要点。"""
    from gkplan import reports

    fmt, when = _format(fmt), _date(as_of, _today())
    with _ledger(ctx) as ledger:
        if overdue:
            render.overdue(reports.overdue(ledger, when), fmt, when.isoformat())
        else:
            rows = reports.summary(ledger, by, when)
            render.summary(rows, fmt, reports.GROUP_LABELS[reports.GROUPINGS[by.strip().lower()]], when.isoformat())


@command("log", epilog="示例：gkplan log ｜ gkplan log 17 ｜ gkplan log --since 2022-06-01 --format csv")
def log(
    ctx: typer.Context,
    point_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="只看这一项")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="只看此日期以来的记录", metavar="DATE")] = None,
    limit: Annotated[Optional[str], typer.Option("--limit", "-n", help="最多显示多少条（默认全部）", metavar="N")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """修改历史，最新的在前。"""
    fmt, pid, after = _format(fmt), _point_id(point_id) if point_id else None, _date(since)
    count = _count(limit, "--limit") if limit is not None else None
    with _ledger(ctx) as ledger:
        if pid is not None:
            ledger.point(pid)  # an unknown id is an error, not an empty history
        render.history(ledger.history(point=pid, since=after, limit=count), fmt)


def _count(text: str, option: str) -> int:
    s = text.strip()
    if not (s.isascii() and s.isdigit()) or len(s) > 9:
        raise InvalidValue(f"{option} 应为非负整数，收到：{text!r}")
    return int(s)


@command("depts", epilog="示例：gkplan depts ｜ gkplan depts --format csv")
def depts(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """所有牵头部门及其负责的要点数，便于查到准确名称。"""
    fmt = _format(fmt)
    with _ledger(ctx) as ledger:
        render.names(ledger.names("department"), fmt, "牵头部门")


@command("leaders", epilog="示例：gkplan leaders ｜ gkplan leaders --format json")
def leaders(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """所有牵头校领导及其负责的要点数。"""
    fmt = _format(fmt)
    with _ledger(ctx) as ledger:
        render.names(ledger.names("leader"), fmt, "校领导")


@command("load", epilog="示例：gkplan load ｜ gkplan load workpoints_2023.yaml")
def load(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(metavar="[FILE]", help="种子文件（默认内置的 2022 年工作要点）")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """载入或重新载入种子文件；进度、状态、备注和历史保持不变。"""
    from gkplan.seed import bundled_path, read_seed

    fmt = _format(fmt)
    source = file or bundled_path()
    seed = read_seed(source)  # validated in full before the ledger is touched
    with _ledger(ctx, seed_if_new=False) as ledger:
        result = ledger.load(seed)
    render.loaded({"source": str(source), **vars(result)}, fmt)


def main() -> None:
    app()
