"""The W12 check's input from the store: the latest request of every link that answered as
broken at least once, with the page it is on (recorded for attachments, else derived: a column
list is linked from the unit's site page, a later page or a report page from its column), and when
that page was read (200) after the link's latest request without following it again: ordered by the
fetches' ids, since two requests in one second share a timestamp."""
from __future__ import annotations

from sqlite_utils import Database

from monitor.checks.links import BROKEN_STATUSES, DNS_ERROR, LINK_PURPOSES, LinkFetch


def load_broken_links(db: Database, unit_ids: list[str]) -> list[LinkFetch]:
    purposes = ",".join("?" * len(LINK_PURPOSES))
    rows = db.execute(f"""
        WITH once AS (
            SELECT DISTINCT unit_id, url FROM fetches
            WHERE purpose IN ({purposes})
              AND ((outcome = 'http_error' AND http_status IN (?, ?))
                   OR (outcome = 'network_error' AND instr(error, ?) > 0))),
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
        [*LINK_PURPOSES, *BROKEN_STATUSES, DNS_ERROR, *LINK_PURPOSES]).fetchall()
    wanted = set(unit_ids)
    return [LinkFetch(*row) for row in rows if row[0] in wanted]
