"""What a user is told when SQLite complains about a ledger file: busy, damaged, read-only, full, mistyped.

Separate from connection.py because only a failure needs it: connection.py (and points.py, for a mistyped record)
import it when one happens, not at every command's start.
"""

from __future__ import annotations

BUSY = "台账正被其他进程占用，请稍后再试"
# an owner kept from its turn: almost always by a reader who may not write the ledger and is reading it still
BUSY_READING = "台账正被其他进程占用（有用户正在读取），请稍后再试"

MISTYPED = "台账中有格式错误的记录；请运行 gkplan check"

# SQLite errors that come from the file or its surroundings, not from a bug in this package.
ENVIRONMENT_ERRORS = (
    ("not a database", "不是 gkplan 台账（不是 SQLite 数据库文件）"),
    ("malformed", "台账文件已损坏；请从备份恢复"),
    ("readonly", "台账文件只读，无法写入；请检查文件权限"),
    ("read-only", "台账文件只读，无法写入；请检查文件权限"),
    ("disk is full", "磁盘空间不足，未写入任何内容"),
    ("database or disk is full", "磁盘空间不足，未写入任何内容"),
    ("disk i/o error", "读写台账文件时出错（磁盘 I/O）"),
    ("unable to open", "无法打开台账文件"),
    ("locked", BUSY),
    ("busy", BUSY),
    ("no such table", "台账结构不完整（缺少表）；请运行 gkplan check，或从备份恢复"),
    ("no such column", "台账结构不完整（缺少列）；请运行 gkplan check，或从备份恢复"),
    ("datatype mismatch", MISTYPED),
)
