"""The ledger: the only package that speaks SQL. One module for each thing it stores.

    connection  opening the file, transactions, errors        schema   tables; migrate: older ledgers
    new         making a new ledger file whole                 dialect  where SQLite's and PostgreSQL's SQL differ
    sidefiles   -wal/-shm: taking turns to make and delete them; reading as immutable
    plans       the plans a ledger holds, which one is in use  points   work points and the people on them
    tasks       tasks under points                             targets  quantitative targets
    history     every change: effective date, author; chain: its hash chain; states: any item as of any day
    journal     reading the history: entries, diff, latest reports, 延期 counts
    undo        undoing a change, with what it caused          asof     reading any past day in SQL
    load        seeds into the ledger                          check    what `gkplan check` verifies
    pg_schema   the tables on a PostgreSQL server, and its roles' grants, policies and triggers
    pg_admin    an administrator's session there: schema, roles, logins    pg_copy  a ledger's rows onto it, and back
    pg_connection  a ledger on a server: the same reads and writes as on a file
    pg_statements  its statements: SQLite's placeholders, rows as sqlite3's, several in one round trip
"""

from __future__ import annotations

from pathlib import Path

from gkplan.ledger.connection import Connection
from gkplan.ledger.new import create
from gkplan.ledger.history import HistoryMixin
from gkplan.ledger.items import ItemsMixin
from gkplan.ledger.journal import JournalMixin
from gkplan.ledger.load import LoadMixin, LoadResult
from gkplan.ledger.plans import PlansMixin
from gkplan.ledger.points import PointQuery, PointsMixin
from gkplan.ledger.schema import APPLICATION_ID, SCHEMA_VERSION
from gkplan.ledger.targets import TargetsMixin
from gkplan.ledger.undo import UndoMixin
from gkplan.ledger.tasks import TasksMixin

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Ledger", "LoadResult", "PointQuery", "create", "is_server", "open_server"]


class Ledger(PlansMixin, PointsMixin, ItemsMixin, TasksMixin, TargetsMixin, HistoryMixin, JournalMixin, UndoMixin, LoadMixin, Connection):
    def __init__(self, path: Path, plan: str | None = None) -> None:
        Connection.__init__(self, path)
        self.wanted_plan = plan
        self._plan: dict | None = None

    def check(self, full: bool = False, diverge: int = 20) -> list:
        """What `gkplan check` verifies (ledger/check.py, imported only for it)."""
        from gkplan.ledger.check import CheckMixin

        return CheckMixin.check(self, full, diverge)


def is_server(db: str) -> bool:
    """Whether --db / GKPLAN_DB names a PostgreSQL database rather than a file."""
    return db.startswith(("postgresql://", "postgres://"))


def open_server(dsn: str, plan: str | None = None) -> Ledger:
    """The ledger in a PostgreSQL database: the same reads and writes, over ledger/pg_connection.py."""
    from gkplan.ledger.pg_connection import PgConnection

    class ServerLedger(PlansMixin, PointsMixin, ItemsMixin, TasksMixin, TargetsMixin, HistoryMixin, JournalMixin, UndoMixin, LoadMixin,
                       PgConnection):  # fmt: skip
        check = Ledger.check

    ledger = ServerLedger(dsn)
    ledger.wanted_plan, ledger._plan = plan, None
    return ledger  # type: ignore[return-value]
