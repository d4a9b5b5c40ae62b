"""The questions asked at the terminal (a bare `--progress`): each shows the current value, Enter keeps it, a
wrong answer is asked again with the reason, Ctrl-C writes nothing; what was written is said at the end."""

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Optional

import typer

from gkplan import render
from gkplan.errors import GkplanError, InvalidValue

if TYPE_CHECKING:
    from gkplan.ledger import Ledger


def need_terminal(hint: str = "") -> None:
    """A bare --progress asks at the terminal; without one it is a clear error, never a wait on a pipe."""
    import sys

    if not sys.stdin.isatty():
        raise InvalidValue(f"--progress 没有给出数值，且没有终端可以询问；请写成 --progress 60{hint}")


def _read(question: str) -> str:
    """One answer typed at the terminal. The question goes to stderr, so that stdout holds only the command's
    output (`--format json | jq` stays valid JSON); Ctrl-C or end of input is typer.Abort, which the error
    boundary reports as 已取消, exit 130, before anything has been written."""
    import sys

    try:  # Ctrl-C typed as soon as the question shows may come before input() is reached
        sys.stderr.write(question)
        sys.stderr.flush()
        return input()
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write("\n")  # the terminal echoed ^C (or nothing) on the question's line: end it
        raise typer.Abort() from None


def ask_progress(current: int, label: str, title: str, check: Optional[Callable[[str], None]] = None) -> Optional[str]:
    """Ask for the new progress of `label` (第 18 项, 任务 17.1), showing the current one. Enter keeps it, and so
    does typing the same value: None. A wrong answer — not a progress, or one the ledger's rules refuse
    (`check` raises) — is said with the reason and asked again."""
    from gkplan.values import parse_progress

    render.message(f"{label}：{title}")
    question = f"{label} 当前进度 {current}%，新的进度（回车保留）："
    while True:
        answer = _read(question).strip()
        if not answer:
            return None
        try:
            value = parse_progress(answer)
            if value == current:
                return None
            if check is not None:
                check(str(value))
            return str(value)
        except GkplanError as exc:
            render.message(f"{exc}；请重新输入，直接回车保留 {current}%")


def ask_tasks_progress(ledger: "Ledger", number: int, day: date) -> list[tuple[int, str]]:
    """For a point with tasks: ask each task's progress (Enter keeps it); the answers that change something.
    Only asks: the caller writes the answers together, so that Ctrl-C half-way writes nothing."""
    from gkplan import actions
    from gkplan.ledger import PointQuery

    tasks = ledger.tasks(PointQuery(ids=(number,)))
    render.message(f"第 {number} 项有 {len(tasks)} 个任务，请逐个填写任务的进度（直接回车保留）")
    answers = []
    for task in tasks:
        label = f"任务 {task['id']}"

        def check(answer: str, task: dict[str, Any] = task, label: str = label) -> None:
            try:
                actions.check_answer(task, actions.Report(progress=answer), label, day)
            except GkplanError as exc:  # this question takes a progress only: the rest goes by the task's own command
                raise InvalidValue(f"{exc}（这里只填进度；请另行运行 gkplan task update {task['id']} …）") from None

        answer = ask_progress(task["progress"], label, task["title"], check)
        if answer is not None:
            answers.append((task["seq"], answer))
    return answers


def written(entries: list[dict[str, Any]], fmt: str) -> None:
    """What an update at the terminal wrote: a line a change for people, or that nothing was (every answer
    kept the value it had); the list of changes for scripts (empty when nothing was written)."""
    if fmt != "table":
        render.history(entries, fmt)
    elif not entries:
        render.message("没有变化：各项均保留原值，台账未写入")
    else:
        for entry in entries:
            render.change(entry, fmt)
