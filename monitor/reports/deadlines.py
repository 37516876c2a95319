"""Publication deadlines (条例 Art. 49; before 2019 Art. 31): the township date is configuration."""
from __future__ import annotations

from datetime import date
from typing import Literal, Mapping, get_args

#: the kinds of unit the 条例 sets deadlines for
UnitType = Literal["department", "government", "township"]
UNIT_TYPES: tuple[UnitType, ...] = get_args(UnitType)
#: the statutory dates, "MM-DD" in the year after the report year; the county's dates, with the
#: township's, are `rules.report_deadlines` in the config
DEFAULT_DEADLINES: dict[str, str] = {"department": "01-31", "government": "03-31"}


def deadline_for(year: int, unit_type: str, deadlines: Mapping[str, str] | None = None) -> date | None:
    """Deadline for the report on `year`; None when the unit type has no configured date.

    `deadlines` maps unit type → "MM-DD" in the following year, e.g. {"township": "02-20"}.
    Reports for 2018 and earlier were all due 3月31日.
    """
    if year <= 2018:
        return date(year + 1, 3, 31)
    configured = {**DEFAULT_DEADLINES, **(deadlines or {})}
    text = configured.get(unit_type)
    if not text:
        return None
    month, day = (int(part) for part in str(text).split("-"))
    return date(year + 1, month, day)
