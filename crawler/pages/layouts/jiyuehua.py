"""The TRS 集约化 platform (provincial intensive government sites): 动静结合 lists, whose first
`maxStaticIndex` pages are static and the rest come from a search API answering JSON."""
from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from crawler.pages.layouts import Layout, Page, Pager

_STATIC_AND_SEARCH = re.compile(r"quickMode\s*:\s*['\"]动静结合['\"]")
_RECORD_COUNT = re.compile(r"recordCount\s*:\s*['\"]?(\d+)")
# … and the search API the page names for the rows after its static ones (TRS list2.trsapi listModel)
_LIST_API = re.compile(r"listApi\s*:\s*\{\s*url\s*:\s*['\"]([^'\"]+)")
_CHANNEL = re.compile(r"channelid\s*:\s*['\"]?(\d+)|\bsearchId\s*:\s*['\"]?(\d+)")
_CLASS_SQL = re.compile(r"classsql\s*:\s*(?:(['\"])\1\s*\|\|\s*)?['\"]([^'\"]+)['\"]")
_SORT_FIELD = re.compile(r"sortfield\s*:\s*['\"]([^'\"]+)['\"]")
_MAX_STATIC = re.compile(r"maxStaticIndex\s*:\s*(\d+)")
_PREPAGE = re.compile(r"prepage\s*:\s*['\"]?(\d+)")


class Jiyuehua(Layout):
    __kind__ = "jiyuehua"

    def matches(self, url: str, html_text: str) -> bool:
        return "动静结合" in html_text

    def next_page(self, root, page: Page, items: int) -> Pager | None:
        if _STATIC_AND_SEARCH.search(page.text) is None:
            return None
        return _search_api_page(page.text, page.url, items)


def _search_api_page(html_text: str, page_url: str, items: int) -> tuple[str | None, str | None]:
    """TRS 集约化 动静结合: the first `maxStaticIndex` pages of `prepage` rows are static (on this
    page), the rest of `recordCount` come from the search API (JSON). Its page after the static
    ones, when the page names the API, the channel and the column's classsql; else unreachable."""
    total = _RECORD_COUNT.search(html_text)
    if not total or int(total.group(1)) <= items:
        return None, None
    api, channel, sql = _LIST_API.search(html_text), _CHANNEL.search(html_text), _CLASS_SQL.search(html_text)
    if not (api and channel and sql):
        return None, "search_api"
    static, prepage = _MAX_STATIC.search(html_text), _PREPAGE.search(html_text)
    sort = _SORT_FIELD.search(html_text)
    query = urlencode({"channelid": channel.group(1) or channel.group(2), "classsql": sql.group(2),
                       "sortfield": sort.group(1) if sort else "-docorderpri,-docreltime",
                       "page": int(static.group(1)) + 1 if static else 2,
                       "prepage": prepage.group(1) if prepage else 15})
    return urljoin(page_url, f"{api.group(1)}?{query}"), None
