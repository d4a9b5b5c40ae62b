"""Settings a user may change: the warning-light thresholds. One documented place, one optional file.

File: $GKPLAN_CONFIG, else $XDG_CONFIG_HOME/gkplan/config.toml (~/.config/gkplan/config.toml):

    [lights]
    behind_by = 20          # 黄灯：进度落后于按时间推算的应有进度超过这么多个百分点
    due_soon_days = 30      # 黄灯：距截止日期不超过这么多天……
    due_soon_progress = 80  # ……且进度低于这个百分比
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


def config_path() -> Path:
    given = os.environ.get("GKPLAN_CONFIG")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gkplan" / "config.toml"


def lights() -> Lights:
    path = config_path()
    try:
        if not path.is_file():
            return Lights()
    except OSError as exc:  # a folder on the way that this user may not enter
        raise InvalidValue(f"{path}: 配置文件无法读取：{exc.strerror or exc}") from None
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidValue(f"{path}: 配置文件无法读取：{exc}") from None
    section = data.get("lights", {})
    known = set(Lights._fields)
    if not isinstance(section, dict) or set(section) - known:
        raise InvalidValue(f"{path}: [lights] 只能包含 {'、'.join(sorted(known))}")
    for key, value in section.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
            raise InvalidValue(f"{path}: [lights] {key} 应为 0–3650 的整数，收到：{value!r}")
    return Lights(**section)
