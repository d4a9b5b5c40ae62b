"""Every test gets its own ledger (GKPLAN_DB under tmp_path), no colour, a fixed width and a fixed 'today'."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
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


def server() -> str | None:
    """The superuser's DSN to this test's server ledger, when the test runs on PostgreSQL (GKPLAN_DB a URL)."""
    import os

    db = os.environ.get("GKPLAN_DB", "")
    return db.replace(f"//{OFFICE_LOGIN}@", "//postgres@") if db.startswith("postgresql://") else None


def db_env(db: Path) -> str:
    """GKPLAN_DB for a gkplan a test starts itself: the ledger's file, or this test's server ledger."""
    import os

    return os.environ["GKPLAN_DB"] if server() is not None else str(db)


def fingerprint(db: Path) -> str:
    """What must not change when a command fails: the file byte for byte, or the server ledger's every row."""
    import hashlib

    return hashlib.sha256(db.read_bytes() if server() is None else "\n".join(dump(db)).encode()).hexdigest()


def dump(db: Path) -> list[str]:
    """The ledger's whole logical content, to assert that a failed command changed nothing."""
    dsn = server()
    if dsn is not None:
        import psycopg

        from gkplan.ledger import pg_schema

        with psycopg.connect(dsn) as conn:
            return [f"{t} {r!r}" for t in pg_schema.tables() for r in sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr)]
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


READ_BY = ("whole", "streamed", "child")  # how open_seed reads a seed: YAML whole, streamed here, by a second process


def read_by(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any seed read the way `how` says, whatever its size (in this process: the CLI as `run` drives it). JSON is
    always streamed: here for "whole" and "streamed", by a second process for "child"."""
    from gkplan.seed_child import available

    if how == "child" and not available():
        pytest.skip("一个核或 Windows：没有第二个进程读种子")
    if how != "whole":
        monkeypatch.setattr("gkplan.seed.STREAM_YAML_ABOVE", -1)
    monkeypatch.setattr("gkplan.seed.CHILD_SEED_ABOVE", -1 if how == "child" else 1 << 62)


ENGINES = ("sqlite", "postgresql")
OFFICE_LOGIN = "督查办"  # the office's login on the server: GKPLAN_USER's name, so that `by` reads the same on both


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: reads or changes the ledger's file itself: not for a server")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test of the file itself (its bytes, its locks, its -wal) runs on SQLite only: deselected, not skipped."""
    items[:] = [i for i in items if not (i.get_closest_marker("sqlite_only") and getattr(i, "callspec", None)
                                         and i.callspec.params.get("engine") == "postgresql")]  # fmt: skip


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every test of a ledger runs on both engines: a SQLite file, and a database on a real PostgreSQL server."""
    return request.param


@pytest.fixture
def ledger(run: Run, isolated: Path, engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ledger already created and seeded with the bundled 2022 plan: a file, or a server's database
    (GKPLAN_DB its URL, the office's login) made by `gkplan admin init` as of TODAY."""
    if engine == "sqlite":
        run("depts")
        return isolated
    monkeypatch.setenv("GKPLAN_DB", request.getfixturevalue("pg_ledger"))
    return isolated


@pytest.fixture(scope="session")
def ledger_server():
    """The server the ledgers of the engine-parametrised tests live on: not the admin tests' (pg_server), whose
    tests start from a server without gkplan's roles (roles belong to a whole server)."""
    import shutil

    server = PgServer(_server_folder("pg-ledgers"))
    yield server
    server.stop()
    shutil.rmtree(server.data.parent, ignore_errors=True)


@pytest.fixture
def pg_ledger(ledger_server: "PgServer") -> str:
    """A copy of the session's initialised ledger database: the DSN of the office's login to it (a login made for
    the test: roles belong to the whole server, and admin's tests count the office's members)."""
    import uuid

    template = ledger_server.ledger_template()
    name = f"l_{uuid.uuid4().hex[:12]}"
    ledger_server.sql(f"CREATE DATABASE {name} TEMPLATE {template}", f'CREATE ROLE "{OFFICE_LOGIN}" LOGIN IN ROLE gkplan_office')
    yield ledger_server.dsn(name, OFFICE_LOGIN)
    if not ledger_server.running():
        ledger_server.start()
    ledger_server.sql(f'DROP DATABASE "{name}" WITH (FORCE)', f'DROP ROLE "{OFFICE_LOGIN}"')


def execute(db: Path, *statements: str) -> None:
    """Statements run on a ledger behind gkplan's back (to build or tamper with one): on its file, or on its
    server's database as the superuser."""
    dsn = server()
    if dsn is not None:
        import psycopg

        with psycopg.connect(dsn) as conn:
            for sql in statements:
                conn.execute(sql)
        return
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
        # a test server's data is thrown away: no waiting for the disk (each test copies a database)
        self.server.psql("ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
                         " ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();")  # fmt: skip

    def ledger_template(self) -> str:
        """A database made once by `gkplan admin init` (the bundled plan, as of TODAY): each test's server ledger
        is a copy of it. Its roles belong to the server from then on."""
        if getattr(self, "template", None) is None:
            import os

            self.sql("CREATE DATABASE gk_template")
            env = {**os.environ, "GKPLAN_TODAY": TODAY, "GKPLAN_USER": OFFICE_LOGIN}
            done = subprocess.run([sys.executable, "-m", "gkplan", "admin", "init", self.dsn("gk_template")], env=env,
                                  capture_output=True, text=True)  # fmt: skip
            assert done.returncode == 0, done.stderr
            self.baseline |= {r[0] for r in self.sql("SELECT rolname FROM pg_roles")}
            self.template = "gk_template"
        return self.template

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


def _server_folder(name: str) -> Path:
    """A folder for a test server's data outside pytest's numbered temporary folders: pytest removes the older
    of those when other sessions start (two pytest runs at once), which would pull the data from under a
    running server."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"gkplan-{name}-"))


@pytest.fixture(scope="session")
def pg_server():
    import shutil

    server = PgServer(_server_folder("pg"))
    yield server
    server.stop()
    shutil.rmtree(server.data.parent, ignore_errors=True)


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


def by(name: str) -> str:
    """The history's `by` for a person's name given with --by or GKPLAN_USER: on a server, the office's login
    with the name after it (identity comes from the login), unless the name is the login's."""
    return name if server() is None or name == OFFICE_LOGIN else f"{OFFICE_LOGIN}（{name}）"
