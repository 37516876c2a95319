"""What the narrative says: years, section headings, and the numbers K11 compares with the tables."""
from __future__ import annotations

import re

from monitor.reports.labels import SECTION_PATTERNS
from monitor.reports.model import NarrativeNumber

_TITLE_YEAR_RE = re.compile(r"(?<!\d)(\d{4})\s*年度?(?:[^，。\d]{0,40})?(?:政府)?信息公开")
_PERIOD_RE = re.compile(r"(?:自|从|为|期限|时限)\s*(\d{4})\s*年\s*1\s*月\s*1\s*日")
_OPENING_RE = re.compile(r"^\s*(\d{4})\s*年")
_N = r"(\d+)\s*件"
# key → patterns; the first capture group is the number
NARRATIVE_PATTERNS: dict[str, tuple[str, ...]] = {
    "received": (r"(?:收到|受理|办理)[^，。；、]{0,14}?申请(?:共计|共|合计)?" + _N,
                 r"(?:收到|受理)(?:各类|政府信息公开)?" + _N + r"[^，。；]{0,4}申请"),
    "carried_in": (r"上年度?结转[^，。；\d]{0,8}?" + _N,),
    "carried_out": (r"(\d+)\s*件[^，。；]{0,12}?(?:结转|顺延)(?:到|至)?下一?年度",),
    "answered": (r"(?:答复|办结)[^，。；\d]{0,12}?" + _N,),
    "granted_or_partial": (r"予以公开(?:及|和|、)部分公开[^，。；\d]{0,4}" + _N,),
    "granted": (r"予以公开(?!及|和|、)[^，。；\d]{0,4}" + _N,),
    "denied": (r"不予公开[^，。；\d]{0,4}" + _N,),
    "unable": (r"无法提供[^，。；\d]{0,4}" + _N,),
    "refused": (r"不予处理[^，。；\d]{0,4}" + _N,),
    "other": (r"其他处理[^，。；\d]{0,4}" + _N,),
    "review_total": (r"行政复议(?:案件)?" + _N,),
    "litigation_total": (r"(?<!、)(?:行政)?诉讼(?:案件)?" + _N,),
    "all_upheld": (r"(均|全部)(?:获|被|予以)?维持",),
}
_COMPILED = {k: tuple(re.compile(p) for p in ps) for k, ps in NARRATIVE_PATTERNS.items()}
#: a statement counts only in a sentence about applications (表三) or about cases (表四)
_CONTEXT = {"received": "申请", "answered": "申请", "carried_in": "申请", "carried_out": "申请",
            "review_total": "复议", "litigation_total": "诉讼", "all_upheld": "复议"}


def title_year(title: str | None) -> int | None:
    match = _TITLE_YEAR_RE.search(title or "")
    return int(match.group(1)) if match else None


def period_year(text: str) -> int | None:
    match = _PERIOD_RE.search(text)
    return int(match.group(1)) if match else None


def find_sections(text: str) -> dict[str, tuple[int, str]]:
    """Heading id → (offset, heading as written), in document order; tables are already removed."""
    found: dict[str, tuple[int, str]] = {}
    start = 0
    for key, pattern in SECTION_PATTERNS.items():
        match = pattern.search(text, start)
        if match:
            found[key] = (match.start(), match.group(0))
            start = match.end()
    return found


def section_text(text: str, sections: dict[str, tuple[int, str]], key: str) -> str:
    if key not in sections:
        return ""
    begin = sections[key][0]
    later = [offset for offset, _ in sections.values() if offset > begin]
    return text[begin:min(later, default=len(text))]


def opening_year(overview: str) -> int | None:
    body = SECTION_PATTERNS["一"].sub("", overview, count=1)
    match = _OPENING_RE.match(body)
    return int(match.group(1)) if match else None


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；;\n") if i >= 0]
    return text[left:min(rights, default=len(text))].strip()


def narrative_numbers(text: str) -> list[NarrativeNumber]:
    """Every recognised statement, in text order, with its sentence kept for quoting."""
    found: list[tuple[int, NarrativeNumber]] = []
    for key, patterns in _COMPILED.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                value = int(match.group(1)) if match.group(1).isdigit() else None
                sentence = _sentence(text, match.start(), match.end())
                if _CONTEXT.get(key, "") not in sentence:
                    continue
                found.append((match.start(), NarrativeNumber(key, value, sentence)))
    found.sort(key=lambda pair: pair[0])
    seen: set[tuple[str, int | None, str]] = set()
    result = []
    for _, number in found:
        ident = (number.key, number.value, number.sentence)
        if ident not in seen:
            seen.add(ident)
            result.append(number)
    return result
