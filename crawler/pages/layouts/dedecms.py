"""DedeCMS (织梦) portals: list pages list_<column>_<n>.html; the list and its pager links are plain
markup that the generic layout reads."""
from __future__ import annotations

import re

from crawler.pages.layouts import Layout


class DedeCms(Layout):
    __kind__ = "dedecms"
    page_url = re.compile(r"(?P<head>/list_\d+_)(?P<n>\d+)(?P<ext>\.\w+)$")
