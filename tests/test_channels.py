"""Notification channels behind the outbox (issue 13 point 3): e-mail as before, chat-bot webhooks
through apprise, each exactly once per recipient and channel, against a real local HTTP receiver
(pytest-httpserver) and a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.bulletin import queue_bulletin
from alerts.channels import CHANNELS, Endpoint, endpoints
from alerts.channels.webhook import AppriseChannel, shorten
from alerts.model import Month
from alerts.outbox import deliver, outbox_rows
from alerts.routing import liaisons, supervisor_recipients
from alerts.warnings import queue_daily_warnings
from monitor.config import ConfigError, parse_config
from monitor.exitcodes import MAIL_DEFERRED, MAIL_SETUP
from tests.test_bulletin import COUNTY_CONFIG, ISSUE, county_store
from tests.test_outbox import free_port, smtp  # noqa: F401  (smtp: the local SMTP server fixture)

DAY = date(2026, 10, 15)
NOW = datetime(2026, 10, 15, 1, tzinfo=timezone.utc)
WANGFANG = "contact: {name: 王芳, email: wangfang@hs.example.gov.cn}"
DASHBOARD = "dashboard: {url: \"https://gongkai.hs.example.gov.cn/\"}\n"


def config_with(smtp_port: int, *replacements: tuple[str, str]):
    text = DASHBOARD + COUNTY_CONFIG.replace("port: 2525", f"port: {smtp_port}")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return parse_config(text)


def hook(port: int, path: str = "/xzspj") -> str:
    """An apprise URL to the local receiver, its secret header from the environment."""
    return f"json://127.0.0.1:{port}{path}?+X-Token=${{HS_HOOK_TOKEN}}"


def received(httpserver, path: str = "/xzspj") -> list[dict]:
    return [json.loads(req.get_data()) for req, resp in httpserver.log if req.path == path and resp.status_code == 200]


def test_warning_goes_out_once_per_channel(tmp_path: Path, httpserver, smtp, monkeypatch):
    inbox, port = smtp
    monkeypatch.setenv("HS_HOOK_TOKEN", "s3cret")
    httpserver.expect_request("/xzspj", method="POST").respond_with_data("ok")
    config = config_with(port, (WANGFANG, WANGFANG[:-1] + f', notify: "{hook(httpserver.port)}"}}'))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    assert queue_daily_warnings(config, db, DAY) == 4           # three e-mails and one webhook
    assert deliver(config, db, now=NOW).sent == 4
    # a re-run the same day queues and sends nothing, on either channel
    assert queue_daily_warnings(config, db, DAY) == 0
    assert deliver(config, db, now=NOW + timedelta(hours=1)).sent == 0
    # the same liaison got exactly one e-mail and exactly one webhook message
    assert len(inbox.to("wangfang@hs.example.gov.cn")) == 1
    (notice,) = received(httpserver)
    ((request, _),) = httpserver.log
    assert request.headers["X-Token"] == "s3cret"                # resolved at send time …
    rows = {r["channel"]: r for r in outbox_rows(db) if "wangfang" in r["recipient"] or "json" in r["recipient"]}
    assert "s3cret" not in rows["apprise"]["recipient"] and "${HS_HOOK_TOKEN}" in rows["apprise"]["recipient"]
    assert rows["apprise"]["key"].startswith("warning:2026-10-15:apprise:json://")   # … never stored
    # short Markdown: the unit, the problem, the deadline, a link to the unit's page
    text = notice["title"] + "\n" + notice["message"]
    assert "衡山县行政审批服务局" in text and "政策文件" in text and "将于2026年10月17日超期" in text
    assert "(https://gongkai.hs.example.gov.cn/unit/xzspj)" in text
    assert len(text) <= AppriseChannel.MAX_CHARS
    assert "本提醒每天最多发送一次" not in text                     # not the e-mail body


def test_retry_after_the_receiver_failed_delivers_once(tmp_path: Path, httpserver, monkeypatch):
    monkeypatch.setenv("HS_HOOK_TOKEN", "s3cret")
    httpserver.expect_oneshot_request("/xzspj").respond_with_data("down", status=500)
    httpserver.expect_request("/xzspj").respond_with_data("ok")
    config = config_with(free_port(), (WANGFANG, f'contact: {{name: 王芳, notify: "{hook(httpserver.port)}"}}'),
                         ("email: liming@hs.example.gov.cn", "notify: \"json://127.0.0.1:1/none\""),
                         ("email: zhaolei@hs.example.gov.cn", "notify: \"json://127.0.0.1:1/none\""))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    assert queue_daily_warnings(config, db, DAY) == 2     # wangfang's hook; the shared dead hook once
    db.execute("DELETE FROM outbox WHERE recipient LIKE '%127.0.0.1:1/%'")
    first = deliver(config, db, now=NOW)
    assert (first.sent, first.deferred, first.exit_code) == (0, 1, MAIL_DEFERRED) and "500" in first.error
    assert "s3cret" not in first.error
    (row,) = outbox_rows(db)
    assert row["status"] == "pending" and row["attempts"] == 1 and row["next_attempt_at"]
    assert deliver(config, db, now=NOW + timedelta(minutes=1)).sent == 0        # backoff: not due yet
    later = deliver(config, db, now=NOW + timedelta(minutes=6))
    assert (later.sent, later.exit_code) == (1, 0)
    assert deliver(config, db, now=NOW + timedelta(hours=7)).sent == 0
    assert len(received(httpserver)) == 1 and len(httpserver.log) == 2         # one failure, one delivery


def test_a_notice_interrupted_while_sending_is_sent_again_once(tmp_path: Path, httpserver, monkeypatch):
    monkeypatch.setenv("HS_HOOK_TOKEN", "s3cret")
    httpserver.expect_request("/xzspj").respond_with_data("ok")
    config = config_with(free_port(), (WANGFANG, f'contact: {{name: 王芳, notify: "{hook(httpserver.port)}"}}'))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    queue_daily_warnings(config, db, DAY)
    db.execute("DELETE FROM outbox WHERE channel = 'email'")
    db.execute("UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = 1", [NOW.isoformat()])
    assert deliver(config, db, now=NOW + timedelta(minutes=5)).sent == 0      # maybe still sending
    summary = deliver(config, db, now=NOW + timedelta(minutes=20))
    assert (summary.recovered, summary.sent) == (1, 1) and len(received(httpserver)) == 1


def test_unset_variable_in_a_notify_url_is_a_settings_error(tmp_path: Path, httpserver, smtp, monkeypatch):
    inbox, port = smtp
    monkeypatch.delenv("HS_HOOK_TOKEN", raising=False)
    config = config_with(port, (WANGFANG, WANGFANG[:-1] + f', notify: "{hook(httpserver.port)}"}}'))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    queue_daily_warnings(config, db, DAY)
    summary = deliver(config, db, now=NOW)
    assert summary.sent == 3 and len(inbox.messages) == 3       # e-mail is not held up by the webhook
    assert summary.exit_code == MAIL_SETUP and "HS_HOOK_TOKEN" in summary.problem()
    assert "\n" not in summary.problem()
    (row,) = [r for r in outbox_rows(db) if r["channel"] == "apprise"]
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("pending", 0, None)
    assert "HS_HOOK_TOKEN" in row["last_error"] and not httpserver.log
    monkeypatch.setenv("HS_HOOK_TOKEN", "s3cret")
    httpserver.expect_request("/xzspj").respond_with_data("ok")
    assert deliver(config, db, now=NOW).sent == 1               # fixed: sent right away, once


def test_a_notify_url_apprise_does_not_know_is_a_settings_error(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HS_KEY", "k")
    config = config_with(free_port(), (WANGFANG, 'contact: {name: 王芳, notify: "wecombt://${HS_KEY}"}'))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    queue_daily_warnings(config, db, DAY)
    db.execute("DELETE FROM outbox WHERE channel = 'email'")
    summary = deliver(config, db, now=NOW)
    assert summary.exit_code == MAIL_SETUP and summary.error.endswith("notify URL wecombt://…")
    (row,) = outbox_rows(db)
    assert (row["status"], row["attempts"]) == ("pending", 0)


def test_run_exits_with_the_settings_code_for_an_unset_notify_variable(tmp_path: Path, httpserver, monkeypatch):
    from monitor.cli import cli

    monkeypatch.delenv("HS_HOOK_TOKEN", raising=False)
    text = (DASHBOARD + COUNTY_CONFIG).replace(WANGFANG, f'contact: {{name: 王芳, notify: "{hook(httpserver.port)}"}}')
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    config = parse_config(text)
    db = county_store(tmp_path / "g.db", config, until="2026-10-31")
    queue_bulletin(config, db, Month(2026, 10), ISSUE)
    db.execute("DELETE FROM outbox WHERE channel = 'email'")
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.yaml"), "--db", str(tmp_path / "g.db"),
                                      "outbox", "--retry"])
    assert result.exit_code == MAIL_SETUP, result.output
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("error:")]
    assert "HS_HOOK_TOKEN" in line


def test_supervisor_and_liaisons_can_have_several_recipients():
    config = config_with(2525,
                         ("supervisor: {name: 衡山县行政审批服务局, email: zwgk@hs.example.gov.cn}",
                          "supervisor:\n  name: 衡山县行政审批服务局\n  email: zwgk@hs.example.gov.cn\n"
                          "  recipients:\n    - {notify: \"wecombot://${HS_WECOM}\"}\n"
                          "    - {name: 主任, email: zhuren@hs.example.gov.cn, notify: \"dingtalk://${HS_DING}\"}"),
                         (WANGFANG, WANGFANG[:-1] + ', notify: "feishu://${HS_GROUP}"}'),
                         ("contact: {name: 李明, email: liming@hs.example.gov.cn}",
                          "contact: {name: 李明, email: liming@hs.example.gov.cn, notify: \"feishu://${HS_GROUP}\"}"))
    assert [(e.channel, e.address, e.name) for e in supervisor_recipients(config)] == [
        ("email", "zwgk@hs.example.gov.cn", "衡山县行政审批服务局"),
        ("apprise", "wecombot://${HS_WECOM}", "衡山县行政审批服务局"),
        ("email", "zhuren@hs.example.gov.cn", "主任"), ("apprise", "dingtalk://${HS_DING}", "主任"),
        ("email", "ldbgs@hs.example.gov.cn", "")]
    by_endpoint = {(l.endpoint.channel, l.endpoint.address): [u.id for u in l.units] for l in liaisons(config)}
    # one group chat shared by two units gets one message covering both
    assert by_endpoint[("apprise", "feishu://${HS_GROUP}")] == ["xzspj", "jyj"]
    assert by_endpoint[("email", "wangfang@hs.example.gov.cn")] == ["xzspj"]


@pytest.mark.parametrize("notify, problem", [
    ("https//no-scheme", "apprise URL"), ("wecombot://$KEY", "must start a ${VARIABLE}"),
    ("wecombot://${lower}", "must start a ${VARIABLE} placeholder")])
def test_bad_notify_urls_are_config_errors(notify: str, problem: str):
    with pytest.raises(ConfigError) as err:
        config_with(2525, (WANGFANG, WANGFANG[:-1] + f', notify: "{notify}"}}'))
    assert problem in str(err.value) and "units.0.contact.notify" in str(err.value)


def test_a_listed_recipient_needs_an_address():
    with pytest.raises(ConfigError) as err:
        config_with(2525, (WANGFANG, "contact:\n      name: 王芳\n      recipients: [{name: 王芳}]"))
    assert str(err.value).endswith(":12: units.0.contact.recipients.0: give an email, a notify URL or both")


def test_old_recipient_form_is_still_one_e_mail_endpoint():
    config = config_with(2525)
    assert [l.endpoint for l in liaisons(config)][0] == Endpoint("email", "wangfang@hs.example.gov.cn", "王芳")
    assert endpoints(config.units[0].contact.all_recipients()[0]) == [liaisons(config)[0].endpoint]


def test_bulletin_notice_is_short_and_never_the_bulletin(tmp_path: Path, httpserver, monkeypatch):
    monkeypatch.setenv("HS_HOOK_TOKEN", "s3cret")
    httpserver.expect_request("/boss").respond_with_data("ok")
    httpserver.expect_request("/xzspj").respond_with_data("ok")
    config = config_with(free_port(),
                         ("supervisor: {name: 衡山县行政审批服务局, email: zwgk@hs.example.gov.cn}",
                          f'supervisor: {{name: 衡山县行政审批服务局, notify: "{hook(httpserver.port, "/boss")}"}}'),
                         (WANGFANG, f'contact: {{name: 王芳, notify: "{hook(httpserver.port)}"}}'))
    db = county_store(tmp_path / "g.db", config)
    queue_bulletin(config, db, Month(2026, 10), ISSUE)
    db.execute("DELETE FROM outbox WHERE channel = 'email'")
    assert deliver(config, db, now=NOW).sent == 2
    (boss,) = received(httpserver, "/boss")
    assert "2026年10月" in boss["title"] and "整改期限" in boss["message"] and "一、" not in boss["message"]
    assert "(https://gongkai.hs.example.gov.cn/)" in boss["message"] and len(boss["message"]) < 400
    (liaison,) = received(httpserver)
    assert "衡山县行政审批服务局" in liaison["message"] and "前整改" in liaison["message"]
    assert "unit/xzspj" in liaison["message"]


LINK = "https://gongkai.hs.example.gov.cn/unit/xzspj"


@pytest.mark.parametrize("scheme, plugin, path, content, link", [
    # apprise's WeCom bot sends `msgtype: text`, so it gets the notice as plain text
    ("wecombot", "apprise.plugins.wecombot.NotifyWeComBot", "/wecom?key={key}", lambda p: p["text"]["content"],
     f"在监测平台查看：{LINK}"),
    ("dingtalk", "apprise.plugins.dingtalk.NotifyDingTalk", "/ding?access_token={token}",
     lambda p: p["markdown"]["text"], f"[在监测平台查看]({LINK})"),
    ("feishu", "apprise.plugins.feishu.NotifyFeishu", "/feishu/{token}/", lambda p: json.dumps(p, ensure_ascii=False),
     LINK),
])
def test_chinese_office_chat_bots_receive_the_notice(tmp_path: Path, httpserver, monkeypatch, scheme, plugin, path,
                                                     content, link):
    """apprise does not let these URLs name a host, so the plugin's API address is pointed at the
    local receiver; the payload is what the real service would get."""
    import importlib

    module, cls = plugin.rsplit(".", 1)
    monkeypatch.setattr(getattr(importlib.import_module(module), cls), "notify_url",
                        f"http://127.0.0.1:{httpserver.port}{path}")
    monkeypatch.setenv("HS_BOT", "abcdef0123456789")
    httpserver.expect_request(path.split("?")[0].replace("{token}", "abcdef0123456789"))\
        .respond_with_json({"errcode": 0, "code": 0, "StatusCode": 0})
    config = config_with(free_port(), (WANGFANG, f'contact: {{name: 王芳, notify: "{scheme}://${{HS_BOT}}"}}'))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    queue_daily_warnings(config, db, DAY)
    db.execute("DELETE FROM outbox WHERE channel = 'email'")
    assert deliver(config, db, now=NOW).sent == 1
    ((request, response),) = httpserver.log
    assert response.status_code == 200 and "abcdef0123456789" in request.url
    text = content(json.loads(request.get_data()))
    assert "衡山县行政审批服务局" in text and "政策文件" in text and "2026年10月17日" in text and link in text
    assert scheme != "wecombot" or "**" not in text


def test_scraped_markdown_stays_text(tmp_path: Path):
    config = config_with(2525, (WANGFANG, 'contact: {name: 王芳, notify: "json://127.0.0.1:1/x"}'))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    db.execute("""UPDATE findings SET subject = json_set(subject, '$.column', '[点我](javascript:alert(1))')
                  WHERE unit_id = 'xzspj' AND kind = 'column_due_soon'""")
    queue_daily_warnings(config, db, DAY)
    (data,) = [r[0] for r in db.execute("SELECT eml FROM outbox WHERE channel = 'apprise'").fetchall()]
    assert "\\[点我\\](javascript:alert(1))" in data.decode() and "[点我](" not in data.decode()


def test_warning_notice_lists_a_few_problems_per_unit_each_on_its_own_line(tmp_path: Path):
    kyz = "contact: {name: 赵磊, email: zhaolei@hs.example.gov.cn}"
    config = config_with(2525, (kyz, 'contact: {name: 赵磊, notify: "json://127.0.0.1:1/x"}'))
    db = county_store(tmp_path / "g.db", config, until="2026-10-15")
    queue_daily_warnings(config, db, DAY)
    (data,) = [r[0] for r in db.execute("SELECT eml FROM outbox WHERE channel = 'apprise'").fetchall()]
    lines = data.decode().splitlines()
    assert lines[1] == "**开云镇人民政府**（6项）" and lines[-2] == "- 另有3项"
    assert lines[2:5] == ["- 年报未公开：2025年度报告（期限2026年1月31日）", "- 单项否决：网站",
                          "- 栏目超期未更新：乡镇动态（期限2026年10月9日）"]


def test_long_notices_keep_whole_lines_and_the_link():
    lines = [f"- 问题{i}：" + "栏目" * 20 for i in range(60)]
    text = "### 标题\n" + "\n".join(lines) + "\n[在监测平台查看](https://x.example/)\n"
    short = shorten(text, AppriseChannel.MAX_CHARS)
    assert len(short) <= AppriseChannel.MAX_CHARS and short.rstrip().endswith("(https://x.example/)")
    assert all(line in text.splitlines() or "更多内容" in line for line in short.splitlines())
    assert shorten("### 短\n链接\n", 100) == "### 短\n链接\n"


def test_every_channel_declares_its_name_and_recipient_key():
    assert {name: c.recipient_key for name, c in CHANNELS.items()} == {"email": "email", "apprise": "notify"}
