"""Typer commands only: convert arguments, make one domain call, hand the result to render.

The work points' commands live here; tasks and targets in cli_tasks.py; review and checkpoints in
cli_loop.py; reminders, exports, undo and backup in cli_supervise.py; missing, bulletin and brief in
cli_bulletin.py; the Excel 填报 round trip (sheet, import) in cli_sheet.py; the shared ledger on PostgreSQL
(admin init / push / roles / user add) in cli_admin.py. Shared argument handling is in clikit.py.

Typer turns every command it has into a Click command at start-up (~0.5–1.5 ms each), so `main`
gives it just the command the line names, and everything only for help or the other modules' commands.
"""

from pathlib import Path
from typing import Annotated, Callable, Optional

import os
import sys
from functools import cache

import typer

from gkplan import jsonfields, render
from gkplan.clizh import ZhGroup
from gkplan.errors import Cancelled, GkplanError
from gkplan.clikit import (
    CoDeptOpt, ForceOpt, OutputOpt, WideOpt,
    ASK, AskableCommand, AsOfOpt, ByOpt, DateOpt, DeptFilter, DoneOpt, DueBeforeFilter, DueOpt, EvidenceOpt, FormatOpt,
    JsonOpt, LeaderFilter, LightFilter, LimitOpt, NextOpt, NoteOpt, OverdueFilter, PointArg, ProblemOpt,
    ProgressOpt, ReasonOpt, RecordFormatOpt, SectionFilter, StatusFilter, StatusOpt, ask_progress,
    ask_tasks_progress, command, completes, count, effective, frame, install, limit, need_terminal, open_ledger,
    point_id, progress_report, record_format, to_date, to_format, today, written,
)  # fmt: skip

COMPLETION_OPTIONS = ("--install-completion", "--show-completion")
COMPLETE_VAR = "_GKPLAN_COMPLETE"  # Typer's completion protocol: set by the shell's completion script


class RootGroup(ZhGroup):
    """The root: --install-completion and --show-completion take a shell's name, or stand alone for the
    shell this runs in (as Typer's own options do)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing and any(a in COMPLETION_OPTIONS for a in args):
            out = []
            for i, arg in enumerate(args):
                out.append(arg)
                if arg in COMPLETION_OPTIONS and (i + 1 == len(args) or args[i + 1].startswith("-")):
                    out.append("")  # the shell this runs in
            args = out
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=RootGroup,
    name="gkplan",
    help="国家开放大学年度工作要点督查台账：查询、更新、汇总每项工作要点的进度。",
    no_args_is_help=True,
    add_completion=False,  # ours instead (root below): Chinese help, an optional shell name; Typer's scripts and protocol
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
)


def _completion(action: str) -> Callable[[typer.Context, Optional[str]], None]:
    """--show-completion / --install-completion: the completion module loads only when one is given."""

    def callback(ctx: typer.Context, value: Optional[str]) -> None:
        if value is not None and not ctx.resilient_parsing:
            from gkplan.complete import option

            option(action)(ctx, value)

    return callback


def _version(wanted: bool) -> None:
    if wanted:
        from gkplan import __version__

        typer.echo(f"gkplan {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Optional[str],
        typer.Option("--db", help="台账文件，须已存在；或共用台账的 PostgreSQL 连接串 postgresql://用户@主机/数据库"
                     "（默认 $GKPLAN_DB，或 $XDG_DATA_HOME/gkplan/ledger.db）", metavar="PATH|URL"),
    ] = None,
    plan: Annotated[
        Optional[str],
        typer.Option("--plan", envvar="GKPLAN_PLAN", help="使用哪个计划（年份，如 2022；默认最新的计划）", metavar="KEY",
                     autocompletion=completes("plans")),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", help="显示版本号并退出", is_eager=True, callback=lambda v: _version(v))
    ] = False,
    install_completion: Annotated[Optional[str], typer.Option(
        "--install-completion", metavar="[SHELL]", is_eager=True, expose_value=False, callback=_completion("install"),
        autocompletion=completes("shells"),
        help="为当前的 shell 安装命令补全（或写明 bash / zsh / fish / powershell），重新打开终端后生效")] = None,
    show_completion: Annotated[Optional[str], typer.Option(
        "--show-completion", metavar="[SHELL]", is_eager=True, expose_value=False, callback=_completion("show"),
        autocompletion=completes("shells"),
        help="显示当前的 shell（或写明的 bash / zsh / fish / powershell）的补全脚本，可复制或自行安装")] = None,
) -> None:
    """国家开放大学年度工作要点督查台账。

    第一次运行时自动新建台账并载入内置的《国家开放大学 2022 年工作要点》。
    """
    ctx.obj = {"db": db, "plan": plan}


@command(
    app, "list",
    epilog="示例：gkplan list --dept 教务部 ｜ gkplan list --leader 李松 --status 进行中 ｜ "
    "gkplan list --section 3 --overdue ｜ gkplan list --light red ｜ gkplan list --search 老年 --format json",
)  # fmt: skip
def list_(
    ctx: typer.Context,
    dept: DeptFilter = [],  # noqa: B006
    leader: LeaderFilter = [],  # noqa: B006
    section: SectionFilter = [],  # noqa: B006
    status: StatusFilter = [],  # noqa: B006
    light: LightFilter = [],  # noqa: B006
    overdue: OverdueFilter = False,
    due_before: DueBeforeFilter = None,
    search: Annotated[Optional[str], typer.Option("--search", "-q", help="在标题和全文中查找")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="与 --dept 同用：lead 只看牵头，co 只看协办")] = None,
    wide: Annotated[bool, typer.Option("--wide", "-w", help="全部列、全文，不按终端宽度省略或截断；另加任务汇总进度、协办部门、最近报送")] = False,
    as_of: AsOfOpt = None,
    most: LimitOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出工作要点，可按部门（含协办）、校领导、部分、状态、灯色、截止日期筛选（条件同时满足）。"""
    from gkplan import filters, reports

    fmt, before, rows = record_format(fmt, pick, jsonfields.LIST, output, force), to_date(due_before), limit(most)
    lights = tuple(filters.parse_light(x) for x in light)
    with open_ledger(ctx) as ledger:
        fr = frame(ledger, as_of, fmt)
        query = filters.build_query(
            ledger, depts=dept, leaders=leader, sections=section, statuses=status,
            overdue=overdue, due_before=before, search=search, as_of=fr.as_of, role=role,
        )  # fmt: skip
        listed = lambda brief: reports.listed(ledger, query, fr, lights, brief and not wide)  # noqa: E731
        render.points(listed, fmt, rows, role=bool(query.departments), wide=wide)


@command(app, "show", epilog="示例：gkplan show 17 ｜ gkplan show 17 --format json")
def show(
    ctx: typer.Context,
    pid: PointArg,
    as_of: AsOfOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
) -> None:
    """显示一项工作要点的全部内容：全文、牵头人、进度、灯色、任务、指标和最近记录。"""
    from gkplan import reports

    fmt, number = record_format(fmt, pick, jsonfields.SHOW), point_id(pid)
    with open_ledger(ctx) as ledger:
        render.point(reports.show_point(ledger, number, frame(ledger, as_of, fmt)), fmt)


@command(
    app, "update", cls=AskableCommand,
    epilog="示例：gkplan update 18 --progress 60 --note 已完成方案初稿 ｜ gkplan update 17 --progress（在终端询问；进度由任务计算的要点逐个询问其任务） ｜ "
    "gkplan update 7 --status 受阻 --note 等待批复 ｜ gkplan update 22 --due 2022/9/30",
)  # fmt: skip
def update(
    ctx: typer.Context,
    pid: PointArg,
    progress: ProgressOpt = None,
    status: StatusOpt = None,
    done: DoneOpt = None,
    problem: ProblemOpt = None,
    next_step: NextOpt = None,
    note: NoteOpt = None,
    evidence: EvidenceOpt = None,
    due: DueOpt = None,
    reason: ReasonOpt = None,
    co_dept: CoDeptOpt = None,
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """填报一项工作要点：进度、状态、进展 / 存在问题 / 下一步，截止日期；每次修改都记入历史。

    进度 100 或“已完成”即报办结（须附 --evidence），由督查办审核销号（gkplan review）。截止日期推后即延期（须写 --reason）。
    不写数值的 --progress 在终端询问要点的进度（回车保持不变），再逐个询问其任务的进度。
    """
    from gkplan import actions

    fmt, number, day = to_format(fmt), point_id(pid), effective(date)
    report = progress_report(progress, status, note, done, problem, next_step, evidence, to_date(due), reason, co_dept)
    with open_ledger(ctx) as ledger:
        if progress == ASK:
            _update_asked(ledger, number, report, by, day, fmt)
            return
        render.change(actions.update_point(ledger, number, report, by=by, day=day), fmt)


def _update_asked(ledger, number: int, report, by: Optional[str], day, fmt: str) -> None:  # noqa: ANN001
    """`update N --progress` without a value: ask the point's progress (unless its tasks give it), then each
    task's, showing the current value, Enter keeping it; write every answer together (Ctrl-C: nothing);
    show what was written and the point as it is now."""
    from gkplan import actions, reports

    current = ledger.point(number)
    need_terminal(f"，任务写成 gkplan task update {number}.N --progress 60" if current["tasks"] else "")
    actions.check_report(report)  # a wrong --note is said before the first question
    what = f"第 {number} 项"
    if ledger.point_follows_tasks(number, day):
        asked = None
        render.message(f"{what}的进度由任务按权重计算，不单独询问")
    else:
        check = lambda answer: actions.check_answer(current, report._replace(progress=answer), what, day)  # noqa: E731
        asked = ask_progress(current["progress"], what, current["title"], check)
    answers = ask_tasks_progress(ledger, number, day) if current["tasks"] else []
    report = report._replace(progress=asked)
    entries = []
    if answers or any(v is not None for v in report):
        with ledger.transaction():  # every answer, or (Ctrl-C, an error) none of them
            entries = [actions.update_task(ledger, number, seq, actions.Report(progress=answer), owner=None,
                                           weight=None, by=by, day=day) for seq, answer in answers]  # fmt: skip
            if any(v is not None for v in report):
                entries.append(actions.update_point(ledger, number, report, by=by, day=day))
    written(entries, fmt)
    render.state(reports.state(ledger, number, frame(ledger, None)), fmt)


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
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """修改历史，最新的在前。"""
    fmt, number, after = record_format(fmt, pick, jsonfields.HISTORY, output, force), point_id(pid) if pid else None, to_date(since)
    most = count(limit, "--limit") if limit is not None else None
    with open_ledger(ctx) as ledger:
        if number is not None:
            ledger.point(number)  # an unknown id is an error, not an empty history
        render.history(ledger.history(point=number, since=after.isoformat() if after else None, limit=most), fmt)


@command(app, "depts", epilog="示例：gkplan depts ｜ gkplan depts --format csv")
def depts(ctx: typer.Context, fmt: RecordFormatOpt = "table", pick: JsonOpt = None, output: OutputOpt = None,
          force: ForceOpt = False) -> None:
    """所有牵头部门及其负责的要点数，便于查到准确名称。"""
    fmt = record_format(fmt, pick, jsonfields.NAMES, output, force)
    with open_ledger(ctx) as ledger:
        render.names(ledger.names("department"), fmt, "牵头部门")


@command(app, "leaders", epilog="示例：gkplan leaders ｜ gkplan leaders --format json")
def leaders(ctx: typer.Context, fmt: RecordFormatOpt = "table", pick: JsonOpt = None, output: OutputOpt = None,
            force: ForceOpt = False) -> None:
    """所有牵头校领导及其负责的要点数。"""
    fmt = record_format(fmt, pick, jsonfields.NAMES, output, force)
    with open_ledger(ctx) as ledger:
        render.names(ledger.names("leader"), fmt, "校领导")


@command(app, "load", epilog="示例：gkplan load ｜ gkplan load workpoints_2023.yaml")
def load(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(metavar="[FILE]", help="种子文件（默认内置的 2022 年工作要点）")] = None,
    by: ByOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """载入种子文件：新的计划加在台账中已有计划的旁边；已有的计划重新载入时，进度、状态、备注、实际值和历史保持不变。"""
    from gkplan.actions import now, who
    from gkplan.seed import bundled_path, open_seed

    fmt = to_format(fmt)
    source = file or bundled_path()
    seed = open_seed(source)  # a YAML syntax error stops here, before the ledger is opened
    author, day = who(by), effective(None)
    with open_ledger(ctx, seed=seed) as ledger:  # a new ledger is made with this seed; any problem rolls it all back
        if ledger.created is None and ledger.seed_spent:  # another process made the ledger first: read it again
            seed = open_seed(source)
        result = ledger.created or ledger.load(seed, by=author, effective=day.isoformat(), at=now())
    render.loaded({"source": str(source), **vars(result)}, fmt)


@command(app, "plans", epilog="示例：gkplan plans ｜ gkplan plans --format json ｜ gkplan --plan 2022 list")
def plans(ctx: typer.Context, as_of: AsOfOpt = None, fmt: RecordFormatOpt = "table", pick: JsonOpt = None,
          output: OutputOpt = None, force: ForceOpt = False) -> None:
    """台账中的全部计划（年度工作要点）：要点数、平均进度、逾期数；标明默认使用的计划。"""
    from gkplan import reports

    fmt = record_format(fmt, pick, jsonfields.PLANS, output, force)
    with open_ledger(ctx) as ledger:
        render.plans(reports.plans(ledger, to_date(as_of, today(), ledger)), fmt)


@command(app, "diff", epilog="示例：gkplan diff 2022-06-30 2022-09-30 ｜ gkplan diff 2022-06-30 2022-12-31 --format json")
def diff(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(metavar="DATE1", help="起始日期")],
    end: Annotated[str, typer.Argument(metavar="DATE2", help="结束日期")],
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """对账：两个日期之间发生了什么变化——每项要点、任务、指标的进度、状态、截止日期从什么变成什么，以及期间的进展说明。"""
    from gkplan import reports

    fmt, first, second = record_format(fmt, pick, jsonfields.DIFF, output, force), to_date(start), to_date(end)
    with open_ledger(ctx) as ledger:
        render.diff(reports.diff(ledger, first, second), fmt, first.isoformat(), second.isoformat())


CORE = {"list", "show", "update", "report", "log", "depts", "leaders", "load", "plans", "diff"}


@cache
def full_app() -> typer.Typer:
    """The whole command tree: what help lists, what tests drive."""
    from gkplan import cli_admin, cli_bulletin, cli_loop, cli_sheet, cli_supervise, cli_tasks

    install()
    app.add_typer(cli_tasks.task_app, name="task")
    app.add_typer(cli_tasks.target_app, name="target")
    app.add_typer(cli_loop.checkpoint_app, name="checkpoint")
    app.add_typer(cli_loop.app)
    app.add_typer(cli_supervise.app)
    app.add_typer(cli_bulletin.app)
    app.add_typer(cli_sheet.app)
    app.add_typer(cli_admin.app, name="admin")
    return app


def _command_name(args: list[str]) -> Optional[str]:
    """The command the user named, past the root options (--db PATH); None when help or nothing."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--db", "--plan"):
            i += 2
            continue
        if arg.startswith(("--db=", "--plan=")):
            i += 1
            continue
        return None if arg.startswith("-") else arg
    return None


class _ClosedStdout:
    """Stands for a stdout that was closed before start (`gkplan list >&-`): writing to it fails as
    writing to a closed descriptor does, so the command reports it like any other output failure."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, "标准输出已关闭")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _streams() -> None:
    """Text the terminal's encoding cannot show (an emoji under GBK or ASCII) becomes '?' instead of a
    crash; UTF-8 streams, the usual case, are left alone. A stream closed before start gets a stand-in."""
    import codecs

    if sys.stdout is None:
        sys.stdout = _ClosedStdout()  # type: ignore[assignment]
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the life of the process
    for stream in (sys.stdout, sys.stderr):
        if codecs.lookup(stream.encoding).name != "utf-8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def main() -> None:
    _streams()
    try:
        try:
            name = _command_name(sys.argv[1:])
            if os.environ.get(COMPLETE_VAR):  # the shell asks for candidates: every command, Typer's protocol
                from gkplan.complete import prepare

                prepare()
                full_app()(prog_name="gkplan", complete_var=COMPLETE_VAR)
            elif name in CORE:
                install(app, only=name)
                app()
            else:
                full_app()()
        finally:
            render.flush()  # Click's help and usage text, too, fail here rather than at interpreter exit
    except GkplanError as exc:  # outside any command: help text that cannot be written
        sys.exit(render.failure(exc))
    except OSError as exc:
        # Click and Rich writing help or usage text, outside any command's boundary. Only a write to a
        # stream fails this way (no file name); anything else is a bug and goes on to the traceback.
        if exc.filename is None and exc.errno in render.OUTPUT_ERRNOS:
            sys.exit(render.failure(render.lost(exc)))
        raise
    except KeyboardInterrupt:  # before or after a command's own boundary
        sys.exit(render.failure(Cancelled()))
    except SystemExit as done:
        # Typer answers Ctrl-C while it parses the line with a silent 130 (its Exit caused by the interrupt)
        if isinstance(getattr(done.__context__, "__cause__", None), KeyboardInterrupt):
            sys.exit(render.failure(Cancelled()))
        raise
