"""Fetch outcomes: what one HTTP attempt came to, as stored in `fetches.outcome` and
`columns.last_outcome`. The crawler records them, the checks and the dashboard put them in words:
one table for all three, so an outcome added to the crawler has its label everywhere."""
from __future__ import annotations

#: outcome → its label (user-facing Chinese); the keys are every outcome the crawler records
OUTCOME_LABELS: dict[str, str] = {
    "ok": "正常", "not_modified": "未变化",
    "http_error": "HTTP 错误", "network_error": "网络错误或超时", "robots": "robots.txt 禁止抓取",
    "too_large": "页面过大", "redirect_loop": "重定向循环或次数过多", "parse_error": "页面无法解析",
    "offsite": "指向监测范围以外的地址",
}
#: outcomes whose page was read (a 304 is the page as it was): anything else is a failure of the page
REACHABLE = frozenset({"ok", "not_modified"})
NOT_FETCHED = "尚未抓取"


def outcome_label(outcome: str | None) -> str:
    """The label of an outcome; an unknown one (from a newer crawler) as it is."""
    return OUTCOME_LABELS.get(outcome, outcome) if outcome else NOT_FETCHED


def fetch_reason(outcome: str | None, http_status: int | None = None, error: str | None = None) -> str:
    """Why a page could not be read, in words (an HTTP error names its status, a refused
    off-county request its target)."""
    if outcome == "http_error" and http_status:
        return f"HTTP {http_status}"
    label = outcome_label(outcome)
    return f"{label} {error}" if outcome == "offsite" and error else label
