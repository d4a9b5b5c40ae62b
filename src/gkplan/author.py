"""Who made a change and when: the author and time stamp every change records.

Apart from actions.py so that a load (and a new ledger's first plan) names its author without importing the
update rules (actions.py and its NamedTuple: ~2.5M instructions of a cold `gkplan load`)."""

from __future__ import annotations

import os
from datetime import datetime

from gkplan.errors import InvalidValue


def who(by: str | None) -> str:
    """--by, else $GKPLAN_USER, else the login name."""
    name = by if by is not None else os.environ.get("GKPLAN_USER") or login_name()
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise InvalidValue(f"记录人姓名无效：{name!r}")
    return name


def login_name() -> str:
    # getpass.getuser's own order of variables, read here first, then its own passwd lookup: getpass itself
    # imports termios (~1.5M instructions of a write where no variable is set, as under cron or in a container)
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        import pwd
    except ImportError:  # (Windows: getpass says what it can)
        import getpass

        try:
            return getpass.getuser()
        except OSError:
            return "unknown"
    try:
        return pwd.getpwuid(os.getuid())[0]
    except KeyError:  # no passwd entry, as in some containers
        return "unknown"


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
