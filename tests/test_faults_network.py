"""Network faults (issue 14, cases 7 and 18) in real crawls against servers on loopback.

Case 7, requests outside the county: a redirect to a host that is not one of the county's is
refused before any connection (robots.txt included) and recorded as `offsite` naming the target,
so the column is `uncertain`; a host of `crawl.allowed_hosts` that resolves to a private address is
refused too; list items on other hosts are not read as detail pages. Case 18, a host that is
down: after a few connection failures in a row its remaining pages are recorded without a
request (after one last try at the end), so the crawl ends in seconds and says why, while other
hosts are read as usual; a host that answers the last try is read after all.
"""
from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterator

import pytest
from pytest_httpserver import HTTPServer
from scrapy.exceptions import DownloadConnectionRefusedError
from werkzeug import Request, Response

from crawler.hosts import HostBreaker, HostPolicy, county_hosts, host_of
from monitor.checks.columns import check_columns
from monitor.config import ConfigError, load_config, parse_config
from monitor.crawl import crawl as run_crawl
from monitor.observations import active_columns
from monitor.store import open_db
from tests.test_spider import TODAY, crawl
from tests.test_spider_details import list_page, notice_page

HTML = "text/html; charset=utf-8"
ITEMS = [(f"关于做好第{n}批政务公开工作的通知", f"t{n}.html", TODAY - timedelta(days=n)) for n in range(1, 4)]


CRAWL = "delay_seconds: 0, per_site_concurrency: 2, timeout_seconds: 3, retries: 3"
#: a server that answers after the crawl has given up
BUSY = "delay_seconds: 0, per_site_concurrency: 16, timeout_seconds: 1, retries: 1, detail_budget_per_site: 0"


def config_yaml(db: Path, units: str, crawl: str = CRAWL + ", detail_budget_per_site: 0") -> str:
    return f"""\
county: 衡山县
supervisor: {{name: 衡山县人民政府办公室, email: zwgk@example.gov.cn}}
database: {db}
crawl: {{{crawl}, autothrottle: false}}
units:
{units}"""


def crawl_units(tmp: Path, units: str) -> tuple[Path, Path]:
    """One complete crawl of `units` (items of `config_yaml`'s units list) into a new store in
    `tmp`: (store, config file)."""
    db, config_path = tmp / "store.db", tmp / "config.yaml"
    config_path.write_text(config_yaml(db, units), encoding="utf-8")
    code, _, stderr = crawl(config_path, db, 1)
    assert code == 0, stderr[-2000:]
    return db, config_path


def unit_yaml(unit_id: str, base: str, columns: list[str], *, site: bool = False) -> str:
    text = f"  - id: {unit_id}\n    name: 单位{unit_id}\n"
    text += f"    site: {base}/{unit_id}/\n" if site else "    discover: false\n"
    text += "    columns:\n" + "".join(f"      - {{name: 通知公告{c}, url: '{base}/{unit_id}/{c}/'}}\n" for c in columns)
    return text


def rows(db: Path, sql: str, *args: object) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def serve_list(server: HTTPServer, path: str, items=ITEMS) -> None:
    server.no_handler_status_code = 404          # robots.txt and unknown pages: not found, no retries
    server.expect_request(path).respond_with_data(list_page(items), content_type=HTML)


def closed_port() -> int:
    """A loopback port where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serving(host: str) -> Iterator[HTTPServer]:
    server = HTTPServer(host=host, port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def county_host() -> Iterator[HTTPServer]:
    """The units' server, reached as 127.0.0.1."""
    yield from serving("127.0.0.1")


@pytest.fixture
def other_host() -> Iterator[HTTPServer]:
    """A second server, reached by the name `localhost`: another host for the allow-list."""
    yield from serving("localhost")


# ---------------------------------------------------------------------------------------- case 7

def test_redirects_off_the_county_are_refused_before_any_connection(county_host: HTTPServer, other_host: HTTPServer,
                                                                   tmp_path: Path):
    base = county_host.url_for("").rstrip("/")
    metadata = "http://169.254.169.254/latest/meta-data/"
    elsewhere = other_host.url_for("/fresh/")
    county_host.no_handler_status_code = 404
    county_host.expect_request("/a/meta/").respond_with_data("", status=302, headers={"Location": metadata})
    county_host.expect_request("/a/away/").respond_with_data("", status=301, headers={"Location": elsewhere})
    # a two-hop chain: the first hop stays on the unit's host, the second leaves the county
    county_host.expect_request("/a/chain/").respond_with_data("", status=302, headers={"Location": base + "/a/hop/"})
    county_host.expect_request("/a/hop/").respond_with_data("", status=302, headers={"Location": metadata})
    serve_list(county_host, "/a/ok/")
    serve_list(other_host, "/fresh/")          # what a redirect-following crawler would call fresh
    db = tmp_path / "store.db"
    config = tmp_path / "config.yaml"
    config.write_text(config_yaml(db, unit_yaml("a", base, ["meta", "away", "chain", "ok"])), encoding="utf-8")

    started = time.monotonic()
    code, events, stderr = crawl(config, db, 1)
    assert code == 0, stderr[-2000:]
    assert time.monotonic() - started < 30                       # no 3 s timeouts × 4 attempts at 169.254.169.254
    assert other_host.log == []                                  # not even its robots.txt

    fetches = {f["url"].removeprefix(base): f for f in rows(db, "SELECT * FROM fetches WHERE purpose = 'list'")}
    assert {k: f["outcome"] for k, f in fetches.items()} == {
        "/a/meta/": "offsite", "/a/away/": "offsite", "/a/chain/": "offsite", "/a/ok/": "ok"}
    assert fetches["/a/meta/"]["error"] == metadata and fetches["/a/meta/"]["retries"] == 0
    assert fetches["/a/away/"]["error"] == elsewhere
    assert fetches["/a/chain/"]["error"] == metadata

    results, _ = check_columns(load_config(config), active_columns(open_db(db)), TODAY)
    by_column = {r.subject.get("column"): r for r in results if r.kind.startswith("column_")}
    for name, target in (("通知公告meta", metadata), ("通知公告away", elsewhere)):
        assert by_column[name].status == "uncertain" and by_column[name].kind == "column_unreachable"
        assert target in by_column[name].message, by_column[name].message
    assert by_column["通知公告ok"].status == "pass"


def test_a_redirect_to_another_unit_of_the_county_is_followed(county_host: HTTPServer, other_host: HTTPServer,
                                                               tmp_path: Path):
    base, other = county_host.url_for("").rstrip("/"), other_host.url_for("").rstrip("/")
    county_host.expect_request("/a/moved/").respond_with_data("", status=301, headers={"Location": other + "/b/new/"})
    serve_list(other_host, "/b/new/")
    serve_list(other_host, "/b/own/")
    db = tmp_path / "store.db"
    config = tmp_path / "config.yaml"
    config.write_text(config_yaml(db, unit_yaml("a", base, ["moved"]) + unit_yaml("b", other, ["own"])),
                      encoding="utf-8")
    code, _, stderr = crawl(config, db, 1)
    assert code == 0, stderr[-2000:]
    columns = {c["unit_id"]: c for c in rows(db, "SELECT * FROM columns")}
    assert columns["a"]["last_outcome"] == "ok" and columns["a"]["item_count"] == len(ITEMS)
    assert columns["b"]["last_outcome"] == "ok"


def test_an_allowed_host_that_resolves_to_a_private_address_is_refused(county_host: HTTPServer,
                                                                        other_host: HTTPServer, tmp_path: Path):
    """`localhost` is in crawl.allowed_hosts but is no unit's own host: its loopback address is refused."""
    base = county_host.url_for("").rstrip("/")
    elsewhere = other_host.url_for("/fresh/")
    county_host.expect_request("/a/away/").respond_with_data("", status=302, headers={"Location": elsewhere})
    serve_list(other_host, "/fresh/")
    db = tmp_path / "store.db"
    config = tmp_path / "config.yaml"
    config.write_text(config_yaml(db, unit_yaml("a", base, ["away"]), CRAWL + ", detail_budget_per_site: 0, allowed_hosts: [LOCALHOST]"),
                      encoding="utf-8")
    code, _, stderr = crawl(config, db, 1)
    assert code == 0, stderr[-2000:]
    (fetch,) = rows(db, "SELECT * FROM fetches WHERE purpose = 'list'")
    assert fetch["outcome"] == "offsite" and fetch["error"].startswith(elsewhere)
    assert "127.0.0.1" in fetch["error"] or "::1" in fetch["error"]
    assert other_host.log == []


def test_host_policy_resolves_extra_hosts_once_and_trusts_the_units_own():
    config = parse_config(config_yaml(Path("x.db"), unit_yaml("a", "http://127.0.0.1:9", ["c"]),
                                      CRAWL + ", allowed_hosts: [localhost, 1.1.1.1]"))
    policy = HostPolicy(config)
    assert policy.refusal("http://127.0.0.1:9/a/c/", "127.0.0.1") is None           # a unit's own host
    assert policy.refusal("http://www.127.0.0.1/", "www.127.0.0.1") == "http://www.127.0.0.1/"   # no www twin of an IP
    assert policy.refusal("http://10.0.0.1/", "10.0.0.1") == "http://10.0.0.1/"    # not the county's
    assert asyncio.run(policy.refusal("http://1.1.1.1/x", "1.1.1.1")) is None       # a public address
    assert policy.refusal("http://1.1.1.1/y", "1.1.1.1") is None                    # cached: no second lookup
    refused = asyncio.run(policy.refusal("http://localhost:8/", "localhost"))
    assert refused.startswith("http://localhost:8/ → ")
    assert policy.refusal("http://localhost:8/", "localhost") == refused


def test_allowed_hosts_are_host_names_as_requests_spell_them():
    config = parse_config(config_yaml(Path("x.db"), unit_yaml("a", "http://衡山县.政务", ["c"]),
                                      CRAWL + ", allowed_hosts: [ZWGK.Example.gov.cn., '[::1]', 衡阳市.政务]"))
    assert config.crawl.allowed_hosts == ["zwgk.example.gov.cn", "::1", "衡阳市.政务"]
    own, allowed = county_hosts(config)
    assert own == {"xn--5nr35rdo2b.xn--zfr164b", "www.xn--5nr35rdo2b.xn--zfr164b"}   # as Scrapy sends 衡山县.政务
    assert allowed == own | {"zwgk.example.gov.cn", "::1", host_of("http://衡阳市.政务/")}
    with pytest.raises(ConfigError, match=r"config.yaml:4: crawl.allowed_hosts.0: should be a host name"):
        parse_config(config_yaml(Path("x.db"), unit_yaml("a", "http://127.0.0.1:9", ["c"]),
                                 CRAWL + ", allowed_hosts: ['https://zwgk.example.gov.cn/']"))


def test_list_items_on_other_hosts_are_not_read(county_host: HTTPServer, other_host: HTTPServer, tmp_path: Path):
    base = county_host.url_for("").rstrip("/")
    reprint = ("转载：国务院办公厅关于做好政务公开工作的通知", other_host.url_for("/gov/t9.html"), TODAY)
    items = [*ITEMS, reprint]
    serve_list(county_host, "/a/c/", items)
    for title, href, day in ITEMS:
        county_host.expect_request(f"/a/c/{href}").respond_with_data(notice_page(title, day, day), content_type=HTML)
    serve_list(other_host, "/gov/t9.html", [])
    db = tmp_path / "store.db"
    config = tmp_path / "config.yaml"
    config.write_text(config_yaml(db, unit_yaml("a", base, ["c"]), CRAWL), encoding="utf-8")
    code, _, stderr = crawl(config, db, 1)
    assert code == 0, stderr[-2000:]
    assert len(rows(db, "SELECT * FROM items")) == len(items)                # it is listed, and counts
    read = {f["url"] for f in rows(db, "SELECT url FROM fetches WHERE purpose = 'detail'")}
    assert read == {f"{base}/a/c/{href}" for _, href, _ in ITEMS}
    assert other_host.log == []


# --------------------------------------------------------------------------------------- case 18

def test_breaker_counts_connection_failures_in_a_row():
    refused = DownloadConnectionRefusedError("111: Connection refused")
    breaker = HostBreaker(3)
    for _ in range(2):
        breaker.failed("a:80", refused)
    breaker.answered("a:80")                          # an answer (any status) starts the count again
    for _ in range(2):
        breaker.failed("a:80", refused)
    assert breaker.refusal("a:80", probe=False) is None and breaker.down() == []
    breaker.failed("a:80", refused)
    held = breaker.refusal("a:80", probe=False)
    assert not held.final and "连续 3 次连接失败（DownloadConnectionRefusedError）" in str(held)
    assert breaker.refusal("b:80", probe=False) is None    # another server is not affected
    breaker.probing("a:80")
    assert breaker.refusal("a:80", probe=True) is None and not breaker.refusal("a:80", probe=False).final
    breaker.failed("a:80", refused)                   # the last try failed
    assert breaker.refusal("a:80", probe=False).final and breaker.down() == ["a:80"]
    never = HostBreaker(0)
    for _ in range(100):
        never.failed("a:80", refused)
    assert never.refusal("a:80", probe=False) is None


def test_a_portal_that_refuses_every_connection_costs_seconds(tmp_path: Path):
    """20 units × 10 columns on one host where nothing listens, 3 retries with backoff each."""
    base = f"http://127.0.0.1:{closed_port()}"
    units = "".join(unit_yaml(f"u{n:02d}", base, [f"c{c}" for c in range(10)], site=True) for n in range(20))
    config_path = tmp_path / "config.yaml"
    config_path.write_text(config_yaml(tmp_path / "store.db", units), encoding="utf-8")
    config = load_config(config_path)
    db = open_db(config.database_path)
    summary = run_crawl(config, db, config.database_path, timeout=60)

    assert summary.status == "partial" and summary.elapsed < 20, summary.line()
    host = base.removeprefix("http://")
    assert summary.hosts_down == [host] and f"host {host} down" in summary.line()
    assert summary.units_done == 20
    columns = rows(config.database_path, "SELECT * FROM columns")
    assert len(columns) == 200 and {c["last_outcome"] for c in columns} == {"network_error"}
    sites = rows(config.database_path, "SELECT * FROM fetches WHERE purpose = 'site'")
    assert len(sites) == 20 and {s["outcome"] for s in sites} == {"network_error"}
    lists = rows(config.database_path, "SELECT * FROM fetches WHERE purpose = 'list'")
    assert len(lists) == 200                                       # every column once, none lost
    skipped = [f for f in sites + lists if "本次运行不再访问" in f["error"]]
    assert len(skipped) >= 200 and all(host in f["error"] for f in skipped)


def test_one_host_down_does_not_stop_the_other(county_host: HTTPServer, tmp_path: Path):
    down = f"http://127.0.0.1:{closed_port()}"
    up = county_host.url_for("").rstrip("/")
    for n in range(5):
        for c in range(4):
            serve_list(county_host, f"/h{n}/c{c}/")
    units = "".join(unit_yaml(f"d{n}", down, [f"c{c}" for c in range(4)]) + unit_yaml(f"h{n}", up, [f"c{c}" for c in range(4)])
                    for n in range(5))
    config_path = tmp_path / "config.yaml"
    config_path.write_text(config_yaml(tmp_path / "store.db", units), encoding="utf-8")
    config = load_config(config_path)
    summary = run_crawl(config, open_db(config.database_path), config.database_path, timeout=60)
    assert summary.status == "partial" and summary.hosts_down == [down.removeprefix("http://")], summary.line()
    outcomes = {(c["unit_id"], c["last_outcome"]) for c in rows(config.database_path, "SELECT * FROM columns")}
    assert outcomes == {(f"d{n}", "network_error") for n in range(5)} | {(f"h{n}", "ok") for n in range(5)}


def crawl_busy_server(tmp_path: Path, units: list[str], crawl_settings: str, busy: Callable[[list[float]], bool]):
    """Crawl `units` (3 columns each) on a server that sleeps past the crawl's 1 s timeout while
    `busy(arrival times so far)`; returns the crawl's (code, events, stderr) and the arrivals."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    lock, arrivals = threading.Lock(), []

    def handler(request: Request) -> Response:
        with lock:
            arrivals.append(time.monotonic())
            sleep = busy(arrivals)
        if sleep:
            time.sleep(1.5)
        return Response(list_page(ITEMS), content_type=HTML)

    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request(re.compile(r"/u\d/c\d/")).respond_with_handler(handler)
    server.start()
    try:
        base = server.url_for("").rstrip("/")
        config = tmp_path / "config.yaml"
        text = "".join(unit_yaml(unit, base, ["c0", "c1", "c2"]) for unit in units)
        config.write_text(config_yaml(tmp_path / "store.db", text, crawl_settings), encoding="utf-8")
        return crawl(config, tmp_path / "store.db", 1), arrivals, base.removeprefix("http://")
    finally:
        server.clear()
        server.stop()


def test_pages_queued_for_a_host_that_went_down_are_not_sent(tmp_path: Path):
    """A server that accepts but never answers, asked one page at a time (delay 0.2 s): after 3
    timeouts the pages waiting in its download slot are not sent; one last try, then none."""
    settings = ("delay_seconds: 0.2, per_site_concurrency: 1, timeout_seconds: 1, retries: 0, "
                "detail_budget_per_site: 0, host_failure_limit: 3")
    (code, events, stderr), arrivals, host = crawl_busy_server(tmp_path, ["u1", "u2", "u3"], settings, lambda _: True)
    assert code == 0, stderr[-2000:]
    assert len(arrivals) == 3 + 1, arrivals                           # the limit, then the last try
    assert events[-1]["hosts_down"] == [host]
    columns = rows(tmp_path / "store.db", "SELECT * FROM columns")
    assert len(columns) == 9 and {c["last_outcome"] for c in columns} == {"network_error"}


def test_a_host_that_answers_the_last_try_is_read_after_all(tmp_path: Path):
    """A server too busy to answer for a moment: all 12 columns are asked at once (concurrency 16)
    and time out, their retries are held, the last try is answered, and every column is read."""
    (code, events, stderr), arrivals, _ = crawl_busy_server(tmp_path, ["u0", "u1", "u2", "u3"], BUSY,
                                                            lambda times: times[-1] - times[0] < 1.2)
    assert code == 0, stderr[-2000:]
    assert events[-1]["hosts_down"] == [] and "answered the last try" in stderr, stderr[-2000:]
    columns = rows(tmp_path / "store.db", "SELECT * FROM columns")
    assert len(columns) == 12 and {c["last_outcome"] for c in columns} == {"ok"}
    assert len(arrivals) == 24                 # 12 timed out, then the last try and the 11 held ones
