"""The store's run lock, which every writing command takes (`monitor.cli_context.Context.db`, the
daily job, the scheduler's jobs), so no two writers — cron, `gongkai serve`, a manual command —
ever overlap on one store."""
from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from monitor.exitcodes import LOCKED, STORE, Fault
from monitor.store import StoreError

log = logging.getLogger("gongkai.lock")


class RunLocked(Fault):
    """Another run holds the lock on this store."""

    exit_code = LOCKED


@contextmanager
def run_lock(db_path: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock next to the database; released when the process dies."""
    lock_path = Path(f"{db_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:              # a read-only directory: no command can write here
        raise StoreError(f"cannot create the lock file {lock_path}: {exc.strerror} — commands that write "
                         "need the store's directory writable", STORE) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(f"another gongkai run is in progress ({lock_path})") from None
        try:                          # who holds it, for a curious operator; not needed for the lock
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError as exc:        # a full disk must not hide the real error behind this one
            log.warning("cannot write the pid into %s: %s", lock_path, exc.strerror)
        yield
    finally:
        os.close(fd)
