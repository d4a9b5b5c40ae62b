"""What every command module shares: the error boundary, the ledger handle, and the dates a command works to
(today, --as-of, --date). The arguments themselves are converted in cliargs.py.

Domain modules are imported inside functions so that start-up stays fast (`gkplan list` never
imports yaml or openpyxl).
"""

import functools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from gkplan import errors, render
from gkplan.cliopts import ASK, FIELDS
from gkplan.clizh import ZhCommand
from gkplan.render import output
from gkplan.errors import Cancelled, GkplanError, InvalidValue

if TYPE_CHECKING:
    from gkplan.ledger import Ledger
    from gkplan.reports import Frame

_pending: list[tuple[typer.Typer, str, dict[str, Any], Callable]] = []
_running: Optional[typer.Context] = None  # the context of the command being run (plan_year reads its --db and --plan)


def command(app: typer.Typer, name: str, **kwargs: Any) -> Callable:
    """Declare a command whose GkplanError — or Ctrl-C, or output that cannot be written — becomes one
    line on stderr and its exit code: the error boundary.

    Typer builds a Click command for every command it has been given, at every start, so the command
    is only recorded here; `install` hands it to Typer when it is wanted."""

    def register(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, **kw: Any) -> Any:
            global _running
            errors.committed = False  # this command's own changes (an in-process caller runs many)
            _running = kw.get("ctx")  # for a date phrase that needs the plan's year before the ledger is open
            try:
                result = fn(*args, **kw)
                render.flush()  # the last of the output fails here, inside the boundary, not at exit
                return result
            except GkplanError as exc:
                code = render.failure(exc)
            except (KeyboardInterrupt, typer.Abort):  # Abort: Ctrl-C or end of input at a prompt
                code = render.failure(Cancelled())
            finally:
                output.target = None  # `-o` is this command's (an in-process caller runs many)
            raise typer.Exit(code)

        _pending.append((app, name, kwargs, run))
        return fn

    return register


def install(app: Optional[typer.Typer] = None, only: Optional[str] = None, module: Optional[str] = None) -> None:
    """Give Typer the recorded commands: every one, in the order declared; or just `app`'s `only`; or every
    one that `module` declares (a group's)."""
    global _pending
    keep = []
    for entry in _pending:
        owner, name, kwargs, run = entry
        if (module is None and only is None) or (owner is app and name == only) or run.__module__ == module:
            owner.command(name, **{"cls": Command, **kwargs})(run)
        else:
            keep.append(entry)
    _pending = keep


def pending(app: typer.Typer, name: str) -> bool:
    """Whether `name` is a recorded command of `app` not yet given to Typer."""
    return any(owner is app and entry == name for owner, entry, _, _ in _pending)


class Command(ZhCommand):
    """Every command's class: lets an option whose value may be left out stand alone — `--json` (list the
    fields it can select), and, for AskableCommand, `--progress` — by giving it its stand-in value."""

    bare = {"--json": FIELDS}

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        # an option that takes a value takes the next word whatever it is (`--note --progress` is a note)
        valued = {name for p in self.get_params(ctx) if p.param_type_name == "option" and not getattr(p, "is_flag", False)
                  for name in p.opts}  # fmt: skip
        bare = {name: stand for name, stand in self.bare.items() if name in valued}
        if not bare:
            return super().parse_args(ctx, args)
        out: list[str] = []
        for i, arg in enumerate(args):
            out.append(arg)
            if arg == "--":
                out += args[i + 1 :]
                break
            if i and args[i - 1] in valued and args[i - 1] not in bare:
                continue
            if arg in bare:
                following = args[i + 1] if i + 1 < len(args) else None
                if following is None or (following.startswith("-") and not re.fullmatch(r"-\d+%?", following)):
                    out.append(bare[arg])
        return super().parse_args(ctx, out)


class AskableCommand(Command):
    """Lets `--progress` stand without a value, exactly as in `gkplan update 17 --progress`."""

    bare = {**Command.bare, "--progress": ASK, "-p": ASK}


def db_path(ctx: typer.Context) -> tuple[Path, str]:
    """The ledger's path and where it came from: 'option' (--db), 'env' (GKPLAN_DB) or 'default'."""
    given = (ctx.find_root().obj or {}).get("db")
    if given is not None:
        return Path(given).expanduser(), "option"
    env = os.environ.get("GKPLAN_DB")
    if env:
        return Path(env).expanduser(), "env"
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "gkplan" / "ledger.db", "default"


@contextmanager
def open_ledger(ctx: typer.Context, *, create: bool = True, seed: Any = None) -> Iterator["Ledger"]:
    """The ledger for this command. One that does not exist yet is created, at the default place or
    GKPLAN_DB, by a command that may create it, with `seed` (default: the bundled plan); the load that
    made it is `ledger.created`. A path given with --db must exist."""
    from gkplan.errors import LedgerError
    from gkplan.ledger import Ledger, is_server

    plan = (ctx.find_root().obj or {}).get("plan")
    server = str((ctx.find_root().obj or {}).get("db") or os.environ.get("GKPLAN_DB") or "")
    if is_server(server):  # a shared ledger: made by `gkplan admin init`, never by a first command
        from gkplan.ledger import open_server

        ledger = open_server(server, plan)
        ledger.created, ledger.seed_spent = None, False
        try:
            yield ledger
        finally:
            ledger.close()
        return
    path, source = db_path(ctx)
    created, spent = None, False
    try:
        missing = not path.exists() and not path.is_symlink()
    except OSError as exc:  # a folder on the way that this user may not enter
        raise LedgerError(f"{path}: 无法访问台账：{exc.strerror or exc}") from None
    if missing:
        if source == "option" or not create:
            hint = "；要新建台账请不带 --db 运行，或设置 GKPLAN_DB 后运行 gkplan load" if source == "option" else ""
            raise LedgerError(f"{path}: 没有台账（文件不存在）{hint}")
        created, spent = _create(path, source, seed), seed is not None
    ledger = Ledger(path, plan=(ctx.find_root().obj or {}).get("plan"))
    if output.target is not None:
        output.target["protect"] = ledger.file  # `-o` never writes over the ledger
    ledger.created, ledger.seed_spent = created, spent  # spent: read by a creation another process won
    try:
        yield ledger
    finally:
        ledger.close()


def _create(path: Path, source: str, seed: Any) -> Any:
    """A new ledger with its first plan; the load's result, or None when another process made it first."""
    from gkplan.errors import LedgerError
    from gkplan.ledger import create

    if source == "default":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(f"{path.parent}: 无法创建台账目录（{exc.strerror or exc}）；请用 --db 或 GKPLAN_DB 指定台账位置") from None
    from gkplan.author import now, who

    if seed is None:
        from gkplan.bundled import open_plan

        seed = open_plan(None)
    loaded = []
    made = create(path, lambda ledger: loaded.append(ledger.load(seed, by=who(None), effective=today().isoformat(), at=now())))
    errors.committed = False  # the new ledger is announced; a failure later is about the command
    if not made:
        return None
    render.message(f"已新建台账 {path}，并载入《{seed.plan.title}》共 {loaded[0].added} 项工作要点")
    return loaded[0]


def today() -> date:
    """GKPLAN_TODAY pins 'today' (ISO date) for reproducible reports and tests."""
    pinned = os.environ.get("GKPLAN_TODAY")
    if pinned:
        from gkplan.dates import parse_date

        try:
            return parse_date(pinned, date.fromisoformat(pinned))
        except (ValueError, InvalidValue):
            raise InvalidValue(f"环境变量 GKPLAN_TODAY 应为 ISO 日期（如 2022-06-30），收到：{pinned!r}") from None
    return date.today()


def effective(text: str | None, ledger: Optional["Ledger"] = None) -> date:
    """The day a change reports on: --date, else today; never in the future."""
    day = to_date(text, today(), ledger, past=True)
    if day > today():
        raise InvalidValue(f"--date 不能晚于今天（{today().isoformat()}），收到：{text!r}")
    return day


def to_date(
    text: str | None, default: date | None = None, ledger: Optional["Ledger"] = None, past: bool = False,
    seen: date | None = None,
) -> date | None:
    """A date option as written: 2022-06-30, +14d, or a phrase (年底前, 9月底, 下周五, 10个工作日); a phrase
    without a year resolves against the year of `ledger`'s plan (or this command's ledger) while it is current.
    `past` for a day looked back to (--date, --as-of, --since): a bare 周五 or 国庆节后 is then the last one.
    `seen`: the day a filter reads (its --as-of) with `ledger` on that day's plan: 年底 is then that plan's."""
    if text is None:
        return default
    from gkplan.dates import parse_date

    return parse_date(text, today(), lambda: plan_year(ledger, seen), past)


def plan_year(ledger: Optional["Ledger"] = None, seen: date | None = None) -> int:
    """The year date phrases resolve against: the plan's while today (or the day read) falls within it, else
    that day's. Without a ledger at hand (an option converted before the ledger opens), this command's ledger
    is read, never made."""
    from gkplan.dates import phrase_year

    if ledger is not None:
        return phrase_year(ledger.plan(), seen or today())
    ctx = _running
    if ctx is None:
        return today().year
    try:
        with open_ledger(ctx, create=False) as opened:
            return phrase_year(opened.plan(), today())
    except GkplanError:  # no ledger yet, or no plan in it: today's year
        return today().year


def frame(ledger: "Ledger", as_of: Optional[str], fmt: Optional[str] = None) -> "Frame":
    """The as-of frame; a table for today, past the plan's end, says so on stderr (the ledger's red rows
    and 逾期 days are then counted from today, and --as-of shows the plan as it stood)."""
    from gkplan.reports import frame as make

    fr = make(ledger, to_date(as_of, today(), ledger, past=True), today())
    if fmt == "table" and as_of is None:
        plan = ledger.plan()
        end = date.fromisoformat(str(plan.get("end") or "9999-12-31"))
        if fr.as_of > end:
            render.message(f"提示：今天（{fr.as_of.isoformat()}）已过计划“{plan.get('key')}”的结束日期 {end.isoformat()}，"
                           f"逾期和灯色按今天计算；要看计划期末的情况，请加 --as-of {end.isoformat()}")
    return fr
