"""The help page, written here rather than by Click or Rich: plain text wrapped by terminal cells, so that
Chinese lines fit, in the sections docs/cli.md is generated from (clidoc), so that the two cannot differ.
Imported only when a help page is drawn (clizh's commands and groups call help_page)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from typing import Any, Optional

from typer.core import TyperGroup

from gkplan.clizh import param_name, usage_line

# The metavars Typer and Click derive from a parameter's type (a declared metavar is kept as written)
_TYPE_METAVARS = {"<str>": "文字", "TEXT": "文字", "<int>": "整数", "INTEGER": "整数", "<float>": "数值", "FLOAT": "数值",
                  "<path>": "路径", "PATH": "路径", "BOOLEAN": "是/否", "<bool>": "是/否", "FILENAME": "文件"}  # fmt: skip
_NOTES = {"default": "默认", "env var": "环境变量", "required": "必填"}

def _width(text: str) -> int:
    from gkplan.render.text import cell_width

    return cell_width(text)


def wrap(text: str, width: int, indent: int = 0, first: Optional[int] = None) -> list[str]:
    """A line of Chinese and ASCII text wrapped to `width` cells: CJK breaks between any two characters,
    ASCII words only at spaces. `first` is the first line's indent (default `indent`)."""
    # closing punctuation stays with what it closes: no line starts with it
    tokens = re.findall(r"[\x21-\x7e]+[，。；：、）》」』]*|\s+|.[，。；：、）》」』]*", text.strip())
    lines: list[str] = []
    start = indent if first is None else first
    line, used = " " * start, start
    for token in tokens:
        w = _width(token)
        if token.isspace():
            if used > indent:
                line, used = line + " ", used + 1
            continue
        if used + w > width and used > indent:
            lines.append(line.rstrip())
            line, used = " " * indent, indent
        line, used = line + token, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _lines(text: str) -> list[str]:
    """A docstring's lines that are text (each written as its own paragraph line)."""
    return [line for line in inspect.cleandoc(text).partition("\f")[0].splitlines() if line.strip()]


def _options_column(records: Sequence[tuple[str, str]], width: int) -> list[str]:
    """A two-column list: names, then help wrapped under itself; a long name puts its help on the next line."""
    if not records:
        return []
    widest = max(_width(name) for name, _ in records)
    left = min(widest, max(16, width // 3)) + 4
    out = []
    for name, help_ in records:
        if _width(name) + 4 > left:
            out.append(f"  {name}")
            out += wrap(help_, width, left) if help_ else []
            continue
        pad = " " * (left - 2 - _width(name))
        if not help_:
            out.append(f"  {name}")
            continue
        body = wrap(help_, width, left, first=left)
        out.append(f"  {name}{pad}{body[0].lstrip()}")
        out += body[1:]
    return out


def _record(param: Any, ctx: Any) -> Optional[tuple[str, str]]:
    """A parameter's two columns, in Chinese: type-derived metavars and Click's [default: …] notes."""
    record = param.get_help_record(ctx)
    if record is None:
        return None
    name, help_ = record
    if param.param_type_name == "argument":
        name = param_name(param)
    elif param.metavar is None:
        head, _, var = name.rpartition(" ")
        if head and var in _TYPE_METAVARS:
            name = f"{head} {_TYPE_METAVARS[var]}"
    m = re.search(r"\s*\[([^\[\]]*)\]$", help_)
    if m:
        notes = []
        for part in m[1].split("; "):
            key, sep, value = part.partition(": ")
            label = _NOTES.get(key.strip())
            notes.append(f"{label}：{value}" if label and sep else label or part)
        help_ = help_[: m.start()] + (" " if m.start() else "") + "［" + "；".join(notes) + "］"
    return name, help_


def sections(command: Any, ctx: Any) -> dict[str, Any]:
    """A command's help as data, for the help page and the generated reference alike."""
    args, opts = [], []
    for param in command.get_params(ctx):
        record = _record(param, ctx)
        if record is not None:
            (args if param.param_type_name == "argument" else opts).append(record)
    commands = []
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                commands.append((name, _lines(sub.short_help or sub.help or "")[:1][0] if (sub.short_help or sub.help) else ""))
    epilog = inspect.cleandoc(command.epilog) if command.epilog else ""
    examples, notes = [], []
    if epilog.startswith("示例："):
        examples = [e.strip() for e in epilog[len("示例：") :].replace("\n", " ").split("｜")]
    elif epilog:
        notes = _lines(epilog)
    return {
        "usage": usage_line(ctx).removeprefix("用法：").strip(),
        "text": _lines(command.help or ""),
        "arguments": args,
        "options": opts,
        "commands": commands,
        "examples": examples,
        "notes": notes,
    }


def help_page(command: Any, ctx: Any, width: int) -> str:
    parts = sections(command, ctx)
    out = [f"用法：{parts['usage']}"]
    if parts["text"]:
        out.append("")
        for line in parts["text"]:
            out += wrap(line, width, 2)
    for title, records in (("参数", parts["arguments"]), ("选项", parts["options"]), ("命令", parts["commands"])):
        if records:
            out += ["", f"{title}："] + _options_column(records, width)
    if parts["examples"]:
        out += ["", "示例："]
        for example in parts["examples"]:
            out += wrap(example, width, 4, first=2)
    for line in parts["notes"]:
        out += [""] + wrap(line, width, 2)
    return "\n".join(out) + "\n"


# -- the classes Typer is given --------------------------------------------------------------------
