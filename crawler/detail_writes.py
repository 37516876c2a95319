"""Records of detail pages → the store: one writer per record type, looked up by the pipeline
(`crawler.pipelines.StorePipeline`), so the detail work adds no branches to its batching."""
from __future__ import annotations

from typing import Any, Callable

from sqlite_utils import Database

from crawler.records import DocumentSeen, ItemDetail, ItemStatus, LeftList
from monitor.item_observations import mark_left_list, record_item_status, record_item_version
from monitor.report_store import record_document


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


#: record type → writer(db, run_id, record)
WRITERS: dict[type, Callable[[Database, int | None, Any], None]] = {
    ItemDetail: _item_detail, ItemStatus: _item_status, LeftList: _left_list, DocumentSeen: _document,
}
