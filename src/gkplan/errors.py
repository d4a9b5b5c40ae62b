"""The one error family. Every user-facing failure is a GkplanError; cli.main maps it to stderr + exit code."""

from __future__ import annotations

from typing import NamedTuple


class GkplanError(Exception):
    """A mistake the user can fix. `str(err)` is the message shown (Chinese), `exit_code` the status."""

    exit_code = 1

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


class Problem(NamedTuple):
    """One thing wrong with a seed, as data: where it is (any part may be unknown), and what it is.

    `point` and `field` say which record and field it concerns, for code that wants them; `message`
    is the whole sentence after the position (it already names the point and field for a reader)."""

    file: str | None
    line: int | None
    column: int | None
    point: int | str | None
    field: str | None
    message: str


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


class LedgerError(GkplanError):
    """The ledger file cannot be opened, read or written."""

    exit_code = 5


class Conflict(GkplanError):
    """A change that contradicts the ledger's rules (e.g. nothing to change, progress vs status)."""

    exit_code = 6
