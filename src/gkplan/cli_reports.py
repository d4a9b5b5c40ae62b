"""The commands that read the ledger as a whole: report, log, diff, the names (depts, leaders), the plans, and load."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from gkplan import jsonfields, render
from gkplan.cli import app
from gkplan.cliargs import count, limit, point_id, record_format, to_format
from gkplan.clikit import command, effective, frame, open_ledger, to_date, today
from gkplan.cliopts import (
    AsOfOpt, ByOpt, ForceOpt, FormatOpt, JsonOpt, LimitOpt, OutputOpt, RecordFormatOpt, WideOpt, completes,
)  # fmt: skip


@command(
    app, "report",
    epilog="示例：gkplan report --overdue ｜ gkplan report --overview ｜ gkplan report --by leader ｜ "
    "gkplan report --by section --format csv",
)  # fmt: skip
def report(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="列出逾期未完成的要点，逾期最久的在前")] = False,
    overview: Annotated[bool, typer.Option("--overview", help="一屏总览：全局和各部分的进度条与灯色")] = False,
    by: Annotated[str, typer.Option("--by", help="汇总方式：dept（部门）/ leader（校领导）/ section（部分）")] = "dept",
    wide: WideOpt = False,
    as_of: AsOfOpt = None,
    most: LimitOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """汇总进度：按部门、校领导或部分统计状态和红黄绿灯，或一屏总览，或列出逾期未完成的要点。"""
    from gkplan import reports

    fmt, rows = record_format(fmt, pick, _report_fields(overdue, overview), output, force), limit(most)
    with open_ledger(ctx) as ledger:
        fr = frame(ledger, as_of, fmt)
        if overdue:
            render.overdue(lambda brief: reports.overdue(ledger, fr, brief), fmt, fr.as_of.isoformat(), rows, wide=wide)
        elif overview:
            render.overview(reports.overview(ledger, fr), fmt, wide=wide)
        else:
            rows = reports.summary(ledger, by, fr)
            label = reports.GROUP_LABELS[reports.GROUPINGS[by.strip().lower()]]
            render.summary(rows, fmt, label, fr.as_of.isoformat(), wide=wide)


def _report_fields(overdue: bool, overview: bool) -> tuple[str, ...]:
    return jsonfields.OVERDUE if overdue else jsonfields.OVERVIEW if overview else jsonfields.SUMMARY


@command(app, "log", epilog="示例：gkplan log ｜ gkplan log 17 ｜ gkplan log --since 2022-06-01 --format csv")
def log(
    ctx: typer.Context,
    pid: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="只看这一项（含其任务和指标）",
                                                 autocompletion=completes("points"))] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="只看此日期以来的记录", metavar="DATE")] = None,
    limit: Annotated[Optional[str], typer.Option("--limit", "-n", help="最多显示多少条（默认全部）", metavar="N")] = None,
    wide: WideOpt = False,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """修改历史，最新的在前。"""
    fmt, number, after = record_format(fmt, pick, jsonfields.HISTORY, output, force), point_id(pid) if pid else None, to_date(since, past=True)
    most = count(limit, "--limit") if limit is not None else None
    with open_ledger(ctx) as ledger:
        if number is not None:
            ledger.point(number)  # an unknown id is an error, not an empty history
        day = after.isoformat() if after else None
        render.history(lambda brief: ledger.iter_history(point=number, since=day, limit=most), fmt, wide=wide)


@command(app, "depts", epilog="示例：gkplan depts ｜ gkplan depts --format csv")
def depts(ctx: typer.Context, fmt: RecordFormatOpt = "table", pick: JsonOpt = None, output: OutputOpt = None,
          force: ForceOpt = False) -> None:
    """所有牵头部门及其负责的要点数，便于查到准确名称。"""
    fmt = record_format(fmt, pick, jsonfields.NAMES, output, force)
    with open_ledger(ctx) as ledger:
        render.names(lambda brief: ledger.iter_names("department"), fmt, "牵头部门")


@command(app, "leaders", epilog="示例：gkplan leaders ｜ gkplan leaders --format json")
def leaders(ctx: typer.Context, fmt: RecordFormatOpt = "table", pick: JsonOpt = None, output: OutputOpt = None,
            force: ForceOpt = False) -> None:
    """所有牵头校领导及其负责的要点数。"""
    fmt = record_format(fmt, pick, jsonfields.NAMES, output, force)
    with open_ledger(ctx) as ledger:
        render.names(lambda brief: ledger.iter_names("leader"), fmt, "校领导")


@command(app, "load", epilog="示例：gkplan load ｜ gkplan load workpoints_2023.yaml")
def load(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(metavar="[FILE]", help="种子文件（默认内置的 2022 年工作要点）")] = None,
    by: ByOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """载入种子文件：新的计划加在台账中已有计划的旁边；已有的计划重新载入时，进度、状态、备注、实际值和历史保持不变。"""
    from gkplan.author import now, who
    from gkplan.bundled import bundled_path, open_plan

    fmt = to_format(fmt)
    seed = open_plan(file)  # a YAML syntax error stops here, before the ledger is opened
    author, day = who(by), effective(None)
    with open_ledger(ctx, seed=seed) as ledger:  # a new ledger is made with this seed; any problem rolls it all back
        if ledger.created is None and ledger.seed_spent:  # another process made the ledger first: read it again
            seed = open_plan(file)
        result = ledger.created or ledger.load(seed, by=author, effective=day.isoformat(), at=now())
    render.loaded({"source": str(file or bundled_path()), **vars(result)}, fmt)  # (the bundled plan: as users know it)


@command(app, "plans", epilog="示例：gkplan plans ｜ gkplan plans --format json ｜ gkplan --plan 2022 list")
def plans(ctx: typer.Context, as_of: AsOfOpt = None, wide: WideOpt = False, fmt: RecordFormatOpt = "table", pick: JsonOpt = None,
          output: OutputOpt = None, force: ForceOpt = False) -> None:
    """台账中的全部计划（年度工作要点）：要点数、平均进度、逾期数；标明默认使用的计划。"""
    from gkplan import reports

    fmt = record_format(fmt, pick, jsonfields.PLANS, output, force)
    with open_ledger(ctx) as ledger:
        render.plans(reports.plans(ledger, to_date(as_of, today(), ledger, past=True), today()), fmt, wide=wide)


@command(app, "diff", epilog="示例：gkplan diff 2022-06-30 2022-09-30 ｜ gkplan diff 2022-06-30 2022-12-31 --format json")
def diff(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(metavar="DATE1", help="起始日期")],
    end: Annotated[str, typer.Argument(metavar="DATE2", help="结束日期")],
    wide: WideOpt = False,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """对账：两个日期之间发生了什么变化——每项要点、任务、指标的进度、状态、截止日期从什么变成什么，以及期间的进展说明。"""
    from gkplan import reports

    fmt = record_format(fmt, pick, jsonfields.DIFF, output, force)
    first, second = to_date(start, past=True), to_date(end, past=True)
    with open_ledger(ctx) as ledger:
        render.diff(reports.diff(ledger, first, second, today()), fmt, first.isoformat(), second.isoformat(), wide=wide)
