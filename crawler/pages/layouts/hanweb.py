"""Hanweb (大汉) portals: column URLs /col/colN/, articles /YYYYMMDD/iN.html and /art/YYYY/…, the main
text in #zoom; a jpage list kept as CDATA `<record>`s of a `<datastore>`, later pages from dataproxy.jsp."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.pages.layouts import Layout, Page, Pager

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_XML_SCRIPT = re.compile(r"<script[^>]*text/xml[^>]*>(\s*<datastore>.*?</datastore>\s*)</script>", re.S | re.I)
_NEXT_GROUP = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?\s*<a[^>]*href=[\"']([^\"']+)", re.I)
_TOTAL_RECORD = re.compile(r"totalRecord\W{1,3}(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\W{1,3}(\d+)", re.I)
_RECORD_RANGE = re.compile(r"startrecord=(\d+)&endrecord=(\d+)", re.I)


class Hanweb(Layout):
    __kind__ = "hanweb"
    article_url = r"/\d{8}/i\d+\.\w+$|/art/\d{4}/"
    column_url = r"/col/col\d+/"
    detail_body = ("//*[@id='zoom' or @id='UCAP-CONTENT' or @id='Zoom']",)

    def matches(self, url: str, html_text: str) -> bool:
        return "<datastore" in html_text

    def prepare(self, page: Page) -> None:
        datastore = Datastore.of(page.text)
        if datastore is not None:
            page.text = datastore.html
            page.found["datastore"] = datastore

    def next_page(self, root, page: Page, items: int) -> Pager | None:
        datastore = page.found.get("datastore")
        return (datastore.next_page(page.url), None) if datastore is not None else None


class Datastore:
    """A Hanweb jpage list: its rows are CDATA `<record>`s of a `<datastore>` (inside `<script
    type="text/xml">` on the column page, the whole body of a `dataproxy.jsp` answer); the rows
    beyond it come from dataproxy.jsp, asked for by record range."""

    __slots__ = ("html", "next_group", "records", "total", "per_page")

    def __init__(self, html: str, next_group: str | None, records: int, total: int | None, per_page: int):
        self.html, self.next_group, self.records, self.total, self.per_page = html, next_group, records, total, per_page

    @classmethod
    def of(cls, html_text: str) -> "Datastore | None":
        if "<record" not in html_text:
            return None
        next_group = _NEXT_GROUP.search(html_text)
        total = _TOTAL_RECORD.search(html_text)
        per_page = _PER_PAGE.search(html_text)
        html = _XML_SCRIPT.sub(lambda m: f"<div class=\"datastore\">{m.group(1)}</div>", html_text)
        return cls(_CDATA.sub(lambda m: m.group(1), html), next_group.group(1) if next_group else None,
                   html_text.count("<record>"), int(total.group(1)) if total else None,
                   int(per_page.group(1)) if per_page else 15)

    def next_page(self, page_url: str) -> str | None:
        if self.records == 0:
            return None
        shown = _RECORD_RANGE.search(page_url)
        if shown:            # a dataproxy answer: the next range of the same size
            start, end = int(shown.group(1)), int(shown.group(2))
            if (self.total is not None and end >= self.total) or (self.total is None and self.records <= end - start):
                return None
            size = end - start + 1
            return f"{page_url[:shown.start()]}startrecord={end + 1}&endrecord={end + size}{page_url[shown.end():]}"
        if self.next_group is None or (self.total is not None and self.records >= self.total):
            return None
        base = urljoin(page_url, self.next_group.replace("&amp;", "&"))
        return (f"{base}{'&' if '?' in base else '?'}startrecord={self.records + 1}"
                f"&endrecord={2 * self.records}&perpage={self.per_page}")
