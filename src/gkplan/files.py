"""Writing output files whole or not at all: a temporary file beside the target, renamed into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gkplan.errors import Conflict, GkplanError


@contextmanager
def replace_atomically(target: Path, *, force: bool) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes `target`, on any failure it is removed."""
    target = target.expanduser()
    if target.is_dir():
        raise GkplanError(f"{target}: 是一个目录，请给出文件名")
    if target.exists() and not force:
        raise Conflict(f"{target} 已存在；要覆盖请加 --force")
    if not target.parent.is_dir():
        raise GkplanError(f"{target}: 所在目录不存在")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise GkplanError(f"{target}: 无法写入：{exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise GkplanError(f"{target}: 写入失败：{exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
