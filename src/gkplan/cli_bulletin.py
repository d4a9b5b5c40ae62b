"""The supervision cycle's outputs: who has not reported (missing), the period's bulletin (通报), a leader's page."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from gkplan import jsonfields, render
from gkplan.clizh import ZhGroup
from gkplan.cliargs import destination, record_format, to_format
from gkplan.clikit import command, frame, open_ledger
from gkplan.cliopts import AsOfOpt, ForceOpt, FormatOpt, JsonOpt, OutputOpt, RecordFormatOpt, completes

app = typer.Typer(cls=ZhGroup)

PeriodOpt = Annotated[
    Optional[str], typer.Option("--period", help="填报期：2022-06、2022年6月、2022-Q2、2022-H1，或 6月、三季度、上半年（默认：截至日期所在的一期）", metavar="PERIOD")
]


@command(
    app, "missing",
    epilog="示例：gkplan missing ｜ gkplan missing --period 2022-06 ｜ gkplan missing --dept 教务部 --format csv",
)  # fmt: skip
def missing(
    ctx: typer.Context,
    period: PeriodOpt = None,
    dept: Annotated[list[str], typer.Option("--dept", "-d", help="只看这些部门（可重复）", autocompletion=completes("departments"))] = [],  # noqa: B006
    as_of: AsOfOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """未报送：按责任部门列出这一填报期（到截至日期为止）没有报送进展的要点和任务。"""
    from gkplan import reminders

    fmt = record_format(fmt, pick, jsonfields.MISSING, output, force)
    with open_ledger(ctx) as ledger:
        render.missing(reminders.missing(ledger, frame(ledger, as_of, fmt), period, dept), fmt)


@command(
    app, "bulletin",
    epilog="示例：gkplan bulletin ｜ gkplan bulletin --period 2022-06 -o 通报-2022-06.md ｜ "
    "gkplan bulletin --period 2022-Q2 -o 通报.xlsx ｜ gkplan bulletin --format json",
)  # fmt: skip
def bulletin(
    ctx: typer.Context,
    period: PeriodOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="写入文件：.md / .xlsx / .json / .csv", metavar="FILE")] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：table / json / csv / md（写文件时另可 xlsx）", metavar="FORMAT", autocompletion=completes("formats"))] = "table",
) -> None:
    """一期的进展通报：总体情况及较上期变化，各部门超/达/欠序时进度、未报送、逾期、延期、按期办结率和排名，红黄灯事项的进展、问题和下一步，量化指标完成情况。按该期期末（或更早的截至日期）的历史计算，日后重出内容不变。"""
    from gkplan import bulletin as domain

    fmt = to_format(fmt, ("table", "json", "csv", "md", "xlsx") if output else ("table", "json", "csv", "md"))
    with open_ledger(ctx, create=output is None) as ledger:
        data = domain.bulletin(ledger, frame(ledger, as_of), period)
        if output is None:
            render.bulletin(data, fmt)
            return
        written = domain.save(data, output, fmt, force=force, protect=ledger.file)
    render.message(f"已写出 {data['period']['key']} 通报：{written}")


@command(app, "brief", epilog="示例：gkplan brief --leader 李松 ｜ gkplan brief --leader 李松 --as-of 2022-09-30 --format json")
def brief(
    ctx: typer.Context,
    leader: Annotated[str, typer.Option("--leader", "-l", help="校领导（可写名字的一部分）", autocompletion=completes("leaders"))],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """分管校领导一页纸：所分管部门承担的要点和任务及灯色，本期以来的变化，待处理事项（待销号、延期、红灯）。"""
    from gkplan import brief as domain

    fmt = destination(output, fmt, force)
    with open_ledger(ctx) as ledger:
        render.brief(domain.brief(ledger, frame(ledger, as_of, fmt), leader), fmt)
