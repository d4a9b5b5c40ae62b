"""The supervision loop's own commands: 审核 (review: 销号 / 退办) and checkpoints (节点)."""

from typing import Annotated, Optional

import typer

from gkplan import render
from gkplan.clizh import ZhGroup
from gkplan.cliargs import point_id, to_format
from gkplan.clikit import command, effective, open_ledger, to_date
from gkplan.cliopts import ByOpt, DateOpt, FormatOpt, completes

app = typer.Typer(cls=ZhGroup)
checkpoint_app = typer.Typer(cls=ZhGroup, help="节点：要点在某日应达到的进度，黄灯按节点判断是否落后。", no_args_is_help=True)


@command(
    app, "review",
    epilog="示例：gkplan review 17 --accept ｜ gkplan review 17.2 --return --note 佐证不全 ｜ "
    "gkplan review 17 --accept --override 指标由教育部统计口径确认 ｜ gkplan review 17 --accept-extension",
)  # fmt: skip
def review(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ID", help="要点编号（17）或任务编号（17.2）", autocompletion=completes("items"))],
    accept: Annotated[bool, typer.Option("--accept", help="审核通过，销号（已完成）")] = False,
    back: Annotated[bool, typer.Option("--return", help="退办：退回进行中，须写 --note 原因")] = False,
    accept_extension: Annotated[bool, typer.Option("--accept-extension", help="批准部门的延期申请（共用台账）：截止日期按申请推后")] = False,
    reject_extension: Annotated[bool, typer.Option("--reject-extension", help="不批准部门的延期申请：截止日期不变")] = False,
    note: Annotated[Optional[str], typer.Option("--note", "-m", help="审核意见；退办时为原因")] = None,
    override: Annotated[Optional[str], typer.Option("--override", help="任务未销号或指标未达下限时仍销号的理由")] = None,
    progress: Annotated[Optional[str], typer.Option("--progress", "-p", help="退办后的进度（默认：报办结前的进度）")] = None,
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """审核一项办结报告（待销号）：--accept 销号，--return 退办；或部门的延期申请：--accept-extension 批准，--reject-extension 不批准。
    待审核的清单：gkplan list --status 待销号。"""
    from gkplan import supervise
    from gkplan.errors import InvalidValue

    if accept + back + accept_extension + reject_extension != 1:
        raise InvalidValue("请写 --accept（销号）、--return（退办）、--accept-extension 或 --reject-extension 中的一个")
    fmt, day = to_format(fmt), effective(date)
    with open_ledger(ctx) as ledger:
        if accept or back:
            entry = supervise.review(ledger, item, accept=accept, note=note, override=override, progress=progress, by=by, day=day)
        else:
            entry = supervise.decide_extension(ledger, item, accept=accept_extension, note=note, by=by, day=day)
        render.change(entry, fmt)


@command(checkpoint_app, "add", epilog="示例：gkplan checkpoint add 17 2022-06-30 40")
def add(
    ctx: typer.Context,
    pid: Annotated[str, typer.Argument(metavar="ID", help="要点编号", autocompletion=completes("points"))],
    when: Annotated[str, typer.Argument(metavar="DATE", help="节点日期")],
    progress: Annotated[str, typer.Argument(metavar="PROGRESS", help="到这一天应达到的进度 0–100")],
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """添加（或改写同一天的）节点。"""
    _checkpoint(ctx, pid, when, progress, by, date, fmt)


@command(checkpoint_app, "rm", epilog="示例：gkplan checkpoint rm 17 2022-06-30")
def rm(
    ctx: typer.Context,
    pid: Annotated[str, typer.Argument(metavar="ID", help="要点编号", autocompletion=completes("points"))],
    when: Annotated[str, typer.Argument(metavar="DATE", help="节点日期")],
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """删除一个节点。"""
    _checkpoint(ctx, pid, when, None, by, date, fmt)


def _checkpoint(ctx: typer.Context, pid: str, when: str, progress: Optional[str], by: Optional[str], date: Optional[str],
                fmt: str) -> None:  # fmt: skip
    """Add (a progress given) or remove (none) the checkpoint: one path for both commands."""
    from gkplan import supervise

    fmt, number, day = to_format(fmt), point_id(pid), effective(date)
    with open_ledger(ctx) as ledger:
        entry = supervise.checkpoint(ledger, number, to_date(when), progress, remove=progress is None, by=by, day=day)
        render.change(entry, fmt)
