"""docs/cli.md, the reference of every command and option, made from the same data as `--help`
(clihelp.sections), so that the two cannot differ; tests/test_cli_zh.py checks the committed file.

Regenerate: python -m gkplan.clidoc > docs/cli.md
It also writes src/gkplan/cli_index.py, the root's list of commands that root help shows without
importing them: python -m gkplan.clidoc --index > src/gkplan/cli_index.py
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

from gkplan.clihelp import sections

HEADER = """# gkplan 命令参考

由代码生成（`python -m gkplan.clidoc > docs/cli.md`），与各命令的 `gkplan 命令 -h` 一致，请勿手工修改；
测试会检查这份文件与代码是否一致。退出码见 README 的“退出码”一节。
"""


def _walk(command: Any, ctx: Any) -> Iterator[tuple[Any, Any]]:
    yield command, ctx
    for name in getattr(command, "list_commands", lambda c: [])(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            yield from _walk(sub, sub.make_context(name, [], parent=ctx, resilient_parsing=True))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference() -> str:
    from gkplan.cli import full_app

    root = typer.main.get_command(full_app())
    out = [HEADER]
    for command, ctx in _walk(root, root.make_context("gkplan", [], resilient_parsing=True)):
        parts = sections(command, ctx)
        out.append(f"## {ctx.command_path}\n")
        out += [line + "\n" for line in parts["text"]]
        out.append(f"```text\n{parts['usage']}\n```\n")
        for title, records in (("参数", parts["arguments"]), ("选项", parts["options"]), ("命令", parts["commands"])):
            if records:
                out.append(f"| {title} | 说明 |\n| --- | --- |")
                out += [f"| `{_cell(name)}` | {_cell(help_)} |" for name, help_ in records]
                out.append("")
        if parts["examples"]:
            out.append("示例：\n\n```sh\n" + "\n".join(parts["examples"]) + "\n```\n")
        out += [line + "\n" for line in parts["notes"]]
    return "\n".join(out).rstrip("\n") + "\n"


def index() -> str:
    """cli_index.py: each root command's name and the one line root help shows for it, in order."""
    from gkplan.cli import full_app

    root = typer.main.get_command(full_app())
    rows = "".join(f"    ({name!r}, {line!r}),\n" for name, line in sections(root, root.make_context("gkplan", [], resilient_parsing=True))["commands"])
    return (f'"""{INDEX_DOC}"""\n\n'
            f"# fmt: off\nSUMMARIES = (\n{rows})\n")


INDEX_DOC = """The root's commands and the line root help shows for each, so that `gkplan --help`, `--version` and an
unknown command's hint need none of the commands' modules. Generated: python -m gkplan.clidoc --index >
src/gkplan/cli_index.py (tests/test_cli_zh.py checks it against the commands)."""


if __name__ == "__main__":
    import sys

    sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # type: ignore[union-attr]
    sys.stdout.write(index() if sys.argv[1:] == ["--index"] else reference())
