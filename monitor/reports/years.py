"""Which report years matter: the year an annual report's title names, and the last three years
the checks, the crawler (how far back to page a report column) and the dashboard look at."""
from __future__ import annotations

import re
from datetime import date

_REPORT_TITLE = re.compile(
    r"((?:19|20)\d{2})\s*年?度?[^，。；]{0,40}?(?:政府信息公开|政务公开|信息公开)[^，。；]{0,12}?(?:年度报告|年报|工作报告)")
_NOT_A_REPORT = re.compile(r"通知|关于.*(?:编制|报送|做好)|解读|模板")
YEARS_BACK = 3


def report_year(title: str) -> int | None:
    """The report year named in a list item's title, or None when it is not an annual report."""
    if _NOT_A_REPORT.search(title):
        return None
    m = _REPORT_TITLE.search(title)
    return int(m.group(1)) if m else None


def expected_years(today: date) -> list[int]:
    """The last three report years, most recent first."""
    return [today.year - n for n in range(1, YEARS_BACK + 1)]
