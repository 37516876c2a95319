"""Exit codes of `gongkai` and of the crawl child, in one place so the CLI, the crawl runner,
the outbox and cron wrappers agree on them.

`Fault` is a failure the operator must see as one line and an exit code, never a traceback:
the CLI prints `error: <message>` and exits with `exit_code`.
"""
from __future__ import annotations

OK = 0
FAILED = 1      # open violations at --fail-on, a crawl that could not run
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

# --- mail delivery: `gongkai run`, `bulletin --send`, `outbox --retry` (alerts/outbox.py) ---
# Messages are never lost: in every case below they stay in the outbox, and the error line says why.
MAIL_SETUP = USAGE  # the SMTP settings or environment cannot work (password variable unset, login refused,
                    # server requires AUTH but no smtp.username): fix config/environment
MAIL_DEFERRED = 5   # some messages could not be delivered now (server unreachable, temporary 4xx reply);
                    # they are retried with backoff by the next run; act if it persists
MAIL_REFUSED = 6    # the server refused some messages permanently (5xx, e.g. unknown mailbox): fix the
                    # address, then `gongkai outbox --retry`
