"""Serve a generated County on loopback, with the HTTP behaviour real portals show.

ThreadingHTTPServer in a background thread: strong ETag / Last-Modified and 304 answers,
robots.txt, a 503 that fails once per path, a path that fails one request in ten, a slow path, and a
request log tests can inspect.
"""
from __future__ import annotations

import hashlib
import sys
import threading
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from monitor.demo.generator import County
from monitor.demo.html import DATAPROXY, VIEWS
from monitor.demo.model import UNSTABLE_EVERY, Page

_NOT_FOUND = Page("<html><body><h1>404 页面不存在</h1></body></html>".encode(), status=404)
_LOGGED_HEADERS = ("User-Agent", "If-None-Match", "If-Modified-Since")


@dataclass(frozen=True)
class Request:
    """One answered request: path (with query), status sent, the request headers of interest, and
    its method (a HEAD checks a link, W12)."""

    path: str
    status: int
    headers: dict[str, str]
    method: str = "GET"


class _QuietServer(ThreadingHTTPServer):
    """A client that gives up (a crawler's timeout on the slow column) is normal here, not an error."""

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 (socketserver signature)
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class DemoServer:
    """`with DemoServer(county) as server: … server.base_url …`; binds on construction."""

    def __init__(self, county: County, host: str = "127.0.0.1", port: int = 0, slow_seconds: float = 8.0):
        self.county = county
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        self._log: list[Request] = []
        self._failed_once: set[str] = set()
        self._hits: dict[str, int] = {}
        self._views: dict[str, int] = {}
        self._stopping = threading.Event()
        self._httpd = _QuietServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def requests(self) -> list[Request]:
        """A snapshot of the request log."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def start(self) -> "DemoServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                            name="demo-county", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()          # wakes slow handlers
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ used by the handler

    def lookup(self, target: str) -> Page:
        """The page for a request target: exact (with query), then without query, then the
        directory ↔ index.html twin; dataproxy.jsp answers from the county's columns."""
        pages = self.county.pages
        path = urlsplit(target).path
        if path == DATAPROXY:       # a Hanweb JCMS site's later records, by record range
            return self.county.dataproxy(urlsplit(target).query) or _NOT_FOUND
        for key in (target, path, path + "index.html" if path.endswith("/") else path.removesuffix("index.html")):
            if key in pages:
                return pages[key]
        return _NOT_FOUND

    def first_failure(self, path: str) -> bool:
        """True the first time a flaky path is requested on this server."""
        with self._lock:
            if path in self._failed_once:
                return False
            self._failed_once.add(path)
            return True

    def unstable_turn(self, path: str) -> bool:
        """True on every UNSTABLE_EVERY-th request of an unstable path on this server."""
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            return self._hits[path] % UNSTABLE_EVERY == 0

    def record(self, path: str, status: int, headers: dict[str, str], method: str = "GET") -> None:
        with self._lock:
            self._log.append(Request(path, status, headers, method))

    def served_body(self, path: str, page: Page) -> bytes:
        """The body as sent: a view counter counts this request (boilerplate, not an edit)."""
        if not page.counter:
            return page.body
        with self._lock:
            self._views[path] = self._views.get(path, 0) + 1
            views = self._views[path]
        return page.body.replace(VIEWS.encode(page.charset), f"浏览次数：{views}".encode(page.charset), 1)

    def pause(self) -> None:
        self._stopping.wait(self.slow_seconds)


def _not_modified(page: Page, headers: object, etag: str) -> bool:
    """RFC 9110 §13.1: If-None-Match wins; If-Modified-Since only when it is absent (and never
    for a page with a view counter: it changes on every request)."""
    etags = headers.get("If-None-Match")  # type: ignore[attr-defined]
    if etags is not None:
        return etags.strip() == "*" or etag in [t.strip() for t in etags.split(",")]
    since = headers.get("If-Modified-Since")  # type: ignore[attr-defined]
    if since and not page.counter:
        try:
            return page.modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _handler_for(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"       # keep-alive, as the benchmark needs
        disable_nagle_algorithm = True      # headers and body go out in separate writes
        server_version = "TRS_WCM/7.0"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, send_body: bool) -> None:
            page = server.lookup(self.path)
            status, extra = page.status, {}
            if (page.behaviour == "flaky_503" and server.first_failure(self.path)) or \
                    (page.behaviour == "unstable" and server.unstable_turn(self.path)):
                page, status, extra = _busy(), 503, {"Retry-After": "1"}
            elif page.behaviour == "slow":
                server.pause()
            body = server.served_body(self.path, page) if status == 200 else page.body
            if status == 200:
                extra = {"ETag": _etag(body) if page.counter else page.etag,
                         "Last-Modified": format_datetime(page.modified, usegmt=True)}
                if _not_modified(page, self.headers, extra["ETag"]):
                    status = 304
            if status == 304:
                body = b""
            server.record(self.path, status, {k: v for k in _LOGGED_HEADERS if (v := self.headers.get(k))},
                          self.command)
            self.send_response(status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            if send_body and body:
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

    return Handler


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _busy() -> Page:
    return Page("<html><body><h1>503 服务器繁忙，请稍后再试</h1></body></html>".encode(), status=503)
