"""VSB (博达) portals: articles /info/<column>/<id>.htm; the list and its pager links are plain markup
that the generic layout reads."""
from __future__ import annotations

from crawler.pages.layouts import Layout


class Vsb(Layout):
    __kind__ = "vsb"
    article_url = r"/info/\d+/\d+\.\w+$"
