"""Per-unit score and ranking for the monthly bulletin (附件：各单位得分及排名).

Scoring (config `bulletin.scoring`, defaults per kind in `monitor/kinds.py`):
- every unit starts at `base` (100) points;
- each open violation (result `fail`) at the end of the month deducts the points configured for
  its kind (`deductions`, e.g. column_stale 3, report_missing 20), or `default_deduction` (2);
- warnings (suspected problems, columns about to be overdue) and results that could not be
  assessed (unreachable pages) never cost points;
- the score does not go below 0; a unit is 不合格 when its score is below `pass_score` (60) or
  it reached a 单项否决 (`Finding.veto`: site_failing, the county portal's home page), whatever its score;
- a unit none of whose columns could be checked is 未能检测: no score, no rank, and it is left
  out of the pass rate;
- ranking: highest score first; equal scores share a rank (1, 2, 2, 4); ties keep config order.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from monitor.config import ScoringConfig, UnitConfig
from monitor.finding import Finding
from monitor.kinds import label


@dataclass(frozen=True, slots=True)
class UnitScore:
    unit_id: str
    unit_name: str
    assessed: bool
    score: float | None
    violations: int
    veto: bool              # reached a 单项否决 threshold
    passed: bool            # assessed, no veto, score at or above pass_score
    rank: int | None = None

    @property
    def rating(self) -> str:
        if not self.assessed:
            return "未能检测"
        if self.veto:
            return "不合格（单项否决）"
        return "合格" if self.passed else "不合格"


def score_units(scoring: ScoringConfig, units: Iterable[UnitConfig], violations: list[Finding],
                assessed: set[str]) -> list[UnitScore]:
    """Scores of all units from their open violations (findings with result `fail`), ranked
    (unassessed units last, unranked)."""
    scores = []
    for unit in units:
        own = [f for f in violations if f.unit_id == unit.id]
        if unit.id not in assessed:
            scores.append(UnitScore(unit.id, unit.name, False, None, len(own), False, False))
            continue
        lost = sum(scoring.deductions.get(f.kind, scoring.default_deduction) for f in own)
        score = max(0.0, scoring.base - lost)
        veto = any(f.veto for f in own)
        scores.append(UnitScore(unit.id, unit.name, True, score, len(own), veto,
                                not veto and score >= scoring.pass_score))
    ranked = sorted((s for s in scores if s.assessed), key=lambda s: -(s.score or 0))
    out, rank = [], 0
    for index, s in enumerate(ranked):
        if index == 0 or s.score != ranked[index - 1].score:
            rank = index + 1
        out.append(replace(s, rank=rank))
    return out + [s for s in scores if not s.assessed]


def scoring_rules_text(scoring: ScoringConfig) -> str:
    """The scoring rule in one Chinese paragraph, printed under the ranking table."""
    parts = [f"{label(kind)}每个扣{_points(p)}分"
             for kind, p in scoring.deductions.items() if p > 0]
    return (f"满分{_points(scoring.base)}分，按月末仍存在的问题扣分：{'，'.join(parts)}，其他问题每个扣"
            f"{_points(scoring.default_deduction)}分；疑似问题和未能检测的项目不扣分。得分低于"
            f"{_points(scoring.pass_score)}分或达到单项否决标准的单位评定为不合格。")


def _points(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
