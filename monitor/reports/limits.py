"""Limits per report document, so that one absurd or hostile file (a 500-page PDF, a zip bomb)
costs bounded time and memory and ends as "not parsed" instead of a wrong number or a machine
out of memory. The defaults fit real annual reports (5–30 pages, a few hundred kB)."""
from __future__ import annotations

import time
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    pdf_pages: int = 60
    #: all deflated PDF streams but images, inflated (a real report: a few MB of page content and fonts)
    pdf_inflated_bytes: int = 100 * MB
    #: wall clock per document, checked between pages (a single page is not interrupted)
    document_seconds: float = 30
    document_bytes: int = 20 * MB
    #: uncompressed size of one member of a .docx (zip) archive, and of all members together
    archive_member_bytes: int = 10 * MB   # a 30-page report's document.xml: 1–3 MB
    archive_bytes: int = 40 * MB


DEFAULT_LIMITS = Limits()


class DocumentTooLarge(ValueError):
    """A document over a limit: left unparsed, so whatever it says is not assessed (`uncertain`)."""

    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(f"附件过大，未解析（{detail}）")
        self.limit = limit          # the `limits:` key that was exceeded, e.g. pdf_pages
        self.detail = detail


class Deadline:
    """The time left for one document; `check` between units of work (pages, tables)."""

    def __init__(self, limits: Limits) -> None:
        self.seconds = limits.document_seconds
        self.ends = time.monotonic() + limits.document_seconds

    def check(self, done: str) -> None:
        if time.monotonic() > self.ends:
            raise DocumentTooLarge("document_seconds", f"解析超过 {self.seconds:g} 秒，{done}")


def megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"
