"""The one error family. Every user-facing failure is a GkplanError; cli.main maps it to stderr + exit code."""

from __future__ import annotations


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


class SeedError(GkplanError):
    """A seed file that cannot be read or does not validate; carries every problem found."""

    exit_code = 4

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class LedgerError(GkplanError):
    """The ledger, or a file gkplan writes (export, backup), cannot be opened, read or written."""

    exit_code = 5


class Conflict(GkplanError):
    """A change that contradicts the ledger's rules (e.g. nothing to change, progress vs status)."""

    exit_code = 6
