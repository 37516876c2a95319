"""Time and peak memory of `gongkai check` on a store holding an annual report with a 500-page PDF
attachment (first check and the one after), and of `gongkai report check` on a normal 5-page PDF.

Each command runs in its own process; its peak RSS comes from wait4(). The store is built with
this checkout; `--code DIR` runs the commands with another checkout's code (e.g. the commit before
the document limits) against the same store and files, which gives the "before" figures.
`--pdf-pages N` sets `limits: {pdf_pages: N}` in the config (this checkout only): above the page
count, the PDF is read in full, which shows what reading it costs with the limits in place.
Run: python bench/bench_resources.py [--pages 500] [--code DIR] [--pdf-pages N]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from monitor.demo.pdf import minimal_pdf
from monitor.report_store import record_document
from monitor.store import open_db

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.test_report_documents import report_lines  # noqa: E402  (the test's report text)

CONFIG = """\
county: 基准县
supervisor: {{name: 基准局}}
database: {db}
units:
  - {{id: u, name: 单位, columns: [{{name: 政府信息公开年报, url: 'http://127.0.0.1:9/u/nb/', category: report}}]}}
"""
PAGE = ("<html><head><meta charset='utf-8'><title>单位2025年政府信息公开工作年度报告</title></head><body>"
        "<h1>单位2025年政府信息公开工作年度报告</h1><p>附件：<a href='/u/nb/big.pdf'>年度报告（PDF）</a></p></body></html>")


def build(tmp: Path, pages: int, pdf_pages: int | None) -> Path:
    """A store with one unit's 2025 report: its page and a `pages`-page PDF attachment."""
    config = tmp / "config.yaml"
    limits = f"limits: {{pdf_pages: {pdf_pages}}}\n" if pdf_pages else ""
    config.write_text(CONFIG.format(db=tmp / "store.db") + limits, encoding="utf-8")
    db = open_db(tmp / "store.db")
    common = dict(unit_id="u", column_id=None, title="单位2025年政府信息公开工作年度报告", year=2025,
                  published="2026-01-20")
    record_document(db, url="http://127.0.0.1:9/u/nb/t2025.html", content_type="text/html; charset=utf-8",
                    raw=PAGE.encode(), **common)
    record_document(db, url="http://127.0.0.1:9/u/nb/big.pdf", content_type="application/pdf",
                    raw=minimal_pdf(report_lines(), pages=pages), **common)
    db.conn.close()
    return config


def measure(args: list[str], code: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit status) of `python -m monitor.cli ARGS` with
    `code` first on the path. CPU time is the steadier figure on a shared machine."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "monitor.cli", *args], cwd=code, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return (time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose code runs the commands")
    ap.add_argument("--pdf-pages", type=int, help="limits.pdf_pages in the config")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = build(Path(tmp), args.pages, args.pdf_pages)
        normal = Path(tmp) / "normal.pdf"
        normal.write_bytes(minimal_pdf(report_lines(), pages=5))
        check = ["--config", str(config), "check", "--today", "2026-11-26"]
        print(f"code: {args.code}")
        for label, command in ((f"check, {args.pages}-page attachment, first", check),
                               (f"check, {args.pages}-page attachment, again", check),
                               ("report check, 5-page PDF", ["report", "check", str(normal)])):
            wall, cpu, peak, status = measure(command, args.code)
            print(f"{label:<42}{wall:8.2f} s wall {cpu:8.2f} s CPU {peak:7.0f} MB  (exit {status})")


if __name__ == "__main__":
    main()
