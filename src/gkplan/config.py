"""Settings a user may change: the warning-light thresholds and the reporting periods. One documented
place, one optional file.

File: $GKPLAN_CONFIG, else $XDG_CONFIG_HOME/gkplan/config.toml (~/.config/gkplan/config.toml):

    [lights]
    behind_by = 20          # 黄灯：进度落后于应有进度（按节点或时间推算）超过这么多个百分点
    due_soon_days = 30      # 黄灯：距截止日期不超过这么多天……
    due_soon_progress = 80  # ……且进度低于这个百分比
    on_track = 5            # 序时进度：与应有进度相差不超过这么多个百分点为“达”，高于为“超”，低于为“欠”
    diverge = 20            # gkplan check：要点填报的进度与任务汇总相差超过这么多个百分点时提醒
    band = 5                # 约数指标（“160万人左右”）：目标值上下这么多个百分点（0–100）之内为达成区间

    [periods]
    every = "month"         # 填报周期：month（每月）或 quarter（每季度）
    report_day = 25         # 每期最后一个月的这一天前报送；过了这一天仍未报送的为“未报送”

    [display]
    ambiguous_wide = true   # 引号“ ”、省略号…等按两格宽对齐（中文终端多如此）；不写则按 LANG 等区域设置判断
"""

from __future__ import annotations

import os
from typing import NamedTuple
from pathlib import Path

from gkplan.errors import InvalidValue


class Lights(NamedTuple):
    behind_by: int = 20
    due_soon_days: int = 30
    due_soon_progress: int = 80
    on_track: int = 5
    diverge: int = 20
    band: int = 5


class Periods(NamedTuple):
    every: str = "month"
    report_day: int = 25


def config_path() -> Path:
    given = os.environ.get("GKPLAN_CONFIG")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gkplan" / "config.toml"


def lights() -> Lights:
    return settings()[0]


def settings() -> tuple[Lights, Periods]:
    path = config_path()
    try:
        if not path.is_file():
            if os.environ.get("GKPLAN_CONFIG"):  # named on purpose: silence would run on the default thresholds
                what = "是一个目录" if path.is_dir() else "不是普通文件" if path.exists() else "不存在"
                raise InvalidValue(f"{path}: GKPLAN_CONFIG 指定的配置文件{what}；请改正路径，或取消 GKPLAN_CONFIG 使用默认设置")
            return Lights(), Periods()
    except OSError as exc:  # a folder on the way that this user may not enter
        raise InvalidValue(f"{path}: 配置文件无法读取：{exc.strerror or exc}") from None
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidValue(f"{path}: 配置文件无法读取：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InvalidValue(f"{path}: 配置文件不是 UTF-8 文本") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidValue(toml_error(path, str(exc))) from None
    unknown = set(data) - {"lights", "periods", "display"}
    if unknown:
        raise InvalidValue(f"{path}: 未知的设置节 [{'] ['.join(sorted(unknown))}]；可用：[lights] [periods] [display]")
    _display(path, data)
    section = _section(path, data, "lights", Lights)
    for key, value in section.items():
        top = 100 if key == "band" else 3650  # a band past 100 % would put a 约数's lower bound below zero
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise InvalidValue(f"{path}: [lights] {key} 应为 0–{top} 的整数，收到：{value!r}")
    period = _section(path, data, "periods", Periods)
    if period.get("every", "month") not in ("month", "quarter"):
        raise InvalidValue(f"{path}: [periods] every 应为 month 或 quarter，收到：{period['every']!r}")
    day = period.get("report_day", 25)
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 31:
        raise InvalidValue(f"{path}: [periods] report_day 应为 1–31 的整数，收到：{day!r}")
    return Lights(**section), Periods(**period)


def ambiguous_wide() -> bool | None:
    """[display] ambiguous_wide, None when not set. A file that cannot be read is reported by the commands
    that need its lights and periods, never half-way through drawing a table."""
    path = config_path()
    try:
        if not path.is_file():
            return None
        import tomllib

        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _display(path, data).get("ambiguous_wide")
    except (OSError, UnicodeDecodeError, ValueError, InvalidValue):
        return None


def _display(path: Path, data: dict) -> dict:
    section = data.get("display", {})
    if not isinstance(section, dict) or set(section) - {"ambiguous_wide"}:
        raise InvalidValue(f"{path}: [display] 只能包含 ambiguous_wide")
    if not isinstance(section.get("ambiguous_wide", False), bool):
        raise InvalidValue(f"{path}: [display] ambiguous_wide 应为 true 或 false，收到：{section['ambiguous_wide']!r}")
    return section


def _section(path: Path, data: dict, name: str, kind: type) -> dict:
    section = data.get(name, {})
    known = set(kind._fields)
    if not isinstance(section, dict) or set(section) - known:
        raise InvalidValue(f"{path}: [{name}] 只能包含 {'、'.join(sorted(known))}")
    return section


# What the TOML parser (tomllib) says, in Chinese: its message, without the position it appends
_TOML = (
    (r"Cannot declare (.+) twice", "{0} 重复声明"),
    (r"Cannot mutate immutable namespace (.+)", "不能改动 {0}"),
    (r"Cannot overwrite a value", "同一个键赋了两次值"),
    (r"Cannot redefine namespace (.+)", "{0} 重复定义"),
    (r"Duplicate inline table key (.+)", "内联表中的键 {0} 重复"),
    (r"Escaped character is not a Unicode scalar value", "转义字符不是有效的 Unicode 字符"),
    (r"Expected '=' after a key in a key/value pair", "键后面应有 ="),
    (r"Expected '\]' at the end of a table declaration", "节名后面应有 ]"),
    (r"Expected '\]\]' at the end of an array declaration", "数组表名后面应有 ]]"),
    (r"Expected (.+)", "这里应有 {0}"),
    (r"Found invalid character (.+)", "无效的字符 {0}"),
    (r"Illegal character (.+)", "不允许的字符 {0}"),
    (r"Invalid date or datetime", "日期或时间无效"),
    (r"Invalid hex value", "十六进制值无效"),
    (r"Invalid initial character for a key part", "键以不允许的字符开头"),
    (r"Invalid statement", "无法识别的一行"),
    (r"Invalid value", "值无效（字符串要加引号，数字不加）"),
    (r"Unclosed array", "数组缺少 ]"),
    (r"Unclosed inline table", "内联表缺少 }"),
    (r"Unescaped '\\' in a string", "字符串中的 \\ 没有转义"),
    (r"Unterminated string", "字符串缺少结束引号"),
)


def toml_error(path: Path, message: str) -> str:
    """`path:line:column: 配置文件不是有效的 TOML：reason` from a tomllib error's English message."""
    import re

    where = ""
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message) or re.search(r"\s*\(at end of document\)$", message)
    if m:
        where = f":{m[1]}:{m[2]}" if m.groups() else ""
        message = message[: m.start()]
    reason = "语法错误"
    for pattern, chinese in _TOML:
        found = re.fullmatch(pattern, message.strip())
        if found:
            reason = chinese.format(*found.groups())
            break
    if m and not m.groups():
        reason += "（在文件末尾）"
    return f"{path}{where}: 配置文件不是有效的 TOML：{reason}"
