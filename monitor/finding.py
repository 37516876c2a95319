"""One finding as its readers see it: the store's row, typed, between reconciliation and the people
who read it (alerts, the CLI's table/CSV/JSON, the dashboard).

The fields are those of the stable JSON (docs/design.md §2, plus `result`); `to_json` gives that object
unchanged. The evidence stays the JSON the check wrote (the dashboard lists all of it, the CSV
exports it), and the values readers compute with — due date, days overdue, report deadline … —
are typed properties here, so no reader digs through the evidence dict on its own.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    rule: str
    kind: str
    severity: str
    status: str                  # open | resolved
    result: str                  # fail | warning | uncertain
    unit_id: str
    unit_name: str
    subject: dict[str, Any] = field(hash=False)      # what is wrong: a column (url), a site, a report year, an item
    message: str
    evidence: dict[str, Any] = field(hash=False)     # as the check wrote it
    first_seen: date
    last_seen: date
    resolved_at: date | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Finding":
        """A `findings` row (subject and evidence as stored JSON text)."""
        return cls(id=row["id"], rule=row["rule"], kind=row["kind"], severity=row["severity"],
                   status=row["status"], result=row["result"], unit_id=row["unit_id"], unit_name=row["unit_name"],
                   subject=json.loads(row["subject"]), message=row["message"], evidence=json.loads(row["evidence"]),
                   first_seen=date.fromisoformat(row["first_seen"]), last_seen=date.fromisoformat(row["last_seen"]),
                   resolved_at=_day(row["resolved_at"]))

    def to_json(self) -> dict[str, Any]:
        """The stable JSON object of docs/design.md §2 (plus `result`), keys in their documented order."""
        return {
            "id": self.id, "rule": self.rule, "kind": self.kind, "severity": self.severity,
            "status": self.status, "result": self.result,
            "unit": {"id": self.unit_id, "name": self.unit_name},
            "subject": self.subject, "message": self.message, "evidence": self.evidence,
            "first_seen": self.first_seen.isoformat(), "last_seen": self.last_seen.isoformat(),
            "resolved_at": self.resolved_at and self.resolved_at.isoformat(),
        }

    def open_at(self, day: date) -> bool:
        """Open at the end of `day` (the store keeps one episode: a re-opened finding counts from its
        latest opening)."""
        return self.first_seen <= day and (self.resolved_at is None or self.resolved_at > day)

    # ------------------------------------------------------------------ the subject

    @property
    def column(self) -> str | None:
        return self.subject.get("column")

    @property
    def year(self) -> int | None:
        """The report year of a report finding."""
        return self.subject.get("year")

    @property
    def link(self) -> str | None:
        """Where to look: the column or item, else the page that was checked, else the site."""
        return self.subject.get("url") or self.evidence.get("checked_url") or self.subject.get("site")

    # ------------------------------------------------------------------ the evidence

    @property
    def veto(self) -> bool:
        """A 单项否决 (docs/rules.md §4.2): the unit is 不合格 whatever its score — a site over a
        threshold (site_failing), a site unavailable (W6), or the county portal's home page not updated
        (W1 on the portal)."""
        return self.result == "fail" and (self.kind in ("site_failing", "site_unavailable")
                                          or self.evidence.get("county_portal") is True)

    @property
    def probe_shortfall(self) -> bool:
        """W6 网站不可用 not judged: fewer than the daily minimum of availability probes on some day
        of the window (a county run by cron alone has none)."""
        return self.kind == "site_unavailable" and self.result == "uncertain" and bool(self.evidence.get("short_days"))

    @property
    def probes(self) -> int:
        """Availability probes of the window (W6), as the check counted them per day."""
        return sum((self.evidence.get("probes_per_day") or {}).values())

    @property
    def due(self) -> date | None:
        """The day a column had to be (or will have to be) updated by."""
        return _day(self.evidence.get("due"))

    @property
    def deadline(self) -> date | None:
        """The day a report had to be published by."""
        return _day(self.evidence.get("deadline"))

    @property
    def published(self) -> date | None:
        return _day(self.evidence.get("published"))

    @property
    def days_overdue(self) -> int | None:
        return self.evidence.get("days_overdue")

    @property
    def days_late(self) -> int | None:
        return self.evidence.get("days_late")

    @property
    def newest_item_date(self) -> date | None:
        return _day(self.evidence.get("newest_item_date"))

    @property
    def newest_item_title(self) -> str | None:
        return self.evidence.get("newest_item_title")

    @property
    def category(self) -> str | None:
        return self.evidence.get("category")

    @property
    def cycle(self) -> str | None:
        return self.evidence.get("cycle")

    @property
    def item_count(self) -> int | None:
        return self.evidence.get("item_count")

    @property
    def violations(self) -> list[dict[str, Any]]:
        """The relations a report violates, with their values (report_inconsistent)."""
        return self.evidence.get("violations") or []
