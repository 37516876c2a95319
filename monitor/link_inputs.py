"""The W12 check's input from the store, for every link that answered as broken at least once:

- links the crawl followed itself (columns, later pages, reports, attachments): the latest request,
  with the page it is on (recorded for attachments, else derived: a column list is linked from the
  unit's site page, a later page or a report page from its column), and when that page was read
  (200) after the link's latest request without following it again: ordered by the fetches' ids,
  since two requests in one second share a timestamp;
- links on the pages the crawl reads (`links`, checked by `crawler.links`): the latest check, the
  page and text they were last seen with, and when that page was read again without them."""
from __future__ import annotations

from sqlite_utils import Database

from monitor.checks.links import BROKEN_STATUSES, DNS_ERRORS, LINK_PURPOSES, LinkFetch
from monitor.observations import LINK_CHECK, link_gone_at

#: a request that says its link is dead (monitor.checks.links.is_broken), with its parameters
_BROKEN = (f"((outcome = 'http_error' AND http_status IN ({', '.join('?' * len(BROKEN_STATUSES))}))"
           f" OR (outcome = 'network_error' AND ({' OR '.join(['instr(error, ?) > 0'] * len(DNS_ERRORS))})))")
_BROKEN_PARAMS = [*BROKEN_STATUSES, *DNS_ERRORS]


def load_broken_links(db: Database, unit_ids: list[str]) -> list[LinkFetch]:
    """Both kinds of links (see the module), the crawl's own requests first."""
    wanted = set(unit_ids)
    return [link for link in (*_followed(db), *_page_links(db)) if link.unit_id in wanted]


def _followed(db: Database) -> list[LinkFetch]:
    purposes = ",".join("?" * len(LINK_PURPOSES))
    rows = db.execute(f"""
        WITH once AS (
            SELECT DISTINCT unit_id, url FROM fetches WHERE purpose IN ({purposes}) AND {_BROKEN}),
        latest AS (
            SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.unit_id, f.url ORDER BY f.fetched_at DESC, f.id DESC) AS n
            FROM fetches f JOIN once o ON o.unit_id = f.unit_id AND o.url = f.url
            WHERE f.purpose IN ({purposes}))
        SELECT l.unit_id, l.url, l.purpose, l.outcome, l.http_status, l.error, l.fetched_at,
               COALESCE(l.referrer, CASE l.purpose WHEN 'list' THEN u.site ELSE c.url END),
               COALESCE(l.link_text, CASE l.purpose WHEN 'list' THEN c.name END,
                        (SELECT i.title FROM items i WHERE i.column_id = l.column_id AND i.url = l.url)),
               (SELECT MAX(r.fetched_at) FROM fetches r WHERE r.url = l.referrer AND r.http_status = 200 AND r.id > l.id)
        FROM latest l LEFT JOIN units u ON u.id = l.unit_id LEFT JOIN columns c ON c.id = l.column_id
        WHERE l.n = 1 ORDER BY l.unit_id, l.url""",
        [*LINK_PURPOSES, *_BROKEN_PARAMS, *LINK_PURPOSES]).fetchall()
    return [LinkFetch(*row) for row in rows]


def _page_links(db: Database) -> list[LinkFetch]:
    rows = db.execute(f"""
        WITH latest AS (
            SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.url ORDER BY f.id DESC) AS n FROM fetches f
            WHERE f.purpose = ? AND f.url IN (SELECT url FROM fetches WHERE purpose = ? AND {_BROKEN}))
        SELECT k.unit_id, k.url, l.purpose, l.outcome, l.http_status, l.error, l.fetched_at, k.page, k.text,
               {link_gone_at('k')}
        FROM latest l JOIN links k ON k.url = l.url WHERE l.n = 1 ORDER BY k.unit_id, k.url""",
        [LINK_CHECK, LINK_CHECK, *_BROKEN_PARAMS]).fetchall()
    return [LinkFetch(*row) for row in rows]
