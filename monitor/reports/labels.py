"""Row/column vocabularies of the official formats (docs/rules.md §2) and heading patterns.

Labels are matched on `norm_label` text by keywords, most specific first, because real reports
split, pad, abbreviate and repeat them (平潭 2019 repeats 三、本年度办理结果 before （四）).
"""
from __future__ import annotations

import re

# Table 三: (row id, official label, group, keyword pattern)
T3_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("new", "一、本年新收政府信息公开申请数量", "", r"本年新收"),
    ("carried_in", "二、上年结转政府信息公开申请数量", "", r"上年结转"),
    ("carried_out", "四、结转下年度继续办理", "", r"结转下一?年度"),
    ("r_partial", "（二）部分公开", "", r"部分公开"),
    ("r_grant", "（一）予以公开", "", r"予以公开"),
    ("r_deny_secret", "（三）1.属于国家秘密", "三", r"国家秘密"),
    ("r_deny_law", "（三）2.其他法律行政法规禁止公开", "三", r"禁止公开"),
    ("r_deny_safety", "（三）3.危及“三安全一稳定”", "三", r"三安全一稳定"),
    ("r_deny_third", "（三）4.保护第三方合法权益", "三", r"第三方合法权益"),
    ("r_deny_internal", "（三）5.属于三类内部事务信息", "三", r"内部事务"),
    ("r_deny_process", "（三）6.属于四类过程性信息", "三", r"过程性信息"),
    ("r_deny_case", "（三）7.属于行政执法案卷", "三", r"执法案卷"),
    ("r_deny_query", "（三）8.属于行政查询事项", "三", r"行政查询"),
    ("r_unable_none", "（四）1.本机关不掌握相关政府信息", "四", r"不掌握"),
    ("r_unable_create", "（四）2.没有现成信息需要另行制作", "四", r"另行制作|没有现成信息"),
    ("r_unable_unclear", "（四）3.补正后申请内容仍不明确", "四", r"仍不明确"),
    ("r_refuse_petition", "（五）1.信访举报投诉类申请", "五", r"信访"),
    ("r_refuse_repeat", "（五）2.重复申请", "五", r"重复申请"),
    ("r_refuse_publication", "（五）3.要求提供公开出版物", "五", r"出版物"),
    ("r_refuse_mass", "（五）4.无正当理由大量反复申请", "五", r"大量反复"),
    ("r_refuse_confirm", "（五）5.要求行政机关确认或重新出具已获取信息", "五", r"重新出具"),
    ("r_other_nocorrect", "（六）1.申请人无正当理由逾期不补正", "六", r"逾期不补正"),
    ("r_other_nofee", "（六）2.申请人逾期未按收费通知要求缴纳费用", "六", r"缴纳费用"),
    ("total", "（七）总计", "", r"（七）总计|^总计$"),
    ("r_other_else", "（六）3.其他", "六", r"(?:^|/|）|处理)3[.．、]?其他$"),
    ("r_other", "（六）其他处理", "六", r"其他处理"),
)
T3_PATTERNS = tuple((rid, re.compile(pat)) for rid, _, _, pat in T3_ROWS)
T3_LABELS: dict[str, str] = {rid: label for rid, label, _, _ in T3_ROWS}
T3_GROUP: dict[str, str] = {rid: group for rid, _, group, _ in T3_ROWS}
GROUP_RE = re.compile(r"（([三四五六])）(?:不予公开|无法提供|不予处理|其他处理)")
#: the numbered rows of each group in their fixed order ("2." under （三） is r_deny_law), for damaged labels
T3_GROUP_ROWS: dict[str, tuple[str, ...]] = {
    g: tuple(rid for rid, _, group, _ in T3_ROWS if group == g and rid != "r_other") for g in "三四五六"
}
ROW_NUMBER_RE = re.compile(r"(?:^|/)(\d)[.、]?[^/\d]*$")

_COMMON_RESULTS = (
    "r_grant", "r_partial",
    "r_deny_secret", "r_deny_law", "r_deny_safety", "r_deny_third",
    "r_deny_internal", "r_deny_process", "r_deny_case", "r_deny_query",
    "r_unable_none", "r_unable_create", "r_unable_unclear",
    "r_refuse_petition", "r_refuse_repeat", "r_refuse_publication", "r_refuse_mass", "r_refuse_confirm",
)
RESULT_ROWS: dict[str, tuple[str, ...]] = {
    "2019": _COMMON_RESULTS + ("r_other",),
    "2021": _COMMON_RESULTS + ("r_other_nocorrect", "r_other_nofee", "r_other_else"),
}
T3_ORDER: dict[str, tuple[str, ...]] = {
    fmt: ("new", "carried_in") + rows + ("total", "carried_out") for fmt, rows in RESULT_ROWS.items()
}


def match_t3_row(label: str, group: str | None) -> str | None:
    """Row id for a normalised (joined) label; `group` is the （三）…（六） group last seen."""
    for rid, pattern in T3_PATTERNS:
        if rid == "r_other_else" and group != "六" and "其他处理" not in label:
            continue
        if pattern.search(label):
            return rid
    return None


# Table 二: canonical columns per format and block (docs/rules.md §2.1, §2.2)
T2_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "2019": {
        "一": ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
        "五": ("上一年项目数量", "本年增/减", "处理决定数量"),
        "六": ("上一年项目数量", "本年增/减", "处理决定数量"),
        "八": ("上一年项目数量", "本年增/减"),
        "九": ("采购项目数量", "采购总金额"),
    },
    "2021": {
        "一": ("本年制发件数", "本年废止件数", "现行有效件数"),
        "五": ("本年处理决定数量",),
        "六": ("本年处理决定数量",),
        "八": ("本年收费金额（单位：万元）",),
    },
}
T2_BLOCK_RE = re.compile(r"第二十条第（([一二三四五六七八九十]+)）项")
FORMAT_2019_MARKERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "第二十条第（九）项", "上一年项目数量")
FORMAT_2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")

# Section headings 一…六, tolerant of typos (行政法复议) and abbreviations.
SECTION_PATTERNS: dict[str, re.Pattern[str]] = {
    "一": re.compile(r"一[、.．]\s*(?:总体情况|概述|基本情况)"),
    "二": re.compile(r"二[、.．]\s*(?:行政机关)?主动公开(?:政府)?信息"),
    "三": re.compile(r"三[、.．]\s*(?:行政机关)?收到和处理"),
    "四": re.compile(r"四[、.．]\s*[^。；\n]{0,16}?(?:复议|诉讼)"),
    "五": re.compile(r"五[、.．]\s*[^。；\n]{0,12}?(?:存在的?主要问题|问题及改进|改进情况)"),
    "六": re.compile(r"六[、.．]\s*其他需要报告"),
}
SECTION_NAMES: dict[str, str] = {
    "一": "一、总体情况", "二": "二、主动公开政府信息情况", "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况", "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}
PRE2019_MARKERS = ("收费及减免", "附表", "概述")
