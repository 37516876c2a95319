"""Bytes of a page or report file to text, the way Scrapy reads a response (w3lib: byte-order
mark, then the Content-Type charset, then `<meta>`; GBK and GB2312 read as their superset
GB18030), plus the repair county portals need: a charset that lies shows as U+FFFD in the text,
and the page is read again by its `<meta>` or as GB18030, whichever leaves fewer
(docs/design.md §7.4). The crawler's responses, the stored report files and `parse_page` all
decode here."""
from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding, to_unicode

_FALLBACKS = ("utf-8", "gb18030")


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(encoding, text) of `body`; without a declared charset, UTF-8 if it decodes, else GB18030."""
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_undeclared)
    return repair(body, encoding, text)


def repair(body: bytes, encoding: str, text: str) -> tuple[str, str]:
    """(encoding, text), read again when `text` (decoded as `encoding`) shows replacement
    characters: by the page's `<meta>` charset, else as GB18030, kept only if it is really better."""
    if "\ufffd" not in text:
        return encoding, text
    declared = html_body_declared_encoding(body)
    better = resolve_encoding(declared) if declared else None
    if not better or better == encoding:
        better = "gb18030"
    if better == encoding:
        return encoding, text
    fixed = to_unicode(body, better)
    return (better, fixed) if fixed.count("\ufffd") < text.count("\ufffd") else (encoding, text)


def _undeclared(body: bytes) -> str | None:
    for encoding in _FALLBACKS:
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None
