"""Scraped text made safe to keep and to show: no control characters, no terminal escape sequences.

A portal's pages are untrusted input that ends up in lxml trees (which refuse control characters:
one after an inline `<script>` made a whole report page unreadable), in a terminal (`findings`,
`validate`, `report check`: an ANSI/OSC sequence in a title would drive it) and in mails. So every
page is cleaned before it is parsed (`clean_markup`: everything read from its tree is clean), and
every other scraped string where it is extracted (`clean_text`: report text, PDF and DOCX cells).
Line breaks and tabs stay: report text is read line by line.
"""
from __future__ import annotations

import re

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"       # C0 but tab, line feed, carriage return; DEL; C1
_ANY_CONTROL = re.compile(f"[{_CONTROL}]")
#: a whole escape sequence first (so no "[31m" is left behind), then any other control character:
#: CSI (ESC [ or 8-bit CSI) up to its final byte; OSC/DCS/PM/APC up to their terminator (BEL or ST;
#: an unterminated one loses only its introducer, never the text after it); other ESC sequences
_CONTROLS = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f])[^\x00-\x1f\x7f-\x9f]{0,2048}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
    f"|[{_CONTROL}]")
#: numeric character references to C0 controls (tab, line feed and carriage return excepted) and DEL;
#: references to 128–159 are read as windows-1252 characters by HTML parsers, so they are no threat
_CONTROL_REFERENCES = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01]|127)(?!\d)|[xX]0*(?:[0-8bBcCeEfF]|1[\da-fA-F]|7[fF])(?![\da-fA-F]));?")


def clean_text(text: str) -> str:
    """`text` without control characters and escape sequences; tab and line feed kept, a
    carriage return made a line feed (in a terminal it would let text overwrite its line)."""
    text = _strip(text)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def clean_markup(html: str) -> str:
    """A page's markup made safe to parse: control characters and escape sequences removed, after
    turning numeric references to control characters into the characters themselves (so
    `&#27;[31m` goes as a whole). Carriage returns stay: in markup they are whitespace."""
    if "&#" in html:
        html = _CONTROL_REFERENCES.sub(_referenced, html)
    return _strip(html)


def _strip(text: str) -> str:
    """Most pages hold no control character at all: one character-class scan says so."""
    return _CONTROLS.sub("", text) if _ANY_CONTROL.search(text) else text


def _referenced(match: re.Match[str]) -> str:
    number = match.group(0)[2:].rstrip(";")
    return chr(int(number[1:], 16) if number[0] in "xX" else int(number))
