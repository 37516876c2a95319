"""The `email` channel: today's SMTP delivery (alerts/smtp.py), the full message with attachments."""
from __future__ import annotations

import logging
import smtplib
from contextlib import contextmanager
from email.headerregistry import Address
from email.policy import SMTP
from email.utils import parseaddr
from typing import Iterator

from alerts.channels import Channel, Endpoint, Notice, Payload, Send, SendError, SetupError, Unreachable, register
from alerts.messages import build_message
from alerts import smtp   # a module, not names: alerts.smtp imports SetupError from this package
from monitor.config import Config

log = logging.getLogger("gongkai.alerts.channels")


@register
class EmailChannel(Channel):
    name = "email"
    recipient_key = "email"

    def identity(self, address: str) -> str:
        return address.strip().lower()       # keys of rows queued before channels existed stay valid

    def encode(self, config: Config, key: str, to: Endpoint, notice: Notice) -> Payload:
        msg = build_message(config, key=key, to=Address(to.name, addr_spec=to.address), subject=notice.subject,
                            body=notice.full(), attachments=notice.attachments)
        return Payload(msg["Message-ID"], str(msg["Subject"]), msg.as_bytes(policy=SMTP))

    def unconfigured(self, config: Config) -> str | None:
        return None if config.smtp else "smtp is not configured in config.yaml; messages stay queued"

    @contextmanager
    def session(self, config: Config) -> Iterator[Send]:
        cfg = config.smtp
        assert cfg is not None
        envelope_from = parseaddr(cfg.sender)[1]

        def send(address: str, data: bytes) -> None:
            try:
                conn.sendmail(envelope_from, [address], data)
            except (OSError, smtplib.SMTPException) as exc:
                if setup := smtp.login_required(cfg, exc):
                    raise setup from None
                text = f"{type(exc).__name__}: {exc}"
                if _connection_lost(exc):
                    raise Unreachable(text) from exc
                raise SendError(text, permanent=_is_permanent(exc)) from exc

        try:
            with smtp.smtp_session(cfg) as conn:
                yield send
        except SetupError as exc:
            log.error("SMTP %s:%s: %s; messages stay queued", cfg.host, cfg.port, exc)
            raise
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("SMTP %s:%s unavailable (%s); messages stay queued", cfg.host, cfg.port, exc)
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _connection_lost(exc: Exception) -> bool:
    """A socket error or a dropped session, as opposed to a reply about this one message
    (SMTPException is a subclass of OSError, hence the order)."""
    return isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException)
