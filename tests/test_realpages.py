"""List reading on the corpus of list pages (`tests/data/realpages/<family>/`, answer keys in each
`truth.json`, provenance in SOURCES.md; `nav/` holds navigation pages for tests/test_discover.py):
per page the newest and oldest date, the item count within ±1, the next page (or why later pages cannot be fetched), and no navigation, sidebar, widget or
hidden tab taken as the list (a detail page reads as an article, not as a list of its menu links)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crawler.extract import extract_list

DATA = Path(__file__).parent / "data" / "realpages"
PAGES = [(folder.name, name, truth) for folder in sorted(DATA.iterdir()) if (folder / "truth.json").exists()
         for name, truth in json.loads((folder / "truth.json").read_text(encoding="utf-8")).items()]


@pytest.mark.parametrize("family, name, truth", PAGES, ids=[f"{f}/{n}" for f, n, _ in PAGES])
def test_list_page_reads_as_its_answer_key(family, name, truth):
    html = (DATA / family / name).read_text(encoding="utf-8")
    page = extract_list(html, truth["url"], today=date.fromisoformat(truth["today"]))
    dates = sorted(i.date for i in page.items if i.date) or [None]
    assert page.kind == truth.get("kind", "list")
    if page.kind == "article":        # a detail page: no menu, breadcrumb or footer link read as a list
        assert (page.items, page.note) == ([], truth["published"])
    assert abs(len(page.items) - truth["items"]) <= 1, len(page.items)
    assert (dates[-1], dates[0]) == (truth["newest_date"], truth["oldest_date"])
    assert page.next_page == truth["next_url"]
    assert page.unreachable == truth["unreachable"]
