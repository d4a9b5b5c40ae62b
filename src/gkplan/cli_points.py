"""The work points' own commands: list, show and update (with its questions at the terminal)."""

from typing import Annotated, Optional

import typer

from gkplan import jsonfields, render
from gkplan.cli import app
from gkplan.cliargs import limit, point_id, progress_report, record_format, to_format
from gkplan.clikit import AskableCommand, command, effective, frame, open_ledger, to_date
from gkplan.cliopts import (
    ASK, AsOfOpt, ByOpt, CoDeptOpt, DateOpt, DeptFilter, DoneOpt, DueBeforeFilter, DueOpt, EvidenceOpt, ForceOpt,
    FormatOpt, JsonOpt, LeaderFilter, LightFilter, LimitOpt, NextOpt, NoteOpt, OutputOpt, OverdueFilter, PointArg,
    ProblemOpt, ProgressOpt, ReasonOpt, RecordFormatOpt, SectionFilter, StatusFilter, StatusOpt,
)  # fmt: skip
from gkplan.prompts import ask_progress, ask_tasks_progress, need_terminal, written


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

    fmt, rows = record_format(fmt, pick, jsonfields.LIST, output, force), limit(most)
    lights = tuple(filters.parse_light(x) for x in light)
    with open_ledger(ctx) as ledger:
        fr = frame(ledger, as_of, fmt)
        before = to_date(due_before, ledger=ledger, seen=fr.as_of)  # (年底: the year of the plan read, see frame)
        query = filters.build_query(
            ledger, depts=dept, leaders=leader, sections=section, statuses=status,
            overdue=overdue, due_before=before, search=search, as_of=fr.as_of, role=role,
        )  # fmt: skip
        listed = lambda brief: reports.listed(ledger, query, fr, lights, brief and not wide)  # noqa: E731
        render.points(listed, fmt, rows, role=bool(query.departments), wide=wide)


@command(app, "show", epilog="示例：gkplan show 17 ｜ gkplan show 17 --format json ｜ gkplan show 17 -o 第17项.xlsx")
def show(
    ctx: typer.Context,
    pid: PointArg,
    as_of: AsOfOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """显示一项工作要点的全部内容：全文、牵头人、进度、灯色、任务、指标和最近记录。"""
    from gkplan import reports

    fmt, number = record_format(fmt, pick, jsonfields.SHOW, output, force), point_id(pid)
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
    from gkplan import actions, reports, task_actions

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
            entries = [task_actions.update_task(ledger, number, seq, actions.Report(progress=answer), owner=None,
                                                weight=None, by=by, day=day) for seq, answer in answers]  # fmt: skip
            if any(v is not None for v in report):
                entries.append(actions.update_point(ledger, number, report, by=by, day=day))
    written(entries, fmt)
    render.state(reports.state(ledger, number, frame(ledger, None)), fmt)
