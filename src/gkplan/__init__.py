"""gkplan: the supervision ledger (督查总台账) of a university work plan, on the command line."""

__version__ = "0.1.0"


def main() -> None:
    """The `gkplan` command. The CLI (Typer and all) is imported here, so that Ctrl-C while it loads
    is answered as anywhere else: one line, exit 130, no traceback."""
    import gc
    import signal  # imported during start-up anyway
    import sys

    # Ctrl-C in the middle of an import surfaces as a traceback, or even as a RuntimeError from a class
    # body; so it is held while the CLI loads and raised, if it came, when it is let through.
    hold = hasattr(signal, "pthread_sigmask")  # not on Windows
    # What the CLI's import makes (modules, classes, functions: some 100,000 objects) lives as long as the
    # process: the collector, run every 700 allocations, would walk it again and again as it ages through the
    # generations (~15M instructions of every command's cold start). So it runs no collection meanwhile, and
    # what was made is then set aside for good (gc.freeze: never walked again), as a forking server does.
    collecting = gc.isenabled()
    try:
        try:
            if hold:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            gc.disable()
            from gkplan.cli import main as run
        finally:
            if collecting:
                gc.freeze()
                gc.enable()
                # a young collection every 7,000 allocations, not 700: the command's own imports and work
                # (a cold `show` or `load`) otherwise run some 20 of them, ~2M instructions; what a young
                # generation that size holds before it is collected is a few hundred KiB at most
                gc.set_threshold(7000, *gc.get_threshold()[1:])
            if hold:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    except KeyboardInterrupt:
        from gkplan import render
        from gkplan.errors import Cancelled

        sys.exit(render.failure(Cancelled()))
    try:
        run()
    except SystemExit as done:
        _leave(done.code)
        raise
    finally:  # (not ended by _leave: the interpreter's own exit finalises what was set aside, as ever)
        gc.unfreeze()


def _leave(code: object) -> None:
    """End the process here, as the interpreter's exit would, without its teardown: freeing the ~200 modules
    a command imports one object at a time (some 35M instructions, a tenth of a command's cold start; `python
    -c "import sqlite3"` spends 9M on it). The exit handlers run first, as at the interpreter's exit (logging's,
    which psycopg brings in; coverage's): only the teardown is left out. Only when there is no other thread
    to wait for and both streams flushed, the code a plain number. The ledger and every file were closed by
    the command itself; otherwise the interpreter exits as ever."""
    import atexit
    import os
    import sys

    code = 0 if code is None else code
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:  # a message (sys.exit("…")), True
        return
    if "threading" in sys.modules and sys.modules["threading"].active_count() > 1:
        return
    run = getattr(atexit, "_run_exitfuncs", None)
    if run is None:
        return
    run()  # each handler once: they are unregistered as they run; one that fails is reported as the exit reports it
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: the interpreter's own exit says so, as it always did
        return
    os._exit(code)
