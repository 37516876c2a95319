"""The dashboard: a Flask app over a read-only connection to the store.

Server-rendered Chinese pages that work without JavaScript. Scraped text reaches the page only
through Jinja autoescaping and links only when they are http(s) URLs; a Content-Security-Policy
that allows no script at all is the second line of defence.
"""
from __future__ import annotations

import hmac
import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort, current_app, g, render_template, request, url_for

from monitor.categories import CATEGORY_LABELS, Cycle
from monitor.checks.publication import STATUS_LABELS, stats_csv
from monitor.config import DEFAULT_TIMEZONE, REPORT_DEADLINES, Config, county_today
from monitor.findings import query_findings
from monitor.kinds import LABELS, label
from monitor.outcomes import outcome_label
from monitor.output import RESULT_LABELS, findings_csv, findings_json
from monitor.reports.deadlines import deadline_for
from monitor.reports.model import T3_COLUMNS
from monitor.store import open_readonly
from monitor.web import listing, queries
from monitor.web.chart import line_chart
from monitor.web.queries import Filters

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SOURCE_LABELS = {"config": "配置指定", "inferred": "按名称推断", "default": "未匹配关键词，按其他栏目（可在配置中指定类别）"}
RUN_KIND_LABELS = {"crawl": "抓取", "check": "检查", "run": "每日任务"}
RUN_STATUS_LABELS = {"ok": "完成", "partial": "部分失败", "failed": "失败", "timeout": "超时",
                     "running": "进行中", "interrupted": "中断"}
SHORT_LIST = 50


def create_app(db_path: str | Path, *, login: tuple[str, str] | None = None,
               config: Config | None = None) -> Flask:
    """The dashboard app for one store; `login` = (user, password) turns on HTTP basic auth.
    `config` gives the county's timezone and report deadlines (the defaults without one), and the
    units' types and publication standards the 发布统计 page needs."""
    app = Flask(__name__)
    app.config.update(DB_PATH=Path(db_path), LOGIN=login, GONGKAI=config,
                      TZ=ZoneInfo(config.timezone if config else DEFAULT_TIMEZONE),
                      REPORT_DEADLINES=config.rules.report_deadlines if config else REPORT_DEADLINES,
                      JSON_AS_ASCII=False, SEND_FILE_MAX_AGE_DEFAULT=3600)
    _install_hooks(app)
    _install_filters(app)
    _install_routes(app)
    return app


def db():
    """This request's read-only connection, opened on first use and closed at teardown."""
    if "db" not in g:
        path: Path = current_app.config["DB_PATH"]
        if not path.exists():
            abort(503, description=f"尚无数据：请先运行 gongkai run（数据库 {path.name} 不存在）")
        g.db = open_readonly(path)
    return g.db


def _install_hooks(app: Flask) -> None:
    @app.before_request
    def _start() -> Response | None:
        g.started = time.perf_counter()
        login = app.config["LOGIN"]
        if login and not _authorized(login):
            return Response("需要登录", 401, {"WWW-Authenticate": 'Basic realm="gongkai", charset="UTF-8"'})
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"    # links go out to government sites
        if "started" in g:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.1f}"
        return response

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.conn.close()

    @app.errorhandler(sqlite3.OperationalError)
    def _store_error(exc: sqlite3.OperationalError):
        return render_template("error.html", code=503, message=f"数据库暂不可读：{exc}"), 503

    for code in (404, 503):
        app.register_error_handler(code, lambda exc, code=code: (
            render_template("error.html", code=code, message=exc.description), code))


def _authorized(login: tuple[str, str]) -> bool:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return False
    user_ok = hmac.compare_digest((auth.username or "").encode(), login[0].encode())
    password_ok = hmac.compare_digest((auth.password or "").encode(), login[1].encode())
    return user_ok and password_ok


def _install_filters(app: Flask) -> None:
    tz: ZoneInfo = app.config["TZ"]

    def safe_url(value: Any) -> str | None:
        """Only http(s) URLs become links: a scraped `javascript:` URL stays text."""
        text = str(value or "")
        return text if urlsplit(text).scheme in ("http", "https") else None

    def local_time(value: str | None) -> str:
        if not value:
            return ""
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment.tzinfo else value

    def cycle_label(value: str | None) -> str:
        try:
            return Cycle.parse(value).label() if value else "—"
        except ValueError:
            return str(value)

    def url_with(**changes: Any) -> str:
        """The current page with some query arguments changed (None removes one)."""
        args = {k: v for k, v in request.args.items() if v}
        args.update({k: v for k, v in changes.items()})
        return url_for(request.endpoint, **(request.view_args or {}),
                       **{k: v for k, v in args.items() if v not in (None, "")})

    app.jinja_env.filters.update(
        safe_url=safe_url, local_time=local_time, cycle_label=cycle_label,
        kind_label=label,
        result_label=lambda r: RESULT_LABELS.get(r, r),
        category_label=lambda c: CATEGORY_LABELS.get(c or "", c or ""),
        source_label=lambda s: SOURCE_LABELS.get(s or "", s or ""),
        outcome_label=outcome_label,
        run_kind_label=lambda k: RUN_KIND_LABELS.get(k, k),
        run_status_label=lambda s: RUN_STATUS_LABELS.get(s, s),
        plain=lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v,
        pretty_json=lambda v: json.dumps(v, ensure_ascii=False, indent=2),
    )
    app.jinja_env.globals.update(
        url_with=url_with, CATEGORY_LABELS=CATEGORY_LABELS, t3_columns=T3_COLUMNS,
        deadline=lambda year, unit_type: deadline_for(year, unit_type or "department", app.config["REPORT_DEADLINES"]))


def _page_arg() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _filters() -> Filters:
    category = request.args.get("category") or None
    kind = request.args.get("kind") or None
    return Filters(unit=request.args.get("unit") or None,
                   category=category if category in CATEGORY_LABELS else None,
                   kind=kind if kind in listing.OVERDUE_KINDS else None)


def _last_check() -> str | None:
    row = db().execute("SELECT max(finished_at) FROM runs WHERE kind = 'check' AND status = 'ok'").fetchone()
    return row[0] if row else None


def _install_routes(app: Flask) -> None:
    titles = {"overdue": "超期栏目", "due_soon": "即将超期", "unreachable": "未能检测"}

    def _list_view(endpoint: str) -> str:
        kinds, order = listing.LISTS[endpoint]
        conn, filters, page = db(), _filters(), _page_arg()
        main = queries.finding_rows(conn, kinds, filters, order, page=page)
        extra = {}
        if endpoint == "overdue":
            # the other two lists apart, short, with a link to their full pages
            extra = {name: queries.finding_rows(conn, listing.LISTS[name][0], Filters(filters.unit, filters.category),
                                                listing.LISTS[name][1], limit=SHORT_LIST)
                     for name in ("due_soon", "unreachable")}
        return render_template("findings_list.html", endpoint=endpoint, title=titles[endpoint], main=main, extra=extra,
                               filters=filters, units=queries.units(conn), counts=queries.open_counts(conn),
                               overdue_kinds=listing.OVERDUE_KINDS, card_kinds=listing.CARD_KINDS, last_check=_last_check(),
                               short_list=SHORT_LIST)

    for endpoint in listing.LISTS:
        app.add_url_rule("/" if endpoint == "overdue" else f"/{endpoint.replace('_', '-')}", endpoint,
                         lambda endpoint=endpoint: _list_view(endpoint))

    @app.get("/unit/<unit_id>")
    def unit(unit_id: str) -> str:
        conn = db()
        info = queries.unit_info(conn, unit_id)
        if info is None:
            abort(404, description=f"没有编号为 {unit_id} 的单位")
        return render_template("unit.html", unit=info, columns=queries.unit_columns(conn, unit_id),
                               history=queries.unit_history(conn, unit_id, _page_arg()),
                               last_check=_last_check())

    @app.get("/finding/<finding_id>")
    def finding(finding_id: str) -> str:
        found = queries.finding(db(), finding_id)
        if found is None:
            abort(404, description="没有这条问题记录")
        return render_template("finding.html", f=found, last_check=_last_check())

    @app.get("/reports")
    def reports() -> str:
        conn = db()
        all_units = queries.units(conn)
        page = queries.Page([], len(all_units), _page_arg())
        page.rows = all_units[(page.number - 1) * queries.PAGE_SIZE: page.number * queries.PAGE_SIZE]
        today = county_today(current_app.config["TZ"].key)
        years = queries.report_years(conn, today)
        docs, found = queries.report_cells(conn, [u["id"] for u in page.rows], years)
        return render_template("reports.html", page=page, years=years, docs=docs, found=found,
                               today=today, last_check=_last_check())

    @app.get("/report/<int:doc_id>")
    def report(doc_id: int) -> str:
        conn = db()
        doc = queries.document(conn, doc_id)
        if doc is None:
            abort(404, description="没有这份年报")
        related = queries.report_findings(conn, doc["unit_id"], doc["year"]) if doc["year"] else []
        return render_template("report.html", doc=doc, unit=queries.unit_info(conn, doc["unit_id"]),
                               findings=related, last_check=_last_check())

    @app.get("/trend")
    def trend() -> str:
        days, series = queries.trend(db())
        return render_template("trend.html", chart=line_chart(days, series, LABELS), days=days,
                               series=series, last_check=_last_check())

    @app.get("/runs")
    def runs() -> str:
        conn = db()
        return render_template("runs.html", runs=queries.recent_runs(conn, _page_arg()),
                               mail=queries.sent_mail(conn), last_check=_last_check())

    def _publication() -> tuple[list, list]:
        config = current_app.config["GONGKAI"]
        if config is None:
            abort(503, description="发布统计需要配置文件中的单位类型和最低标准：请用 gongkai dashboard 或 gongkai serve 打开")
        return queries.publication_grid(db(), config, datetime.now(current_app.config["TZ"]).date())

    @app.get("/publication")
    def publication() -> str:
        months, rows = _publication()
        sort, desc = request.args.get("sort", ""), request.args.get("order") == "desc"
        labels = [str(m) for m in months]
        if sort == "total":
            rows = sorted(rows, key=lambda r: r.total, reverse=desc)
        elif sort in labels:
            at = labels.index(sort)
            rows = sorted(rows, key=lambda r: r.cells[at].items, reverse=desc)
        elif sort == "unit":
            rows = sorted(rows, key=lambda r: r.unit_name, reverse=desc)
        return render_template("publication.html", months=labels, rows=rows, sort=sort, desc=desc,
                               status_labels=STATUS_LABELS, last_check=_last_check())

    @app.get("/export/publication.<fmt>")
    def export_publication(fmt: str) -> Response:
        if fmt not in ("csv", "json"):
            abort(404, description="导出格式只有 csv 和 json")
        _, rows = _publication()
        cells = [c for r in rows for c in r.cells]
        body, mime = ((stats_csv(cells), "text/csv") if fmt == "csv" else
                      (json.dumps([c.to_json() for c in cells], ensure_ascii=False, indent=2), "application/json"))
        return Response(body, mimetype=mime, headers={
            "Content-Disposition": f'attachment; filename="gongkai-publication.{fmt}"'})

    @app.get("/export/findings.<fmt>")
    def export(fmt: str) -> Response:
        if fmt not in ("csv", "json"):
            abort(404, description="导出格式只有 csv 和 json")
        rows = query_findings(db(), unit=request.args.get("unit") or None, kind=request.args.get("kind") or None,
                              include_resolved=request.args.get("all") == "1")
        body, mime = (findings_csv(rows), "text/csv") if fmt == "csv" else (findings_json(rows), "application/json")
        return Response(body, mimetype=mime, headers={
            "Content-Disposition": f'attachment; filename="gongkai-findings.{fmt}"'})
