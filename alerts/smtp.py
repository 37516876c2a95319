"""SMTP connections with the standard library: implicit TLS (`ssl: true`, port 465), STARTTLS
(`starttls: true`, port 587) or plain (a local relay). The password is read from the environment
variable named in `smtp.password_env` at the moment of login, never from config.yaml."""
from __future__ import annotations

import smtplib
import ssl
from contextlib import contextmanager
from typing import Iterator

from alerts.channels import SetupError
from monitor.config import SmtpConfig


def _credentials(cfg: SmtpConfig) -> tuple[str, str] | None:
    """(username, password) to log in with, or None without a username; checked before connecting,
    so a missing password is reported as such and never sent as an empty one."""
    if not cfg.username:
        return None
    if not cfg.password_env:
        raise SetupError("smtp.username is set but smtp.password_env is not: no password to log in with")
    password = cfg.password()
    if not password:
        raise SetupError(f"environment variable {cfg.password_env} (smtp.password_env) is not set or empty")
    return cfg.username, password


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}"


def _login(conn: smtplib.SMTP, username: str, password: str) -> None:
    try:
        conn.login(username, password)
    except smtplib.SMTPAuthenticationError as exc:
        if exc.smtp_code < 500:
            raise           # 454 temporary authentication failure: retried like an unreachable server
        raise SetupError(f"SMTP login as {username!r} refused ({_reply(exc)}): check smtp.username and "
                             f"the password variable") from None
    except smtplib.SMTPNotSupportedError:
        raise SetupError("the SMTP server offers no AUTH for smtp.username (does it need starttls: true, "
                             "or no username?)") from None


def login_required(cfg: SmtpConfig, exc: Exception) -> SetupError | None:
    """A reply to a message that is really about the session (530: authentication required), so no
    message should count it as its own failure; None for any other error."""
    codes = ([code for code, _ in exc.recipients.values()] if isinstance(exc, smtplib.SMTPRecipientsRefused)
             else [exc.smtp_code] if isinstance(exc, smtplib.SMTPResponseException) else [])
    if not codes or any(code != 530 for code in codes):
        return None
    reply = _reply(exc) if isinstance(exc, smtplib.SMTPResponseException) else "530"
    if cfg.username:
        return SetupError(f"the SMTP server refuses mail in this session ({reply}): check smtp.ssl/starttls")
    return SetupError(f"the SMTP server refuses mail without a login ({reply}) and smtp.username is not set")


@contextmanager
def smtp_session(cfg: SmtpConfig) -> Iterator[smtplib.SMTP]:
    """A logged-in connection, closed (QUIT) on exit; raises SetupError (before connecting when
    the password is missing) or OSError / SMTPException when it cannot open."""
    credentials = _credentials(cfg)
    if cfg.ssl:
        conn: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_seconds,
                                              context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
    try:
        if cfg.starttls and not cfg.ssl:
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if credentials:
            _login(conn, *credentials)
        yield conn
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
