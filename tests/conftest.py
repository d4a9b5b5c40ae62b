"""Every test gets its own ledger (GKPLAN_DB under tmp_path), no colour, a fixed width and a fixed 'today'."""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gkplan.cli import full_app

app = full_app()

TODAY = "2022-06-30"
REPO = Path(__file__).resolve().parents[1]
# A runner started in the background by a shell (`cmd &`) ignores SIGINT, and every gkplan a test starts would
# inherit that: the Ctrl-C tests would then wait for an interrupt that never comes. Tests start from the default.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SOURCE = REPO / "data" / "source" / "ouc_2022_workpoints.md"  # the public document (此件主动公开), kept beside the seed


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "ledger.db"
    monkeypatch.setenv("GKPLAN_DB", str(db))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("GKPLAN_TODAY", TODAY)
    monkeypatch.setenv("GKPLAN_USER", "督查办")
    return db


class Run:
    """Drives the real CLI in-process and checks that no Python traceback escaped."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, code: int | None = 0):  # noqa: A002, ANN204
        result = self.runner.invoke(app, list(args), input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert "Traceback" not in result.output
        if code is not None:
            assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, **kw):  # noqa: ANN003, ANN204
        return json.loads(self(*args, "--format", "json", **kw).stdout)

    def ids(self, *args: str) -> list[int]:
        return [p["id"] for p in self.json("list", *args)]


@pytest.fixture
def run() -> Run:
    return Run()


def dump(db: Path) -> list[str]:
    """The ledger's whole logical content, to assert that a failed command changed nothing."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def ledger(run: Run, isolated: Path) -> Path:
    """A ledger already created and seeded with the bundled 2022 plan."""
    run("depts")
    return isolated


def execute(db: Path, *statements: str) -> None:
    """Statements run on a ledger file behind gkplan's back (to build or tamper with one)."""
    conn = sqlite3.connect(db)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


class PgServer:
    """One real PostgreSQL server for the whole session, started by pgserver from its own wheel (as root it runs
    the server as an unprivileged user it makes). It listens on a Unix socket in its data folder only."""

    def __init__(self, folder: Path) -> None:
        self.data = folder / "data"
        self.start()
        self.host = self.server.get_uri().split("host=", 1)[1]
        self.baseline = {r[0] for r in self.sql("SELECT rolname FROM pg_roles")}

    def start(self) -> None:
        import warnings

        with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR (as under CI), so /tmp/runtime-UID
            warnings.simplefilter("ignore")
            import pgserver

        self.server = pgserver.get_server(self.data, cleanup_mode="stop")

    def stop(self) -> None:
        self.server.cleanup()  # pg_ctl stop: the last handle of this process

    def running(self) -> bool:
        import psycopg

        try:
            psycopg.connect(self.dsn(), connect_timeout=5).close()
            return True
        except psycopg.OperationalError:
            return False

    def dsn(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.host}"

    def sql(self, *statements: str, database: str = "postgres") -> list:
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            rows = []
            for statement in statements:
                cur = conn.execute(statement)
                rows = cur.fetchall() if cur.description else []
            return rows


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory):
    import shutil

    server = PgServer(tmp_path_factory.mktemp("pg"))
    yield server
    server.stop()
    shutil.rmtree(server.data, ignore_errors=True)


@pytest.fixture(scope="session")
def pg(pg_server: PgServer) -> str:
    """The session's server: a superuser's DSN."""
    return pg_server.dsn()


@pytest.fixture
def pgdb(pg_server: PgServer) -> str:
    """A new, empty database on the session's server (CREATE DATABASE): a superuser's DSN to it. Roles belong
    to the whole server: those a test made are dropped after it, so that every test starts with none of gkplan's."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    pg_server.sql(f"CREATE DATABASE {name}")
    yield pg_server.dsn(name)
    if not pg_server.running():  # a test that stopped it and failed before starting it again
        pg_server.start()
    databases = [r[0] for r in pg_server.sql("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'")]
    pg_server.sql(*(f'DROP DATABASE "{d}" WITH (FORCE)' for d in databases))
    made = [r[0] for r in pg_server.sql("SELECT rolname FROM pg_roles") if r[0] not in pg_server.baseline]
    while made:  # a role that granted memberships (an administrator) goes after the roles it granted them in
        import psycopg

        left = []
        for role in made:
            try:
                pg_server.sql(f'DROP ROLE "{role}"')
            except psycopg.errors.DependentObjectsStillExist:
                left.append(role)
        assert len(left) < len(made), left
        made = left
