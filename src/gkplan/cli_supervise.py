"""Supervision: reminders, stale items, exports for meetings, the published progress page, undo and backup."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from gkplan import jsonfields, render
from gkplan.clizh import ZhGroup
from gkplan.cliargs import count, record_format, to_format
from gkplan.clikit import command, frame, open_ledger, today
from gkplan.cliopts import AsOfOpt, ByOpt, ForceOpt, FormatOpt, JsonOpt, OutputOpt, RecordFormatOpt, WideOpt, completes

app = typer.Typer(cls=ZhGroup)


@command(
    app, "remind",
    epilog="示例：gkplan remind ｜ gkplan remind --within 30d --dept 教务部 ｜ gkplan remind --within 10工作日 ｜ gkplan remind --format json",
)  # fmt: skip
def remind(
    ctx: typer.Context,
    within: Annotated[str, typer.Option("--within", help="提醒多少天内到期的事项，如 14d、2w、30；或多少个工作日内（按国家法定节假日和调休），如 10工作日", metavar="DAYS")] = "14d",
    dept: Annotated[list[str], typer.Option("--dept", "-d", help="只给这些部门（可重复）", autocompletion=completes("departments"))] = [],  # noqa: B006
    as_of: AsOfOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """按部门生成催办通知：逾期、即将到期、黄灯和本期未报送的要点与任务，写明原因，附该部门所承担部分的分管校领导。"""
    from gkplan import notices
    from gkplan.dates import parse_window, window_days, window_words

    fmt, span = record_format(fmt, pick, jsonfields.NOTICES, output, force), parse_window(within)
    with open_ledger(ctx) as ledger:
        fr = frame(ledger, as_of, fmt)
        days = window_days(span, fr.as_of)  # 10工作日: the calendar days to the 10th workday after the as-of day
        render.notices(notices.remind(ledger, fr, days, dept), fmt, fr.as_of.isoformat(), days, window_words(span, fr.as_of))


@command(app, "stale", epilog="示例：gkplan stale ｜ gkplan stale --days 14 --format csv")
def stale(
    ctx: typer.Context,
    days: Annotated[str, typer.Option("--days", help="多少天没有更新记录", metavar="N")] = "30",
    as_of: AsOfOpt = None,
    wide: WideOpt = False,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """长时间没有更新记录（无人报送进展）的未完成要点和任务，从未更新的在前。"""
    from gkplan import stale as quiet

    fmt, n = record_format(fmt, pick, jsonfields.STALE, output, force), count(days, "--days")
    with open_ledger(ctx) as ledger:
        fr = frame(ledger, as_of, fmt)
        render.stale(lambda brief: quiet.stale(ledger, fr, n, brief), fmt, n, wide=wide)


@command(
    app, "export",
    epilog="示例：gkplan export --format xlsx -o 督查台账.xlsx ｜ gkplan export --format md -o 进展通报.md ｜ "
    "gkplan export --format csv --table tasks -o 任务.csv",
)  # fmt: skip
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件", metavar="FILE")],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="xlsx / csv / json / md（默认：按文件名的后缀）", metavar="FORMAT", autocompletion=completes("formats"))] = None,
    table: Annotated[str, typer.Option("--table", help="CSV 导出哪张表：points / tasks / targets / history")] = "points",
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
    as_of: AsOfOpt = None,
) -> None:
    """导出整个台账（要点、任务、指标、历史）：Excel、CSV（Excel/WPS 可直接打开）、JSON，或可发布的 Markdown 进展报告。"""
    from gkplan import export as exporter

    fmt = exporter.format_for(to_format(fmt, exporter.FORMATS) if fmt is not None else None, output)
    with open_ledger(ctx, create=False) as ledger:
        written = exporter.export(ledger, frame(ledger, as_of), fmt, output, table=table, force=force)
    render.message(f"已导出到 {written}")


@command(
    app, "publish",
    epilog="示例：gkplan publish -o 进展公开.db ｜ gkplan publish -o 进展公开.db --as-of 2022-06-30 --force ｜ "
    "gkplan publish --serve --port 8001",
)  # fmt: skip
def publish(
    ctx: typer.Context,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="公开用的数据库文件（旁边另写 .metadata.json）", metavar="FILE")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="用 Datasette 在 127.0.0.1 上提供网页（需 pip install 'gkplan\\[publish]'）")] = False,
    port: Annotated[str, typer.Option("--port", help="--serve 的端口", metavar="N")] = "8001",
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="公开哪一天的进展（默认今天）", metavar="DATE")] = None,
) -> None:
    """生成进展公开（第 36 条）的只读数据库和 Datasette 元数据；--serve 在本机提供网页。

    数据库用中文表名和列名：工作要点、任务、逾期事项、各部门汇总、量化指标，按部门查看（输入部门名）；
    按 --as-of 那一天重算，不含记录人、审核人、任务责任人等个人姓名。网页只读：不能下载数据库，不能执行任意 SQL。
    """
    from gkplan import publish as publisher
    from gkplan.errors import InvalidValue

    if output is None and not serve:
        raise InvalidValue("请用 -o 给出公开用的数据库文件（如 -o 进展公开.db），或用 --serve 直接在本机提供网页")
    number = count(port, "--port")
    if serve:
        from gkplan import serve as server

        server.check(number)  # before any work: Datasette missing or the port taken is said at once
    with publisher.place(output) as target:  # without -o, a private folder that goes when serving ends
        with open_ledger(ctx, create=False) as ledger:
            fr = frame(ledger, as_of)
            database, metadata = publisher.publish(ledger, fr, target, force=force, today=today())
        day = fr.as_of.isoformat()
        if output is not None:
            render.message(f"已生成 {database}（截至 {day}）和 {metadata}")
        if serve:  # the ledger is closed by now: only the published copy is ever served
            render.message(f"正在 http://{server.HOST}:{number}/ 公开进展（截至 {day}）；按 Ctrl-C 停止")
            server.serve(database, metadata, number)
            render.message("已停止公开")


@command(app, "undo", epilog="示例：gkplan undo ｜ gkplan undo 42 ｜ gkplan undo 42 --force ｜ gkplan undo --format json")
def undo(
    ctx: typer.Context,
    record: Annotated[Optional[str], typer.Argument(metavar="[N]", help="要撤销的历史记录号（gkplan log 中的 #N）")] = None,
    force: Annotated[bool, typer.Option("--force", help="即使之后有人又改过同一字段也撤销")] = False,
    by: ByOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """撤销自己最近一次修改（连同它引起的变化，作为新记录写入历史）；再次运行则继续向前撤销。写记录号则撤销那一条。"""
    from gkplan import actions

    fmt, number = to_format(fmt), count(record, "记录号") if record is not None else None
    with open_ledger(ctx) as ledger:
        render.change(actions.undo(ledger, by=by, number=number, force=force), fmt)


@command(app, "backup", epilog="示例：gkplan backup 台账备份-20220630.db")
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="备份文件")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
) -> None:
    """用 SQLite 在线备份生成台账的一致副本；其他人正在写入时也安全。"""
    with open_ledger(ctx, create=False) as ledger:
        written = ledger.backup(file, force=force)
    render.message(f"已备份到 {written}")


@command(app, "check", epilog="示例：gkplan check ｜ gkplan --db 备份.db check --format json ｜ gkplan check --full -o 检查结果.xlsx")
def check(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="完整检查：integrity_check、引用、牵头信息、汇总索引、种子版本、整条历史链和全部重放（大台账较慢）")] = False,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """检查台账：文件完整性（quick_check）、结构版本、外来对象、记录格式、进度与状态、任务汇总、历史编号，最近 10000 条记录的历史链和重放；
    --full 再查引用、牵头部门、汇总索引、种子版本，并逐条核对整条历史链、重放全部历史。每项的 scope 说明做的是 quick 还是 full；全部通过才返回 0。"""
    from gkplan.errors import GkplanError

    fmt = record_format(fmt, pick, jsonfields.CHECKS, output, force)
    with open_ledger(ctx, create=False) as ledger:
        from gkplan.config import lights

        rows = ledger.check(full=full, diverge=lights().diverge)
    render.checks(rows, fmt)
    failed = [r["check"] for r in rows if not r["ok"]]
    if failed:
        raise GkplanError(f"台账检查发现问题：{'、'.join(failed)}", exit_code=7)
