"""The crawl's store pipeline on a real SQLite file: records are buffered and written in short
flush transactions (so another crawl worker is never kept waiting), and a record the store
rejects costs only itself, never its batch-mates or the crawl."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.records import Fetch, Records, UnitDone
from tests.helpers import pipeline  # noqa: F401 - the fixture


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
    store._flush()                                     # what the ticker does every FLUSH_SECONDS
    assert urls(path) == ["http://x/a", "http://x/b"]
    assert crawler.stats.get_value("gongkai/store_errors") == 1
    store.process_item(Records([Fetch("http://x/c", "list", "ok", "u"), UnitDone("u")]))
    store._flush()
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
    store._flush()                                     # what the ticker does every FLUSH_SECONDS
    assert urls(path) == ["http://x/a", "http://x/b"] and store.progress.units_done == 1
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    other.close()
