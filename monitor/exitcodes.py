"""Exit codes of `gongkai` and of the crawl child, in one place so the CLI, the crawl runner,
the outbox and cron wrappers agree on them.

`Fault` is a failure the operator must see as one line and an exit code, never a traceback:
the CLI prints `error: <message>` and exits with `exit_code`.
"""
from __future__ import annotations

OK = 0
FAILED = 1      # open violations at --fail-on, a crawl that could not run, messages left unsent
USAGE = 2       # usage or config error, or a store file that is not a usable database (restore or move it)
STORE = 3       # the store could not be written (disk full, I/O error, read-only): nothing was lost that
                # the next run does not fetch again; fix the cause and run again
LOCKED = 4      # another writing command (cron `gongkai run`, `gongkai serve`'s job, a manual one) holds
                # the store's lock; try again when it has finished


class Fault(Exception):
    """A failure with a one-line message (naming the file and what to do) and its exit code."""

    exit_code = FAILED

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
