"""Everything Typer and its bundled Click would otherwise say in English, said in Chinese.

The command and group classes here (passed to Typer with `cls=`) write the help page themselves (clihelp) —
plain text wrapped by terminal cells, so Chinese lines fit — and end a usage error as one Chinese line
on stderr with exit 2, Ctrl-C or end of input outside a command as the one 已取消 line with 130. Typer's
Rich help and error panels are never used: neither help nor a usage error imports rich.

Click's messages are known by their exception's class and attributes (a missing argument, an unknown
option); the few only known by their text are matched by `_MESSAGES`, one table. Nothing here runs on a
normal command except the class definitions.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any, Optional

import typer
from typer.core import TyperCommand, TyperGroup

HELP = "显示本帮助并退出"
OPTIONS = "[选项]"
SUBCOMMAND = "命令 [参数]..."
# Click's messages that only their text tells apart: (pattern, Chinese with the pattern's groups)
_MESSAGES = (
    (r"Got unexpected extra argument\(s\) \((?P<args>.*)\)", "多余的参数：{args}"),
    (r"Missing command\.?", "缺少命令"),
    (r"Option (?P<opt>'[^']*'|\"[^\"]*\") requires an argument\.", "选项 {opt} 缺少值"),
    (r"Option (?P<opt>'[^']*'|\"[^\"]*\") requires (?P<n>\d+) arguments\.", "选项 {opt} 需要 {n} 个值"),
    (r"Option (?P<opt>'[^']*'|\"[^\"]*\") does not take a value\.", "选项 {opt} 不接受值"),
    (r"Argument (?P<opt>'[^']*'|\"[^\"]*\") takes (?P<n>\d+) values\.", "参数 {opt} 需要 {n} 个值"),
    (r"Takes (?P<n>\d+) values but (?P<m>\d+) given\.", "需要 {n} 个值，给出了 {m} 个"),
    (r"Value must be an iterable\.", "应为多个值"),
    (r"(?P<value>.*) is not a valid integer\.?", "{value} 不是整数"),
    (r"(?P<value>.*) is not a valid float( range)?\.?", "{value} 不是数"),
    (r"(?P<value>.*) is not a valid boolean\.?", "{value} 不是是/否"),
    (r"(?P<value>.*) is not one of (?P<choices>.*)\.", "{value} 不在可选值 {choices} 之中"),
    (r"(?P<value>.*) is not a valid UUID\.", "{value} 不是 UUID"),
)
ASK = "\x00ask"  # clikit's stand-in for a bare --progress, never shown (kept here to keep clikit out of errors)


def translate(message: str) -> str:
    """One of Click's messages in Chinese; a message that is already Chinese (ours) unchanged."""
    text = message.strip()
    for pattern, chinese in _MESSAGES:
        m = re.fullmatch(pattern, text, flags=re.S)
        if m:
            return chinese.format(**{k: _unquote(v or "") for k, v in m.groupdict().items()})
    if re.search(r"[A-Za-z]{2,}( [A-Za-z]+){2,}", text):  # an English sentence no table row knows
        return f"命令行有误（{text}）"
    return text


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def usage_message(exc: Any) -> str:
    """What a usage error means, in Chinese, from the exception Click raised."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "MissingParameter" and param is not None:
        name = param_name(param)
        what = "参数" if param.param_type_name == "argument" else "选项"
        help_ = f"（{param.help}）" if getattr(param, "help", None) else ""
        return f"缺少{what} {name}{help_}"
    if kind == "NoSuchOption":
        name = _visible(exc.option_name)
        known = sorted(getattr(exc, "possibilities", None) or [])
        return f"没有选项 {name}" + (f"；是不是 {'、'.join(known)}？" if known else "")
    if kind == "BadParameter" and param is not None:
        return f"{param_name(param)} 的值无效：{translate(exc.message)}"
    return translate(getattr(exc, "message", str(exc))).replace(repr(ASK)[1:-1], "").replace(ASK, "")


def param_name(param: Any) -> str:
    if param.param_type_name == "argument":
        return (param.metavar or (param.name or "").upper()).strip("[]{}")
    return "/".join(param.opts)


def _visible(text: str) -> str:
    from gkplan.render.text import visible

    return visible(text)


def usage_line(ctx: Any) -> str:
    return ctx.command.get_usage(ctx).strip()


class _Chinese:
    """Shared by commands and groups: help, usage and the end of a usage error, in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["rich_markup_mode"] = None  # plain help, written here; Rich is never imported for it
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        if getattr(self, "options_metavar", None) == "[OPTIONS]":
            self.options_metavar = OPTIONS

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP
        return option

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)  # type: ignore[misc]
        return [SUBCOMMAND if p == "COMMAND [ARGS]..." else re.sub(r"^\{(.*)\}$", r"\1", p) for p in pieces]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write(f"用法：{ctx.command_path} {' '.join(self.collect_usage_pieces(ctx))}\n")

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from gkplan.clihelp import help_page  # only a help page draws one

        formatter.write(help_page(self, ctx, formatter.width))

    def make_context(self, info_name: Optional[str], args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]
        except KeyboardInterrupt:  # Ctrl-C while the line is read: Typer would end silently with 130
            raise typer.Abort() from None

    def main(self, args: Optional[Sequence[str]] = None, prog_name: Optional[str] = None,
             complete_var: Optional[str] = None, standalone_mode: bool = True, **extra: Any) -> Any:  # fmt: skip
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)  # type: ignore[misc]
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)  # type: ignore[misc]
        except typer.Abort:  # Ctrl-C or end of input outside a command's own boundary
            from gkplan import render
            from gkplan.errors import Cancelled

            code = render.failure(Cancelled())
        except typer.TyperException as exc:  # Click's errors: a usage error, almost always
            code = fail(exc)
        sys.exit(code if isinstance(code, int) else 0)


def fail(exc: Any) -> int:
    """A usage error as one line on stderr: what is wrong, the usage, where the help is. Exit 2."""
    from gkplan import render
    from gkplan.errors import InvalidValue

    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:  # `gkplan task`: its help, as Click does
        sys.stderr.write(ctx.get_help() + "\n")
        return 2
    code = getattr(exc, "exit_code", 2) or 2
    text = usage_message(exc)
    if ctx is not None:
        help_name = ctx.help_option_names[0] if ctx.help_option_names else "--help"
        text += f"{'' if text.endswith(('？', '。')) else '。'}用法：{usage_line(ctx).removeprefix('用法：')}（详见 {ctx.command_path} {help_name}）"
    return render.failure(InvalidValue(text, exit_code=code))


class ZhCommand(_Chinese, TyperCommand):
    """A command whose help and usage errors are Chinese."""


class ZhGroup(_Chinese, TyperGroup):
    """A group of commands whose help and usage errors are Chinese; an unknown command names the close ones."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if (args and not ctx.resilient_parsing and not name.startswith("-")
                and self.get_command(ctx, name) is None):  # fmt: skip
            from difflib import get_close_matches

            close = get_close_matches(name, list(self.commands))
            hint = f"；是不是 {'、'.join(close)}？" if close else ""
            ctx.fail(f"没有命令 {_visible(name)}{hint}")
        return super().resolve_command(ctx, args)
