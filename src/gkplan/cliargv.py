"""The command line's arguments and gkplan's environment variables as text, checked once before anything
reads them (cli.py: the root's parse_args and main)."""

from __future__ import annotations

import os
from typing import Any


def text_args(ctx: Any, args: list[str]) -> list[str]:
    """The line's arguments as text. Bytes the locale cannot decode reach Python as lone surrogates (PEP 383),
    which no output, file or database takes: UTF-8 read under a C locale without UTF-8 mode is decoded
    again; anything else (GBK from the terminal) is a usage error, said once here rather than as a crash."""
    out = []
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            try:
                arg = arg.encode("utf-8", "surrogateescape").decode("utf-8")
            except UnicodeError:
                if not ctx.resilient_parsing:
                    ctx.fail(f"参数 '{escaped(arg)}' 不是 UTF-8 文本（终端或脚本用了 GBK 等其他编码？）；"
                             "请把终端设为 UTF-8（如 export LANG=zh_CN.UTF-8）后重新输入")
        out.append(arg)
    return out


def text_environment() -> None:
    """gkplan's environment variables as text (see text_args): one that is not cannot be decoded again in
    place (os.environ holds only what the locale can encode), so it is refused as one line."""
    for name, value in os.environ.items():
        if name.startswith("GKPLAN_"):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                from gkplan.errors import InvalidValue

                raise InvalidValue(f"环境变量 {name} 的值 '{escaped(value)}' 不是当前编码能读的文本；请把终端设为 UTF-8"
                                   "（如 export LANG=zh_CN.UTF-8，并去掉 PYTHONUTF8=0）后重新运行") from None


def escaped(arg: str) -> str:
    """An argument with its undecodable bytes written as \\xNN (any other surrogate as \\uNNNN)."""
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else c if not 0xD800 <= ord(c) <= 0xDFFF
                   else f"\\u{ord(c):04x}" for c in arg)  # fmt: skip
