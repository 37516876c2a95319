"""Bounded resources (issue 14, case 8): hostile documents generated here — a many-page PDF, a PDF
flate bomb, a .docx zip bomb (honest and lying headers), a YAML alias bomb — cost bounded time and memory and
end as `uncertain` ("附件过大，未解析") or a one-line config error; a parsed document version is
kept in the store so a later check does not parse it again."""
from __future__ import annotations

import io
import json
import logging
import struct
import time
import tracemalloc
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import monitor.report_store as report_store
from monitor.cli import cli
from monitor.config import ConfigError, load_config, parse_config
from monitor.demo.pdf import minimal_pdf
from monitor.demo.server import DemoServer
from monitor.evaluation import run_check
from monitor.report_store import parse_stored
from monitor.reports import UnreadableInput, parse_report
from monitor.reports.cli import report
from monitor.reports.limits import MB, DocumentTooLarge, Limits
from monitor.store import open_db
from monitor.web.app import create_app
from tests.helpers import BASE_CONFIG
from tests.test_report_documents import make_docx, report_lines
from tests.test_spider import TODAY, crawl
from tests.test_spider_details import REPORTS, UNIT, Portal, config_text, list_page, report_page, rows

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def _quiet_pdfminer():
    logging.getLogger("pdfminer").setLevel(logging.ERROR)     # the generated PDF has no FontBBox


# ---------------------------------------------------------------- PDF pages and time
def test_pdf_within_the_page_limit_is_parsed() -> None:
    parsed = parse_report(minimal_pdf(report_lines(), pages=5), PDF)
    assert parsed.source == "pdf" and parsed.table3.readable


def test_500_page_pdf_is_refused_before_extraction() -> None:
    data = minimal_pdf(report_lines(), pages=500)
    start = time.perf_counter()
    with pytest.raises(DocumentTooLarge) as refused:
        parse_report(data, PDF)
    assert time.perf_counter() - start < 2                       # unbounded: ~15 s and 1.5 GB
    assert refused.value.limit == "pdf_pages"
    assert str(refused.value) == "附件过大，未解析（PDF 共 500 页，超过上限 60 页）"


def test_pdf_whose_page_count_lies_is_stopped_at_the_limit() -> None:
    data = minimal_pdf(report_lines(), pages=30).replace(b"/Count 30", b"/Count 1 ")
    with pytest.raises(DocumentTooLarge, match="PDF 超过上限 10 页") as refused:
        parse_report(data, PDF, limits=Limits(pdf_pages=10))
    assert refused.value.limit == "pdf_pages"


def test_pdf_time_limit_is_checked_between_pages() -> None:
    data = minimal_pdf(report_lines(), pages=40)
    with pytest.raises(DocumentTooLarge, match=r"解析超过 0.05 秒，已读 \d+ 页") as refused:
        parse_report(data, PDF, limits=Limits(document_seconds=0.05))
    assert refused.value.limit == "document_seconds"


def flate_bomb(size: int) -> bytes:
    """`minimal_pdf` with an incremental update that replaces its page content (object 5) by
    `size` bytes of blanks, deflated (~1000:1)."""
    base = minimal_pdf(report_lines())
    compressor = zlib.compressobj(9)
    stream = b"".join(compressor.compress(b" " * MB) for _ in range(size // MB)) + compressor.flush()
    previous = int(base.rsplit(b"startxref\n", 1)[1].split()[0])
    body = (b"5 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)) + stream + b"\nendstream\nendobj\n"
    xref = len(base) + len(body)
    tail = (b"xref\n5 1\n%010d 00000 n \ntrailer\n<< /Size 7 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(base), previous, xref))
    return base + body + tail


def test_pdf_flate_bomb_is_refused_without_inflating_it() -> None:
    data = flate_bomb(120 * MB)
    assert len(data) < 200_000
    small = flate_bomb(2 * MB)
    assert parse_report(small, PDF).text == ""                  # under the limit: read (blank page)
    tracemalloc.start()
    try:
        with pytest.raises(DocumentTooLarge, match="PDF 解压后超过上限 100.0 MB") as refused:
            parse_report(data, PDF)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.limit == "pdf_inflated_bytes"
    assert peak < 20 * MB                # pdfminer would inflate all 120 MB and then lex it


def test_document_over_the_byte_limit_is_not_read() -> None:
    with pytest.raises(DocumentTooLarge, match="文件超过上限") as refused:
        parse_report(minimal_pdf(report_lines()), PDF, limits=Limits(document_bytes=1000))
    assert refused.value.limit == "document_bytes"


# ---------------------------------------------------------------- DOCX zip bombs
def docx_bomb(padding: int) -> bytes:
    """`make_docx()` with `padding` bytes of blanks after the root element of word/document.xml
    (still well-formed XML, deflated ~1000:1, so a 100 MB member is a ~100 kB file)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_docx())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, source.read(member))
                continue
            with bomb.open(member.filename, "w", force_zip64=True) as stream:
                stream.write(source.read(member))
                blank = b" " * MB
                for _ in range(padding // MB):
                    stream.write(blank)
    return out.getvalue()


def understate(data: bytes, name: str, size: int) -> bytes:
    """The zip with the central directory's uncompressed size of `name` set to `size` (a lie)."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", patched, at + 28)[0]
        if patched[at + 46:at + 46 + length] == name.encode():
            struct.pack_into("<I", patched, at + 24, size)
        at = patched.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


def test_docx_within_the_limits_is_parsed() -> None:
    assert parse_report(make_docx(), DOCX).table3.readable


def test_docx_zip_bomb_is_refused_by_its_declared_size() -> None:
    data = docx_bomb(100 * MB)
    assert len(data) < 300_000
    tracemalloc.start()
    try:
        with pytest.raises(DocumentTooLarge, match=r"word/document.xml 解压后 100.0 MB，超过上限 10.0 MB") as refused:
            parse_report(data, DOCX)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.limit == "archive_member_bytes"
    assert peak < 20 * MB


def test_docx_zip_bomb_with_a_lying_header_is_not_inflated() -> None:
    data = understate(docx_bomb(100 * MB), "word/document.xml", 4000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("word/document.xml").file_size == 4000
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableInput, match="CRC"):
            parse_report(data, DOCX)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * MB                # read in full, zipfile inflates all 100 MB before the CRC check


def test_docx_members_over_the_total_are_refused() -> None:
    with pytest.raises(DocumentTooLarge, match="解压后共") as refused:
        parse_report(make_docx(), DOCX, limits=Limits(archive_bytes=10_000))
    assert refused.value.limit == "archive_bytes"


def test_docx_time_limit_is_checked_between_paragraphs() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_docx())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 30_000)
            copy.writestr(member, data)
    with pytest.raises(DocumentTooLarge, match=r"解析超过 0.01 秒，已读 \d+ 段") as refused:
        parse_report(out.getvalue(), DOCX, limits=Limits(document_seconds=0.01))
    assert refused.value.limit == "document_seconds"


def test_docx_member_compressed_without_a_cap_is_unreadable() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_docx())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as copy:
        for member in source.infolist():
            copy.writestr(member.filename, source.read(member))
    with pytest.raises(UnreadableInput, match="compression method 12"):
        parse_report(out.getvalue(), DOCX)


# ---------------------------------------------------------------- YAML aliases
def billion_laughs(levels: int) -> str:
    lines = ['lol0: &lol0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(BASE_CONFIG + billion_laughs(9), encoding="utf-8")     # 9**9 strings once expanded
    assert len(path.read_bytes()) < 2000
    start = time.perf_counter()
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert time.perf_counter() - start < 1
    assert refused.value.messages == [f"{path}:8: YAML anchors and aliases (&name, *name) are not allowed; "
                                      "write the values out"]


def test_validate_exits_2_on_a_yaml_alias(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(BASE_CONFIG + billion_laughs(5), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(path), "validate"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {path}:8: YAML anchors and aliases (&name, *name) are not allowed; write the values out"]


def test_limits_section_takes_sizes_with_units_and_rejects_nonsense() -> None:
    config = parse_config(BASE_CONFIG + "limits: {pdf_pages: 30, archive_member_bytes: 5 MB, document_seconds: 10}\n")
    limits = config.limits.document_limits()
    assert (limits.pdf_pages, limits.archive_member_bytes, limits.document_seconds) == (30, 5_000_000, 10)
    assert parse_config(BASE_CONFIG).limits.document_limits() == Limits()
    with pytest.raises(ConfigError) as bad:
        parse_config(BASE_CONFIG + "limits:\n  pdf_pages: 0\n")
    assert bad.value.messages == ["config.yaml:9: limits.pdf_pages: Input should be greater than or equal to 1 (got 0)"]


# ---------------------------------------------------------------- report check CLI
def test_report_check_of_an_oversized_pdf_exits_2_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "nb.pdf"
    path.write_bytes(minimal_pdf(report_lines(), pages=500))
    result = CliRunner().invoke(report, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "附件过大，未解析（PDF 共 500 页，超过上限 60 页）"


# ---------------------------------------------------------------- the cache of parse results
class CountingParser:
    """`parse_report` as the store layer calls it, counting the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, data: bytes, content_type: str | None = None, **kwargs):
        self.calls.append(kwargs.get("name", ""))
        return parse_report(data, content_type, **kwargs)


def test_parse_cache_hit_miss_and_limit_change(tmp_path: Path, monkeypatch) -> None:
    db = open_db(tmp_path / "store.db")
    counting = CountingParser()
    monkeypatch.setattr(report_store, "parse_report", counting)
    pdf = minimal_pdf(report_lines(), pages=12)
    small = Limits(pdf_pages=10)
    for _ in range(2):
        with pytest.raises(DocumentTooLarge):
            parse_stored(db, pdf, PDF, "http://x/nb.pdf", small)
    assert counting.calls == ["http://x/nb.pdf"]                 # the verdict is kept
    first = parse_stored(db, pdf, PDF, "http://x/nb.pdf", Limits(pdf_pages=20))
    assert len(counting.calls) == 2 and first.table3.readable   # other limits, another verdict
    again = parse_stored(db, pdf, PDF, "http://x/nb.pdf", Limits(pdf_pages=20))
    assert len(counting.calls) == 2 and again == first          # a hit gives the same report
    with pytest.raises(UnreadableInput):
        parse_stored(db, b"%PDF-1.4 broken", PDF, "http://x/bad.pdf")
    with pytest.raises(UnreadableInput):
        parse_stored(db, b"%PDF-1.4 broken", PDF, "http://x/bad.pdf")
    assert len(counting.calls) == 3


def report_portal(big_pages: int) -> Portal:
    """A 年报 column: 2025's page only links a `big_pages`-page PDF; 2024's links a one-page PDF."""
    portal = Portal()
    reports = [(f"{UNIT}{y}年政府信息公开工作年度报告", f"./{y + 1}01/t{y + 1}0120_{y}.html",
                TODAY.replace(year=y + 1, month=1, day=20)) for y in (2025, 2024, 2023)]
    portal.put(REPORTS, list_page(reports))
    for y, name, pages in ((2025, "big", big_pages), (2024, "normal", 1)):
        link = f'<p>附件：<a href="/xzspj/files/{name}.pdf">年度报告（PDF）</a></p>'
        portal.put(REPORTS + f"{y + 1}01/t{y + 1}0120_{y}.html", report_page(y, link))
        portal.put(f"/xzspj/files/{name}.pdf", minimal_pdf(report_lines(), pages=pages), PDF)
    portal.put(REPORTS + "202401/t20240120_2023.html", report_page(2023))
    portal.put("/xzspj/tzgg/", list_page([("关于做好政务公开工作的通知", "./t1.html", TODAY - timedelta(days=3))]))
    return portal


def test_crawl_and_check_with_a_500_page_attachment(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "store.db"
    config_path = tmp_path / "config.yaml"
    with DemoServer(report_portal(500)) as server:   # type: ignore[arg-type]  # it reads only `pages`
        config_path.write_text(config_text(server.base_url, db), encoding="utf-8")
        code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    config = load_config(config_path)
    counting = CountingParser()
    monkeypatch.setattr(report_store, "parse_report", counting)

    start = time.perf_counter()
    run_check(config, open_db(db), TODAY)
    assert time.perf_counter() - start < 10
    documents = {d["url"] for d in rows(db, "SELECT url FROM documents")}
    assert len(documents) == 5 and sorted(counting.calls) == sorted(documents)
    findings = {(f["kind"], json.loads(f["subject"]).get("year")): f for f in rows(db, "SELECT * FROM findings")}
    big = findings[("report_sections_missing", 2025)]
    assert big["result"] == "uncertain" and json.loads(big["subject"])["url"].endswith("/files/big.pdf")
    assert big["message"] == "2025年度报告附件过大，未解析（PDF 共 500 页，超过上限 60 页），未能检查报告内容"
    evidence = json.loads(big["evidence"])
    assert (evidence["limit"], evidence["detail"]) == ("pdf_pages", "PDF 共 500 页，超过上限 60 页")
    assert not [f for (kind, year), f in findings.items() if year == 2025 and kind != "report_sections_missing"]
    assert ("report_inconsistent", 2024) not in findings          # the normal PDF is read and adds up
    outcomes = {r["outcome"] for r in rows(db, "SELECT outcome FROM report_parses")}
    assert outcomes == {"parsed", "too_large"}

    counting.calls.clear()
    run_check(config, open_db(db), TODAY)                          # a later check parses nothing again
    assert counting.calls == []
    assert rows(db, "SELECT message FROM findings WHERE id = ?", big["id"])[0]["message"] == big["message"]
    client = create_app(db).test_client()                         # the dashboard reads the same results
    for document in rows(db, "SELECT id, url FROM documents"):
        page = client.get(f"/report/{document['id']}")
        assert page.status_code == 200
        if document["url"].endswith("/big.pdf"):
            assert "附件过大，未解析（PDF 共 500 页" in page.get_data(as_text=True)
    assert counting.calls == []

    monkeypatch.setattr(report_store, "parser_version", lambda: "another parser")
    run_check(config, open_db(db), TODAY)                          # a new parser reads every version again
    assert sorted(counting.calls) == sorted(documents)
    assert {r["parser"] for r in rows(db, "SELECT parser FROM report_parses")} == {"another parser"}


def test_raised_limit_reads_the_attachment_and_closes_the_uncertain_finding(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    config_path = tmp_path / "config.yaml"
    with DemoServer(report_portal(12)) as server:   # type: ignore[arg-type]
        text = config_text(server.base_url, db)
        config_path.write_text(text + "limits: {pdf_pages: 10}\n", encoding="utf-8")
        code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    run_check(load_config(config_path), open_db(db), TODAY)
    opened = rows(db, """SELECT * FROM findings WHERE kind = 'report_sections_missing' AND status = 'open'
                         AND json_extract(subject, '$.year') = 2025""")
    assert [f["message"] for f in opened] == ["2025年度报告附件过大，未解析（PDF 共 12 页，超过上限 10 页），未能检查报告内容"]
    config_path.write_text(text + "limits: {pdf_pages: 20}\n", encoding="utf-8")
    run_check(load_config(config_path), open_db(db), TODAY)
    closed = rows(db, "SELECT status, result FROM findings WHERE id = ?", opened[0]["id"])[0]
    assert closed["status"] == "resolved"
    parsed = rows(db, "SELECT outcome FROM report_parses WHERE outcome = 'too_large'")
    assert parsed == []
