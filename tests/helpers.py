"""Small builders shared by the tests (real objects, no mocks)."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config, parse_config
from monitor.observations import ColumnState, column_id

BASE_CONFIG = """\
county: 衡山县
supervisor: {name: 衡山县行政审批服务局, email: zwgk@example.gov.cn}
units:
  - id: xzspj
    name: 衡山县行政审批服务局
    type: department
    site: http://127.0.0.1:9/xzspj/
"""


def make_config(extra: str = "", units: str | None = None) -> Config:
    text = BASE_CONFIG if units is None else BASE_CONFIG.split("units:")[0] + units
    return parse_config(text + extra)


def column(name: str, *, unit: str = "xzspj", url: str | None = None, outcome: str | None = "ok",
           items: int = 10, dated: int | None = None, newest: str | None = "2026-11-20",
           http_status: int | None = 200, read_at: str = "2026-11-26T00:00:00+00:00",
           page_kind: str | None = None, page_note: str | None = None) -> ColumnState:
    """A column as the crawl leaves it; `page_kind` defaults to what `items` implies (list or empty)."""
    url = url or f"http://127.0.0.1:9/{unit}/{abs(hash(name)) % 10**6}/"
    dated = items if dated is None else dated
    return ColumnState(
        id=column_id(unit, url), unit_id=unit, name=name, url=url, in_config=0, discovered=1,
        last_outcome=outcome, last_http_status=http_status, last_error=None, last_fetch_at=read_at,
        item_count=items, dated_count=dated, newest_date=newest if dated else None,
        newest_title="关于做好冬季安全生产工作的通知" if dated else None,
        newest_url=url + "t1.html" if dated else None,
        page_kind=page_kind or ("list" if items else "empty"), page_note=page_note,
    )


def open_pipeline(path: Path) -> tuple[Any, Any]:
    """The crawl's store pipeline on the store `path` (created if need be), opened as a crawl
    opens it (its store writer process started) but without a running crawl: (pipeline, crawler)."""
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from crawler.pipelines import StorePipeline
    from monitor.store import open_db

    if not path.exists():
        open_db(path).close()
    crawler = get_crawler(settings_dict={"GONGKAI_DB": str(path), "GONGKAI_RUN_ID": 1})
    crawler.spider = SimpleNamespace(units=["u"])
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    return store, crawler


@pytest.fixture
def pipeline(tmp_path: Path):
    """`open_pipeline` on a new store file: (pipeline, store path, crawler). Import it into a test
    module to use it."""
    path = tmp_path / "store.db"
    store, crawler = open_pipeline(path)
    yield store, path, crawler
    store.close_spider()


#: the store's timestamps a crawl writes and the detail planner compares against its clock
_SHIFTED = {"fetches": ("fetched_at",), "items": ("first_seen", "last_seen", "detail_fetched_at", "left_list_at"),
            "item_versions": ("first_fetched", "last_fetched"), "home_pages": ("fetch_at", "read_at")}


def shift_store_back(db: Path, days: int) -> None:
    """Move the store's crawl history `days` into the past, as if the runs had happened then."""
    conn = sqlite3.connect(db)
    shift = f"-{days} days"
    with conn:
        for table, columns in _SHIFTED.items():
            sets = ", ".join(f"{c} = strftime('%Y-%m-%dT%H:%M:%S+00:00', {c}, :shift)" for c in columns)
            conn.execute(f"UPDATE {table} SET {sets}", {"shift": shift})
    conn.close()
