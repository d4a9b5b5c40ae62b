"""The one error family. Every user-facing failure is a GkplanError; render.failure maps it to stderr + exit code."""

from __future__ import annotations

# Set by the ledger right after a transaction commits (reset as each command starts), so that a failure
# afterwards (output that cannot be written, Ctrl-C) can say the change was saved and must not be retried.
committed = False


class GkplanError(Exception):
    """A mistake the user can fix. `str(err)` is the message shown (Chinese), `exit_code` the status."""

    exit_code = 1
    prefix = "错误："

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InvalidValue(GkplanError):
    """A value given on the command line does not parse or is out of range."""

    exit_code = 2


class NotFound(GkplanError):
    """An id or name that the ledger does not know."""

    exit_code = 3


class SeedError(GkplanError):
    """A seed file that cannot be read or does not validate; carries every problem found."""

    exit_code = 4

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class LedgerError(GkplanError):
    """The ledger file cannot be opened, read or written."""

    exit_code = 5


class Conflict(GkplanError):
    """A change that contradicts the ledger's rules (e.g. nothing to change, progress vs status)."""

    exit_code = 6


class OutputError(GkplanError):
    """The result could not be written: stdout closed, the reading end of a pipe gone, a full disk.
    When the reader simply went away (`gkplan list | head -1`) it says nothing, as Unix tools do."""

    exit_code = 8

    def __init__(self, reason: str, *, quiet: bool = False):
        super().__init__(f"修改已保存，但结果无法输出：{reason}" if committed else f"结果无法输出：{reason}")
        self.quiet = quiet and not committed  # a saved change is always told, so it is not made twice


class Cancelled(GkplanError):
    """Ctrl-C, or end of input at a prompt."""

    exit_code = 130
    prefix = ""

    def __init__(self) -> None:
        super().__init__("已取消；此前的修改已保存，可用 gkplan log 查看" if committed else "已取消，未做任何修改")
