"""The newest dated item a home page shows (W1 首页不更新), for the county portal's home page and
each unit's site page.

A home page is not one list: it has several blocks (要闻, 通知公告, 政策文件 …) side by side, so
rather than the one list `crawler.extract.extract_list` would pick, every link whose row shows a
date counts; the row is the link's parent when that holds no other link. Dates after `today`
(typos, event dates) are not publication dates and are ignored.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

from crawler.dates import find_date
from monitor.item_observations import parse_page
from monitor.observations import ListItem


def newest_dated_link(html_text: str, page_url: str, *, today: date) -> ListItem | None:
    """The link with the newest date shown beside it (or in its text), or None."""
    root = parse_page(html_text)
    if root is None:
        return None
    newest: ListItem | None = None
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        row = anchor.getparent()
        text = " ".join(row.itertext()) if row is not None and len(row.findall(".//a")) == 1 \
            else " ".join(anchor.itertext())
        found = find_date(text, today=today)
        if found is None or found[0] > today:
            continue
        day = found[0].isoformat()
        if newest is None or day > (newest.date or ""):
            title = " ".join(" ".join(anchor.itertext()).split()) or anchor.get("title") or href
            newest = ListItem(title, urljoin(page_url, href), day, found[1])
    return newest
