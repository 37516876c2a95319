"""Page reading, the bottom of the crawler: an HTML page as a plain lxml tree, its text, its links,
and what of it is never content (scripts, client-side templates). Every layout
(`crawler.pages.layouts`), list reading (`crawler.extract`), discovery and detail pages read pages
through this module. It knows no CMS: what a family writes is its layout's business."""
from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date
from functools import lru_cache
from itertools import accumulate
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from monitor.charset import decode_html
from monitor.item_observations import MAX_FIELD
from monitor.observations import canonical_url
from monitor.scraped import clean_markup

WS = re.compile(r"\s+")
#: link texts of navigation and pagers, never an item's title
NAV_TEXT = re.compile(r"^(?:网站首页|首页|返回首页|返回|更多|more|上一页|下一页|上页|下页|前页|后页|尾页|末页|跳转|go"
                      r"|\d{1,4}|[<>«»‹›.…]+)[\s>»]*$", re.I)
#: attached documents (a list item may link one straight)
DOCUMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar)$", re.I)
_NOT_CONTENT_TAGS = ("script", "style", "template", "noscript")
_TEMPLATE_CANDIDATES = etree.XPath("//*[@*[starts-with(name(), 'ms-') or starts-with(name(), 'v-')]]")
_TEMPLATE_ATTR = re.compile(r"^(?:ms-(?:repeat|for|each|text|html|attr-)|v-for$|v-bind:)")
_TEMPLATE_MARKERS = ("ms-", "v-for", "v-bind:")   # what each _TEMPLATE_ATTR name contains


def drop_hidden(root: etree._Element, html_text: str) -> None:
    """Remove scripts and client-side template markup; the raw text gates the costly XPath (a
    bare "v-" would not: `class="nav-wrap"` is on most pages)."""
    etree.strip_elements(root, *_NOT_CONTENT_TAGS, with_tail=False)
    if not any(marker in html_text for marker in _TEMPLATE_MARKERS):
        return
    for el in _TEMPLATE_CANDIDATES(root):
        if any(_TEMPLATE_ATTR.match(name) for name in el.keys()):
            drop_element(el)   # the text that follows it stays


def text(el: etree._Element) -> str:
    """All the text under an element."""
    return "".join(el.itertext())


def host(url: str) -> str:
    """The host of a URL as canonical URLs spell it."""
    return canonical_url(url).split("/")[2] if "//" in url else ""


def link(href: str | None, base: "Base") -> str | None:
    """The http(s) URL a link's href names, without its fragment; None for scripts, mail, anchors."""
    href = (href or "").strip()
    if not href or href.startswith("#") or "{{" in href:
        return None
    scheme = href.partition(":")[0].lower() if ":" in href[:12] else ""
    if scheme and scheme not in ("http", "https"):
        return None
    url = base.join(href).partition("#")[0]
    return url if url.startswith(("http://", "https://")) else None


class Base:
    """A page URL split once for resolving its links: urljoin, with fast paths for the shapes
    list pages use (urljoin was a third of the extraction time): absolute URLs, root-relative
    paths, and relative names with leading `./` or `../` segments only."""

    __slots__ = ("url", "origin", "directory", "path_start")

    def __init__(self, page_url: str):
        self.url = page_url
        host_start = page_url.find("//") + 2
        self.path_start = page_url.find("/", host_start) if host_start >= 2 else -1
        if self.path_start >= 0:
            cut = [i for i in (page_url.find("?"), page_url.find("#")) if i >= 0]
            self.origin = page_url[:self.path_start]
            self.directory = page_url[:page_url.rfind("/", self.path_start, min(cut, default=len(page_url))) + 1]

    def join(self, href: str) -> str:
        if href.startswith(("http://", "https://")):
            return href
        if self.path_start < 0 or href.startswith(("//", "?", "#")) or ":" in href:
            return urljoin(self.url, href)
        if href.startswith("/"):
            return self.origin + href if "/." not in href else urljoin(self.url, href)
        base, original = self.directory, href
        while True:
            if href.startswith("./"):
                href = href[2:]
            elif href.startswith("../") and len(base) > self.path_start + 1:
                href, base = href[3:], base[:base.rfind("/", self.path_start, len(base) - 1) + 1]
            else:
                break
        if href.startswith(".") or "/." in href:
            return urljoin(self.url, original)
        return base + href


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces (`str.split` knows the whitespace `\\s` does, in a
    quarter of the time: every link text of every list page passes here)."""
    return " ".join(text.split())


def text_outside(row: etree._Element, anchor: etree._Element) -> str:
    """The row's text without the title link's own text (a title may contain a date)."""
    if row is anchor:
        return (anchor.tail or "")[:80]
    # pieces joined by a space: a hidden year next to the month-day (`<i>2015</i>06-16`) stays apart
    return " ".join(row.itertext()).replace(" ".join(anchor.itertext()), " ", 1)


#: Page furniture that is never main text, by tag or by class/id words.
_FURNITURE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "button")
#: (a word of a class or id value: nothing but a space, `_` or `-` next to it, so one scan of the
#: values joined by line breaks finds the words of each)
_FURNITURE_WORDS = re.compile(r"(?<![^\s_-])(?:nav|header|footer|breadcrumb|position|share|print|close|toolbar|"
                              r"left-nav|sidebar|pager|pagination|views|counter)(?![^\s_-])", re.I)
#: Boilerplate lines or fragments inside the body: counters, print/close links, font switches.
_BOILERPLATE = re.compile(
    r"(?:浏览次数|浏览量|访问量|访问次数|阅读次数|阅读量|点击数|点击量|点击次数)\s*[:：]?\s*\d*\s*次?|"
    r"[【\[]\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|大|中|小)\s*[】\]]|"
    r"字体\s*[:：]?\s*[\[【]?\s*[大中小\s]*[\]】]?|分享到\s*[:：]?")
#: what every _BOILERPLATE or _BOILERPLATE_LINE match contains
_BOILERPLATE_HINT = re.compile(r"浏览|访问|阅读|点击|打印|关闭|返回|收藏|字体|分享|上一篇|下一篇|[【\[]\s*[大中小]")
_BOILERPLATE_LINE = re.compile(r"(?:(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏本页|上一篇|下一篇)\s*)+")
MAX_TEXT_LINES = 5_000


def body_text(html: str | bytes | etree._Element, containers: tuple[str, ...]) -> str:
    """The main body text of a detail page, one line per paragraph, without boilerplate, so a
    view counter or a new navigation link is never taken for an edit of the document. The body is
    the first of `containers` (XPaths, most specific first: the layouts' `detail_body`) found.
    A `//*[…]` XPath visits every element (~0.25 ms on a report page), so furniture tags go by
    tag and a container naming a class or id is tried only when the page has that word."""
    root = parse_page(html)
    if root is None:
        return ""
    etree.strip_elements(root, *_FURNITURE_TAGS, with_tail=False)
    values = _CLASS_OR_ID(root)
    for n in _lines_matching(_FURNITURE_WORDS, values):
        drop_element(values[n].getparent())
    body = _container(root, values, containers)
    if body is None:
        body = root.find("body") if root.find("body") is not None else root
    lines = text_lines(body)
    for n in reversed(_lines_matching(_BOILERPLATE_HINT, lines)):    # a handful of a page's lines
        line = _BOILERPLATE.sub("", lines[n]).strip()
        if line and not _BOILERPLATE_LINE.fullmatch(line):
            lines[n] = line
        else:
            del lines[n]
    return "\n".join(lines[:MAX_TEXT_LINES])


_CLASS_OR_ID = etree.XPath("//@class | //@id")
_LITERAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")


@lru_cache(maxsize=256)
def _words(xpath: str) -> tuple[str, ...]:
    """The class/id words an XPath can only match with (its quoted literals), or () when it tests
    anything else too (another attribute, text) and must always be tried."""
    if set(re.findall(r"@([\w-]+)", xpath)) - {"class", "id"} or "(" in xpath.replace("contains(", "") \
            .replace("concat(", "").replace("normalize-space(", ""):
        return ()
    return tuple(w for a, b in _LITERAL.findall(xpath) if (w := (a or b).strip()))


def _container(root: Any, values: list[Any], containers: tuple[str, ...]) -> Any:
    """The first element the first of `containers` that finds one finds. A `//*[…]` XPath that
    tests only class and id words is tried on the elements whose class or id holds one of its
    words (the page's `values`, in document order), not on every element of the page: a report
    page has thousands, and the scan was a fifth of its main text's cost. Elements pruned out of
    the tree since `values` was read are not candidates."""
    named = " ".join(values)
    for xpath in containers:
        words = _words(xpath)
        if words and not any(word in named for word in words):
            continue
        test = _self_test(xpath) if words else None
        if test is None:
            found = root.xpath(xpath)
            if found:
                return found[0]
            continue
        tried = set()
        for value in values:
            element = value.getparent()
            if element in tried or not any(word in value for word in words):
                continue
            tried.add(element)
            if test(element) and (element is root or root in element.iterancestors()):
                return element
    return None


@lru_cache(maxsize=64)
def _self_test(xpath: str) -> etree.XPath | None:
    """`//*[tests]` as a test of one element (`self::*[tests]`); None for other shapes."""
    return etree.XPath("self::*" + xpath[3:]) if xpath.startswith("//*[") else None


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
_LABEL = re.compile(_ANY_LABEL)
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
    etree.strip_elements(root, "script", "style", with_tail=False)
    candidates: dict[str, list[tuple[int, str]]] = {}
    lines = text_lines(root)
    for n in _lines_matching(_LABEL, lines):
        line = lines[n]
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


def _lines_matching(pattern: re.Pattern[str], lines: list[str]) -> list[int]:
    """The numbers of the lines `pattern` finds something in (it must not match across lines),
    by one scan of the whole text: a report page has hundreds of lines and a handful of labels."""
    starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
    return sorted({bisect_right(starts, m.start()) - 1 for m in pattern.finditer("\n".join(lines))})


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
    it is (and pruned by `body_text`). The markup is cleaned first (`monitor.scraped`), so
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


def text_lines(el: Any) -> list[str]:
    """Text split at block elements and table cells, whitespace collapsed per line except wide
    gaps (kept as two spaces: they separate `label：value` pairs on one line). An XSLT pass:
    walking the nodes in Python cost ~1 ms, setting text on them ~3 ms, on a report page."""
    text = _WIDE_GAP.sub("  ", str(_BLOCK_TEXT(el)).replace("\u3000", "  ").replace("\xa0", " "))
    return list(filter(None, map(str.strip, text.splitlines())))   # most of its lines are blank