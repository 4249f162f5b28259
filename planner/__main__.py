"""`planner` and `python -m planner`: the command line, with SIGINT and SIGTERM handled
before anything heavy is imported, so that a signal at any moment ends the run with one line
and 130 or 143 (not a traceback, not a silent -15)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType

SIGNALLED: list[int] = []
WORDS = {130: "Interrupted: nothing was written.", 143: "Stopped (SIGTERM): nothing was written."}


def _stop(signum: int, _frame: FrameType | None) -> None:
    SIGNALLED.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(143)


def main() -> None:
    """Entry point of the `planner` console script (``planner.cli.main`` does the rest)."""
    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:   # a background job ignores it
        signal.signal(signal.SIGINT, _stop)
    try:
        from planner.cli import main as run

        run()
    except BaseException as exc:
        if not SIGNALLED:
            raise
        code = 130 if SIGNALLED[0] == signal.SIGINT else 143
        if not (isinstance(exc, SystemExit) and exc.code == 130):   # the CLI said it
            with contextlib.suppress(OSError, ValueError, AttributeError):
                print(WORDS[code], file=sys.stderr)
        end_now(code)


def end_now(code: int) -> None:
    """End a signalled run at once: the outputs' temporary files are gone already, and a
    normal interpreter shutdown while a solver thread is inside HiGHS ends in a C++ abort
    ("terminate called without an active exception", exit -6) instead of ``code``."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
