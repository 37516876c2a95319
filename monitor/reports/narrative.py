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


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
#: PDF text keeps the page's layout: page numbers ("- 3 -"), line breaks inside sentences ("答\n复 3050")
_PAGE_NUMBER_RE = re.compile(r"^[ \t]*[-—–][ \t]*\d{1,3}[ \t]*[-—–][ \t]*(?:\n|$)", re.M)
_WRAP_RE = re.compile(r"(?<![。；;：:！？!?\n])[ \t]*\n(?!\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]))")
#: and spaces around digits and between CJK characters ("申请 21 件", "邮 编 ：")
_CJK_SPACE_RE = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+|[ \t\u00a0]+(?=[{_CJK}])")


def _delete(pattern: re.Pattern[str], text: str, offsets: list[int]) -> tuple[str, list[int]]:
    parts: list[str] = []
    kept: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(text[last:match.start()])
        kept.extend(offsets[last:match.start()])
        last = match.end()
    parts.append(text[last:])
    kept.extend(offsets[last:])
    return "".join(parts), kept


def normalise(text: str, wrapped: bool) -> tuple[str, list[int]]:
    """Text for the narrative patterns, and for each of its characters the offset in `text` (to quote it raw).

    `wrapped` (PDF): the page's line breaks and page numbers are removed from sentences."""
    offsets = list(range(len(text)))
    if wrapped:
        text, offsets = _delete(_PAGE_NUMBER_RE, text, offsets)
        text, offsets = _delete(_WRAP_RE, text, offsets)
    return _delete(_CJK_SPACE_RE, text, offsets)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；;\n") if i >= 0]
    right = min(rights, default=len(text))
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


def narrative_numbers(raw: str, *, wrapped: bool = False) -> list[NarrativeNumber]:
    """Every recognised statement, in text order, with its sentence kept for quoting (and as extracted)."""
    text, offsets = normalise(raw, wrapped)
    found: list[tuple[int, NarrativeNumber]] = []
    for key, patterns in _COMPILED.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                value = int(match.group(1)) if match.group(1).isdigit() else None
                left, right = _sentence(text, match.start(), match.end())
                sentence = text[left:right]
                if _CONTEXT.get(key, "") not in sentence:
                    continue
                source = raw[offsets[left]:offsets[right - 1] + 1] if right > left else ""
                found.append((match.start(), NarrativeNumber(key, value, sentence,
                                                             source if source != sentence else None)))
    found.sort(key=lambda pair: pair[0])
    seen: set[tuple[str, int | None, str]] = set()
    result = []
    for _, number in found:
        ident = (number.key, number.value, number.sentence)
        if ident not in seen:
            seen.add(ident)
            result.append(number)
    return result
