"""Column discovery by structure: every link of a unit's disclosure navigation that leads to a page
on the county's hosts is a column, whatever it is called.

A keyword list found a third of the columns a supervisor checks (政府公报, 常务会议, 重大建设项目 … were
never monitored and nothing said so). So a link is taken unless the page's structure says it is no
column, and every link not taken keeps its reason (`gongkai discover` shows them):
- it leads elsewhere: another government's or an external system's host (`crawler.hosts`; another
  host under the same registered gov.cn name is named as such, to be listed in `crawl.allowed_hosts`), the home
  page, this page or a page above it (a breadcrumb), an article or a document;
- it is a service, not a list: search, login, 互动交流 forms (我要写信, 投诉, 访谈, 调查), site
  furniture (网站地图, 联系我们, 设为首页, 无障碍 …). A message board (政务咨询, 领导信箱, 网民留言 …)
  is the exception: it is the unit's interaction channel, a column of category `interaction` whose
  messages the crawl reads (W7), unless it names a form (我要咨询, 写信) or its path is dated (one
  message, an article); it must pass the other tests too (the site-wide menu's 县长信箱 is not a unit's);
- it is an item of a list: its row shows a date, or its name is as long as a headline; or a pager link;
- it belongs to the site-wide menu: on a page in a section of the site (/zwgk/…), a link to another
  section whose menu (the nearest block of ≥ 3 links) mostly leads to other sections too; or a
  link to a peer of the page (beside it, not below it: /xinghl/child/qqgk/ seen from
  /xinghl/child/zwgk/) in a menu that lists the page itself or a page above it — the menu the page
  is an entry of, whose other entries are the page's peers, not its columns (a site kept under a
  path, where every link shares the first segment);
- it opens by script (`javascript:changeClass('3fa1…','政策法规',1)`, a tab whose list is loaded by
  AJAX) and its address cannot be computed: it is named for the user to configure by hand. When the
  function it calls, defined in the page, hands a list plugin the list's data address built from
  its parameters (`crawler.pages.scripts`), that address with the call's arguments is the column's
  (found `via` the script; the crawl reads it as a list: an HTML fragment of rows or JSON).
A tile's name may sit next to its link (`<div>全域旅游</div><a class="more" href="qyly/"></a>`): an
empty or "更多" link takes the text of the element before it.

The name still picks the category and the cycle (`monitor.categories`); what matches no category gets
`rules.cycles.default`. `navigation(…, children=True)` reads a column page for sub-columns below its
own directory: a column page that is itself a navigation (法定主动公开内容, 重点领域) is followed one level.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import SplitResult, urlsplit

from lxml import etree

from crawler.hosts import host_of
from crawler.pages.html import NAV_TEXT, Base, drop_hidden, parse_page
from crawler.pages.html import link as link_url
from crawler.pages.layouts import is_article_url
from crawler.pages.scripts import list_data_url
from monitor.categories import board_name
from monitor.observations import canonical_url

#: why a link is not a column, in the words `gongkai discover` shows (one place for the reasons)
SKIP_REASONS = {
    "offsite": "其他网站（不在本县政府的主机之列）",
    "other_host": "本政府的另一主机：在 crawl.allowed_hosts 中列出后即可监测",
    "home": "网站首页",
    "self": "本页或上级页面",
    "article": "文章或文件",
    "item": "信息条目（带日期或像标题）",
    "service": "搜索、登录、互动交流等功能链接",
    "site_menu": "全站导航菜单（不属于本页的栏目）",
    "unnamed": "没有名称",
    "pager": "翻页链接",
    "not_below": "不在本栏目之下",
    "script": "由脚本打开，页面中没有地址：如需监测，请在 config.yaml 中手工填写该栏目",
}
#: how a column was found when not as a link with an address (`Link.via`, shown by `gongkai discover`)
FOUND_VIA = {"script": "页签由脚本打开：地址是页面脚本交给列表插件的数据地址"}
#: a column page is a navigation when it links to at least this many sub-columns below it; it is
#: recorded with this page kind (besides `crawler.extract.PAGE_KINDS`), its note the number of them
MIN_SUB_COLUMNS = 2
NAVIGATION = "navigation"
MAX_NAME = 20           # a column's name is short; a longer link text is a headline
_MENU_LINKS = 3         # the nearest block with this many links is the link's menu
_MENU_DEPTH = 6

_WS = re.compile(r"\s+")
_GENERIC = re.compile(r"^(?:更多|查看更多|more|进入|详细|详情|>+|»+|\+|[.…]+)[\s>»]*$", re.I)
_HOME_TEXT = re.compile(r"^(?:网站首页|首页|返回首页|主页|门户首页)$")
_SERVICE_TEXT = re.compile(
    r"搜索|检索|登录|登陆|注册|留言|信箱|咨询|投诉|举报|访谈|网上调查|在线调查|问卷|互动交流|政民互动|我要|办事大厅|"
    r"网站地图|联系我们|设为首页|加入收藏|收藏本站|无障碍|长者模式|关怀版|简体|繁体|English|手机版|RSS|订阅|"
    r"关于我们|网站声明|隐私|纠错|下载中心", re.I)
_SERVICE_URL = re.compile(
    r"search|login|logon|(?<![a-z])sso(?![a-z])|register|guestbook|liuyan|mailbox|interact|hdjl|zxft|wsdc|survey|"
    r"sitemap|wzdt|lxwm|download|\.(?:jpg|png|gif)$", re.I)
_FORM_TEXT = re.compile(r"我要|写信|提交|登录|登陆")     # a board's form, not its list of messages
_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|(?<!\d)\d{1,2}[-/.月]\d{1,2}(?!\d)")
_HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*["']?([^"'\s>]+)""", re.I)
_HOME_PATHS = {"/", "/index/", "/default/", "/portal/", "/home/"}
_SCRIPT_CALL = re.compile(r"^\s*javascript:\s*(?!void\b)[\w$.]+\(\s*[^)\s]", re.I)   # a call with arguments
_SCRIPT_HREF = re.compile(r"""href\s*=\s*["']?\s*javascript:""", re.I)
_HERE = "^"     # section key of the page itself and the pages above it (home, breadcrumb)
_PEER = "~"     # prefix of the section key of a page beside the page, in its section
_PAGER_URL = re.compile(r"/index_\d+\.\w+$|[?&](?:page|pageno|pagenum|currpage|curpage|cur_page|pn)=\d+", re.I)


@dataclass(slots=True)
class Link:
    """A link of the navigation: a column (`reason` None) or why it is not one (a SKIP_REASONS key);
    `via` a FOUND_VIA key when its address is not its href."""

    name: str
    url: str
    reason: str | None = None
    via: str | None = None


@dataclass(slots=True)
class Navigation:
    columns: list[Link] = field(default_factory=list)
    skipped: list[Link] = field(default_factory=list)
    tree: Any = None            # the page as parsed (its links are W12's: crawler.links)

    def pairs(self) -> list[tuple[str, str]]:
        return [(c.name, c.url) for c in self.columns]


def discover_columns(html_text: str, page_url: str, hosts: Iterable[str] = (),
                     anchors: Callable[[Any], None] | None = None) -> list[tuple[str, str]]:
    """(name, absolute URL) of the columns a unit's site page links to (see the module); `anchors`
    is handed the page's tree (`crawler.links.Anchors.collect`)."""
    found = navigation(html_text, page_url, hosts)
    if anchors is not None and found.tree is not None:
        anchors(found.tree)
    return found.pairs()


def sub_columns(html_text: str, page_url: str, hosts: Iterable[str] = (),
                anchors: Callable[[Any], None] | None = None) -> list[tuple[str, str]]:
    """The sub-columns a column page links to below its own directory, when it links to at least
    MIN_SUB_COLUMNS of them (then the page is a navigation, not a list, and `anchors` is handed its
    tree); else []. Every column page of a crawl passes here, so a scan of its raw links rules out
    most list pages before parsing."""
    if not _may_link_below(html_text, page_url):
        return []
    found = navigation(html_text, page_url, hosts, children=True)
    if len(found.columns) < MIN_SUB_COLUMNS:
        return []
    if anchors is not None:
        anchors(found.tree)
    return found.pairs()


def _may_link_below(html_text: str, page_url: str) -> bool:
    """At least MIN_SUB_COLUMNS distinct links below the page's directory that are neither articles
    nor pager links (a superset of its sub-columns: only a "no" is final)."""
    base = Base(page_url)
    key = canonical_url(page_url)
    top = children_root(key)
    # a URL canonical_url puts below `top` has top's path (but perhaps its last "/") in it: a
    # substring test spares the canonical spelling of most links (articles, other sections)
    stem = "/" + top.split("/", 3)[3].rstrip("/") if top.count("/") > 3 and "?" not in top else ""
    below: set[str] = set()
    for href in _HREF.findall(html_text):
        url = base.join(href.strip()).partition("#")[0]
        # an article stays one when spelled canonically (tests/test_layouts.py): the list's rows cost
        # no canonical spelling
        if stem not in url or is_article_url(url):
            continue
        url = canonical_url(url)
        if url.startswith(top) and url != key and not _PAGER_URL.search(url):
            below.add(url)
            if len(below) >= MIN_SUB_COLUMNS:
                return True
    return False


def children_root(key: str) -> str:
    """Where a column page's sub-columns live (`key` canonical): below its directory (…/fdzdgknr/,
    …/index.html), or for a page that is a file (VSB's …/tzgg.htm) below its own stem (…/tzgg/),
    since the files beside it are the other columns of its menu."""
    head, _, last = key.rpartition("/")
    return f"{head}/{last.rpartition('.')[0] or last}/" if last else key


def same_government(url: str, page_url: str, hosts: Iterable[str]) -> bool:
    """Whether `url` is on the page's host (with or without www.) or one of the county's `hosts`."""
    host, page_host = host_of(url), host_of(page_url)
    return host in hosts or host.removeprefix("www.") == page_host.removeprefix("www.")


def navigation(html_text: str, page_url: str, hosts: Iterable[str] = (), *, children: bool = False) -> Navigation:
    """Every link of the page, each a column or skipped with its reason; first link wins per URL
    and per name. `hosts`: the county's hosts (`crawler.hosts.county_hosts`) besides the page's own."""
    result = Navigation()
    root = parse_page(html_text)
    if root is None:
        return result
    scripted = not children and _SCRIPT_HREF.search(html_text) is not None
    scripts = "\n".join(s.text or "" for s in root.iter("script") if s.get("src") is None) if scripted else ""
    drop_hidden(root, html_text)
    result.tree = root
    page = _Page(page_url, frozenset(hosts))
    base = Base(page_url)
    anchors = list(root.iter("a"))
    links = [(a, url, canonical_url(url)) for a in anchors if (url := link_url(a.get("href"), base)) is not None]
    scope = {a: page.section_of(url, key) for a, url, key in links}
    seen_urls: set[str] = {page.key}
    seen_names: set[str] = set()
    for anchor, url, key in links:
        if key in seen_urls:
            continue
        seen_urls.add(key)
        name = _name(anchor)
        reason = page.reason(anchor, url, key, name, scope, children)
        if reason is None and name in seen_names:
            continue
        link = Link(name, url, reason)
        if reason is None:
            seen_names.add(name)
            result.columns.append(link)
        else:
            result.skipped.append(link)
    for link in _scripted(anchors, scripts, page, base) if scripted else ():
        if link.reason is not None:
            result.skipped.append(link)
        elif canonical_url(link.url) not in seen_urls and link.name not in seen_names:
            seen_urls.add(canonical_url(link.url))
            seen_names.add(link.name)
            result.columns.append(link)
    return result


def _scripted(anchors: Iterable[etree._Element], scripts: str, page: "_Page", base: Base) -> list[Link]:
    """Links that open by script with an argument and are named like a column (a tab whose list
    is loaded by AJAX): a column at the list data address the page's script computes for it (off
    the county's hosts: skipped as such), else named with reason `script` so the user is told."""
    found: dict[str, Link] = {}
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        if _SCRIPT_CALL.match(href) and href not in found:
            name = _name(anchor)
            if name and len(name) <= MAX_NAME and not (NAV_TEXT.match(name) or _SERVICE_TEXT.search(name)
                                                       or _dated(anchor)):
                url = link_url(list_data_url(scripts, href), base)
                found[href] = Link(name, url, page.host_reason(url), "script") if url else Link(name, href, "script")
    return list(found.values())


class _Page:
    """The page whose links are read: its host, path, directory and section. The section is the
    page's first path segment (a site-wide menu leads to other sections); a Hanweb column page
    (/col/colN/) has none, its columns being siblings of it. Within the section, a link is below
    the page (its directory), above it (the page itself, home, breadcrumb) or a peer beside it."""

    def __init__(self, page_url: str, hosts: frozenset[str]):
        self.url, self.hosts, self.key = page_url, hosts, canonical_url(page_url)
        parts = urlsplit(self.key)
        self.netloc, self.path = parts.netloc, parts.path
        self.directory = self.path[:self.path.rfind("/") + 1]
        self.children = urlsplit(children_root(self.key)).path
        first = self.directory.split("/")[1] if self.directory.count("/") > 1 else ""
        self.section = f"/{first}/" if first and first != "col" else "/"

    def section_of(self, url: str, key: str) -> str | None:
        """The other section of the site a link leads to (its first path segment); _HERE for the
        page or a page above it; _PEER and the segment where it branches off for a page beside
        it in its section; "" when it leads below the page or to another of the county's hosts (a
        unit's disclosure platform); None for a link off the county's hosts (it counts for no menu)."""
        if not same_government(url, self.url, self.hosts):
            return None
        parts = urlsplit(key)
        if parts.netloc != self.netloc:
            return ""
        path = parts.path
        if self.above(parts):
            return _HERE
        if not path.startswith(self.section):
            return path.split("/")[1]
        if path.startswith(self.directory):
            return ""
        depth = self.directory.count("/", 0, len(os.path.commonprefix((path, self.directory))))
        return _PEER + path.split("/")[depth]

    def above(self, parts: SplitResult) -> bool:
        """The page itself or a directory above it (home, a breadcrumb) on the page's host."""
        return parts.netloc == self.netloc and not parts.query and self.path.startswith(parts.path)

    def below(self, key: str) -> bool:
        """On the page's host, below its directory: a sub-column."""
        parts = urlsplit(key)
        return parts.netloc == self.netloc and parts.path.startswith(self.children) and parts.path != self.children

    def host_reason(self, url: str) -> str | None:
        """`other_host` or `offsite` for a link off the county's hosts, else None."""
        if same_government(url, self.url, self.hosts):
            return None
        return "other_host" if _domain(host_of(url)) == _domain(host_of(self.url)) else "offsite"

    def reason(self, anchor: etree._Element, url: str, key: str, name: str,
               scope: dict[etree._Element, str | None], children: bool) -> str | None:
        """Why the link is not a column, or None when it is one."""
        if scope[anchor] is None:
            return self.host_reason(url)
        parts = urlsplit(key)
        path = parts.path
        if (path.lower() in _HOME_PATHS and not parts.query) or _HOME_TEXT.match(name):
            return "home"
        if self.above(parts):
            return "self"                     # a directory above the page (a breadcrumb)
        if is_article_url(url):
            return "article"
        if (_SERVICE_URL.search(path) or _SERVICE_TEXT.search(name)) and not _board(name, path):
            return "service"
        if NAV_TEXT.match(name) or _PAGER_URL.search(url):
            return "pager"
        if not name:
            return "unnamed"
        if len(name) > MAX_NAME or _dated(anchor):
            return "item"
        if children:
            return None if self.below(key) else "not_below"
        if self.section != "/" and scope[anchor] and _menu_leads_elsewhere(anchor, scope):
            return "site_menu"
        return None


def _board(name: str, path: str) -> bool:
    """A message board's link (see the module): its name, not a form's, and no dated path."""
    return board_name(name) and not _FORM_TEXT.search(name) and not _DATE.search(path)


def _domain(host: str) -> str:
    """The name a government registers: `hd.gov.cn` for www.hd.gov.cn and hdzfxxgk.hd.gov.cn."""
    labels = host.split(".")
    return ".".join(labels[-3:] if host.endswith(".gov.cn") else labels[-2:])


def _menu_leads_elsewhere(anchor: etree._Element, scope: dict[etree._Element, str | None]) -> bool:
    """The link's menu (nearest ancestor with ≥ _MENU_LINKS links on the county's hosts) mostly
    leads to other sections, spread over several of them: the site-wide menu. So does a menu that
    lists the page (or a page above it) among peers of it: the menu the page is an entry of. A
    unit's navigation kept in one other section (a 政务公开 page whose columns live under /xxgk/)
    is not, nor a tree whose branch lies beside the page, and a lone link is given the benefit."""
    el = anchor.getparent()
    for _ in range(_MENU_DEPTH):
        if el is None:
            return False
        sections = [scope[a] for a in el.iter("a") if scope.get(a) is not None]
        if len(sections) >= _MENU_LINKS:
            elsewhere = [s for s in sections if s and s[0] not in (_HERE, _PEER)]
            if _HERE in sections and not _spread(elsewhere, len(sections)):
                elsewhere = [s for s in sections if s]
            return _spread(elsewhere, len(sections))
        el = el.getparent()
    return False


def _spread(elsewhere: list[str], links: int) -> bool:
    """Most of a menu's links lead elsewhere, and to several places."""
    return len(elsewhere) * 2 > links and len(set(elsewhere)) * 2 > len(elsewhere)


def _name(anchor: etree._Element) -> str:
    """The link's text, else its title or image alt, else (a tile, a "更多" link) the text of the
    element before it, up to two levels up while the block holds no other link."""
    text = _squeeze("".join(anchor.itertext()))
    if text and not _GENERIC.match(text):
        return text
    for attr in (anchor.get("title"), *(img.get("alt") for img in anchor.iter("img"))):
        if attr and _squeeze(attr):
            return _squeeze(attr)
    el = anchor
    for _ in range(2):
        for sibling in el.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str) or sibling.find(".//a") is not None or sibling.tag == "a":
                break
            label = _squeeze("".join(sibling.itertext()))
            if label:
                return label if len(label) <= MAX_NAME else ""
        parent = el.getparent()
        if parent is None or sum(1 for _ in parent.iter("a")) > 1:
            break
        el = parent
    return ""


def _dated(anchor: etree._Element) -> bool:
    """The link or its row (a parent holding no other link) shows a date: a list item, not a column."""
    row = anchor.getparent()
    if row is None or sum(1 for _ in row.iter("a")) > 1:
        row = anchor
    return bool(_DATE.search("".join(row.itertext())))


def _squeeze(text: str) -> str:
    return _WS.sub("", text)
