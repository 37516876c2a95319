"""Annual reports of the demo county (政府信息公开工作年度报告): consistent numbers and their pages.

Numbers are generated so that every relation the checker verifies holds (K1–K6 within a report,
K7 and K8 between consecutive years, K11 narrative = tables); a scenario then breaks exactly one
thing. Pages follow the real markup of 平潭 (2021 format) and 上海 (2019 format): a rowspan
group label over the 办理结果 rows, split header cells, colspans in table 二.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from html import escape

from monitor.demo.content import TOPICS
from monitor.reports.labels import RESULT_ROWS, T2_COLUMNS, T3_LABELS

_PROBLEMS = ("政策解读形式较为单一", "基层政务公开标准化规范化水平有待提升", "信息发布审核机制仍需完善",
             "依申请公开答复规范性有待加强", "公开内容的时效性还需提高", "政务新媒体互动回应不够及时")

#: weights of the 办理结果 rows an application ends in (most are granted or not held)
_OUTCOME_WEIGHTS = {"r_grant": 8, "r_partial": 2, "r_unable_none": 4, "r_deny_third": 1, "r_deny_process": 1,
                    "r_refuse_repeat": 1, "r_other_nocorrect": 1, "r_other": 1}
_GROUP_LABELS = {"三": "（三）不予公开", "四": "（四）无法提供", "五": "（五）不予处理", "六": "（六）其他处理"}
_T3_HEAD = ("自然人", "商业<br>企业", "科研<br>机构", "社会<br>公益<br>组织", "法律<br>服务<br>机构", "其他")
_LONG_LABELS = {"r_partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"}
_T4_FIELDS = ("结果<br>维持", "结果<br>纠正", "其他<br>结果", "尚未<br>审结", "总计")
_T2_ITEMS = {
    "2021": (("一", ("规章", "行政规范性文件")), ("五", ("行政许可",)), ("六", ("行政处罚", "行政强制")),
             ("八", ("行政事业性收费",))),
    "2019": (("一", ("规章", "规范性文件")), ("五", ("行政许可", "其他对外管理服务事项")),
             ("六", ("行政处罚", "行政强制")), ("八", ("行政事业性收费",)), ("九", ("政府集中采购",))),
}


@dataclass
class ReportData:
    """One unit-year report: table 二 cells, table 三 applicant counts (总计 derived), table 四."""

    unit_name: str
    year: int
    format: str                                   # "2021" | "2019" (the template the unit used)
    t2: dict[str, list[str]] = field(default_factory=dict)        # item label -> cells
    t3: dict[str, list[int]] = field(default_factory=dict)        # row id -> 6 applicant counts
    t4: list[int] = field(default_factory=list)                   # 15 cells, totals included
    valid_rules: int = 0                          # 现行有效件数 of 行政规范性文件 (K8 across years)
    blank_totals: bool = False                    # leave 总计 blank on the 办理结果 rows (as 上海 2019)
    note: str = ""                                # an extra sentence in 五 (an edit after publication)
    focus: str = ""                               # the year's own sentences (reports are not copies)

    @property
    def title(self) -> str:
        return f"{self.unit_name}{self.year}年政府信息公开工作年度报告"

    def total(self, row: str) -> int:
        return sum(self.t3[row])

    def rows(self) -> tuple[str, ...]:
        return ("new", "carried_in") + RESULT_ROWS[self.format] + ("total", "carried_out")


def make_report(rng: random.Random, unit_name: str, year: int, fmt: str, carried_in: list[int],
                valid_rules: int) -> ReportData:
    """Numbers for which K1–K6 and K13 hold, carrying in last year's 结转下年度 (K7), 现行有效件数 (K8)
    and 上一年项目数量 (K9)."""
    data = ReportData(unit_name, year, fmt)
    rows = RESULT_ROWS[fmt]
    weights = [_OUTCOME_WEIGHTS.get(r, 0) for r in rows]
    data.t3 = {r: [0] * 6 for r in ("new", "carried_in", *rows, "total", "carried_out")}
    for col, (low, high) in enumerate(((2, 15), (0, 3), (0, 0), (0, 1), (0, 1), (0, 1))):
        new = rng.randint(low, high)
        pending = new + carried_in[col]
        out = rng.randint(0, min(1, pending))
        data.t3["new"][col], data.t3["carried_in"][col], data.t3["carried_out"][col] = new, carried_in[col], out
        data.t3["total"][col] = pending - out
        for _ in range(pending - out):
            data.t3[rng.choices(rows, weights)[0]][col] += 1
    review = [rng.randint(0, 1) for _ in range(4)]
    direct = [rng.randint(0, 1), 0, 0, rng.randint(0, 1)]
    after = [0, 0, 0, rng.randint(0, 1)]
    data.t4 = [n for group in (review, direct, after) for n in (*group, sum(group))]
    topics = rng.sample(TOPICS, 3)
    data.focus = (f"围绕{topics[0]}、{topics[1]}等重点领域，全年主动公开政府信息{rng.randint(80, 900)}条，"
                  f"发布政策解读{rng.randint(3, 40)}篇。{rng.choice(_PROBLEMS)}，下一步将加强{topics[2]}领域信息公开。")
    made, repealed = rng.randint(0, 6), rng.randint(0, 2)
    if fmt == "2019":       # the 2019 table counts what is published, nothing is repealed (K13)
        repealed = 0
    data.valid_rules = max(0, valid_rules + made - repealed)
    repealed = valid_rules + made - data.valid_rules
    if fmt == "2021":
        data.t2 = {"规章": ["0", "0", "0"], "行政规范性文件": [str(made), str(repealed), str(data.valid_rules)],
                   "行政许可": [str(rng.randint(50, 900))], "行政处罚": [str(rng.randint(0, 60))],
                   "行政强制": [str(rng.randint(0, 5))], "行政事业性收费": [f"{rng.randint(0, 9000) / 100:.2f}"]}
    else:
        data.t2 = {"规章": ["0", "0", "0"], "规范性文件": [str(made), str(made), str(data.valid_rules)],
                   # the same licensing items every year, so 上一年项目数量 rolls forward (K9)
                   "行政许可": [str(20 + zlib.crc32(unit_name.encode()) % 61), "0", str(rng.randint(50, 900))],
                   "其他对外管理服务事项": ["0", "0", "0"], "行政处罚": ["0", "0", str(rng.randint(0, 60))],
                   "行政强制": ["0", "0", str(rng.randint(0, 5))], "行政事业性收费": ["2", "0"],
                   "政府集中采购": [str(rng.randint(0, 5)), f"{rng.randint(0, 500)}万元"]}
    return data


# ------------------------------------------------------------------------------------- text

def _paragraphs(data: ReportData, unit_type: str) -> dict[str, list[str]]:
    """The narrative of the six sections; every number in it is the table's."""
    y = data.year
    received, carried, out = data.total("new"), data.total("carried_in"), data.total("carried_out")
    review, litigation = data.t4[4], data.t4[9] + data.t4[14]
    return {
        "intro": [f"本报告根据《中华人民共和国政府信息公开条例》编制，所列数据统计期限自{y}年1月1日起至{y}年12月31日止。"],
        "一": [f"{y}年，{data.unit_name}认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开。",
              f"（一）主动公开。{data.focus}",
              f"（二）依申请公开。本年度共收到政府信息公开申请{received}件，上年结转申请{carried}件，"
              f"其中{out}件结转下年度继续办理。",
              "（三）政府信息管理。坚持“先审后发”，落实信息发布保密审查和三审制度。",
              "（四）平台建设。依托县政府门户网站政府信息公开专栏集中发布政府信息。",
              f"（五）监督保障。将政务公开纳入年度绩效考核，全年因政府信息公开被申请行政复议{review}件，"
              f"被提起行政诉讼{litigation}件。" if unit_type == "government" else
              f"（五）监督保障。明确专人负责政务公开，全年因政府信息公开被申请行政复议{review}件，"
              f"被提起行政诉讼{litigation}件。"],
        "五": [f"{y}年工作中仍存在政策解读形式较单一等问题，{y + 1}年将丰富解读形式，提高公开质量。"
               + data.note],
        "六": [f"{y}年度未收取信息处理费。"],
    }


_HEADINGS = {"一": "一、总体情况", "二": "二、主动公开政府信息情况", "三": "三、收到和处理政府信息公开申请情况",
             "四": "四、政府信息公开行政复议、行政诉讼情况", "五": "五、存在的主要问题及改进情况",
             "六": "六、其他需要报告的事项"}


def report_html(data: ReportData, unit_type: str) -> str:
    """The report as the body of its detail page (paragraphs and the three tables)."""
    text = _paragraphs(data, unit_type)
    out = [f"<p>{escape(t)}</p>" for t in text["intro"]]
    for key, heading in _HEADINGS.items():
        out.append(f"<p><strong>{heading}</strong></p>")
        out += [f"<p>{escape(t)}</p>" for t in text.get(key, [])]
        out.append({"二": _table2, "三": _table3, "四": _table4}.get(key, lambda _: "")(data))
    return "\n".join(o for o in out if o)


def _td(text: object, rows: int = 1, cols: int = 1) -> str:
    span = (f' rowspan="{rows}"' if rows > 1 else "") + (f' colspan="{cols}"' if cols > 1 else "")
    return f"<td{span}><p>{text}</p></td>"


def _table2(data: ReportData) -> str:
    width = 4
    rows = []
    for block, items in _T2_ITEMS[data.format]:
        columns = T2_COLUMNS[data.format][block]
        rows.append(_td(f"第二十条第（{block}）项", cols=width))
        span = width - len(columns)
        heads = [_td(c, cols=span if i == len(columns) - 1 else 1) for i, c in enumerate(columns)]
        rows.append(_td("信息内容") + "".join(heads))
        for item in items:
            cells = data.t2[item]
            rows.append(_td(item) + "".join(_td(v, cols=span if i == len(cells) - 1 else 1)
                                            for i, v in enumerate(cells)))
    return _table(rows)


def _table3(data: ReportData) -> str:
    results = RESULT_ROWS[data.format]
    rows = [_td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3) + _td("申请人情况", cols=7),
            _td("自然人", 2) + _td("法人或其他组织", cols=5) + _td("总计", 2),
            "".join(_td(h) for h in _T3_HEAD[1:])]
    group_seen: set[str] = set()
    for row in data.rows():
        label = T3_LABELS[row]
        cells = data.t3[row] + [data.total(row)]
        shown = [str(v) for v in cells]
        if data.blank_totals and row in results:
            shown[6] = ""
        values = "".join(_td(v) for v in shown)
        if row in ("new", "carried_in", "carried_out"):
            rows.append(_td(label, cols=3) + values)
            continue
        head = _td("三、本年度办理结果", len(results) + 1) if row == results[0] else ""
        group = label[1] if label.startswith("（") and len(label) > 3 and label[3:4].isdigit() else None
        if row == "r_other":
            rows.append(head + _td("（六）其他处理", cols=2) + values)
        elif group and group in _GROUP_LABELS:
            count = sum(1 for r in results if T3_LABELS[r].startswith(f"（{group}）"))
            lead = "" if group in group_seen else _td(_GROUP_LABELS[group], count)
            group_seen.add(group)
            rows.append(head + lead + _td(label[3:]) + values)
        else:
            rows.append(head + _td(_LONG_LABELS.get(row, label), cols=2) + values)
    return _table(rows)


def _table4(data: ReportData) -> str:
    rows = [_td("行政复议", cols=5) + _td("行政诉讼", cols=10),
            "".join(_td(f, 2) for f in _T4_FIELDS) + _td("未经复议直接起诉", cols=5) + _td("复议后起诉", cols=5),
            "".join(_td(f) for f in _T4_FIELDS * 2),
            "".join(_td(v) for v in data.t4)]
    return _table(rows)


def _table(rows: list[str]) -> str:
    return ('<table border="1" cellspacing="0" align="center"><tbody>\n'
            + "\n".join(f"<tr>{r}</tr>" for r in rows) + "\n</tbody></table>")


def report_lines(data: ReportData, unit_type: str) -> list[str]:
    """The report as plain text lines (`label v1 v2 …` table rows), for the PDF attachment."""
    text = _paragraphs(data, unit_type)
    lines = [data.title, *text["intro"], _HEADINGS["一"], *text["一"], _HEADINGS["二"]]
    lines += [f"{item} {' '.join(cells)}" for item, cells in data.t2.items()]
    lines += [_HEADINGS["三"], "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"]
    lines += [f"{T3_LABELS[r]} {' '.join(str(v) for v in data.t3[r] + [data.total(r)])}" for r in data.rows()]
    lines += [_HEADINGS["四"], "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计",
              " ".join(str(v) for v in data.t4), _HEADINGS["五"], *text["五"], _HEADINGS["六"], *text["六"]]
    return lines
