"""Serve the dashboard with waitress (a production WSGI server, pure Python, no build step).

The login comes only from the environment, never from config.yaml, so the password is not
in a file that gets copied around: set both GONGKAI_DASHBOARD_USER and
GONGKAI_DASHBOARD_PASSWORD to require HTTP basic auth.
"""
from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from types import FrameType
from typing import Callable

from waitress.server import create_server

from monitor.config import Config, county_today
from monitor.web.app import create_app
from monitor.web.listing import keep_warm
from monitor.web.queries import publication_grid

log = logging.getLogger("gongkai.dashboard")
USER_ENV, PASSWORD_ENV = "GONGKAI_DASHBOARD_USER", "GONGKAI_DASHBOARD_PASSWORD"


def login_from_env() -> tuple[str, str] | None:
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if bool(user) != bool(password):
        log.warning("only one of %s and %s is set: the dashboard has no login", USER_ENV, PASSWORD_ENV)
    return (user, password) if user and password else None


def make_server(db_path: str | Path, host: str = "127.0.0.1", port: int = 8000, *,
                config: Config | None = None):
    """A bound waitress server (port 0 picks a free port); call `.run()` to serve, `.close()` to stop."""
    login = login_from_env()
    if login is None and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("dashboard on %s without a login: set %s and %s", host, USER_ENV, PASSWORD_ENV)
    app = create_app(db_path, login=login, config=config)
    keep_warm(Path(db_path), also=None if config is None else lambda db: publication_grid(
        db, config, county_today(config.timezone)))
    return create_server(app, host=host, port=port, threads=4, ident="gongkai")


def dashboard_url(server) -> str:
    host, port = server.effective_host, server.effective_port
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"


def serve_until(server, done: Callable[[], bool]) -> None:
    """Run waitress's loop one poll (at most `asyncore_loop_timeout`, 1 s) at a time until `done()`.

    Stopping by a flag is the only clean way: closing the server from another thread makes the
    loop's select() fail with EBADF, and an exception raised from a signal handler can land inside
    a channel callback, where waitress logs "uncaptured python exception" and keeps serving.
    """
    while not done():
        server.asyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=server._map,
                             use_poll=server.adj.asyncore_use_poll, count=1)


def serve_until_signal(server) -> str:
    """Serve until SIGTERM or SIGINT; return the signal's name. The server is left open."""
    received: list[str] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        serve_until(server, lambda: bool(received))
    finally:
        for sig, old in previous.items():          # a second signal now ends the process at once
            signal.signal(sig, old)
    return received[0]


def serve_dashboard(db_path: str | Path, host: str = "127.0.0.1", port: int = 8000, *,
                    config: Config | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM."""
    server = make_server(db_path, host, port, config=config)
    log.info("dashboard at %s (store %s, read-only)", dashboard_url(server), db_path)
    try:
        serve_until_signal(server)
    finally:
        server.close()
