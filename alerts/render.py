"""Jinja2 rendering of bulletins and messages, as HTML and as plain text.

Scraped text (titles, column names, URLs) is made safe twice: `alerts.entries` flattens control
characters and line breaks when a finding becomes a line, and each environment escapes what it
prints — HTML with `autoescape=True` (a scraped title `<script>…` shows as text), plain text
through `finalize`, which drops control characters other than the template's own line breaks
(no forged header-like lines, no terminal escapes). Templates never receive scraped text as
template source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from monitor.config import Config
from monitor.sentences import cn_date

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]+")   # all but \n
_MARKDOWN = re.compile(r"([\\`*_\[\]<>])")     # what makes links, emphasis, code or HTML mid-line


def _plain(value: Any) -> str:
    return _CONTROL.sub(" ", "" if value is None else str(value))


def _md(value: Any) -> str:
    """Text inside a Markdown line (never at its start): a scraped `[title](javascript:…)` or `**`
    stays literal text; line breaks become spaces so no text starts a line of its own."""
    return _MARKDOWN.sub(r"\\\1", _plain(value).replace("\n", " "))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _points(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _environment(**options: Any) -> Environment:
    env = Environment(loader=PackageLoader("alerts", "templates"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, **options)
    env.filters.update(cn_date=cn_date, pct=_pct, points=_points, md=_md)
    return env


_HTML = _environment(autoescape=True)
_TEXT = _environment(autoescape=False, finalize=_plain)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    html: str


def render(name: str, **context: Any) -> Rendered:
    """Render `templates/{name}.txt.j2` and `templates/{name}.html.j2` with the same context."""
    return Rendered(text=_TEXT.get_template(f"{name}.txt.j2").render(**context),
                    html=_HTML.get_template(f"{name}.html.j2").render(**context))


#: problems listed per unit in a chat-bot notice; the rest are counted, and the link shows them
NOTICE_LINES_PER_UNIT = 3


def markdown(name: str, *, link: str | None, **context: Any) -> str:
    """Render `templates/{name}.md.j2`, the short notice for chat-bot channels, ending with `link`
    to the dashboard. Templates pass every value through `|md` except the link."""
    return _TEXT.get_template(f"{name}.md.j2").render(link=link, per_unit=NOTICE_LINES_PER_UNIT, **context)


def dashboard_link(config: Config, unit_ids: list[str] | tuple[str, ...] = ()) -> str | None:
    """The page a notice links to: the unit's page for one unit, else the overdue list; None
    without `dashboard.url`."""
    if not config.dashboard.url:
        return None
    base = config.dashboard.url.rstrip("/")
    return f"{base}/unit/{quote(unit_ids[0], safe='')}" if len(unit_ids) == 1 else f"{base}/"


def change(now: int, before: int | None) -> str:
    """'比上月增加3个' / '减少' / '与上月持平' / '' when there is no previous month."""
    if before is None:
        return "上月无监测数据"
    if now == before:
        return "与上月持平"
    return f"比上月{'增加' if now > before else '减少'}{abs(now - before)}个"


_TEXT.globals["change"] = _HTML.globals["change"] = change
