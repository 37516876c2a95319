"""Hypothesis: perturbed HTML never crashes the parser, and an unreadable table never yields `fail`."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.reports import parse_html, parse_report
from tests.report_support import DATA, run

SOURCES = [(DATA / n).read_text(encoding="utf-8") for n in ("pingtan_2024.html", "shanghai_szfbgt_2019.html")]
CELL_RE = re.compile(r"<td[^>]*>.*?</td>", re.S)
NOISE = st.sampled_from(["", "&nbsp;", "—", "x", "1.5", "-3", "<p>12</p><p>3</p>", "<br/>", "</tr><tr>",
                         "<td>9</td>", "</table>", "<table>", "自然人", "（七）总计", "999999999999"])


def perturb(html: str, edits: list[tuple[int, str]]) -> str:
    cells = list(CELL_RE.finditer(html))
    out, last = [], 0
    chosen = {i % len(cells): text for i, text in edits}
    for index, match in enumerate(cells):
        if index in chosen:
            out += [html[last:match.start()], f"<td>{chosen[index]}</td>"]
            last = match.end()
    return "".join(out) + html[last:]


def assert_sound(report) -> None:
    results = run(report)
    for result in results:
        if result.status == "fail":
            assert result.evidence, result
        if result.kind == "report_inconsistent" and result.status == "fail":
            assert report.table3.readable or report.table4.readable
            tables = {v["table"] for v in result.evidence["violations"]}
            assert ("三" not in tables or report.table3.readable) and ("四" not in tables or report.table4.readable)
        if result.kind == "report_carryover_mismatch":
            assert result.status != "fail"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SOURCES), edits=st.lists(st.tuples(st.integers(0, 10_000), NOISE), max_size=8))
def test_perturbed_cells(source: str, edits: list[tuple[int, str]]) -> None:
    assert_sound(parse_html(perturb(source, edits)))


@settings(max_examples=80, deadline=None)
@given(source=st.sampled_from(SOURCES), start=st.integers(0, 30_000), length=st.integers(0, 5_000))
def test_truncated_and_cut_documents(source: str, start: int, length: int) -> None:
    data = (source[:start] + source[start + length:]).encode("utf-8")
    assert_sound(parse_report(data, "text/html"))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes(data: bytes) -> None:
    assert_sound(parse_report(data, "text/html"))
    assert_sound(parse_report(data, "text/plain"))
