"""Annual report (政府信息公开工作年度报告) parser and checks, as a pure library.

Entry points: `parse_report` (bytes + content type → `ParsedReport`), `check_report`,
`check_presence`; the click group lives in `monitor.reports.cli:report`.

The entry points are loaded when first used (PEP 562), so importing a helper module of the
package (the crawler reads `monitor.reports.years`) does not load the checks above it.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_ENTRY_POINTS = {
    "ParsedReport": "model", "UnreadableInput": "parse", "check_presence": "checks", "check_report": "checks",
    "deadline_for": "deadlines", "extract_docx": "sources", "extract_text_pdf": "sources", "parse_html": "parse",
    "parse_report": "parse", "parse_text": "parse",
}
__all__ = sorted(_ENTRY_POINTS)


def __getattr__(name: str) -> Any:
    if name not in _ENTRY_POINTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_ENTRY_POINTS[name]}"), name)
