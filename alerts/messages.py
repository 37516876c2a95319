"""E-mail messages: multipart/alternative (text + HTML), optional attachments, Chinese headers.

`EmailMessage` with the default policy encodes Chinese subjects and display names as RFC 2047
words and attachment names as RFC 2231; bodies go out base64 so no relay needs 8BITMIME
(docs/design.md §7.7). The Message-ID is derived from the outbox idempotency key, so a
message re-sent after a crash carries the same id and the duplicate is recognisable.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from alerts.render import Rendered
from monitor.config import Config


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str = "text"
    subtype: str = "csv"
    charset: str | None = "utf-8"


def sender_address(config: Config) -> Address:
    """`smtp.sender` ("县政务公开监测 <monitor@…>"), or a local placeholder when mail is not configured."""
    if config.smtp is not None:
        name, addr = parseaddr(config.smtp.sender)
        if "@" in addr:
            return Address(name, addr_spec=addr)
    return Address(f"{config.county}政务公开监测", "gongkai-monitor", "localhost")


def message_id(key: str, domain: str) -> str:
    """A make_msgid-style id that is a pure function of the idempotency key."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.gongkai@{domain}>"


def build_message(config: Config, *, key: str, to: Address, subject: str, body: Rendered,
                  attachments: tuple[Attachment, ...] = (), now: datetime | None = None) -> EmailMessage:
    sender = sender_address(config)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now or datetime.now(timezone.utc))
    msg["Message-ID"] = message_id(key, sender.domain or "localhost")
    msg["X-Gongkai-Key"] = key
    msg.set_content(body.text, cte="base64")
    msg.add_alternative(body.html, subtype="html", cte="base64")
    for a in attachments:
        msg.add_attachment(a.data, maintype=a.maintype, subtype=a.subtype, filename=a.filename,
                           params={"charset": a.charset} if a.charset else None)
    return msg
