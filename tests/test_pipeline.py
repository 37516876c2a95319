"""The crawl's store pipeline on a real SQLite file: records are buffered and written in short
flush transactions (so another crawl worker is never kept waiting), and a record the store
rejects costs only itself, never its batch-mates or the crawl."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.records import Fetch, Records, UnitDone
from monitor import exitcodes
from tests.helpers import open_pipeline, pipeline  # noqa: F401 - the fixture


def urls(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    found = [u for (u,) in conn.execute("SELECT url FROM fetches ORDER BY id")]
    conn.close()
    return found


def test_a_rejected_record_costs_only_itself(pipeline):
    store, path, crawler = pipeline
    rejected = Fetch(None, "list", "ok", "u")          # type: ignore[arg-type]  # fetches.url is NOT NULL
    store.process_item(Records([Fetch("http://x/a", "list", "ok", "u"), rejected,
                                Fetch("http://x/b", "list", "ok", "u"), UnitDone("u")]))
    store.drain()                                      # what the ticker starts every FLUSH_SECONDS
    assert urls(path) == ["http://x/a", "http://x/b"]
    assert crawler.stats.get_value("gongkai/store_errors") == 1
    store.process_item(Records([Fetch("http://x/c", "list", "ok", "u"), UnitDone("u")]))
    store.drain()
    assert urls(path)[-1] == "http://x/c"              # the crawl goes on writing


def test_records_wait_for_a_flush_and_no_transaction_stays_open(pipeline):
    store, path, _ = pipeline
    store.process_item(Records([Fetch("http://x/a", "list", "ok", "u")]))
    assert urls(path) == []                            # buffered, not yet written
    other = sqlite3.connect(path, timeout=0)           # another worker: must get the write lock at once
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    store.process_item(Records([Fetch("http://x/b", "list", "ok", "u"), UnitDone("u")]))
    assert urls(path) == [] and store.progress.units_done == 0     # a unit is done once its records are stored
    store.drain()                                      # what the ticker starts every FLUSH_SECONDS
    assert urls(path) == ["http://x/a", "http://x/b"] and store.progress.units_done == 1
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    other.close()


def test_a_store_writer_that_dies_stops_the_crawl_and_its_records_count_as_lost(pipeline):
    """The writer process gone mid-crawl (killed, crashed): the crawl stops with a reason, and the
    records it was sent or would have been are counted as not stored, none silently dropped."""
    store, path, crawler = pipeline
    store.process_item(Records([Fetch("http://x/a", "list", "ok", "u"), UnitDone("u")]))
    store.drain()
    store._writer.kill()
    store._writer.wait()
    store.process_item(Records([Fetch("http://x/b", "list", "ok", "u"), Fetch("http://x/c", "list", "ok", "u")]))
    store.drain()
    assert store.failure is not None and "store writer stopped" in str(store.failure)
    assert crawler.store_failure is store.failure
    assert store.progress.not_stored == 2 and store.progress.units_done == 1
    assert urls(path) == ["http://x/a"]


def test_a_store_the_writer_cannot_open_stops_the_crawl_with_its_reason(tmp_path: Path):
    """The writer opens the store while the crawl starts; a file it cannot use stops the crawl with
    the writer's exit code and reason, and what was sent meanwhile counts as not stored."""
    path = tmp_path / "store.db"
    path.write_bytes(b"this is no database, " * 500)
    store, crawler = open_pipeline(path)
    store.process_item(Records([Fetch("http://x/a", "list", "ok", "u")]))
    store.drain()
    assert store.failure is not None and store.failure.exit_code == exitcodes.USAGE and str(path) in str(store.failure)
    assert crawler.store_failure is store.failure and store.progress.not_stored == 1
    store.close_spider()
