"""The `apprise` channel: chat-bot webhooks (WeCom `wecombot://`, DingTalk `dingtalk://`, Feishu
`feishu://`, generic `json://` …) through apprise, with a short Markdown notice."""
from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit

from alerts.channels import Channel, Endpoint, Notice, Payload, Send, SendError, SetupError, register
from alerts.messages import message_id
from monitor.config import NOTIFY_PLACEHOLDER, Config


def resolve_url(template: str) -> str:
    """The apprise URL with its `${VARIABLE}`s from the environment; an unset or empty one is a
    settings error that only this recipient's messages wait for."""
    def value(match: re.Match[str]) -> str:
        text = os.environ.get(match.group(1))
        if not text:
            raise SetupError(f"environment variable {match.group(1)} (in notify URL "
                             f"{template.split('://')[0]}://…) is not set or empty", all_messages=False)
        return text
    return NOTIFY_PLACEHOLDER.sub(value, template)


@register
class AppriseChannel(Channel):
    name = "apprise"
    recipient_key = "notify"
    #: short enough for every chat bot (WeCom's Markdown limit is 4096 bytes) and one phone screen
    MAX_CHARS = 1200

    def identity(self, address: str) -> str:
        return f"{self.name}:{address.strip()}"      # tokens are case-sensitive

    def encode(self, config: Config, key: str, to: Endpoint, notice: Notice) -> Payload:
        domain = urlsplit(config.dashboard.url or "").hostname or "localhost"
        return Payload(message_id(key, domain), notice.subject, shorten(notice.short(), self.MAX_CHARS).encode())

    @contextmanager
    def session(self, config: Config) -> Iterator[Send]:
        import apprise

        def send(address: str, data: bytes) -> None:
            scheme = address.split("://")[0]
            plugin = apprise.Apprise.instantiate(resolve_url(address))
            if not plugin:
                raise SetupError(f"apprise does not understand the notify URL {scheme}://…", all_messages=False)
            title, _, body = data.decode().partition("\n")
            formats = plugin.notify_format     # one format, or the formats a service renders
            markdown = apprise.NotifyFormat.MARKDOWN in (formats if isinstance(formats, tuple) else (formats,))
            with apprise.LogCapture(level=logging.WARNING) as captured:
                ok = plugin.notify(title=plain(title), body=body.strip() if markdown else plain(body),
                                   body_format=apprise.NotifyFormat.MARKDOWN if markdown else apprise.NotifyFormat.TEXT)
            if not ok:
                reasons = [line for line in captured.getvalue().splitlines() if line.strip()]
                raise SendError(f"{scheme}: " + (reasons[-1].strip() if reasons else "not delivered"))
        yield send


def plain(markdown: str) -> str:
    """The notice as text, for services that show text as is (apprise's WeCom bot sends
    `msgtype: text`): no heading marks or emphasis, a link as `label：URL`, escapes undone."""
    text = re.sub(r"^#+ ", "", markdown.strip(), flags=re.M)
    text = re.sub(r"(?<!\\)\*\*", "", text)
    text = re.sub(r"(?<!\\)\[([^\]]*)\]\((\S+)\)", r"\1：\2", text)
    return re.sub(r"\\(.)", r"\1", text)


def shorten(markdown: str, limit: int) -> str:
    """Whole lines up to `limit` characters, then a line saying more is on the dashboard; the
    last line (the link) is always kept."""
    if len(markdown) <= limit:
        return markdown
    lines = markdown.rstrip("\n").split("\n")
    tail, kept = lines[-1], []
    room = limit - len(tail) - 20
    for line in lines[:-1]:
        if len(line) + 1 > room:
            break
        kept.append(line)
        room -= len(line) + 1
    return "\n".join(kept + ["……（更多内容见仪表盘）", tail]) + "\n"
