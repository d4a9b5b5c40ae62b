"""Shell completion, by Typer's mechanism: `--install-completion` / `--show-completion` and the
`_GKPLAN_COMPLETE` environment protocol (bash, zsh, fish, PowerShell).

Imported only when completing or installing completion: a normal command never loads this module
(clikit's options name it through small trampolines). The candidates come from the ledger, opened as
the command would open it but never created; on any error there are simply no candidates.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional

import typer

PROG = "gkplan"
VAR = "_GKPLAN_COMPLETE"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
STATUSES = ("未启动", "进行中", "已完成", "受阻", "暂缓", "待销号")
LIGHTS = (("red", "红"), ("yellow", "黄"), ("green", "绿"), ("done", "完成"), ("unreported", "未报送"),
          ("deferred", "暂缓"), ("review", "待销号"))  # fmt: skip
FORMATS = {"export": ("xlsx", "csv", "json", "md"), "bulletin": ("table", "json", "csv", "md", "xlsx")}
DEFAULT_FORMATS = ("table", "json", "csv")
SHELL_HELP = {"bash": "Bash", "zsh": "Zsh", "fish": "Fish", "powershell": "Windows PowerShell", "pwsh": "PowerShell 7"}


class Offered(str):
    """A candidate that does not begin with what was typed (教务部 for `jwb`, 党委办公室 for `党办`).
    Typer keeps only candidates that start with the typed text; this one says it does, so the shell is
    offered it and replaces the typed word with it."""

    def startswith(self, *args: Any) -> bool:  # noqa: ARG002 - offered whatever was typed
        return True


def prepare() -> None:
    """Before a completion request is answered: Typer's classes for the four shells (their protocol, not
    Click's), which Typer registers only when an app is made with add_completion."""
    from typer.completion import completion_init

    completion_init()


# -- candidates ------------------------------------------------------------------------------------


def candidates(kind: str, ctx: typer.Context, incomplete: str) -> list[Any]:
    """What the shell offers for a parameter of `kind`; nothing when the ledger cannot be read."""
    try:
        return _KINDS[kind](ctx, incomplete or "")
    except Exception:  # noqa: BLE001 - a completion never fails: a missing ledger, a locked file, a bad --db
        return []


def _fixed(values: Any, incomplete: str) -> list[Any]:
    out = []
    for value in values:
        name, help_ = value if isinstance(value, tuple) else (value, None)
        if name.startswith(incomplete) or (help_ and help_.startswith(incomplete)):
            out.append((Offered(name), help_) if help_ else Offered(name))
    return out


def statuses(ctx: typer.Context, incomplete: str) -> list[Any]:
    return _fixed(STATUSES, incomplete)


def lights(ctx: typer.Context, incomplete: str) -> list[Any]:
    return _fixed(LIGHTS, incomplete)


def formats(ctx: typer.Context, incomplete: str) -> list[Any]:
    return _fixed(FORMATS.get(ctx.info_name or "", DEFAULT_FORMATS), incomplete)


def record_formats(ctx: typer.Context, incomplete: str) -> list[Any]:  # noqa: ARG001 - a record command's --format
    return _fixed(("table", "json", "ndjson", "csv"), incomplete)


def shells(ctx: typer.Context, incomplete: str) -> list[Any]:
    return _fixed([(s, SHELL_HELP[s]) for s in SHELLS], incomplete)


def _ledger(ctx: typer.Context) -> Any:
    """The command's ledger, read only: --db and --plan as parsed for completion (the root's callback,
    which keeps them, does not run while completing)."""
    from gkplan.clikit import open_ledger

    root = ctx.find_root()
    if not isinstance(root.obj, dict):
        root.obj = {"db": root.params.get("db"), "plan": root.params.get("plan")}
    return open_ledger(ctx, create=False)


def points(ctx: typer.Context, incomplete: str) -> list[Any]:
    from gkplan.ledger import PointQuery

    with _ledger(ctx) as ledger:
        rows = ledger.points(PointQuery())
    return [(str(p["id"]), _short(p["title"])) for p in rows if str(p["id"]).startswith(incomplete.strip())]


def tasks(ctx: typer.Context, incomplete: str) -> list[Any]:
    wanted = incomplete.strip().replace("．", ".")
    with _ledger(ctx) as ledger:
        rows = ledger.tasks()
    return [(str(t["id"]), _short(t["title"])) for t in rows if str(t["id"]).startswith(wanted)]


def items(ctx: typer.Context, incomplete: str) -> list[Any]:
    """A point (17) or one of its tasks (17.2): points first, their tasks once a point is typed in full."""
    wanted = incomplete.strip().replace("．", ".")
    found = points(ctx, wanted)
    if wanted and (wanted in {p for p, _ in found} or "." in wanted):
        found = [p for p in found if p[0] == wanted] + tasks(ctx, wanted)
    return found


def plans(ctx: typer.Context, incomplete: str) -> list[Any]:
    with _ledger(ctx) as ledger:
        rows = ledger.all_plans()
    return [(str(p["key"]), _short(p.get("title") or "")) for p in rows if str(p["key"]).startswith(incomplete)]


def departments(ctx: typer.Context, incomplete: str) -> list[Any]:
    return _known(ctx, "department", incomplete)


def leaders(ctx: typer.Context, incomplete: str) -> list[Any]:
    return _known(ctx, "leader", incomplete)


def _known(ctx: typer.Context, kind: str, incomplete: str) -> list[Any]:
    """The names a Tab may mean, read by index (as --dept and --leader resolve them): as quick at a million points."""
    from gkplan.ledger.lookup import known

    with _ledger(ctx) as ledger:
        return names(incomplete, known(ledger, kind))


def names(typed: str, known: list[str]) -> list[str]:
    """The names `typed` may mean, as --dept and --leader resolve them: the beginning of a name, a part of it,
    an abbreviation (党办), or pinyin — the initials' or the full spelling's beginning (jw, jwb, jiaowu)."""
    import unicodedata

    wanted = unicodedata.normalize("NFKC", typed).strip()
    if not wanted:
        return list(known)
    found = [n for n in known if n.startswith(wanted)] or [n for n in known if wanted in n]
    if not found and not wanted.isascii():
        from gkplan.filters import abbreviated

        found = abbreviated(wanted, known)
    if not found:
        found = _spelled(wanted, known)
    return [n if n.startswith(wanted) else Offered(n) for n in found]


def _spelled(wanted: str, known: list[str]) -> list[str]:
    letters = "".join(wanted.lower().split()).replace("'", "")
    if not (letters.isascii() and letters.isalpha()):
        return []
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:
        return []
    found = []
    for name in known:
        initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
        spelled = "".join(lazy_pinyin(name)).lower()
        if initials.startswith(letters) or spelled.startswith(letters):
            found.append(name)
    return found


def _short(title: str, most: int = 24) -> str:
    one = " ".join(str(title).split())
    return one if len(one) <= most else one[: most - 1] + "…"


_KINDS: dict[str, Callable[[typer.Context, str], list[Any]]] = {
    "statuses": statuses, "lights": lights, "formats": formats, "record_formats": record_formats, "shells": shells, "points": points,
    "tasks": tasks, "items": items, "plans": plans, "departments": departments, "leaders": leaders,
}  # fmt: skip


# -- --show-completion and --install-completion ----------------------------------------------------


def shell_of(value: str) -> str:
    """The shell named (bash, zsh, fish, powershell, pwsh), or the one this runs in when none is."""
    from gkplan.errors import InvalidValue

    name = value.strip().lower()
    if not name:
        name = _detect() or ""
        if name not in SHELLS:
            raise InvalidValue(f"无法识别当前的 shell{f'（{name}）' if name else ''}；请写明："
                               "gkplan --install-completion bash / zsh / fish / powershell")
        return name
    if name not in SHELLS:
        raise InvalidValue(f"不支持的 shell：{value!r}；可用：bash / zsh / fish / powershell（或 pwsh）")
    return name


def _detect() -> Optional[str]:
    try:
        import shellingham  # Typer's own dependency, what its --install-completion detects the shell with

        return str(shellingham.detect_shell()[0]).lower()
    except Exception:  # noqa: BLE001 - ShellDetectionFailure, or no shellingham
        if os.name == "nt":
            return "powershell"
        shell = os.path.basename(os.environ.get("SHELL", ""))
        return shell.lower() or None


def show(value: str) -> None:
    """Print the completion script for a shell (to copy it, or to install it by hand)."""
    from typer.completion import get_completion_script

    shell = shell_of(value)
    typer.echo(get_completion_script(prog_name=PROG, complete_var=VAR, shell=shell))


def install(value: str) -> None:
    """Install the completion script where the shell reads it, as Typer does; say where, in Chinese."""
    from typer.completion import install as typer_install

    shell = shell_of(value)
    shell, path = typer_install(shell=shell, prog_name=PROG, complete_var=VAR)
    typer.echo(f"已为 {shell} 安装 gkplan 的命令补全：{path}", err=True)
    typer.echo("重新打开终端（或重新载入 shell 的配置）后生效", err=True)


def option(action: str) -> Callable:
    """The callback of --show-completion / --install-completion: act, then end the command."""

    def callback(ctx: typer.Context, value: Optional[str]) -> None:
        if value is None or ctx.resilient_parsing:
            return
        from gkplan import render
        from gkplan.errors import GkplanError

        try:
            (show if action == "show" else install)(value)
        except GkplanError as exc:
            raise typer.Exit(render.failure(exc)) from None
        except OSError as exc:  # a write to stdout, or to the shell's start-up files
            if exc.filename is None and exc.errno in render.OUTPUT_ERRNOS:
                raise typer.Exit(render.failure(render.lost(exc))) from None
            from gkplan.errors import OutputError

            raise typer.Exit(render.failure(OutputError(f"{exc.filename}: 无法写入（{exc.strerror or exc}）"))) from None
        raise typer.Exit(0)

    return callback

