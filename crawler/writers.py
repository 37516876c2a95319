"""Records → the store: one writer per record type (crawler/records.py), looked up by the crawl's
store writer (`crawler.store_writer`), so a new record type is a new row here and adds no branch
to the batching."""
from __future__ import annotations

from typing import Any, Callable

from sqlite_utils import Database

from crawler.records import (Discovery, DocumentSeen, Fetch, HomeSeen, ItemDetail, ItemStatus, LeftList, ListSeen,
                             MessageReply, MessagesSeen, NotModified, PageLinks, UnitDone)
from monitor import observations
from monitor.messages import record_messages, record_reply
from monitor.item_observations import mark_left_list, record_item_status, record_item_version
from monitor.report_store import record_document


def _fetch(db: Database, run_id: int | None, item: Fetch) -> None:
    observations.record_fetch(
        db, run_id=run_id, url=item.url, purpose=item.purpose, outcome=item.outcome, unit_id=item.unit_id,
        column_id=item.column_id, http_status=item.http_status, error=item.error,
        elapsed_ms=item.elapsed_ms, nbytes=item.nbytes, encoding=item.encoding, retries=item.retries,
        referrer=item.referrer, link_text=item.link_text)


def _list_seen(db: Database, run_id: int | None, item: ListSeen) -> None:
    observations.record_list(
        db, run_id=run_id, column_id=item.column_id, items=item.items, pages_seen=item.pages_seen,
        complete=item.complete, http_status=item.http_status, etag=item.etag, last_modified=item.last_modified,
        body_hash=item.body_hash, page_kind=item.page_kind, page_note=item.page_note)


def _not_modified(db: Database, run_id: int | None, item: NotModified) -> None:
    observations.record_not_modified(db, run_id=run_id, column_id=item.column_id)


def _discovery(db: Database, run_id: int | None, item: Discovery) -> None:
    observations.record_discovery(db, item.unit_id, item.columns, etag=item.etag, last_modified=item.last_modified,
                                  parent=item.parent)


def _home_seen(db: Database, run_id: int | None, item: HomeSeen) -> None:
    observations.record_home(db, item.url, outcome=item.outcome, http_status=item.http_status, error=item.error,
                             newest=item.newest, interaction_url=item.interaction_url)


def _unit_done(db: Database, run_id: int | None, item: UnitDone) -> None:
    """Nothing to store: it drives the progress events (`StorePipeline._count`)."""


def _item_detail(db: Database, run_id: int | None, item: ItemDetail) -> None:
    record_item_version(db, column_id=item.column_id, url=item.url, run_id=run_id, title=item.title, text=item.text,
                        pub_date=item.metadata.get("pub_date"), written_date=item.metadata.get("written_date"),
                        publisher=item.metadata.get("publisher"), index_no=item.metadata.get("index_no"),
                        doc_no=item.metadata.get("doc_no"), etag=item.etag, last_modified=item.last_modified)


def _item_status(db: Database, run_id: int | None, item: ItemStatus) -> None:
    record_item_status(db, item.column_id, item.url, item.http_status)


def _left_list(db: Database, run_id: int | None, item: LeftList) -> None:
    mark_left_list(db, item.column_id, item.urls)


def _document(db: Database, run_id: int | None, item: DocumentSeen) -> None:
    record_document(db, unit_id=item.unit_id, column_id=item.column_id, url=item.url, title=item.title,
                    year=item.year, published=item.published, content_type=item.content_type, raw=item.raw,
                    etag=item.etag, last_modified=item.last_modified, main_text=item.main_text)


def _messages(db: Database, run_id: int | None, item: MessagesSeen) -> None:
    record_messages(db, item.unit_id, item.column_id, item.messages)


def _message_reply(db: Database, run_id: int | None, item: MessageReply) -> None:
    record_reply(db, item.column_id, item.url, item.replied)


def _page_links(db: Database, run_id: int | None, item: PageLinks) -> None:
    observations.record_links(db, run_id=run_id, unit_id=item.unit_id, page=item.page, links=item.links)


#: record type → writer(db, run_id, record)
WRITERS: dict[type, Callable[[Database, int | None, Any], None]] = {
    Fetch: _fetch, ListSeen: _list_seen, NotModified: _not_modified, Discovery: _discovery, HomeSeen: _home_seen,
    UnitDone: _unit_done,
    ItemDetail: _item_detail, ItemStatus: _item_status, LeftList: _left_list, DocumentSeen: _document,
    MessagesSeen: _messages, MessageReply: _message_reply, PageLinks: _page_links,
}
