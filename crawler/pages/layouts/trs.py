"""TRS WCM portals: articles tYYYYMMDD_N.htm, list pages index.html, index_1.html … (page n is
index_{n-1}), the main text in .TRS_Editor, the pager written by a createPageHTML/countPage script."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.pages.layouts import Layout, Numbered, Page, Pager

_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
# TRS pagers written by document.write: `var countPage=11; var currentPage=0;` and hrefs built as
# "index"+"_"+nextPage+"."+"shtml" (the first page's own link names the stem and extension)
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
_PAGER_FILE = re.compile(r"[\"']([\w-]+)(?:[\"']\s*\+\s*[\"'])?\.(?:[\"']\s*\+\s*[\"'])?(s?html?|jsp|php|aspx?)\b")


class Trs(Layout):
    __kind__ = "trs"
    article_url = r"/t\d{8}_\d+\.\w+$"
    page_url = re.compile(r"(?P<head>/index)_(?P<n>\d+)(?P<ext>\.\w+)$")
    detail_body = ("//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",)
    body_rank = 0

    def matches(self, url: str, html_text: str) -> bool:
        return "createPageHTML" in html_text or "countPage" in html_text

    def next_page(self, root, page: Page, items: int) -> Pager | None:
        found = _trs_next_page(page.text, page.url)
        return (found, None) if found is not None else None

    def pages_by_script(self, html_text: str) -> bool:
        return _TRS_PAGER.search(html_text) is not None

    def numbered(self, match: re.Match[str], head: str, tail: str) -> Numbered:
        ext = match["ext"]
        return int(match["n"]) + 1, lambda n: f"{head}/index{f'_{n - 1}' if n > 1 else ''}{ext}{tail}"


def _trs_next_page(html_text: str, page_url: str) -> str | None:
    """TRS paging: createPageHTML(pages, current, "index", "html"), or `var countPage=N;
    currentPage=C` and document.write building "index_"+(C+1)+".shtml"; page 0 is index.html."""
    # a regex search over the whole page costs ~0.1 ms: find the script's name first
    m = _TRS_PAGER.search(html_text, at) if (at := html_text.find("createPageHTML")) >= 0 else None
    if m:
        pages, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    elif (at := html_text.find("countPage")) >= 0 \
            and (count := _COUNT_PAGE.search(window := html_text[max(0, at - 2000):at + 4000])) is not None:
        current_m, file_m = _CURRENT_PAGE.search(window), _PAGER_FILE.search(window, count.start())
        pages, current = int(count.group(1)), int(current_m.group(1)) if current_m else 0
        stem, ext = file_m.groups() if file_m else ("index", "html")
    else:
        return None
    if current + 1 >= pages:
        return None
    return urljoin(page_url, f"{stem}_{current + 1}.{ext}")
