"""Config selectors: a unit whose list no layout reads gets CSS selectors in its config
(`monitor.config.ListSelectors`: item, title, date). Chosen by the configuration, never by the page."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree
from lxml.cssselect import CSSSelector

from crawler.pages.html import Base, link, text, text_outside
from crawler.pages.layouts import Layout, Row
from monitor.config import ListSelectors


class Selectors(Layout):
    __kind__ = "selectors"

    def __init__(self, selectors: ListSelectors | None = None):
        self.selectors = selectors

    def find_list(self, root: etree._Element, page_url: str) -> list[Row] | None:
        if self.selectors is None:
            return None
        rows = []
        base = Base(page_url)
        for row in _css(self.selectors.item)(root):
            title = next(iter(_css(self.selectors.title)(row)), None) if self.selectors.title else row
            if title is None:
                continue
            anchor = title if title.tag == "a" else next(title.iter("a"), None)
            url = link(anchor.get("href"), base) if anchor is not None else None
            if url:
                rows.append((row, anchor, url))
        return rows

    def date_text(self, row: etree._Element, anchor: etree._Element) -> str:
        if self.selectors is not None and self.selectors.date:
            return " ".join(text(el) for el in _css(self.selectors.date)(row))
        return text_outside(row, anchor)


@lru_cache(maxsize=256)
def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")
