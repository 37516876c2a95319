"""Mail faults against a real SMTP server (aiosmtpd on 127.0.0.1): each leaves the messages queued,
gives one line saying why and an exit code a cron job can act on (monitor/exitcodes.py) — and a
connection that works again also sends what waited for it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from sqlite_utils import Database

from alerts.bulletin import queue_bulletin
from alerts.channels import Endpoint, Payload
from alerts.model import Month
from alerts.outbox import deliver, outbox_rows, queue
from monitor.cli import cli
from monitor.config import Config, load_config
from monitor.exitcodes import MAIL_DEFERRED, MAIL_REFUSED, MAIL_SETUP
from tests.test_bulletin import COUNTY_CONFIG, county_store
from tests.test_outbox import ISSUE, Inbox, free_port, start

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

NOW = datetime(2026, 11, 2, 0, 30, tzinfo=timezone.utc)
PASSWORD_VAR = "GONGKAI_TEST_FAULT_SMTP_PASSWORD"
WITH_LOGIN = f"ssl: false, username: monitor, password_env: {PASSWORD_VAR},"


class Greylist(Inbox):
    """Answers 451 (try again later) to the addresses in `defer`."""

    def __init__(self, defer: tuple[str, ...] = ()):
        super().__init__()
        self.defer = defer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.defer:
            return "451 4.7.1 greylisted, try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class Auth:
    """Accepts monitor / s3cret-from-env and answers 535 to anything else, as a real server does."""

    def __init__(self):
        self.seen: list[tuple[bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"monitor", b"s3cret-from-env"),
                          handled=False)


def county(tmp_path: Path, port: int, smtp: str = "ssl: false,") -> tuple[Config, Database]:
    """The county store and its config file, with the SMTP server at `port`."""
    text = (COUNTY_CONFIG.replace("port: 2525", f"port: {port}").replace("ssl: false,", smtp)
            + "crawl: {delay_seconds: 0, retries: 0, obey_robots: false, autothrottle: false}\n")
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "config.yaml")
    return config, county_store(tmp_path / "g.db", config)


def gongkai(tmp_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(tmp_path / "config.yaml"), "--db", str(tmp_path / "g.db"), *args])


def simple(key: str, to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Message-ID"], msg["Subject"] = f"<{key.replace(':', '.')}@test>", "预警"
    msg["From"], msg["To"] = "monitor@hs.example.gov.cn", to
    msg.set_content("测试")
    return msg


def queue_warning(db: Database, to: str) -> None:
    def build(key: str) -> Payload:
        msg = simple(key, to)
        return Payload(msg["Message-ID"], str(msg["Subject"]), msg.as_bytes())
    queue(db, "warning", "2026-11-01", Endpoint("email", to), build)


def test_bulletin_send_also_delivers_warnings_that_waited_for_the_server(tmp_path: Path):
    port = free_port()
    config, db = county(tmp_path, port)
    queue_warning(db, "liming@hs.example.gov.cn")
    queue_warning(db, "wangfang@hs.example.gov.cn")
    down = deliver(config, db)                       # the daily run while the server is down
    assert (down.deferred, down.exit_code) == (2, MAIL_DEFERRED) and "unreachable" in down.problem()
    assert all(r["next_attempt_at"] for r in outbox_rows(db))     # waiting for their backoff

    inbox = Inbox()
    controller = start(inbox, port)
    try:
        sent = gongkai(tmp_path, "bulletin", "--send", "--today", ISSUE.isoformat())
    finally:
        controller.stop()
    assert sent.exit_code == 0, sent.output
    assert "7 sent" in sent.output and "0 waiting" in sent.output
    assert len(inbox.to("liming@hs.example.gov.cn")) == 2        # the warning and the liaison's bulletin part
    assert {r["status"] for r in outbox_rows(db)} == {"sent"}


def test_a_temporary_reply_about_one_message_keeps_its_backoff(tmp_path: Path):
    inbox, port = Greylist(defer=("liming@hs.example.gov.cn",)), free_port()
    controller = start(inbox, port)
    try:
        config, db = county(tmp_path, port)
        queue_warning(db, "liming@hs.example.gov.cn")
        first = deliver(config, db, now=NOW)
        assert (first.sent, first.deferred, first.exit_code) == (0, 1, MAIL_DEFERRED)
        assert "451" in first.problem() and "could not be delivered and stay queued" in first.problem()
        inbox.defer = ()
        queue_warning(db, "wangfang@hs.example.gov.cn")
        later = deliver(config, db, now=NOW + timedelta(minutes=1))  # a working session, 4 min before the retry
        assert (later.sent, later.waiting, later.exit_code) == (1, 1, 0)
        assert not inbox.to("liming@hs.example.gov.cn")
        assert deliver(config, db, now=NOW + timedelta(minutes=6)).sent == 1
    finally:
        controller.stop()
    assert len(inbox.to("liming@hs.example.gov.cn")) == 1


def test_a_server_that_requires_a_login_without_username_keeps_the_mail_queued(tmp_path: Path, monkeypatch):
    auth, inbox, port = Auth(), Inbox(), free_port()
    controller = start(inbox, port, authenticator=auth, auth_required=True, auth_require_tls=False)
    try:
        config, db = county(tmp_path, port)
        queue_bulletin(config, db, Month(2026, 10), ISSUE)
        summary = deliver(config, db, now=NOW)
        assert (summary.sent, summary.failed, summary.deferred, summary.waiting) == (0, 0, 0, 5)
        assert summary.exit_code == MAIL_SETUP and summary.setup_error
        assert "530" in summary.error and "smtp.username is not set" in summary.error
        rows = outbox_rows(db)
        assert {r["status"] for r in rows} == {"pending"} and {r["attempts"] for r in rows} == {0}
        assert all("smtp.username" in r["last_error"] for r in rows) and not any(r["next_attempt_at"] for r in rows)

        retried = gongkai(tmp_path, "outbox", "--retry")
        assert retried.exit_code == MAIL_SETUP
        (line,) = [ln for ln in retried.stderr.splitlines() if ln.startswith("error:")]
        assert "smtp.username is not set" in line and "5 messages stay queued" in line

        # the operator adds the login: everything goes out at once, nothing was lost
        monkeypatch.setenv(PASSWORD_VAR, "s3cret-from-env")
        fixed = deliver(config.model_copy(update={"smtp": config.smtp.model_copy(
            update={"username": "monitor", "password_env": PASSWORD_VAR})}), db, now=NOW)
        assert (fixed.sent, fixed.exit_code) == (5, 0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 5


def test_run_reports_the_missing_login_and_exits_with_the_settings_code(tmp_path: Path):
    auth, inbox, port = Auth(), Inbox(), free_port()
    controller = start(inbox, port, authenticator=auth, auth_required=True, auth_require_tls=False)
    try:
        config, db = county(tmp_path, port)
        queue_bulletin(config, db, Month(2026, 10), ISSUE)
        result = gongkai(tmp_path, "run", "--today", "2026-11-02")
    finally:
        controller.stop()
    assert result.exit_code == MAIL_SETUP, result.output
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert "without a login (530" in line and "smtp.username is not set" in line
    assert not inbox.messages


@pytest.mark.parametrize("value", [None, ""])
def test_an_unset_password_variable_is_a_settings_error_before_connecting(tmp_path: Path, monkeypatch, value):
    port = free_port()          # nothing listens: connecting would be a different error
    config, db = county(tmp_path, port, WITH_LOGIN)
    if value is None:
        monkeypatch.delenv(PASSWORD_VAR, raising=False)
    else:
        monkeypatch.setenv(PASSWORD_VAR, value)
    queue_bulletin(config, db, Month(2026, 10), ISSUE)
    summary = deliver(config, db, now=NOW)
    assert summary.exit_code == MAIL_SETUP and PASSWORD_VAR in summary.error and "unreachable" not in summary.error
    assert {(r["status"], r["attempts"]) for r in outbox_rows(db)} == {("pending", 0)}

    result = gongkai(tmp_path, "outbox", "--retry")
    assert result.exit_code == MAIL_SETUP
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert f"environment variable {PASSWORD_VAR} (smtp.password_env) is not set" in line


def test_a_wrong_password_is_a_settings_error_and_costs_no_attempt(tmp_path: Path, monkeypatch):
    auth, inbox, port = Auth(), Inbox(), free_port()
    controller = start(inbox, port, authenticator=auth, auth_require_tls=False)
    try:
        config, db = county(tmp_path, port, WITH_LOGIN)
        monkeypatch.setenv(PASSWORD_VAR, "wrong")
        queue_bulletin(config, db, Month(2026, 10), ISSUE)
        summary = deliver(config, db, now=NOW)
    finally:
        controller.stop()
    assert summary.exit_code == MAIL_SETUP and "login as 'monitor' refused (535" in summary.error
    assert set(auth.seen) == {(b"monitor", b"wrong")} and not inbox.messages    # PLAIN, then LOGIN
    assert {(r["status"], r["attempts"]) for r in outbox_rows(db)} == {("pending", 0)}


def test_exit_codes_for_an_outage_and_a_refused_mailbox(tmp_path: Path):
    port = free_port()
    county(tmp_path, port)
    down = gongkai(tmp_path, "bulletin", "--send", "--today", ISSUE.isoformat())
    assert down.exit_code == MAIL_DEFERRED
    (line,) = [ln for ln in down.stderr.splitlines() if ln.startswith("error:")]
    assert "5 messages could not be delivered and stay queued" in line and "Connection refused" in line

    inbox = Inbox(refuse=("liming@hs.example.gov.cn",))
    controller = start(inbox, port)
    try:
        retried = gongkai(tmp_path, "outbox", "--retry")
    finally:
        controller.stop()
    assert retried.exit_code == MAIL_REFUSED and len(inbox.messages) == 4
    (line,) = [ln for ln in retried.stderr.splitlines() if ln.startswith("error:")]
    assert "1 messages refused permanently" in line and "550" in line and "outbox --retry" in line


def test_sending_without_an_smtp_section_is_a_config_error(tmp_path: Path):
    (tmp_path / "config.yaml").write_text(COUNTY_CONFIG.replace(COUNTY_CONFIG.splitlines()[2] + "\n", ""),
                                          encoding="utf-8")
    result = gongkai(tmp_path, "bulletin", "--send", "--today", ISSUE.isoformat())
    assert result.exit_code == 2 and "no smtp section" in result.stderr

