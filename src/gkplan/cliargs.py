"""Arguments as the commands take them: output formats, `--json` and `-o`, ids and counts, a progress report's
options. Each checks its text at the edge and raises InvalidValue (exit 2) with a Chinese line; inside, types are trusted."""

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from gkplan import errors, render
from gkplan.cliopts import FIELDS
from gkplan.errors import InvalidValue
from gkplan.render import output

if TYPE_CHECKING:
    from gkplan.actions import Report


def to_format(fmt: str, choices: tuple[str, ...] = ("table", "json", "csv")) -> str:
    s = fmt.strip().lower()
    if s not in choices:
        raise InvalidValue(f"未知输出格式：{fmt!r}；可用：{' / '.join(choices)}")
    return s


def destination(output_file: Optional[Path], fmt: str, force: bool) -> str:
    """The format of this command's records: `--format`, or with `-o FILE` the file's suffix (.csv / .xlsx /
    .json), the records then going to the file. An existing file is refused here, before any work, unless --force."""
    if output_file is None:
        return to_format(fmt)
    from gkplan.render.tofile import SUFFIXES, kind_of

    kind = kind_of(output_file)
    if kind is None:
        raise InvalidValue(f"无法从文件名 {output_file.name} 判断格式；-o 的文件请用 {' / '.join(SUFFIXES)} 结尾")
    asked = fmt.strip().lower()
    if asked not in ("table", kind):
        raise InvalidValue(f"--format {fmt} 与文件 {output_file.name} 的格式（{kind}）不一致；写文件时可以不写 --format")
    if not force and os.path.lexists(output_file.expanduser()):
        raise errors.Conflict(f"{output_file} 已存在；要覆盖请加 --force")
    output.target = {"path": output_file, "force": force, "protect": None}
    return kind


RECORD_FORMATS = ("table", "json", "ndjson", "csv")


def record_format(fmt: str, pick: Optional[str], fields: tuple[str, ...], output_file: Optional[Path] = None,
                  force: bool = False) -> str:
    """`--format`, `--json` and `-o` of a command that prints records, as the render layer reads them. `--json a,b`
    means JSON (an array, or with `--format ndjson` one object a line) of those keys only, in that order;
    an unknown field is a usage error naming the fields there are; a bare `--json` prints them and exits 0.
    With `-o FILE` the file's suffix decides (destination); `--json` then needs a .json file."""
    if output_file is not None:
        kind = destination(output_file, fmt, force)
        if pick is None:
            return render.Format(kind)
        if kind != "json":
            raise InvalidValue(f"--json 输出 JSON：-o 的文件请用 .json 结尾（收到 {output_file.name}）")
        fmt = "json"
    name = to_format(fmt, RECORD_FORMATS)
    if pick is None:
        return render.Format(name)
    wanted = tuple(dict.fromkeys(f.strip() for f in re.split(r"[,，、]", pick.replace(FIELDS, "")) if f.strip()))
    if not wanted:  # `--json` alone (or `--json ""`): what can it select?
        render.field_names(fields)
        raise typer.Exit(0)
    if name == "csv":
        raise InvalidValue("--json 输出 JSON，不能与 --format csv 同用；CSV 总是输出全部列")
    unknown = [f for f in wanted if f not in fields]
    if unknown:
        raise InvalidValue(f"--json 中没有字段 {'、'.join(map(repr, unknown))}；可用字段：{','.join(fields)}")
    return render.Format("ndjson" if name == "ndjson" else "json", wanted)


def point_id(text: str) -> int:
    s = text.strip()
    if not (s.isascii() and s.isdigit()) or len(s) > 9 or int(s) == 0:
        raise InvalidValue(f"要点编号应为正整数，收到：{text!r}")
    return int(s)


def task_id(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{1,9})\s*[.．]\s*(\d{1,6})\s*", text)
    if not m or int(m[1]) == 0 or int(m[2]) == 0:
        raise InvalidValue(f"任务编号应写成“要点编号.任务序号”，如 17.2，收到：{text!r}")
    return int(m[1]), int(m[2])


def limit(text: str | None) -> int | None:
    return count(text, "--limit") if text is not None else None


def count(text: str, option: str) -> int:
    s = text.strip()
    if not (s.isascii() and s.isdigit()):
        raise InvalidValue(f"{option} 应为非负整数，收到：{text!r}")
    if len(s) > 9:
        raise InvalidValue(f"{option} 过大，收到：{text!r}")
    return int(s)


def progress_report(progress: str | None, status: str | None, note: str | None, done: str | None, problem: str | None,
                    next_step: str | None, evidence: str | None, due: Any, reason: str | None,
                    co: list[str] | None = None) -> "Report":  # fmt: skip
    """What a report's options say, as one value; --note and --done are the same field."""
    from gkplan.actions import Report

    if note is not None and done is not None:
        raise InvalidValue("--note 与 --done 是同一项（进展情况），只写一个")
    report = Report(progress, status, note if note is not None else done, problem, next_step, evidence, due, reason,
                    tuple(co) if co else None)
    if all(v is None for v in report):
        raise InvalidValue("没有要修改的内容：请给出 --progress、--status、--done/--note、--problem、--next、--evidence、--due"
                           " 或 --co-dept 中的至少一项")
    return report
