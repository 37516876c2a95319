"""Messages of a 政务咨询 / 领导信箱 / 网民留言 board (W7 互动回应): title, asked date, reply date, state.

No served board page was at hand, so this reads the layouts such boards commonly use (two fixtures in
tests/data/messages/ are built from them; a third follows the markup of a real CMS's 局长信箱 template):
- a table whose header row names the columns: 标题/主题/留言标题, 留言时间/提问时间/来信时间/咨询时间 (or
  just 时间 beside a state or reply column), 回复时间/答复时间/办结时间, 办理状态/状态/回复状态;
- rows (`li`, `div`, `dl`) that carry the same words as labels: "留言时间：2026-01-02 回复时间：… 状态：已回复".
A page with neither is not a board (`None`), never a board without messages. A list that shows the
state only leaves the reply date to the message's own page (`reply_date`, read with the item pages). The state is what the page
says (`replied`, `pending`), else what its reply column shows (a date: replied; an empty cell: pending),
else unknown (`None`): only a stated or visibly empty reply makes a message unanswered.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from crawler.dates import parse_full_date
from crawler.pages.html import parse_page
from monitor.categories import infer_category
from monitor.messages import Message

_TITLE = ("留言标题", "信件标题", "咨询标题", "标题", "主题", "事项")
_ASKED = ("留言时间", "提问时间", "来信时间", "咨询时间", "写信时间", "提交时间", "留言日期", "来信日期")
_REPLIED = ("回复时间", "答复时间", "办结时间", "回复日期", "答复日期", "办结日期")
_STATE = ("办理状态", "回复状态", "处理状态", "答复状态", "状态")
#: a header cell that is only "时间" names the asked date when no column names it better (no reply column
#: can be called just that)
_TIME = ("时间", "日期", "发布时间")
_PENDING = re.compile(r"未回复|未答复|待回复|待答复|未办结|办理中|处理中|待处理|未处理|受理中|已受理")
_REPLIED_STATE = re.compile(r"已回复|已答复|已办结|已处理|已反馈|办结")
_LABEL = re.compile(r"(" + "|".join(sorted({*_ASKED, *_REPLIED, *_STATE}, key=len, reverse=True))
                    + r")\s*[:：]\s*([^\s:：|｜]*)")


def read_messages(html_text: str, page_url: str) -> list[Message] | None:
    """The messages a board page lists with their asked date, or None when it shows no board layout."""
    root = parse_page(html_text)
    if root is None:
        return None
    for table in root.iter("table"):
        found = _table(table, page_url)
        if found is not None:
            return found
    return _labelled(root, page_url)


#: why a board's page shows no message list (its `page_note`; labels in monitor.checks.columns): a form
#: to write a message (我要咨询 …: the link was no board), or a page with neither a form nor a list
BOARD_NOTES = ("form", "no_messages")


def no_board_note(html_text: str) -> str:
    """Why a page `read_messages` found no board on is none: a form with a text box, or no messages."""
    root = parse_page(html_text)
    return "form" if root is not None and root.find(".//textarea") is not None else "no_messages"


def reply_date(html_text: str) -> str | None:
    """The reply date a message's own page labels (回复时间：…), for a list that shows only the state."""
    root = parse_page(html_text)
    if root is None:
        return None
    labels = {m.group(1): m.group(2) for m in _LABEL.finditer(_text(root))}
    found = next((parse_full_date(labels[w]) for w in _REPLIED if labels.get(w)), None)
    return found.isoformat() if found else None


def state_of(text: str, replied: str | None) -> str | None:
    """replied | pending | None from a state cell (or label) and the reply date shown."""
    if _PENDING.search(text):
        return "pending"
    if replied or _REPLIED_STATE.search(text):
        return "replied"
    return None


def _cells(row: Any) -> list[Any]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _text(el: Any) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _column(header: list[str], words: tuple[str, ...]) -> int | None:
    for word in words:                      # the most specific word first
        for i, name in enumerate(header):
            if word in name:
                return i
    return None


def _table(table: Any, page_url: str) -> list[Message] | None:
    rows = [r for r in table.iter("tr")]
    for at, row in enumerate(rows):
        header = [_text(c) for c in _cells(row)]
        asked = _column(header, _ASKED)
        if asked is None and any(_column(header, words) is not None for words in (_STATE, _REPLIED)):
            asked = next((i for i, name in enumerate(header) if name in _TIME), None)
        if asked is None:
            continue
        replied, state = _column(header, _REPLIED), _column(header, _STATE)
        title = _column(header, _TITLE)
        out = []
        for body in rows[at + 1:]:
            cells = _cells(body)
            if len(cells) != len(header):
                continue
            day = parse_full_date(_text(cells[asked]))
            if day is None:
                continue
            reply = parse_full_date(_text(cells[replied])) if replied is not None else None
            shown = state_of(_text(cells[state]), reply) if state is not None else None
            if shown is None and replied is not None:
                shown = "replied" if reply else "pending"   # a reply column left empty
            name, url = _title(cells[title] if title is not None else body, page_url)
            out.append(Message(name, url, day.isoformat(), reply.isoformat() if reply else None, shown))
        return out
    return None


def _labelled(root: Any, page_url: str) -> list[Message] | None:
    """Rows that label their dates: the smallest elements holding one link and an asked-date label."""
    out: list[Message] = []
    seen = False
    for el in root.iter("li", "tr", "dl", "div"):
        text = _text(el)
        if not any(w in text for w in _ASKED) or len(el.findall(".//a")) > 1:
            continue
        if any(_text(c) != text and any(w in _text(c) for w in _ASKED) for c in el.iter("li", "dl", "div")
               if c is not el):
            continue                     # a container of rows: its rows are read themselves
        seen = True
        labels = {m.group(1): m.group(2) for m in _LABEL.finditer(text)}
        asked = next((parse_full_date(labels[w]) for w in _ASKED if labels.get(w)), None)
        if asked is None:
            continue
        reply = next((parse_full_date(labels[w]) for w in _REPLIED if labels.get(w)), None)
        state = state_of(next((labels[w] for w in _STATE if labels.get(w)), ""), reply)
        if state is None and any(w in labels for w in _REPLIED):
            state = "pending"
        name, url = _title(el, page_url)
        out.append(Message(name, url, asked.isoformat(), reply.isoformat() if reply else None, state))
    return out if seen else None


def _title(el: Any, page_url: str) -> tuple[str, str | None]:
    anchor = next(iter(el.iter("a")), None)
    if anchor is None:
        return _text(el)[:200], None
    href = (anchor.get("href") or "").strip()
    name = _text(anchor) or anchor.get("title") or ""
    return name[:200], urljoin(page_url, href) if href and not href.startswith(("#", "javascript:")) else None


def interaction_links(html_text: str, page_url: str) -> list[str]:
    """Links on a home page whose text names an interaction channel (W7: does the portal have one)."""
    root = parse_page(html_text)
    if root is None:
        return []
    found = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href and infer_category(_text(anchor) or anchor.get("title") or "")[0] == "interaction":
            found.append(urljoin(page_url, href))
    return list(dict.fromkeys(found))
