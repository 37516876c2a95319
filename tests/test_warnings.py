"""Daily early warnings: one digest per liaison with columns about to go overdue and violations
new since the previous check; at most one per liaison per day; only that liaison's units."""
from __future__ import annotations

import email
from datetime import date, datetime, timedelta, timezone
from email import policy
from pathlib import Path

from alerts.outbox import deliver, outbox_rows
from alerts.warnings import previous_check_day, queue_daily_warnings
from tests.test_bulletin import county_config, county_store
from tests.test_outbox import Inbox, free_port, start


def _texts(db) -> dict[str, str]:
    out = {}
    for key, eml in db.execute("SELECT key, eml FROM outbox WHERE kind = 'warning'").fetchall():
        msg = email.message_from_bytes(eml, policy=policy.default)
        out[key] = msg.get_body(("plain",)).get_content()
    return out


def test_digest_per_liaison_with_due_soon_and_new_findings(tmp_path: Path):
    config = county_config()
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    assert previous_check_day(db, date(2026, 10, 15)) == date(2026, 9, 30)
    assert queue_daily_warnings(config, db, date(2026, 10, 15)) == 3
    texts = _texts(db)
    assert set(texts) == {"warning:2026-10-15:wangfang@hs.example.gov.cn", "warning:2026-10-15:liming@hs.example.gov.cn",
                          "warning:2026-10-15:zhaolei@hs.example.gov.cn"}
    xzspj = texts["warning:2026-10-15:wangfang@hs.example.gov.cn"]
    # 政策文件 is due on 10-17; 通知公告 has been stale since September, so it is not new
    assert "3天内将超期的栏目（1个）" in xzspj and "“政策文件”" in xzspj and "还剩2天" in xzspj
    assert "新发现的问题" not in xzspj and "教育局" not in xzspj and "开云镇" not in xzspj
    jyj = texts["warning:2026-10-15:liming@hs.example.gov.cn"]
    assert "新发现的问题（1个）" in jyj and "勾稽关系错误" in jyj and "人事信息" not in jyj   # blank since September
    kyz = texts["warning:2026-10-15:zhaolei@hs.example.gov.cn"]
    assert "乡镇动态" in kyz and "年度政府信息公开工作年度报告逾期未公开" in kyz and "单项否决" in kyz


def test_at_most_one_digest_per_liaison_per_day(tmp_path: Path):
    config = county_config()
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    assert queue_daily_warnings(config, db, date(2026, 10, 15)) == 3
    assert queue_daily_warnings(config, db, date(2026, 10, 15)) == 0
    assert len(outbox_rows(db)) == 3


def test_no_digest_when_nothing_is_due_or_new(tmp_path: Path):
    config = county_config()
    db = county_store(tmp_path / "g.db", config, until="2026-10-31")
    # on 11-01 nothing was checked after 10-31: no new findings, nothing due within 3 days
    assert queue_daily_warnings(config, db, date(2026, 11, 1)) == 0


def test_digest_is_delivered_with_a_chinese_subject(tmp_path: Path):
    inbox, port = Inbox(), free_port()
    controller = start(inbox, port)
    try:
        config = county_config(smtp_port=port)
        db = county_store(tmp_path / "g.db", config, until="2026-10-15")
        queue_daily_warnings(config, db, date(2026, 10, 15))
        now = datetime(2026, 10, 15, 1, tzinfo=timezone.utc)
        assert deliver(config, db, now=now).sent == 3
        assert queue_daily_warnings(config, db, date(2026, 10, 15)) == 0
        assert deliver(config, db, now=now + timedelta(hours=1)).sent == 0
    finally:
        controller.stop()
    (msg,) = inbox.to("wangfang@hs.example.gov.cn")
    assert msg["Subject"] == "【预警】10月15日政府信息公开栏目监测提醒（衡山县行政审批服务局）"
    assert msg["To"].addresses[0].display_name == "王芳" and len(inbox.messages) == 3
