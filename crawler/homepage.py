"""The newest dated item a home page shows (W1 首页不更新), for the county portal's home page and
each unit's site page.

A home page is not one list: it has several blocks (要闻, 通知公告, 政策文件 …) side by side, so
rather than the one list `crawler.extract.extract_list` would pick, every link whose row shows a
date counts: a date in its row (the largest ancestor holding no other link), else in its own text
(a title may name a date that is not its publication day). Dates after `today` (typos, event
dates) are not publication dates and are ignored.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urljoin

from crawler.dates import find_date
from crawler.pages.html import parse_page
from monitor.observations import ListItem

_ROW_DEPTH = 4


def newest_dated_link(html_text: str, page_url: str, *, today: date) -> ListItem | None:
    """The link with the newest date shown beside it (else in its own text), or None."""
    root = parse_page(html_text)
    if root is None:
        return None
    newest: ListItem | None = None
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        own = " ".join(anchor.itertext())
        beside = " ".join(_row(anchor).itertext()).replace(own, " ", 1)
        found = find_date(beside, today=today) or find_date(own, today=today)
        if found is None or found[0] > today:
            continue
        day = found[0].isoformat()
        if newest is None or day > (newest.date or ""):
            newest = ListItem(" ".join(own.split()) or anchor.get("title") or href, urljoin(page_url, href), day,
                              found[1])
    return newest


def _row(anchor: Any) -> Any:
    """The largest ancestor (a few levels up) that holds no other link: `<li>`, a table's `<tr>`."""
    row = anchor
    for _ in range(_ROW_DEPTH):
        parent = row.getparent()
        if parent is None or len(parent.findall(".//a")) > 1:
            break
        row = parent
    return row
