"""The monthly bulletin: written to files (`gongkai bulletin --out`), or queued for the
supervisor, the cc list and each liaison and delivered through the outbox (`--send`, and the
scheduler's monthly job `run_monthly`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.headerregistry import Address
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from alerts.channels import Notice
from alerts.entries import Entry
from alerts.messages import Attachment, build_message
from alerts.model import Bulletin, Month, build_bulletin
from alerts.outbox import DeliverySummary, deliver, queue_notice
from alerts.render import Rendered, dashboard_link, markdown, render
from alerts.routing import Liaison, liaisons, supervisor_recipients
from alerts.scoring import UnitScore
from monitor.config import Config
from monitor.csvsafe import csv_text
from monitor.output import findings_csv

log = logging.getLogger("gongkai.alerts.bulletin")


@dataclass(frozen=True, slots=True)
class UnitSection:
    """One unit's part of a liaison's message."""

    name: str
    score: UnitScore
    violations: list[Entry]
    unassessed: list[Entry]


@dataclass(frozen=True, slots=True)
class BulletinFiles:
    eml: Path
    html: Path
    txt: Path
    csv: Path
    publication_csv: Path            # 各单位信息发布情况一览表

    @property
    def folder(self) -> Path:
        return self.txt.parent


@dataclass(frozen=True, slots=True)
class MonthlySummary:
    month: Month
    queued: int
    delivery: DeliverySummary

    def line(self) -> str:
        return f"bulletin {self.month}: {self.queued} messages queued; {self.delivery.line()}"


def _csv(b: Bulletin) -> Attachment:
    return Attachment(f"{b.county}{b.month.label}问题清单.csv", findings_csv(b.findings).encode("utf-8"))


#: the columns of 各单位信息发布情况一览表, as real bulletins print it
PUBLICATION_CSV_FIELDS = ["单位", "动态类", "信息公开类", "合计", "最低标准", "是否达标"]


def _publication_csv(b: Bulletin) -> Attachment:
    rows = ({"单位": s.unit_name, "动态类": s.dynamic, "信息公开类": s.disclosure, "合计": s.items,
             "最低标准": "" if s.minimum is None else s.minimum, "是否达标": b.publication.meets(s)}
            for s in b.publication.stats) if b.publication else ()
    return Attachment(f"{b.county}{b.month.label}各单位信息发布情况一览表.csv",
                      csv_text(PUBLICATION_CSV_FIELDS, rows).encode("utf-8"))


def _attachments(b: Bulletin) -> tuple[Attachment, ...]:
    return (_csv(b), _publication_csv(b))


def write_bulletin(config: Config, db: Database, month: Month | str, out_dir: Path | str, *,
                   issue_date: date) -> BulletinFiles:
    """Write `bulletin-YYYY-MM.{eml,html,txt,csv}` and `bulletin-YYYY-MM-publication.csv` to `out_dir`
    without sending anything."""
    month = Month.parse(month) if isinstance(month, str) else month
    b = build_bulletin(config, db, month, issue_date)
    body = render("bulletin", b=b)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"bulletin-{month}"
    emails = [Address(e.name, addr_spec=e.address) for e in supervisor_recipients(config) if e.channel == "email"]
    to = emails[0] if emails else Address(config.supervisor.name, "supervisor", "localhost")
    files = BulletinFiles(*(stem.with_suffix(s) for s in (".eml", ".html", ".txt", ".csv")),
                          out / f"bulletin-{month}-publication.csv")
    files.eml.write_bytes(build_message(config, key=f"bulletin:{month}:file", to=to, subject=b.title, body=body,
                                        attachments=_attachments(b)).as_bytes())
    files.html.write_text(body.html, encoding="utf-8")
    files.txt.write_text(body.text, encoding="utf-8")
    files.csv.write_bytes(_csv(b).data)
    files.publication_csv.write_bytes(_publication_csv(b).data)
    return files


def _sections(b: Bulletin, liaison: Liaison) -> list[UnitSection]:
    return [UnitSection(u.name, b.score_of(u.id), *b.unit_entries(u.id)) for u in liaison.units]


def _liaison_subject(b: Bulletin, sections: list[UnitSection], clear: bool) -> str:
    names = "、".join(s.name for s in sections)
    if clear:
        return f"【监测结果】{b.month.label}政府信息公开栏目监测未发现问题（{names}）"
    return f"【整改通知】{b.month.label}政府信息公开栏目问题及整改期限（{names}）"


def queue_bulletin(config: Config, db: Database, month: Month, issue_date: date) -> int:
    """Queue the bulletin for the supervisor and cc list and the liaisons' messages; returns how
    many new messages were queued (0 when the month was already queued for everyone)."""
    b = build_bulletin(config, db, month, _issued_on(config, db, month) or issue_date)
    period = str(month)
    queued = 0
    body: Rendered | None = None

    def full() -> Rendered:
        nonlocal body
        body = body or render("bulletin", b=b)
        return body
    notice = Notice(b.title, full=full, short=lambda: markdown("bulletin", b=b, link=dashboard_link(config)),
                    attachments=_attachments(b))
    for to in supervisor_recipients(config):
        queued += queue_notice(config, db, "bulletin", period, to, notice)
    ranked = sum(1 for s in b.scores if s.rank)
    for liaison in liaisons(config):
        sections = _sections(b, liaison)
        clear = not any(s.violations for s in sections)
        if clear and not (config.bulletin.all_clear and all(s.score.assessed and not s.unassessed
                                                             for s in sections)):
            continue            # nothing to fix (an all-clear only when everything could be checked)
        subject = _liaison_subject(b, sections, clear)
        link = dashboard_link(config, [u.id for u in liaison.units])
        queued += queue_notice(config, db, "liaison", period, liaison.endpoint, Notice(
            subject, full=lambda: render("liaison", b=b, sections=sections, clear=clear, subject=subject,
                                         greeting=liaison.greeting, ranked=ranked),
            short=lambda: markdown("liaison", b=b, sections=sections, clear=clear, subject=subject, link=link)))
    return queued


def _issued_on(config: Config, db: Database, month: Month) -> date | None:
    """The issue date of a month already (partly) queued, so late additions keep its deadline."""
    row = db.execute("SELECT min(created_at) FROM outbox WHERE kind IN ('bulletin', 'liaison') AND period = ?",
                     [str(month)]).fetchone()
    return datetime.fromisoformat(row[0]).astimezone(ZoneInfo(config.timezone)).date() if row[0] else None


def run_monthly(config: Config, db: Database, today: date, *, now: datetime | None = None) -> MonthlySummary:
    """The scheduler's monthly job: queue the previous month's bulletin and deliver the queue."""
    month = Month.before(today)
    queued = queue_bulletin(config, db, month, today)
    summary = MonthlySummary(month, queued, deliver(config, db, now=now or datetime.now(timezone.utc)))
    log.info(summary.line())
    return summary
