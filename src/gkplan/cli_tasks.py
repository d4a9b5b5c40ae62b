"""`gkplan task …` and `gkplan target …`: the task list under each point, and its quantitative targets."""

from typing import Annotated, Optional

import typer

from gkplan import jsonfields, render
from gkplan.clizh import ZhGroup
from gkplan.cliargs import limit, point_id, progress_report, record_format, task_id, to_format
from gkplan.clikit import AskableCommand, command, effective, frame, open_ledger, to_date
from gkplan.cliopts import (
    ASK, AsOfOpt, ByOpt, CoDeptOpt, DateOpt, DeptFilter, DoneOpt, DueBeforeFilter, DueOpt, EvidenceOpt, ForceOpt,
    FormatOpt, JsonOpt, LeaderFilter, LightFilter, LimitOpt, NextOpt, NoteOpt, OutputOpt, OverdueFilter, ProblemOpt,
    ProgressOpt, ReasonOpt, RecordFormatOpt, SectionFilter, StatusFilter, StatusOpt, WideOpt, completes,
)  # fmt: skip
from gkplan.prompts import ask_progress, need_terminal, written

task_app = typer.Typer(cls=ZhGroup, help="任务清单：把一项要点分解为有截止日期、责任人和成果形式的任务（编号如 17.2）。", no_args_is_help=True)
target_app = typer.Typer(cls=ZhGroup, help="量化指标：目标值、实际值和完成率。", no_args_is_help=True)

OwnerOpt = Annotated[Optional[str], typer.Option("--owner", help="责任人")]
WeightOpt = Annotated[Optional[str], typer.Option("--weight", help="权重（1–1000，默认 1），要点进度按权重平均", metavar="N")]


@command(
    task_app, "add",
    epilog="示例：gkplan task add 17 编制老年大学章程草案 --due 2022-09-30 --owner 王五 --deliverable 章程草案 --weight 2",
)  # fmt: skip
def add(
    ctx: typer.Context,
    pid: Annotated[str, typer.Argument(metavar="ID", help="要点编号", autocompletion=completes("points"))],
    title: Annotated[str, typer.Argument(metavar="TITLE", help="任务名称")],
    due: DueOpt = None,
    owner: OwnerOpt = None,
    dept: Annotated[Optional[str], typer.Option("--dept", "-d", help="负责部门（默认为要点的牵头部门）", autocompletion=completes("departments"))] = None,
    deliverable: Annotated[Optional[str], typer.Option("--deliverable", help="成果形式，如 文件、平台、报告")] = None,
    weight: WeightOpt = None,
    co_dept: CoDeptOpt = None,
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """在一项要点下新增任务；有任务的要点，进度由任务按权重计算。"""
    from gkplan import task_actions

    fmt, number, when, day = to_format(fmt), point_id(pid), to_date(due), effective(date)
    with open_ledger(ctx) as ledger:
        entry = task_actions.add_task(
            ledger, number, title, due=when, owner=owner, dept=dept, deliverable=deliverable, weight=weight, by=by, day=day,
            co=tuple(co_dept) if co_dept else None,
        )
        render.change(entry, fmt)


@command(
    task_app, "update", cls=AskableCommand,
    epilog="示例：gkplan task update 17.1 --progress 50 --note 初稿已完成 ｜ gkplan task update 17.2 --status 已完成",
)  # fmt: skip
def update(
    ctx: typer.Context,
    tid: Annotated[str, typer.Argument(metavar="ID", help="任务编号，如 17.2", autocompletion=completes("tasks"))],
    progress: ProgressOpt = None,
    status: StatusOpt = None,
    done: DoneOpt = None,
    problem: ProblemOpt = None,
    next_step: NextOpt = None,
    note: NoteOpt = None,
    evidence: EvidenceOpt = None,
    due: DueOpt = None,
    reason: ReasonOpt = None,
    owner: OwnerOpt = None,
    weight: WeightOpt = None,
    co_dept: CoDeptOpt = None,
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """填报任务的进度、状态、进展 / 问题 / 下一步，或改截止日期、责任人、权重；每次修改都记入历史。

    进度 100 或“已完成”即报办结（须附 --evidence）；截止日期推后即延期（须写 --reason）。"""
    from gkplan import actions, task_actions

    fmt, (number, seq), day = to_format(fmt), task_id(tid), effective(date)
    if owner is None and weight is None:
        report = progress_report(progress, status, note, done, problem, next_step, evidence, to_date(due), reason, co_dept)
    else:
        report = actions.Report(progress, status, note if note is not None else done, problem, next_step, evidence,
                                to_date(due), reason, tuple(co_dept) if co_dept else None)  # fmt: skip
    with open_ledger(ctx) as ledger:
        if progress == ASK:  # asked at the terminal: the current value shown, Enter keeping it
            from gkplan import reports

            current, what = ledger.task(number, seq), f"任务 {number}.{seq}"
            need_terminal()
            actions.check_report(report)  # a wrong --note is said before the question
            check = lambda answer: actions.check_answer(current, report._replace(progress=answer), what, day)  # noqa: E731
            report = report._replace(progress=ask_progress(current["progress"], what, current["title"], check))
            changes = any(v is not None for v in report) or owner is not None or weight is not None
            entries = [task_actions.update_task(ledger, number, seq, report, owner=owner, weight=weight, by=by, day=day)] if changes else []
            written(entries, fmt)
            render.state(reports.state(ledger, number, frame(ledger, None)), fmt)
            return
        entry = task_actions.update_task(ledger, number, seq, report, owner=owner, weight=weight, by=by, day=day)
        render.change(entry, fmt)


@command(task_app, "complete", epilog="示例：gkplan task complete 17（可用 gkplan undo 撤销）")
def complete(
    ctx: typer.Context,
    pid: Annotated[str, typer.Argument(metavar="ID", help="要点编号", autocompletion=completes("points"))],
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """确认要点的任务清单已完整：此后要点的进度由任务按权重汇总，不再直接填报。"""
    from gkplan import supervise

    fmt, number, day = to_format(fmt), point_id(pid), effective(date)
    with open_ledger(ctx) as ledger:
        render.change(supervise.complete_tasks(ledger, number, by=by, day=day), fmt)


@command(task_app, "rm", epilog="示例：gkplan task rm 17.2（可用 gkplan undo 恢复）")
def rm(
    ctx: typer.Context,
    tid: Annotated[str, typer.Argument(metavar="ID", help="任务编号，如 17.2", autocompletion=completes("tasks"))],
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """删除任务；删除的内容保留在历史中，可用 gkplan undo 恢复。"""
    from gkplan import task_actions

    fmt, (number, seq), day = to_format(fmt), task_id(tid), effective(date)
    with open_ledger(ctx) as ledger:
        render.change(task_actions.remove_task(ledger, number, seq, by=by, day=day), fmt)


@command(
    task_app, "list",
    epilog="示例：gkplan task list ｜ gkplan task list --point 17 ｜ gkplan task list --dept 教务部 --overdue ｜ "
    "gkplan task list --light red --format csv",
)  # fmt: skip
def list_(
    ctx: typer.Context,
    point: Annotated[list[str], typer.Option("--point", help="要点编号（可重复）")] = [],  # noqa: B006
    dept: DeptFilter = [],  # noqa: B006
    leader: LeaderFilter = [],  # noqa: B006
    section: SectionFilter = [],  # noqa: B006
    status: StatusFilter = [],  # noqa: B006
    light: LightFilter = [],  # noqa: B006
    overdue: OverdueFilter = False,
    due_before: DueBeforeFilter = None,
    search: Annotated[Optional[str], typer.Option("--search", "-q", help="在任务名称、成果形式和说明中查找")] = None,
    wide: WideOpt = False,
    as_of: AsOfOpt = None,
    most: LimitOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出任务，筛选条件与 gkplan list 相同。"""
    from gkplan import filters, reports

    fmt, rows = record_format(fmt, pick, jsonfields.TASK, output, force), limit(most)
    ids = tuple(point_id(p) for p in point)
    lights = tuple(filters.parse_light(x) for x in light)
    with open_ledger(ctx) as ledger:
        fr = frame(ledger, as_of, fmt)
        before = to_date(due_before, ledger=ledger, seen=fr.as_of)  # (年底: the year of the plan read, see frame)
        query = filters.build_query(
            ledger, depts=dept, leaders=leader, sections=section, statuses=status,
            overdue=overdue, due_before=before, search=search, as_of=fr.as_of,
        )  # fmt: skip
        for number in ids:
            ledger.point(number)  # an unknown point is an error, not an empty list
        render.tasks(lambda brief: reports.iter_tasks(ledger, query._replace(ids=ids), fr, lights), fmt, rows, wide=wide)


@command(target_app, "list", epilog="示例：gkplan target list ｜ gkplan target list --point 27 ｜ gkplan target list --dept 改革发展部")
def target_list(
    ctx: typer.Context,
    point: Annotated[Optional[str], typer.Option("--point", help="要点编号")] = None,
    dept: Annotated[Optional[str], typer.Option("--dept", "-d", help="牵头部门", autocompletion=completes("departments"))] = None,
    wide: WideOpt = False,
    as_of: AsOfOpt = None,
    fmt: RecordFormatOpt = "table",
    pick: JsonOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出量化指标：目标值（下限—上限）、实际值和完成率（以下限计）。"""
    from gkplan import filters, reports

    fmt, number = record_format(fmt, pick, jsonfields.TARGET, output, force), point_id(point) if point is not None else None
    with open_ledger(ctx) as ledger:
        if number is not None:
            ledger.point(number)
        fr = frame(ledger, as_of, fmt)
        query = filters.build_query(ledger, depts=[dept] if dept else [], as_of=fr.as_of)
        render.targets(reports.targets(ledger, fr, point=number, departments=query.departments), fmt, wide=wide)


@command(
    target_app, "set",
    epilog="示例：gkplan target set 7 总招生数 --actual 158万 --as-of 2022-09-30 ｜ gkplan target set 17 课程资源 --actual 1020000",
)  # fmt: skip
def target_set(
    ctx: typer.Context,
    pid: Annotated[str, typer.Argument(metavar="ID", help="要点编号", autocompletion=completes("points"))],
    metric: Annotated[str, typer.Argument(metavar="METRIC", help="指标名称（可写一部分）")],
    actual: Annotated[str, typer.Option("--actual", help="实际值，如 1580000、158万", metavar="N")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="实际值的统计日期（默认同 --date）", metavar="DATE")] = None,
    note: NoteOpt = None,
    by: ByOpt = None,
    date: DateOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """记录一个指标的实际值（记入历史）。"""
    from gkplan import task_actions

    fmt, number, day = to_format(fmt), point_id(pid), effective(date)
    when = to_date(as_of, day, past=True)
    with open_ledger(ctx) as ledger:
        entry = task_actions.set_target(ledger, number, metric, actual=actual, as_of=when, note=note, by=by, day=day)
        render.change(entry, fmt)
