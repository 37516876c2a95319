"""The crawl's store writer: a process of its own beside each crawl child.

    python -m crawler.store_writer STORE RUN_ID     (started by crawler/pipelines.py)

The child's pipeline sends it batches of records (the records of each callback, in order) as
length-prefixed pickles on its stdin, and it writes each batch in one short `BEGIN IMMEDIATE`
transaction, a savepoint per callback's records, each record alone when that fails (crawler/writers.py
has one writer per record type). What each batch did goes back on its stdout: the units it
finished, the records the store rejected, or that the store cannot be written at all
(`monitor.store.store_failure`: disk full, I/O error, read-only, corrupt), after which it writes
nothing more. SQLite's work and the Python around it were a sixth of a crawl child's time; here
they run on another core while the child reads the next pages (bench/README.md).

A lock held past the busy timeout before a transaction begins is waited out: the batch is tried
again, so batches are always written in the order they were sent (a discovery before the lists of
the columns it creates). The writer dies with its crawl child, as the child dies with its parent.
"""
from __future__ import annotations

import logging
import pickle
import sqlite3
import struct
import sys
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, BinaryIO

from crawler.lifeline import die_with_parent
from crawler.records import UnitDone
from crawler.writers import WRITERS
from monitor.exitcodes import STORE
from monitor.store import StoreError, atomic, open_db, store_failure

log = logging.getLogger("crawler.store_writer")

_LENGTH = struct.Struct("<I")


def send(stream: BinaryIO, message: Any) -> None:
    """One length-prefixed pickle (both directions of the writer's pipes)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any | None:
    """The next message, or None at the end of the stream. Only our own processes write these
    pipes, so unpickling them is safe."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    data = stream.read(length)
    return pickle.loads(data) if len(data) == length else None


@dataclass(frozen=True, slots=True)
class Written:
    """What one batch did: units finished (all their records stored), records the store rejected
    one by one, or why the store cannot be written (the batch was rolled back)."""

    units_done: int = 0
    rejected: int = 0
    failure: str | None = None
    exit_code: int = 0


class StoreWriter:
    """Writes batches of records into the store (see the module)."""

    def __init__(self, db_path: str, run_id: int | None):
        self.db_path, self.run_id = db_path, run_id
        self.db = open_db(db_path)

    def write(self, batch: list[list[Any]]) -> Written:
        while True:
            try:
                return self._transaction(batch)
            except _Busy as busy:
                log.warning("store busy, %d records wait: %s", sum(map(len, batch)), busy)

    def close(self) -> None:
        self.db.close()

    def _transaction(self, batch: list[list[Any]]) -> Written:
        rejected = 0
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
            for records in batch:
                try:
                    with atomic(self.db):
                        for record in records:
                            self._write(record)
                except Exception as exc:  # noqa: BLE001 - rolled back: each record alone, a bad one costs itself
                    if store_failure(exc, self.db_path):
                        raise
                    rejected += sum(not self._write_alone(record) for record in records)
            self.db.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            failure = store_failure(exc, self.db_path)
            if failure is None and not self.db.conn.in_transaction:
                raise _Busy(exc) from exc           # locked past the busy timeout before the transaction began
            with suppress(sqlite3.Error):            # SQLite may have rolled back itself
                self.db.conn.execute("ROLLBACK")
            failure = failure or StoreError(f"store write failed: {exc}", STORE)
            log.error("store write failed, stopping the crawl: %s", exc)
            return Written(failure=str(failure), exit_code=failure.exit_code)
        return Written(units_done=sum(isinstance(r, UnitDone) for records in batch for r in records),
                       rejected=rejected)

    def _write_alone(self, record: Any) -> bool:
        try:
            with atomic(self.db):
                self._write(record)
            return True
        except Exception as exc:  # noqa: BLE001 - a data error on one record never stops the crawl
            if store_failure(exc, self.db_path):
                raise
            log.error("store write failed for %s: %r", type(record).__name__, exc)
            return False

    def _write(self, record: Any) -> None:
        WRITERS[type(record)](self.db, self.run_id, record)   # crawler/writers.py


class _Busy(Exception):
    pass


def serve(inp: BinaryIO, out: BinaryIO, db_path: str, run_id: int | None) -> int:
    """Write what arrives until the end of `inp`; answer each batch (and the opening) on `out`."""
    try:
        writer = StoreWriter(db_path, run_id)
    except StoreError as exc:
        send(out, Written(failure=str(exc), exit_code=exc.exit_code))
        return exc.exit_code
    send(out, Written())                  # open: the child's pipeline may start sending
    failed = False
    while (batch := receive(inp)) is not None:
        written = Written(failure="not written: the store failed before", exit_code=STORE) if failed \
            else writer.write(batch)
        failed = failed or written.failure is not None
        send(out, written)
    writer.close()
    return STORE if failed else 0


def main(argv: list[str] | None = None) -> int:
    die_with_parent()                         # the crawl child is this process's parent
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    db_path, run_id = (argv if argv is not None else sys.argv[1:])[:2]
    return serve(sys.stdin.buffer, sys.stdout.buffer, db_path, int(run_id) or None)


if __name__ == "__main__":      # as crawler.store_writer, so what it pickles names this module, not __main__
    from crawler.store_writer import main as store_writer_main
    sys.exit(store_writer_main())
