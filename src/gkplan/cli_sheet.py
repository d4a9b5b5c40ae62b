"""The Excel 填报 round trip: `sheet` hands a department its workbook for a period, `import` reads it back."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from gkplan import render
from gkplan.clizh import ZhGroup
from gkplan.cliargs import to_format
from gkplan.clikit import command, frame, open_ledger, today
from gkplan.cliopts import FormatOpt, completes

app = typer.Typer(cls=ZhGroup)


@command(
    app, "sheet",
    epilog="示例：gkplan sheet --dept 教务部 --period 2022-06 -o 教务部-2022-06.xlsx ｜ gkplan sheet --all -o 2022-06/",
)  # fmt: skip
def sheet(
    ctx: typer.Context,
    dept: Annotated[Optional[str], typer.Option("--dept", "-d", help="部门（可写部门名的一部分）", metavar="DEPT", autocompletion=completes("departments"))] = None,
    every: Annotated[bool, typer.Option("--all", help="每个部门一份，写到 -o 目录中（部门-填报期.xlsx）")] = False,
    period: Annotated[Optional[str], typer.Option(
        "--period", help="这份表收集哪一期的填报：2022-06、2022年6月、2022-Q2，或 6月、三季度、上半年（默认：今天所在的一期）", metavar="PERIOD")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="文件（--all 时为目录；默认 部门-填报期.xlsx）",
                                                   metavar="PATH")] = None,  # fmt: skip
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """生成部门的填报表（Excel，WPS 可用）：部门牵头的要点和负责的任务，可填本期进度、状态、进展、问题、下一步和佐证，其余列锁定；第一张表是填写说明。"""
    from gkplan import sheet_write

    fmt = to_format(fmt)
    with open_ledger(ctx, create=False) as ledger:
        written = sheet_write.make(ledger, frame(ledger, None), department=dept, every=every, period=period,
                                   output=output, force=force)  # fmt: skip
    render.sheets(written, fmt)


@command(
    app, "import",
    epilog="示例：gkplan import 教务部-2022-06.xlsx（预览） ｜ gkplan import 教务部-2022-06.xlsx --apply ｜ "
    "gkplan import 教务部-2022-06.xlsx --apply --force",
)  # fmt: skip
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="填好的填报表（.xlsx）", readable=False)],  # said in Chinese by the import
    apply: Annotated[bool, typer.Option("--apply", help="写入台账（不写只预览）")] = False,
    force: Annotated[bool, typer.Option("--force", help="制表后台账中已有改动的行也以本表为准")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="记录人（默认为填报表的部门）")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """导入填好的填报表：逐格检查，预览将要修改的内容；加 --apply 在一个事务中写入，每条修改记入历史（记录人为部门，来源为文件名）。"""
    from gkplan import sheet_import

    fmt = to_format(fmt)
    with open_ledger(ctx, create=False) as ledger:
        result = sheet_import.run(ledger, file, apply=apply, force=force, by=by, today=today())
    render.imported(result, fmt)
    sheet_import.refuse_conflicts(result)
