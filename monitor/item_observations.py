"""Item detail observations (migration 4): every distinct version of an item's main text and
metadata, the detail page's last HTTP status, and when an item left its column's list.

The crawler writes through this module; the item checks (`monitor.checks.items`) read plain
dataclasses from it. Boilerplate (view counters, navigation) must be removed by the caller
(`main_text`), or every fetch would look like a new version.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from lxml import etree
from sqlite_utils import Database

from monitor.charset import decode_html
from monitor.scraped import clean_markup
from monitor.store import in_list, utcnow

MAX_TEXT = 100_000        # characters of main text kept per version (the hash covers all of it)
MAX_FIELD = 500


# ------------------------------------------------------------------------------------- writing

def record_item_version(db: Database, *, column_id: str, url: str, run_id: int | None, title: str | None,
                        text: str, pub_date: str | None, written_date: str | None, publisher: str | None,
                        index_no: str | None, doc_no: str | None, etag: str | None = None,
                        last_modified: str | None = None) -> bool:
    """Keep this version of an item's detail page (main text without boilerplate); True when new.

    A version is one distinct (main text, title); seeing it again only refreshes `last_fetched`
    and the validators (ETag/Last-Modified, for the next conditional re-read), so A → B → A keeps
    two rows and the latest is the one fetched last."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    title = title[:MAX_FIELD] if title else title
    now = utcnow()
    with db.atomic():
        _set_status(db, column_id, url, 200, now)
        known = db.execute("SELECT id FROM item_versions WHERE url = ? AND text_hash = ? AND title IS ?",
                           [url, digest, title]).fetchone()
        if known:
            db.execute("UPDATE item_versions SET last_fetched = ?, run_id = ?, etag = ?, last_modified = ? WHERE id = ?",
                       [now, run_id, etag, last_modified, known[0]])
            return False
        db["item_versions"].insert({
            "column_id": column_id, "url": url, "first_fetched": now, "last_fetched": now, "run_id": run_id,
            "title": title, "text_hash": digest, "text": text[:MAX_TEXT], "pub_date": pub_date,
            "written_date": written_date, "publisher": _cap(publisher), "index_no": _cap(index_no),
            "doc_no": _cap(doc_no), "etag": etag, "last_modified": last_modified,
        })
        return True


def record_item_status(db: Database, column_id: str, url: str, http_status: int | None) -> None:
    """The detail page was requested and answered `http_status` (404/410 is deletion evidence;
    304 to a re-read with the latest version's validators: that version was seen again)."""
    now = utcnow()
    with db.atomic():
        _set_status(db, column_id, url, http_status, now)
        if http_status == 304:
            db.execute("""UPDATE item_versions SET last_fetched = ? WHERE id =
                          (SELECT id FROM item_versions WHERE url = ? ORDER BY last_fetched DESC, id DESC LIMIT 1)""",
                       [now, url])


def mark_left_list(db: Database, column_id: str, urls: Iterable[str], when: str | None = None) -> None:
    """These items are no longer listed in their column (call only after the whole list was read,
    not for items merely pushed off the first page). The first time it was noticed is kept; an
    item listed again later is recognised by `last_seen > left_list_at`."""
    when = when or utcnow()
    with db.atomic():
        db.conn.executemany(
            """UPDATE items SET left_list_at = ? WHERE column_id = ? AND url = ?
                 AND (left_list_at IS NULL OR left_list_at < last_seen)""",
            [(when, column_id, url) for url in urls])


def _set_status(db: Database, column_id: str, url: str, status: int | None, now: str) -> None:
    db.execute("UPDATE items SET detail_fetched_at = ?, detail_status = ? WHERE column_id = ? AND url = ?",
               [now, status, column_id, url])


def _cap(value: str | None) -> str | None:
    return value[:MAX_FIELD] if value else value


# ------------------------------------------------------------------------------------- reading

@dataclass(frozen=True, slots=True)
class ItemVersion:
    """One distinct version of an item's detail page."""

    first_fetched: str
    last_fetched: str
    title: str | None
    text_hash: str
    text: str | None
    pub_date: str | None
    written_date: str | None
    publisher: str | None
    index_no: str | None
    doc_no: str | None


@dataclass(frozen=True, slots=True)
class ItemObservation:
    """What the item checks need about one list item (pure data, no DB handle)."""

    unit_id: str
    column_id: str
    column_name: str
    url: str
    title: str
    date: str | None                 # displayed date in the list (ISO)
    first_seen: str
    last_seen: str
    detail_fetched_at: str | None
    detail_status: int | None
    left_list_at: str | None
    #: the latest successful read of the column's list before this item was first seen (None: the
    #: item was there at the column's first crawl), the oldest date that list showed then, and
    #: whether that read reached the end of the listing (None: not recorded)
    previous_crawl_at: str | None
    previous_oldest_date: str | None
    versions: tuple[ItemVersion, ...]   # oldest first
    previous_list_complete: bool | None = None

    @property
    def left_list(self) -> bool:
        return self.left_list_at is not None and self.left_list_at >= self.last_seen

    @property
    def latest(self) -> ItemVersion | None:
        """The version fetched last (on a same-second tie, the one stored last)."""
        if not self.versions:
            return None
        return max(enumerate(self.versions), key=lambda pair: (pair[1].last_fetched, pair[0]))[1]


_ITEM_COLUMNS = ("c.unit_id", "i.column_id", "c.name", "i.url", "i.title", "i.date", "i.first_seen", "i.last_seen",
                 "i.detail_fetched_at", "i.detail_status", "i.left_list_at", "i.first_run")
_VERSION_COLUMNS = ", ".join(ItemVersion.__slots__)


def load_item_observations(db: Database, unit_ids: Iterable[str] | None = None) -> list[ItemObservation]:
    """Every item of the given units' columns with its detail versions and crawl context."""
    units, params = in_list("c.unit_id", unit_ids)
    rows = db.execute(f"SELECT {', '.join(_ITEM_COLUMNS)} FROM items i JOIN columns c ON c.id = i.column_id "
                      f"WHERE {units} ORDER BY c.unit_id, i.column_id, i.first_seen, i.id", params).fetchall()
    versions = _versions(db)
    crawls = _list_crawls(db)
    out = []
    for *head, first_run in rows:
        column, url, first_seen = head[1], head[3], head[6]
        previous = _previous_crawl(crawls.get(column, ()), first_seen, first_run)
        oldest = _oldest_listed(db, column, previous[0]) if previous else None
        out.append(ItemObservation(*head, previous_crawl_at=previous[1] if previous else None,
                                   previous_oldest_date=oldest, versions=tuple(versions.get(url, ())),
                                   previous_list_complete=_flag(previous[2]) if previous else None))
    return out


def _versions(db: Database) -> dict[str, list[ItemVersion]]:
    found: dict[str, list[ItemVersion]] = {}
    for url, *fields in db.execute(
            f"SELECT url, {_VERSION_COLUMNS} FROM item_versions ORDER BY first_fetched, id").fetchall():
        found.setdefault(url, []).append(ItemVersion(*fields))
    return found


_ListCrawl = tuple[int | None, str, int | None]     # run id, time, listing complete (1/0/NULL)


def _list_crawls(db: Database) -> dict[str, list[_ListCrawl]]:
    """Successful list reads per column: (run id, time, reached the listing's end), oldest first."""
    found: dict[str, list[_ListCrawl]] = {}
    for column, *crawl in db.execute(
            """SELECT column_id, run_id, fetched_at, list_complete FROM fetches WHERE purpose = 'list'
               AND column_id IS NOT NULL AND outcome IN ('ok', 'not_modified') ORDER BY fetched_at""").fetchall():
        found.setdefault(column, []).append(tuple(crawl))   # type: ignore[arg-type]
    return found


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _previous_crawl(crawls: Iterable[_ListCrawl], first_seen: str, first_run: int | None) -> _ListCrawl | None:
    earlier = [c for c in crawls if c[1] < first_seen and (first_run is None or c[0] != first_run)]
    return earlier[-1] if earlier else None


def _oldest_listed(db: Database, column_id: str, run_id: int | None) -> str | None:
    """Oldest displayed date among the items a column listed in one run (few items are new, so
    this runs rarely)."""
    if run_id is None:
        return None
    row = db.execute("SELECT min(date) FROM items WHERE column_id = ? AND first_run <= ? AND last_run >= ?",
                     [column_id, run_id, run_id]).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------- reads of the detail planner

@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item of a column as stored before this run (`crawler.detail.DetailPlanner`)."""

    title: str
    date: str | None
    first_seen: str
    last_seen: str
    fetched_at: str | None
    status: int | None
    left_at: str | None
    etag: str | None                # validators of the latest detail version, for a conditional re-read
    last_modified: str | None

    @property
    def left(self) -> bool:
        return self.left_at is not None and self.left_at >= self.last_seen


def stored_items(db: Database, column_id: str) -> dict[str, StoredItem]:
    """The column's stored items by URL, with the validators of their latest detail version."""
    return {row[0]: StoredItem(*row[1:]) for row in db.execute(
        """SELECT i.url, i.title, i.date, i.first_seen, i.last_seen, i.detail_fetched_at, i.detail_status,
                  i.left_list_at, v.etag, v.last_modified
           FROM items i LEFT JOIN item_versions v ON v.id =
             (SELECT id FROM item_versions WHERE url = i.url ORDER BY last_fetched DESC, id DESC LIMIT 1)
           WHERE i.column_id = ?""", [column_id]).fetchall()}


def recheck_candidates(db: Database, unit_ids: list[str], *, first_seen_since: str, read_before: str,
                       recent_date: str, overdue_before: str, gone: Iterable[int]) -> list[tuple[str, str, str, str]]:
    """(unit id, column id, column name, url) of the items of these units' latest listings first
    seen since `first_seen_since`, not read since `read_before`, still listed and whose detail
    page did not answer a `gone` status; in the order they deserve a re-read: recent items not
    read since `overdue_before`, then backlog items (listed when their column was first read and
    dated before `recent_date`), then the other recent ones, least recently read first."""
    units, params = in_list("c.unit_id", unit_ids)
    statuses, status_params = in_list("coalesce(i.detail_status, 0)", gone)
    return db.execute(
        f"""WITH latest AS (SELECT c.unit_id, c.id, c.name, max(i.last_seen) AS seen, min(i.first_run) AS first_run
                            FROM columns c JOIN items i ON i.column_id = c.id WHERE {units} GROUP BY c.id)
            SELECT l.unit_id, l.id, l.name, i.url FROM latest l JOIN items i ON i.column_id = l.id
            WHERE i.last_seen = l.seen AND (i.left_list_at IS NULL OR i.left_list_at < i.last_seen)
              AND NOT {statuses} AND i.first_seen >= ? AND coalesce(i.detail_fetched_at, '') < ?
            ORDER BY CASE WHEN i.first_run IS l.first_run AND i.date < ? THEN 1
                          WHEN coalesce(i.detail_fetched_at, '') < ? THEN 0 ELSE 2 END,
                     coalesce(i.detail_fetched_at, ''), i.first_seen DESC, i.url""",
        [*params, *status_params, first_seen_since, read_before, recent_date, overdue_before]).fetchall()


# ------------------------------------------------------------------------------------- extraction

#: Containers of the main text on the CMSs we meet (TRS, Hanweb, generic), most specific first.
_BODY_XPATHS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@id='zoom' or @id='UCAP-CONTENT' or @id='Zoom']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article_content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[@id='content' or @class='content']",
    "//article",
)
#: Page furniture that is never main text, by tag or by class/id words.
_FURNITURE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "button")
_FURNITURE_WORDS = re.compile(r"(?:^|[\s_-])(?:nav|header|footer|breadcrumb|position|share|print|close|toolbar|"
                              r"left-nav|sidebar|pager|pagination|views|counter)(?:$|[\s_-])", re.I)
#: Boilerplate lines or fragments inside the body: counters, print/close links, font switches.
_BOILERPLATE = re.compile(
    r"(?:浏览次数|浏览量|访问量|访问次数|阅读次数|阅读量|点击数|点击量|点击次数)\s*[:：]?\s*\d*\s*次?|"
    r"[【\[]\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|大|中|小)\s*[】\]]|"
    r"字体\s*[:：]?\s*[\[【]?\s*[大中小\s]*[\]】]?|分享到\s*[:：]?")
_BOILERPLATE_LINE = re.compile(r"(?:(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏本页|上一篇|下一篇)\s*)+")
MAX_TEXT_LINES = 5_000


def main_text(html: str | bytes | etree._Element) -> str:
    """The main body text of a detail page, one line per paragraph, without boilerplate, so a
    view counter or a new navigation link is never taken for an edit of the document."""
    root = parse_page(html)
    if root is None:
        return ""
    for bad in root.xpath("//*[" + " or ".join(f"self::{t}" for t in _FURNITURE_TAGS) + "]"):
        drop_element(bad)
    for el in root.xpath("//*[@class or @id]"):
        if _FURNITURE_WORDS.search(f"{el.get('class', '')} {el.get('id', '')}"):
            drop_element(el)
    body = next((found[0] for xp in _BODY_XPATHS if (found := root.xpath(xp))), None)
    if body is None:
        body = root.find("body") if root.find("body") is not None else root
    lines = []
    for line in _lines(body):
        line = _BOILERPLATE.sub("", line).strip()
        if line and not _BOILERPLATE_LINE.fullmatch(line):
            lines.append(line)
    return "\n".join(lines[:MAX_TEXT_LINES])


_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "publisher": ("发布机构", "发文机关", "发布单位", "公开主体", "来源"),
    "written_date": ("成文日期", "生成日期", "发文日期", "印发日期", "成文时间"),
    "pub_date": ("发布日期", "发布时间", "公开日期", "公开时间", "时间", "日期"),
    "doc_no": ("文号", "发文字号"),
}
_ANY_LABEL = "|".join(sorted({label for labels in _LABELS.values() for label in labels}, key=len, reverse=True))
#: a label not glued to a preceding Chinese word (归档时间 is not 时间), then its value up to the
#: next wide gap, line end or label
_FIELD = re.compile(rf"(?<![\u4e00-\u9fff])({_ANY_LABEL})\s*[:：]\s*(.*?)\s*(?=\s{{2,}}|$|(?<=\s)(?:{_ANY_LABEL})\s*[:：])")
_BARE_LABEL = re.compile(rf"^({_ANY_LABEL})\s*[:：]?$")
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})")
_DATE_KEYS = ("pub_date", "written_date")


def item_metadata(html: str | bytes | etree._Element) -> dict[str, str | None]:
    """发布日期, 成文日期, 发布机构, 索引号, 文号 of a detail page, keyed like the arguments of
    `record_item_version` (dates ISO). Read from the 信息公开 metadata block, in table cells or
    as `label：value` text, with `<meta name="PubDate">` as the fallback 发布日期."""
    found: dict[str, str | None] = dict.fromkeys(_LABELS)
    root = parse_page(html)
    if root is None:
        return found
    for bad in root.xpath("//script|//style"):
        drop_element(bad)
    candidates: dict[str, list[tuple[int, str]]] = {}
    lines = _lines(root)
    for n, line in enumerate(lines):
        bare = _BARE_LABEL.match(line)
        pairs = [(bare.group(1), lines[n + 1] if n + 1 < len(lines) else "")] if bare else _FIELD.findall(line)
        for label, value in pairs:
            key = next(k for k, labels in _LABELS.items() if label in labels)
            value = _value(key, value)
            if value:
                candidates.setdefault(key, []).append((_LABELS[key].index(label), value))
    for key, values in candidates.items():
        found[key] = min(values, key=lambda v: v[0])[1]     # the most specific label wins
    if found["pub_date"] is None:
        meta = root.xpath("//meta[@name='PubDate' or @name='pubdate' or @name='publishdate']/@content")
        found["pub_date"] = _value("pub_date", meta[0]) if meta else None
    return found


def _value(key: str, text: str) -> str | None:
    text = text.strip()
    if key in _DATE_KEYS:
        m = _DATE.search(text)
        if not m:
            return None
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    if not text or _BARE_LABEL.match(text) or _FIELD.match(text):
        return None
    return text[:MAX_FIELD]


def parse_page(html: str | bytes | etree._Element) -> Any:
    """A plain lxml tree of a page, or None for a page without markup. A tree passed in is used as
    it is (and pruned by `main_text`). The markup is cleaned first (`monitor.scraped`), so
    nothing read from the tree carries a control character (lxml refuses them when a pruned
    element's tail text moves). Plain elements: lxml.html's element classes cost a Python lookup
    per node visited."""
    if isinstance(html, etree._Element):
        return html
    if isinstance(html, bytes):
        html = decode_html(html)[1]
    html = clean_markup(html)
    if not html.strip():
        return None
    try:
        try:
            return etree.fromstring(html, _HTML_PARSER)
        except ValueError:   # a str with an XML encoding declaration
            return etree.fromstring(html.encode("utf-8", "replace"), _UTF8_HTML_PARSER)
    except etree.LxmlError:
        return None


def drop_element(el: Any) -> None:
    """Remove an element but keep its tail text (it belongs to the text around it)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


#: huge_tree: without it libxml2 silently drops everything nested deeper than 255 elements (a page
#: of unclosed <div>s or <font>s loses its end); with it the limit is 2048
_HTML_PARSER = etree.HTMLParser(huge_tree=True)
_UTF8_HTML_PARSER = etree.HTMLParser(encoding="utf-8", huge_tree=True)
_BLOCKS = ("p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dd",
           "dt", "section", "pre", "ul", "ol", "dl", "blockquote")
_WIDE_GAP = re.compile("[^\\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]{2,}")   # within a line (str.splitlines)
#: the text of a tree with a line break around each block element; comments and processing
#: instructions give nothing (XSLT's built-in rules), their tails are text like any other
_BLOCK_TEXT = etree.XSLT(etree.XML(f"""\
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="utf-8"/>
  <xsl:template match="{'|'.join(_BLOCKS)}">
    <xsl:text>&#10;</xsl:text><xsl:apply-templates/><xsl:text>&#10;</xsl:text>
  </xsl:template>
</xsl:stylesheet>"""))


def _lines(el: Any) -> list[str]:
    """Text split at block elements and table cells, whitespace collapsed per line except wide
    gaps (kept as two spaces: they separate `label：value` pairs on one line). An XSLT pass:
    walking the nodes in Python cost ~1 ms, setting text on them ~3 ms, on a report page."""
    text = _WIDE_GAP.sub("  ", str(_BLOCK_TEXT(el)).replace("\u3000", "  ").replace("\xa0", " "))
    return [line for raw in text.splitlines() if (line := raw.strip())]