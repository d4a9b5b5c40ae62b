"""The options and arguments the commands share, declared once: their names, help and completion.

Shell completion (`completes`) imports gkplan.complete, and through it the ledger, only when the shell asks.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

ASK = "\x00ask"  # stands for a bare `--progress`: ask for the value at the terminal
FIELDS = "\x00fields"  # stands for a bare `--json`: list the fields it can select


def completes(kind: str) -> Callable:
    """A parameter's shell completion (Typer's `autocompletion`): the candidates gkplan.complete lists for
    `kind`. That module, and the ledger, load only when the shell asks, never on a normal command."""

    def complete(ctx: typer.Context, incomplete: str) -> list:
        from gkplan.complete import candidates

        return candidates(kind, ctx, incomplete)

    return complete


# The shared options and arguments, each made on its first import (the module's __getattr__): a command
# imports the few it uses, and making all ~30 (typer.Option, Annotated) cost ~5.8M instructions of every start.
_DECLARED: dict[str, Callable[[], Any]] = {
    "FormatOpt": lambda: Annotated[
        str, typer.Option("--format", "-f", help="输出格式：table / json / csv", metavar="FORMAT", autocompletion=completes("formats"))
    ],
    # A command that prints records: ndjson and --json as well (read with record_format)
    "RecordFormatOpt": lambda: Annotated[str, typer.Option(
        "--format", "-f", help="输出格式：table / json / ndjson（每行一个 JSON 对象，边查边输出）/ csv", metavar="FORMAT",
        autocompletion=completes("record_formats"))],
    "JsonOpt": lambda: Annotated[Optional[str], typer.Option(
        "--json", help="只输出这些字段的 JSON（逗号分隔，如 id,title,progress，按所写顺序）；与 --format ndjson 同用则每行一个；"
        "只写 --json 不写字段则列出可用字段", metavar="[FIELDS]")],
    "AsOfOpt": lambda: Annotated[Optional[str], typer.Option("--as-of", help="显示台账在这一天的状态：进度、状态、灯色和各项统计（默认今天）", metavar="DATE")],
    "ByOpt": lambda: Annotated[Optional[str], typer.Option("--by", help="记录人（默认 $GKPLAN_USER 或登录名）")],
    "DateOpt": lambda: Annotated[
        Optional[str], typer.Option("--date", help="这次修改报告的是哪一天的情况（生效日期，默认今天，不能晚于今天）", metavar="DATE")
    ],
    "NoteOpt": lambda: Annotated[Optional[str], typer.Option("--note", "-m", help="进展说明（即 --done）")],
    "DoneOpt": lambda: Annotated[Optional[str], typer.Option("--done", help="进展情况：本期做了什么")],
    "ProblemOpt": lambda: Annotated[Optional[str], typer.Option("--problem", help="存在问题")],
    "NextOpt": lambda: Annotated[Optional[str], typer.Option("--next", help="下一步计划")],
    "EvidenceOpt": lambda: Annotated[Optional[str], typer.Option("--evidence", help="办结佐证：文号、链接或一句话说明（报办结时必填）")],
    "ReasonOpt": lambda: Annotated[Optional[str], typer.Option("--reason", help="延期理由（把截止日期推后时必填）")],
    "CoDeptOpt": lambda: Annotated[Optional[list[str]], typer.Option(
        "--co-dept", help="协办部门（可重复；-部门名 去掉一个，如 --co-dept=-财务部）", metavar="DEPT",
        autocompletion=completes("departments"))],
    "ProgressOpt": lambda: Annotated[Optional[str], typer.Option("--progress", "-p", help="进度 0–100；不写数值则在终端询问", metavar="[N]")],
    "StatusOpt": lambda: Annotated[Optional[str], typer.Option("--status", help="未启动/进行中/已完成（即报办结，待销号）/受阻/暂缓", autocompletion=completes("statuses"))],
    "PointArg": lambda: Annotated[str, typer.Argument(metavar="ID", help="要点编号", autocompletion=completes("points"))],
    "TaskArg": lambda: Annotated[str, typer.Argument(metavar="ID", help="任务编号，如 17.2", autocompletion=completes("tasks"))],
    # The filters that `list` and `task list` share
    "DeptFilter": lambda: Annotated[list[str], typer.Option("--dept", "-d", help="牵头部门（可重复；可写部门名的一部分）", autocompletion=completes("departments"))],
    "LeaderFilter": lambda: Annotated[list[str], typer.Option("--leader", "-l", help="牵头校领导（可重复）", autocompletion=completes("leaders"))],
    "SectionFilter": lambda: Annotated[list[str], typer.Option("--section", "-s", help="部分：编号（3、三）或标题")],
    "StatusFilter": lambda: Annotated[list[str], typer.Option("--status", help="状态：未启动/进行中/已完成/受阻/暂缓", autocompletion=completes("statuses"))],
    "LightFilter": lambda: Annotated[list[str], typer.Option("--light", help="灯色：red/yellow/green/done（红/黄/绿/完成）", autocompletion=completes("lights"))],
    "OverdueFilter": lambda: Annotated[bool, typer.Option("--overdue", help="只看已逾期且未完成的")],
    "DueBeforeFilter": lambda: Annotated[Optional[str], typer.Option("--due-before", help="截止日期早于此日期", metavar="DATE")],
    "LimitOpt": lambda: Annotated[
        Optional[str],
        typer.Option("--limit", "-n", help="表格最多显示多少行（终端上默认 200，0 为全部；JSON/NDJSON/CSV 总是全部）", metavar="N"),
    ],
    "WideOpt": lambda: Annotated[bool, typer.Option("--wide", "-w", help="全部列、全文，不按终端宽度省略或截断（窄终端上各行可能折行）")],
    "OutputOpt": lambda: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="写入文件，格式由扩展名决定：.csv（带 BOM 和中文表头，Excel/WPS 可直接打开）/ .xlsx / .json",
        metavar="FILE")],  # fmt: skip
    "ForceOpt": lambda: Annotated[bool, typer.Option("--force", help="覆盖 -o 的已有文件")],
    "DueOpt": lambda: Annotated[
        Optional[str], typer.Option("--due", help="截止日期：2022-06-30、2022/6/30、2022年6月30日、+14d，或 年底前、三季度末、9月底、下周五、国庆节前、10个工作日", metavar="DATE")
    ],
}


def __getattr__(name: str) -> Any:
    """`from gkplan.cliopts import FormatOpt`: the option made now, once, and kept as a module global."""
    make = _DECLARED.get(name)
    if make is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = make()
    return value
