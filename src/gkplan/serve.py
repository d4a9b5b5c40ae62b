"""`publish --serve`: Datasette, as a child process, serving the published database on 127.0.0.1.

Datasette is an optional extra (`pip install 'gkplan[publish]'`) and is never imported here: its
command line (`-i`, `--metadata`, `--setting`) has been stable across versions, its Python API less
so, and a child keeps its start-up weight and its event loop out of gkplan.
"""

from __future__ import annotations

import errno
import signal
import socket
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

from gkplan.errors import InvalidValue, Unavailable

HOST = "127.0.0.1"  # the published page is for this machine; a public server sits in front of it
# Off whatever the metadata says: no download of the .db file, no SQL but the canned queries. Suggested
# facets are off too: the metadata names the useful ones, and 进度 or 剩余天数 as a facet only distracts.
SETTINGS = ("allow_download", "off", "default_allow_sql", "off", "suggest_facets", "off")


def command(database: Path, metadata: Path, port: int) -> list[str]:
    settings = [arg for i in range(0, len(SETTINGS), 2) for arg in ("--setting", *SETTINGS[i : i + 2])]
    # -i: immutable, read without locks or journals, as a file that cannot change
    return [sys.executable, "-m", "datasette", "serve", "-i", str(database), "--metadata", str(metadata),
            "--host", HOST, "--port", str(port), *settings]  # fmt: skip


def check(port: int) -> None:
    """Refuse early, in one Chinese line, what would otherwise be Datasette's traceback."""
    if find_spec("datasette") is None:
        raise Unavailable("没有安装 Datasette，无法公开进展页面；请先运行 pip install 'gkplan[publish]'")
    if not 1 <= port <= 65535:
        raise InvalidValue(f"--port 应为 1–65535 的端口号，收到：{port}")
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            why = "已被占用" if exc.errno == errno.EADDRINUSE else f"无法使用（{exc.strerror or exc}）"
            raise InvalidValue(f"端口 {port} {why}；请用 --port 换一个") from None


def serve(database: Path, metadata: Path, port: int) -> None:
    """Run Datasette until Ctrl-C or SIGTERM; either stops it cleanly (exit 0)."""
    child = subprocess.Popen(command(database, metadata, port))
    # SIGTERM to gkplan reaches Datasette too, so that killing gkplan never leaves a server behind
    previous = signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        try:
            code = child.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Datasette as well, in the same process group
            child.terminate()
            code = 0
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code not in (0, -signal.SIGTERM, -signal.SIGINT):
        raise Unavailable(f"Datasette 异常退出（退出码 {code}），见上面的说明")
