"""SMTP connections with the standard library: implicit TLS (`ssl: true`, port 465), STARTTLS
(`starttls: true`, port 587) or plain (a local relay). The password is read from the environment
variable named in `smtp.password_env` at the moment of login, never from config.yaml."""
from __future__ import annotations

import smtplib
import ssl
from contextlib import contextmanager
from typing import Iterator

from monitor.config import SmtpConfig


@contextmanager
def smtp_session(cfg: SmtpConfig) -> Iterator[smtplib.SMTP]:
    """A logged-in connection, closed (QUIT) on exit; raises OSError / SMTPException when it cannot open."""
    if cfg.ssl:
        conn: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_seconds,
                                              context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
    try:
        if cfg.starttls and not cfg.ssl:
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if cfg.username:
            conn.login(cfg.username, cfg.password() or "")
        yield conn
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
