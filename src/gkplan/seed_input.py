"""A seed file's bytes → text: only regular files are opened, only UTF-8 is read, every refusal positioned.

Both the whole-file and the streaming readers go through here, so a FIFO, a device, a UTF-16 file or
a stray byte is refused the same way whichever reader the seed's size and first character choose.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from gkplan.errors import Problem, SeedError

_KINDS = {stat.S_IFIFO: "命名管道", stat.S_IFCHR: "字符设备", stat.S_IFBLK: "块设备", stat.S_IFSOCK: "套接字"}
_NOT_UTF8 = "种子文件须为 UTF-8 编码"


def refuse(path: Path, message: str, line: int | None = None, column: int | None = None) -> SeedError:
    return SeedError([Problem(str(path), line, column, None, None, message)])


def open_regular(path: Path) -> tuple[BinaryIO, int]:
    """The seed opened for reading in binary, and its size; anything but a regular file is refused
    before it is read: a FIFO would block the open itself, /dev/zero would never end."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            # O_NONBLOCK: should the path have become a FIFO since the stat, opening it still returns at once
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode):
                return os.fdopen(fd, "rb"), st.st_size  # O_NONBLOCK means nothing for a regular file
            os.close(fd)
            mode = st.st_mode
    except FileNotFoundError:
        raise refuse(path, "种子文件不存在") from None
    except PermissionError:
        raise refuse(path, "没有读取权限") from None
    except OSError as exc:
        raise refuse(path, f"无法读取种子文件：{exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise refuse(path, "是一个目录，不是种子文件")
    kind = _KINDS.get(stat.S_IFMT(mode), "特殊文件")
    raise refuse(path, f"是一个{kind}，不是普通文件；种子文件须为普通文件")


def check_start(path: Path, head: bytes) -> None:
    """UTF-16 and UTF-32 files are common on Windows; say so plainly rather than as a syntax error."""
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):  # fmt: skip
        if head.startswith(bom):
            raise refuse(path, f"文件是 {name} 编码，{_NOT_UTF8}（请另存为 UTF-8）", 1, 1)


def decode(path: Path, raw: bytes) -> str:
    """A whole seed's text; the first byte that is not UTF-8 (or is NUL) refused at its line and column."""
    return Utf8Reader(path, None).decode(raw, final=True)


class Utf8Reader:
    """A text stream over a binary file for the streaming readers: `read(size)` gives str, strict
    UTF-8 (a leading BOM dropped), the line and column of any undecodable or NUL byte named.

    `limit` bounds how much may be read without `settle()` being called: a YAML parser reads a whole
    token before it yields anything, so a 10 GB scalar would otherwise be read whole into memory."""

    def __init__(self, path: Path, file: BinaryIO | None, *, limit: int | None = None) -> None:
        self.path, self._file, self._limit = path, file, limit
        self._tail = b""  # the start of a character cut by a chunk's end
        self._line, self._column = 1, 0  # where the text handed out so far ends
        self._first = True
        self._read = self._settled = 0

    def settle(self) -> None:
        self._settled = self._read

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def read(self, size: int = -1) -> str:
        assert self._file is not None
        while True:
            chunk = self._file.read(size if size > 0 else 1 << 18)
            text = self.decode(self._tail + chunk, final=not chunk)
            if text or not chunk:
                break
        self._read += len(text)
        if self._limit is not None and self._read - self._settled > self._limit:
            raise refuse(self.path, f"一个值超过 {self._limit // 1_000_000} 百万个字符，种子文件中不会有这样大的值", self._line, self._column)  # fmt: skip
        return text

    def decode(self, data: bytes, *, final: bool) -> str:
        if self._first and data:
            if len(data) < 3 and not final:
                self._tail = data
                return ""
            check_start(self.path, data[:4])
            data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
            self._first = False
        nul = data.find(b"\x00")  # valid UTF-8, but a sure sign of UTF-16 or of a file that is not text
        try:
            text = data.decode("utf-8")
            self._tail = b""
        except UnicodeDecodeError as exc:
            if final or exc.end < len(data) or len(data) - exc.start > 3 or 0 <= nul < exc.start:
                raise self._fail(data, nul if 0 <= nul < exc.start else exc.start) from None
            text, self._tail = data[: exc.start].decode("utf-8"), data[exc.start :]  # a character cut in two
        if nul >= 0:
            raise self._fail(data, nul)
        self._advance(text)
        return text

    def _advance(self, text: str) -> None:
        newlines = text.count("\n")
        if newlines:
            self._line += newlines
            self._column = len(text) - text.rfind("\n") - 1
        else:
            self._column += len(text)

    def _fail(self, data: bytes, at: int) -> SeedError:
        before = data[:at].decode("utf-8", errors="replace")
        self._advance(before)
        byte = data[at]
        what = "文件含 NUL 字节（不是文本文件，或是 UTF-16 编码）" if byte == 0 else f"文件不是 UTF-8 编码（此处的字节 0x{byte:02X} 无法解码）"
        return refuse(self.path, f"{what}，{_NOT_UTF8}", self._line, self._column + 1)
