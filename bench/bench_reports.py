"""Median parse+check time per corpus report (and the PDF path): `python bench/bench_reports.py [runs]`."""
from __future__ import annotations

import logging
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from monitor.reports import check_report, parse_report

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "reports"
NAMES = ("pingtan_2019.txt", "pingtan_2021.txt", "pingtan_2022.txt", "pingtan_2024.html",
         "shanghai_szfbgt_2019.html", "hengshan_xzspj_2020_seed.txt",
         "pdf/hongze_2023.pdf", "pdf/hongze_2024.pdf")        # real 5-page WPS PDFs as published


def timed(data: bytes, name: str, content_type: str | None, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        report = parse_report(data, content_type, name=name)
        check_report(report, unit_id="u", unit_name="u", unit_type="government", published=None,
                     today=date(2026, 1, 1), deadlines={})
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(runs: int = 30) -> None:
    # first, while this process is small: a forked child's peak RSS counts the parent's pages until it execs
    wall, rss = cli_run(DATA / "pdf" / "hongze_2023.pdf")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)   # the generated PDF has no FontBBox
    sys.path.insert(0, str(DATA.parent.parent.parent))
    from tests.test_report_documents import minimal_pdf, report_lines

    rows = [(name, len((DATA / name).read_bytes()), timed((DATA / name).read_bytes(), name, None, runs))
            for name in NAMES]
    pdf = minimal_pdf(report_lines())
    rows.append(("pingtan_2021 as PDF (generated)", len(pdf), timed(pdf, "x.pdf", "application/pdf", runs)))
    print(f"{'document':<36}{'bytes':>8}{'median ms':>11}   ({runs} runs each)")
    for name, size, ms in rows:
        print(f"{name:<36}{size:>8}{ms:>11.2f}")
    print(f"gongkai report check on the 5-page PDF, a fresh process: median {wall:.2f} s, peak RSS {rss} MB")


def cli_run(path: Path, runs: int = 5) -> tuple[float, int]:
    """Median wall time and the largest peak RSS of `report check PATH` in its own process (imports included)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "monitor.cli", "report", "check", str(path)],
                       stdout=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
