"""Typer commands only: convert arguments, make one domain call, hand the result to render.

The root (options, start-up, the command tree) lives here; the work points' commands in cli_points.py;
report, log, diff, the names, plans and load in cli_reports.py; tasks and targets in cli_tasks.py; review and checkpoints in
cli_loop.py; reminders, exports, undo and backup in cli_supervise.py; missing, bulletin and brief in
cli_bulletin.py; the Excel 填报 round trip (sheet, import) in cli_sheet.py; the shared ledger on PostgreSQL
(admin init / push / roles / user add) in cli_admin.py. The error boundary and the ledger handle are in clikit.py,
the arguments' conversion in cliargs.py (their text, before anything, in cliargv.py), the shared options in
cliopts.py, the questions at the terminal in prompts.py.

Typer turns every command it has into a Click command at start-up (~0.5–1.5 ms each), so `main`
gives it just the command the line names, and everything only for help or the other modules' commands.
"""

from typing import Annotated, Callable, Optional

import io
import os
import sys
from functools import cache

import typer

from gkplan import render
from gkplan.clizh import ZhCommand, ZhGroup
from gkplan.errors import Cancelled, GkplanError
from gkplan.clikit import install, pending
from gkplan.cliopts import completes
from gkplan.cliargv import text_args, text_environment

COMPLETION_OPTIONS = ("--install-completion", "--show-completion")
COMPLETE_VAR = "_GKPLAN_COMPLETE"  # Typer's completion protocol: set by the shell's completion script


class RootGroup(ZhGroup):
    """The root: --install-completion and --show-completion take a shell's name, or stand alone for the
    shell this runs in (as Typer's own options do)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        args = text_args(ctx, args)
        if not ctx.resilient_parsing and any(a in COMPLETION_OPTIONS for a in args):
            out = []
            for i, arg in enumerate(args):
                out.append(arg)
                if arg in COMPLETION_OPTIONS and (i + 1 == len(args) or args[i + 1].startswith("-")):
                    out.append("")  # the shell this runs in
            args = out
        return super().parse_args(ctx, args)


_ROOT = dict(
    cls=RootGroup,
    name="gkplan",
    help="国家开放大学年度工作要点督查台账：查询、更新、汇总每项工作要点的进度。",
    no_args_is_help=True,
    add_completion=False,  # ours instead (root below): Chinese help, an optional shell name; Typer's scripts and protocol
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
)
app = typer.Typer(**_ROOT)  # type: ignore[arg-type]


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


# every command `main` can start alone, and the module declaring it; a group (task …) is added whole, as the
# named Typer of its module. Help, completion and an unknown name load the whole tree.
COMMANDS = {**dict.fromkeys(("list", "show", "update"), "gkplan.cli_points"),
            **dict.fromkeys(("report", "log", "depts", "leaders", "load", "plans", "diff"), "gkplan.cli_reports"),
            "review": "gkplan.cli_loop",
            **dict.fromkeys(("remind", "stale", "export", "publish", "undo", "backup", "check"), "gkplan.cli_supervise"),
            **dict.fromkeys(("missing", "bulletin", "brief"), "gkplan.cli_bulletin"),
            **dict.fromkeys(("sheet", "import"), "gkplan.cli_sheet")}  # fmt: skip
GROUPS = {"task": ("gkplan.cli_tasks", "task_app"), "target": ("gkplan.cli_tasks", "target_app"),
          "checkpoint": ("gkplan.cli_loop", "checkpoint_app"), "admin": ("gkplan.cli_admin", "app")}  # fmt: skip
# the order help lists them in: the root's own commands, then these groups and modules
_TREE = ("task", "target", "checkpoint", "gkplan.cli_loop", "gkplan.cli_supervise", "gkplan.cli_bulletin", "gkplan.cli_sheet", "admin")


def _add(part: str) -> None:
    """Give the root one group (by its command name) or one module's commands (by the module's name)."""
    import importlib

    if part in GROUPS:
        module, attr = GROUPS[part]
        app.add_typer(getattr(importlib.import_module(module), attr), name=part)
    else:
        sub = importlib.import_module(part).app
        if sub is not app:
            app.add_typer(sub)


@cache
def full_app() -> typer.Typer:
    """The whole command tree: what help lists, what tests drive."""
    from gkplan import cli_points, cli_reports  # noqa: F401 - the root's own commands

    for part in _TREE:
        _add(part)
    install()
    return app


def _index_app() -> typer.Typer:
    """The root as its help shows it: the root's options, and each command as its name and summary
    (cli_index.py), none of the commands' modules imported. For root help, --version, the completion
    options and an unknown command's hint; never for running a command."""
    from gkplan.cli_index import SUMMARIES

    index = typer.Typer(**_ROOT)  # type: ignore[arg-type]
    index.callback()(root)
    for name, summary in SUMMARIES:
        index.command(name, help=summary, cls=ZhGroup if name in GROUPS else ZhCommand)(_listed)
    return index


def _listed() -> None:
    raise AssertionError("listed in help only")  # _command_name sends every named command to _start_alone


def _start_alone(name: str, sub: Optional[str]) -> None:
    """Give Typer only the command the line names (of a group, only the subcommand named, when it is one):
    the rest are never imported, nor built."""
    import importlib

    if name in GROUPS:
        module, attr = GROUPS[name]
        group = getattr(importlib.import_module(module), attr)
        if sub is not None and pending(group, sub):
            install(group, only=sub)
        else:  # the group's help, or a name it does not have (the close ones are named)
            install(module=module)
        _add(name)
    else:
        _add(COMMANDS[name])
        install(importlib.import_module(COMMANDS[name]).app, only=name)


def _command_name(args: list[str]) -> tuple[Optional[str], Optional[str]]:
    """The command the user named, past the root options (--db PATH), and the word after it (a group's
    subcommand); None when help or nothing."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--db", "--plan"):
            i += 2
            continue
        if arg.startswith(("--db=", "--plan=")):
            i += 1
            continue
        if arg.startswith("-"):
            return None, None
        sub = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("-") else None
        return arg, sub
    return None, None


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
    out = sys.stdout
    if isinstance(getattr(out, "buffer", None), io.RawIOBase) and not out.isatty():
        # PYTHONUNBUFFERED (set in many containers) made every line a write of its own: a 300,000-line log
        # piped on took 1.4 times as long. Results go out in blocks; a terminal still gets every line at once.
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(out.buffer), encoding=out.encoding, errors=out.errors)


def main() -> None:
    _streams()
    try:
        try:
            text_environment()
            name, sub = _command_name(sys.argv[1:])
            if os.environ.get(COMPLETE_VAR):  # the shell asks for candidates: every command, Typer's protocol
                from gkplan.complete import prepare

                prepare()
                full_app()(prog_name="gkplan", complete_var=COMPLETE_VAR)
            elif name in COMMANDS or name in GROUPS:
                _start_alone(name, sub)
                app()
            else:
                _index_app()()
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
