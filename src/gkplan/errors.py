"""The one error family. Every user-facing failure is a GkplanError; render.failure maps it to stderr + exit code."""

from __future__ import annotations

from collections import namedtuple

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

    def lines(self) -> list[str]:
        """What stderr shows: one line, except for the errors that list every problem of a file."""
        return [str(self)]


class InvalidValue(GkplanError):
    """A value given on the command line does not parse or is out of range."""

    exit_code = 2


class NotFound(GkplanError):
    """An id or name that the ledger does not know."""

    exit_code = 3


# The two problem records are collections.namedtuple, not typing.NamedTuple: every command imports this module,
# and typing's class (each string annotation compiled into a ForwardRef) costs ~0.7M instructions more apiece.
class Problem(namedtuple("Problem", "file line column point field message")):
    """One thing wrong with a seed, as data: where it is (any part may be unknown), and what it is.

    file: str | None, line: int | None, column: int | None, point: int | str | None, field: str | None,
    message: str. `point` and `field` say which record and field it concerns, for code that wants them;
    `message` is the whole sentence after the position (it already names the point and field for a reader)."""

    __slots__ = ()


def format_problem(problem: Problem) -> str:
    """The one line a user sees: `file:line:column: message`, leaving out what is not known."""
    where = ":".join(str(part) for part in (problem.file, problem.line, problem.column) if part is not None)
    return f"{where}: {problem.message}" if where else problem.message


class SeedError(GkplanError):
    """A seed file that cannot be read or does not validate; carries every problem found."""

    exit_code = 4

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(format_problem(p) for p in problems))

    def lines(self) -> list[str]:
        return [format_problem(p) for p in self.problems]


class CellProblem(namedtuple("CellProblem", "sheet row column header message")):
    """One thing wrong with a workbook that `gkplan import` reads, as data: the sheet, row and column
    (a letter, with its header) it is in — row and column None where it concerns a whole sheet or row.

    sheet: str, row: int | None, column: str | None, header: str | None, message: str."""

    __slots__ = ()


def format_cell(problem: CellProblem) -> str:
    """工作表“填报”第 5 行 K 列（本期进度）：message"""
    where = f"工作表“{problem.sheet}”"
    if problem.row is not None:
        where += f"第 {problem.row} 行"
    if problem.column is not None:
        where += f" {problem.column} 列" + (f"（{problem.header}）" if problem.header else "")
    return f"{where}：{problem.message}"


class SheetError(GkplanError):
    """A workbook that cannot be imported, with every problem found in it, each located; nothing of it is
    applied. Exit 2 for cells that do not validate, 6 for rows that conflict with the ledger."""

    exit_code = 2
    SHOWN = 50  # a sheet gone wrong throughout is told by its first problems and a count

    def __init__(self, summary: str, problems: list[CellProblem], *, exit_code: int | None = None):
        self.problems = problems
        self.summary = summary
        super().__init__("\n".join(self.lines()), exit_code=exit_code)

    def lines(self) -> list[str]:
        shown = [format_cell(p) for p in self.problems[: self.SHOWN]]
        more = len(self.problems) - self.SHOWN
        return [self.summary, *shown, *([f"……另有 {more} 处问题未列出"] if more > 0 else [])]


class LedgerError(GkplanError):
    """The ledger, or a file gkplan writes (export, backup), cannot be opened, read or written."""

    exit_code = 5


class Conflict(GkplanError):
    """A change that contradicts the ledger's rules (e.g. nothing to change, progress vs status)."""

    exit_code = 6


class Forbidden(GkplanError):
    """The shared ledger's server refused a change this login may not make (another department's item,
    销号, the history): its grants and row-level security decide, not gkplan."""

    exit_code = 10


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


class Unavailable(GkplanError):
    """Something this command needs is not installed or would not start (Datasette for `publish --serve`)."""

    exit_code = 9
