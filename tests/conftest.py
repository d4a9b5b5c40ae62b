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
