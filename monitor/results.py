"""Check results: the one shape every check (columns, reports, items) returns.

A check never writes to the store. It returns `Result`s; `monitor.findings` turns the
non-passing ones into findings (docs/design.md §2) and reconciles them across runs.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "warning", "uncertain", "not_applicable"]
Severity = Literal["critical", "high", "medium", "low", "info"]

#: Statuses that become findings. `warning` is advisory (e.g. column_due_soon),
#: `uncertain` means "could not be assessed" and is never counted as a violation.
FINDING_STATUSES: frozenset[str] = frozenset({"fail", "warning", "uncertain"})


@dataclass(slots=True)
class Result:
    """One evaluation of one rule on one subject (a column, a site, a report …).

    Treated as immutable but not `frozen`: a frozen dataclass sets each field through
    `object.__setattr__`, which made building 100,000 results 3.5× slower (bench_check.py)."""

    rule: str                      # rule id from docs/rules.md: W2, K1, A1 …
    kind: str                      # finding kind: column_stale, report_inconsistent …
    status: Status
    unit_id: str
    unit_name: str
    subject: dict[str, Any]        # what was checked, e.g. {"column": "通知公告", "url": "…"}
    message: str = ""              # Chinese, user-facing
    severity: Severity = "medium"
    evidence: dict[str, Any] = field(default_factory=dict)
    #: other kinds this result rules out for the same subject (a column is either blank, undated,
    #: stale, due soon, fresh or unreachable), so one result per subject can close old findings
    supersedes: tuple[str, ...] = ()

    @property
    def is_finding(self) -> bool:
        return self.status in FINDING_STATUSES

    @property
    def fingerprint(self) -> str:
        """Stable id of kind+unit+subject, so a finding survives across runs."""
        return fingerprint(self.kind, self.unit_id, self.subject)


def fingerprint(kind: str, unit_id: str, subject: dict[str, Any] | str) -> str:
    """`subject` may be given as its `subject_key` already."""
    key = subject if isinstance(subject, str) else subject_key(subject)
    return hashlib.sha1(f"{kind}\x1f{unit_id}\x1f{key}".encode("utf-8")).hexdigest()[:16]


_IDENTIFYING = ("url", "year", "site", "relation")


def subject_key(subject: dict[str, Any]) -> str:
    """The part of a subject that identifies it: URL (or column name without one), site, year."""
    parts = [f"{k}={subject[k]}" for k in _IDENTIFYING if k in subject]
    if "url" not in subject and "column" in subject:
        parts.append(f"column={subject['column']}")
    return "\x1f".join(parts) if parts else json.dumps(subject, ensure_ascii=False, sort_keys=True)
