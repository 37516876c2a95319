"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): once per recipient, nothing on a
re-run, queued while the server is down and sent exactly once when it is back, crash recovery."""
from __future__ import annotations

import email
import socket
from datetime import date, datetime, timedelta, timezone
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from alerts.bulletin import queue_bulletin, run_monthly
from alerts.model import Month
from alerts.messages import message_id
from alerts.outbox import deliver, outbox_rows, requeue_failed
from tests.test_bulletin import county_config, county_store

ISSUE = date(2026, 11, 2)
NOW = datetime(2026, 11, 2, 0, 30, tzinfo=timezone.utc)


class Inbox:
    """An aiosmtpd handler that keeps every message; `refuse` addresses get a permanent 550."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for _, rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(inbox: Inbox, port: int, **kw) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kw)
    controller.start()
    return controller


@pytest.fixture
def smtp():
    inbox, port = Inbox(), free_port()
    controller = start(inbox, port)
    yield inbox, port
    controller.stop()


def test_bulletin_arrives_once_per_recipient_with_parts_and_chinese_subject(tmp_path: Path, smtp):
    inbox, port = smtp
    config = county_config(smtp_port=port)
    db = county_store(tmp_path / "g.db", config)
    first = run_monthly(config, db, ISSUE, now=NOW)
    assert first.month.__str__() == "2026-10" and first.delivery.sent == first.queued == 5
    recipients = sorted(r for _, rcpts, _ in inbox.messages for r in rcpts)
    # supervisor + cc get the bulletin, the three liaisons with problems their part; 卫健局 (unreachable) and 店门镇 nothing
    assert recipients == sorted(["zwgk@hs.example.gov.cn", "ldbgs@hs.example.gov.cn", "wangfang@hs.example.gov.cn",
                                 "liming@hs.example.gov.cn", "zhaolei@hs.example.gov.cn"])
    (msg,) = inbox.to("zwgk@hs.example.gov.cn")
    assert msg["Subject"] == "关于2026年10月全县政府信息公开栏目更新情况的通报"
    assert msg["To"].addresses[0].display_name == "衡山县行政审批服务局"
    assert msg["From"].addresses[0].display_name == "衡山县政务公开监测"
    assert msg.get_content_type() == "multipart/mixed"
    body = msg.get_body(("plain",)).get_content()
    assert "一、总体情况" in body and "四、整改要求" in body and "2026年11月12日前" in body
    assert "<h1" in msg.get_body(("html",)).get_content()
    csv_part, _publication = list(msg.iter_attachments())   # 问题清单, 信息发布情况一览表
    assert csv_part.get_filename() == "衡山县2026年10月问题清单.csv"
    assert csv_part.get_content().lstrip("\ufeff").startswith("id,rule,kind")
    raw = next(m for _, rcpts, m in inbox.messages if "zwgk@hs.example.gov.cn" in rcpts).as_bytes()
    assert b"=?utf-8?" in raw and "通报".encode() not in raw.split(b"\n\n")[0]   # headers are RFC 2047

    again = run_monthly(config, db, date(2026, 11, 3), now=NOW + timedelta(days=1))
    assert (again.queued, again.delivery.sent) == (0, 0) and len(inbox.messages) == 5


def test_liaison_message_holds_only_their_units(tmp_path: Path, smtp):
    inbox, port = smtp
    config = county_config(smtp_port=port)
    run_monthly(config, county_store(tmp_path / "g.db", config), ISSUE, now=NOW)
    (msg,) = inbox.to("liming@hs.example.gov.cn")
    assert msg["To"].addresses[0].display_name == "李明"
    assert msg["Subject"] == "【整改通知】2026年10月政府信息公开栏目问题及整改期限（衡山县教育局）"
    text = msg.get_body(("plain",)).get_content()
    assert "教育动态" in text and "人事信息" in text and "勾稽关系错误" in text and "2026年11月12日前" in text
    assert "开云镇" not in text and "卫生健康局" not in text and "/xzspj/" not in text
    assert not list(msg.iter_attachments())
    assert not inbox.to("chenjing@hs.example.gov.cn")    # only unreachable columns: nothing to fix


def test_server_down_then_up_delivers_exactly_once(tmp_path: Path):
    port = free_port()
    config = county_config(smtp_port=port)
    db = county_store(tmp_path / "g.db", config)
    down = run_monthly(config, db, ISSUE, now=NOW)
    assert down.delivery.sent == 0 and down.delivery.deferred == 5 and down.delivery.error
    rows = outbox_rows(db)
    assert {r["status"] for r in rows} == {"pending"} and {r["attempts"] for r in rows} == {1}
    assert all(r["next_attempt_at"] > NOW.isoformat() for r in rows)

    inbox = Inbox()
    controller = start(inbox, port)
    try:
        assert deliver(config, db, now=NOW + timedelta(minutes=1)).sent == 0      # backoff not over yet
        later = run_monthly(config, db, ISSUE, now=NOW + timedelta(hours=1))
        assert (later.queued, later.delivery.sent) == (0, 5)
        assert deliver(config, db, now=NOW + timedelta(hours=2)).sent == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 5
    assert sorted(r for _, rcpts, _ in inbox.messages for r in rcpts) == sorted(r["recipient"] for r in rows)


def test_interrupted_send_is_recovered_with_the_same_message_id(tmp_path: Path, smtp):
    inbox, port = smtp
    config = county_config(smtp_port=port)
    db = county_store(tmp_path / "g.db", config)
    queue_bulletin(config, db, Month(2026, 10), ISSUE)
    key = "bulletin:2026-10:zwgk@hs.example.gov.cn"
    # a sender that crashed after the SMTP 250 and before marking the row leaves it in `sending`
    db.execute("UPDATE outbox SET status = 'sending', attempts = 1, claimed_at = ? WHERE key = ?",
               [NOW.isoformat(), key])
    first = deliver(config, db, now=NOW + timedelta(minutes=5))
    assert first.sent == 4 and first.recovered == 0 and not inbox.to("zwgk@hs.example.gov.cn")
    second = deliver(config, db, now=NOW + timedelta(minutes=30))
    assert second.recovered == 1 and second.sent == 1
    (msg,) = inbox.to("zwgk@hs.example.gov.cn")
    assert msg["Message-ID"] == message_id(key, "hs.example.gov.cn")
    assert deliver(config, db, now=NOW + timedelta(hours=1)).sent == 0


def test_permanent_rejection_fails_the_row_and_retry_requeues_it(tmp_path: Path):
    inbox, port = Inbox(refuse=("liming@hs.example.gov.cn",)), free_port()
    controller = start(inbox, port)
    try:
        config = county_config(smtp_port=port)
        db = county_store(tmp_path / "g.db", config)
        summary = run_monthly(config, db, ISSUE, now=NOW).delivery
        assert (summary.sent, summary.failed, summary.waiting) == (4, 1, 0)
        (row,) = [r for r in outbox_rows(db) if r["status"] == "failed"]
        assert row["recipient"] == "liming@hs.example.gov.cn" and "550" in row["last_error"]
        inbox.refuse = ()
        assert requeue_failed(db) == 1
        assert deliver(config, db, now=NOW + timedelta(minutes=1)).sent == 1
    finally:
        controller.stop()
    assert len(inbox.to("liming@hs.example.gov.cn")) == 1 and len(inbox.messages) == 5


class _Auth:
    def __init__(self):
        self.seen: list[tuple[bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-from-env")


def test_login_uses_the_password_from_the_environment(tmp_path: Path, monkeypatch):
    auth, inbox, port = _Auth(), Inbox(), free_port()
    controller = start(inbox, port, authenticator=auth, auth_require_tls=False)
    try:
        config = county_config(smtp_port=port)
        config = config.model_copy(update={"smtp": config.smtp.model_copy(
            update={"username": "monitor", "password_env": "GONGKAI_TEST_SMTP_PASSWORD"})})
        db = county_store(tmp_path / "g.db", config)
        monkeypatch.setenv("GONGKAI_TEST_SMTP_PASSWORD", "s3cret-from-env")
        assert run_monthly(config, db, ISSUE, now=NOW).delivery.sent == 5
    finally:
        controller.stop()
    assert auth.seen[-1] == (b"monitor", b"s3cret-from-env") and len(inbox.messages) == 5


def test_cli_outbox_lists_the_queue_and_retry_flushes_it(tmp_path: Path, smtp):
    from click.testing import CliRunner

    from alerts.cli import outbox
    from monitor.cli import Context
    from tests.test_bulletin import COUNTY_CONFIG

    inbox, port = smtp
    (tmp_path / "config.yaml").write_text(COUNTY_CONFIG.replace("port: 2525", f"port: {port}"), encoding="utf-8")
    config = county_config(smtp_port=port)
    db = county_store(tmp_path / "g.db", config)
    queue_bulletin(config, db, Month(2026, 10), ISSUE)
    ctx = Context(tmp_path / "config.yaml", tmp_path / "g.db")
    listed = CliRunner().invoke(outbox, [], obj=ctx)
    assert listed.exit_code == 0 and "pending" in listed.output and "liaison" in listed.output
    flushed = CliRunner().invoke(outbox, ["--retry"], obj=ctx)
    assert flushed.exit_code == 0, flushed.output
    assert "5 sent" in flushed.output and len(inbox.messages) == 5
