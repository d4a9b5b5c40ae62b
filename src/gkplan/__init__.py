"""gkplan: the supervision ledger (督查总台账) of a university work plan, on the command line."""

__version__ = "0.1.0"


def main() -> None:
    """The `gkplan` command. The CLI (Typer and all) is imported here, so that Ctrl-C while it loads
    is answered as anywhere else: one line, exit 130, no traceback."""
    import signal  # imported during start-up anyway
    import sys

    # Ctrl-C in the middle of an import surfaces as a traceback, or even as a RuntimeError from a class
    # body; so it is held while the CLI loads and raised, if it came, when it is let through.
    hold = hasattr(signal, "pthread_sigmask")  # not on Windows
    try:
        try:
            if hold:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            from gkplan.cli import main as run
        finally:
            if hold:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    except KeyboardInterrupt:
        from gkplan import render
        from gkplan.errors import Cancelled

        sys.exit(render.failure(Cancelled()))
    run()
