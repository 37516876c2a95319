"""`gongkai`: a thin command line over the library (docs/design.md §4).

Exit codes (monitor/exitcodes.py): 0 ok; 1 findings at or above `--fail-on`, or a crawl that
could not run; 2 usage or config errors, or a store file that is not a usable database; 3 the
store could not be written (disk full, I/O error, read-only); 4 another writing command holds the
store's lock. Faults are one `error:` line on stderr, never a traceback.
Mail that could not be delivered: 5 (retried later) or 6 (refused); settings that cannot work: 2.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path

import click
from rich.console import Console

from monitor import exitcodes
from monitor.cli_context import Context, pass_ctx, today_option
from monitor.config import DEFAULT_TIMEZONE, column_category, county_today, load_config
from monitor.findings import SEVERITY_ORDER

log = logging.getLogger("gongkai")

SEVERITIES = list(SEVERITY_ORDER)
fail_on_option = click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
                              help="Exit 1 if an open violation of this severity or worse exists.")


def _setup_logging(verbose: int) -> None:
    """Plain timestamped lines on stderr: what cron mails and journald keep."""
    logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S")


class LazyGroup(click.Group):
    """Commands that live with their feature (one module per concept) are imported when used,
    so the main CLI loads no feature it is not asked for (click's documented lazy pattern)."""

    lazy = {
        "report": "monitor.reports.cli:report",
        "discover": "monitor.discover_cli:discover",
        "bulletin": "alerts.cli:bulletin",
        "outbox": "alerts.cli:outbox",
        "dashboard": "monitor.web.cli:dashboard",
        "serve": "monitor.web.cli:serve",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        """Any command: a fault (a store that is full, read-only or corrupt, the lock held by another
        run) is one line naming the file and what to do, with its exit code — not a traceback."""
        from monitor.store import store_failure

        try:
            return super().invoke(ctx)
        except exitcodes.Fault as exc:
            fault = exc
        except sqlite3.Error as exc:
            fault = store_failure(exc, ctx.obj.db_path)
            if fault is None:
                raise
        click.echo(f"error: {fault}", err=True)
        raise SystemExit(fault.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(path_type=Path), metavar="PATH",
              default=lambda: os.environ.get("GONGKAI_CONFIG", "config.yaml"), show_default="config.yaml",
              help="Config file (or set GONGKAI_CONFIG).")
@click.option("--db", "db_path", type=click.Path(path_type=Path), metavar="PATH",
              help="SQLite store (default: `database` in the config).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug, incl. crawler logs).")
@click.version_option(package_name="gongkai-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: Path, db_path: Path | None, verbose: int) -> None:
    """gongkai-monitor: checks that a county's disclosure columns (政府信息公开栏目) stay current,
    annual reports are published on time and consistent, and tells the right people.

    Typical use: `gongkai validate`, then `gongkai run` daily from cron; `gongkai findings` to
    list what is open; `gongkai demo` to see it all on a simulated county.
    """
    _setup_logging(verbose)
    ctx.obj = Context(config_path, db_path)


@cli.command()
@pass_ctx
def validate(ctx: Context) -> None:
    """Check config.yaml and print the units and columns it implies.

    Each column shows the category used (given in the config, or inferred from its name) and the
    update cycle that applies. Columns discovered by earlier crawls are listed too.
    """
    config = ctx.config
    from monitor.observations import column_id

    known = _discovered_columns(ctx)
    console = Console()
    console.print(f"{ctx.config_path}: OK — {config.county}, {len(config.units)} units")
    if config.county_portal:
        console.print(f"county portal: {config.county_portal} (W1 首页不更新; findings go to {config.portal_owner.id} "
                      f"{config.portal_owner.name})", highlight=False, markup=False)
    for unit in config.units:
        console.print(f"\n[bold]{unit.id}[/bold] {unit.name} ({unit.type})  site: {unit.site or '-'}",
                      markup=True, highlight=False)
        rows = [(c.name, c.url, c, "配置") for c in unit.columns]
        configured = {column_id(unit.id, c.url) for c in unit.columns}
        rows += [(name, url, None, "发现") for cid, name, url in known.get(unit.id, []) if cid not in configured]
        found = len(rows) - len(unit.columns)
        console.print(f"  {len(rows)} columns ({len(unit.columns)} configured, {found} discovered by earlier crawls)",
                      highlight=False)
        if unit.site and unit.discover and not found:
            console.print(f"  (columns will be discovered from the site page on the first crawl; "
                          f"`gongkai discover --unit {unit.id}` shows them now)", highlight=False)
        for name, url, col, origin in rows:
            category, source = column_category(col, name)
            cycle = config.cycle_for(category, col.cycle if col else None)
            console.print(f"  {origin} {name}  {url}\n       category {category} ({source}), "
                          f"cycle {cycle.label() if cycle else '无（不检查更新）'}", highlight=False, markup=False)


def _discovered_columns(ctx: Context) -> dict[str, list[tuple[str, str, str]]]:
    if not ctx.db_path.exists():
        return {}
    from monitor.scraped import clean_text
    from monitor.store import open_readonly

    try:
        db = open_readonly(ctx.db_path)
        rows = db.execute("SELECT unit_id, id, name, url FROM columns WHERE discovered > 0 ORDER BY name").fetchall()
    except Exception as exc:   # an empty, foreign or corrupt file: validation does not depend on it
        log.warning("discovered columns not shown: %s", exc)
        return {}
    found: dict[str, list[tuple[str, str, str]]] = {}
    for unit_id, cid, name, url in rows:   # scraped: cleaned again for stores filled before that was done
        found.setdefault(unit_id, []).append((cid, clean_text(name), clean_text(url)))
    return found


def _crawl(ctx: Context, unit_ids: list[str] | None):
    from monitor.crawl import crawl
    from monitor.progress import CrawlProgress

    for unit in unit_ids or []:
        try:
            ctx.config.unit(unit)
        except KeyError:
            raise click.BadParameter(f"no unit with id {unit!r} in {ctx.config_path}", param_hint="--unit")
    db = ctx.db()
    with CrawlProgress() as progress:
        summary = crawl(ctx.config, db, ctx.db_path.resolve(),
                        unit_ids=unit_ids or None, on_progress=progress)
    return db, summary


@cli.command("crawl")
@click.option("--unit", "units", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@pass_ctx
def crawl_cmd(ctx: Context, units: tuple[str, ...]) -> None:
    """Fetch every unit's site page and column lists into the store (observations only)."""
    _, summary = _crawl(ctx, list(units))
    click.echo(summary.line())
    if summary.status in ("failed", "timeout"):
        raise SystemExit(exitcodes.FAILED)


@cli.command()
@today_option
@click.option("--unit", "units", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@fail_on_option
@pass_ctx
def check(ctx: Context, today: str | None, units: tuple[str, ...], fail_on: str | None) -> None:
    """Evaluate the rules over stored observations and reconcile findings (no crawling)."""
    from monitor.evaluation import run_check

    db = ctx.db()
    summary = run_check(ctx.config, db, ctx.today(today), unit_ids=list(units) or None)
    click.echo(summary.line())
    _exit_for(db, fail_on)


@cli.command()
@today_option
@fail_on_option
@pass_ctx
def run(ctx: Context, today: str | None, fail_on: str | None) -> None:
    """The daily job (what cron calls): crawl, then check, then early warnings.

    Only one writing command at a time per store: a second one (cron while `serve` runs) exits
    with code 4.
    Mail that cannot be delivered stays queued and sets the exit code (2 settings, 5 retried
    later, 6 refused), ahead of --fail-on.
    """
    from monitor.daily import daily_run
    from monitor.progress import CrawlProgress

    with CrawlProgress() as progress:
        summary = daily_run(ctx.config, ctx.db_path.resolve(),
                            today=ctx.today(today), on_progress=progress)
    for line in summary.lines():
        click.echo(line)
    if summary.crawl.status == "failed":
        raise SystemExit(exitcodes.FAILED)
    if summary.delivery is not None:
        from alerts.cli import exit_for_delivery

        exit_for_delivery(summary.delivery)
    _exit_for(ctx.db(write=False), fail_on)


def _exit_for(db, fail_on: str | None) -> None:
    if fail_on is None:
        return
    from monitor.findings import query_findings

    worst = SEVERITY_ORDER[fail_on]
    bad = [f for f in query_findings(db) if f.result == "fail"
           and SEVERITY_ORDER.get(f.severity, 9) <= worst]
    if bad:
        click.echo(f"{len(bad)} open violations at severity {fail_on} or worse", err=True)
        raise SystemExit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--unit", metavar="ID", help="Only this unit.")
@click.option("--kind", metavar="KIND", help="Only this kind, e.g. column_stale.")
@click.option("--all", "include_all", is_flag=True, help="Include resolved findings.")
@pass_ctx
def findings(ctx: Context, fmt: str, unit: str | None, kind: str | None, include_all: bool) -> None:
    """List findings (open ones by default), most severe and most overdue first."""
    from monitor.findings import query_findings
    from monitor.output import findings_csv, findings_json, findings_table

    rows = query_findings(ctx.db(write=False), unit=unit, kind=kind, include_resolved=include_all)
    if fmt == "json":
        click.echo(findings_json(rows))
    elif fmt == "csv":
        click.echo(findings_csv(rows), nl=False)
    else:
        findings_table(rows, _console(), title=f"问题清单（{len(rows)} 条）")


@cli.command()
@click.option("--month", metavar="YYYY-MM", help="This month (default: the last complete month).")
@click.option("--quarter", metavar="YYYY-Qn", help="This quarter.")
@click.option("--year", metavar="YYYY", help="This year.")
@click.option("--unit", "units", multiple=True, metavar="ID", help="Only this unit (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@today_option
@pass_ctx
def stats(ctx: Context, month: str | None, quarter: str | None, year: str | None, units: tuple[str, ...],
          fmt: str, today: str | None) -> None:
    """Items published per unit (信息发布情况): 动态类 and 信息公开类 by the date each item shows,
    against the minimum standard; 未能统计 where a column could not be read."""
    from monitor.checks.publication import STATUS_LABELS, publication_stats, stats_csv
    from monitor.stats import load_publication, parse_period

    day = ctx.today(today)
    try:
        period = parse_period(month=month, quarter=quarter, year=year, today=day)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    unknown = sorted(set(units) - {u.id for u in ctx.config.units})
    if unknown:
        raise click.BadParameter(f"unknown unit {unknown[0]!r}", param_hint="--unit")
    rows = publication_stats(ctx.config, load_publication(ctx.db(write=False), ctx.config, period.months, day,
                                                          unit_ids=list(units) or None, by_month=False), period)
    if fmt == "json":
        click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(stats_csv(rows), nl=False)
    else:
        from rich.table import Table

        table = Table(title=f"信息发布情况（{period.label}）", header_style="bold")
        for name in ("单位", "动态类", "信息公开类", "合计", "最低标准", "状态", "连续零动态月数"):
            table.add_column(name, overflow="fold")
        for r in rows:
            run = f"{'≥' if r.zero_months_at_least else ''}{r.zero_months}" if r.zero_months else ""
            table.add_row(r.unit_name, str(r.dynamic), str(r.disclosure), str(r.items),
                          "" if r.minimum is None else str(r.minimum), STATUS_LABELS[r.status], run)
        _console().print(table)


@cli.command()
@click.option("--markdown", is_flag=True, help="The Markdown table of the README (generated from the registry).")
def kinds(markdown: bool) -> None:
    """List the finding kinds this version knows (monitor/kinds.py): rules, label, possible
    results, severity, bulletin points, bulletin section and dashboard list."""
    from rich.table import Table

    from monitor.kinds import KINDS, kinds_table

    if markdown:
        click.echo(kinds_table(), nl=False)
        return
    table = Table(title="问题类型", header_style="bold")
    table.add_column("kind", no_wrap=True)     # a name to copy into the config whole
    for name in ("名称", "rule", "result", "severity", "points", "bulletin", "dashboard"):
        table.add_column(name, overflow="fold")
    for k in KINDS.values():
        table.add_row(k.name, k.label, ", ".join(k.rules), ", ".join(k.results), k.severity,
                      "" if k.points is None else f"{k.points:g}", k.bulletin or "", k.dashboard or "")
    _console().print(table)


@cli.command()
@click.option("--port", type=int, default=8640, show_default=True,
              help="Port of the demo portal on 127.0.0.1 (a free one is used if it is taken).")
@click.option("--dir", "out_dir", type=click.Path(path_type=Path), default=Path("gongkai-demo"),
              show_default=True, help="Where the demo's config, database and bulletin go.")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve the dashboard on the demo data at the end.")
@click.option("--dashboard-port", type=int, default=8000, show_default=True)
def demo(port: int, out_dir: Path, serve: bool, dashboard_port: int) -> None:
    """Run everything on the embedded demo county: a simulated county portal on 127.0.0.1
    (TRS- and Hanweb-like sites, GBK and UTF-8, stale, blank, broken and slow columns, annual
    reports), crawled and checked as of today; prints the overdue sections."""
    from alerts.bulletin import write_bulletin
    from monitor.daily import daily_run
    from monitor.demo.config import demo_config_yaml
    from monitor.demo.generator import generate_county
    from monitor.demo.server import DemoServer
    from monitor.findings import query_findings
    from monitor.output import findings_table
    from monitor.progress import CrawlProgress
    from monitor.store import open_db

    today = county_today(DEFAULT_TIMEZONE)          # the demo county's timezone
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = (out_dir / "demo.db").resolve()
    for stale in out_dir.glob("demo.db*"):   # a fresh county every time: its dates are relative to today
        stale.unlink()
    county = generate_county(today)
    try:
        server = DemoServer(county, port=port)
    except OSError:
        server = DemoServer(county, port=0)
    with server:
        config_path = out_dir / "config.yaml"
        config_path.write_text(demo_config_yaml(server.base_url, database=str(db_path)), encoding="utf-8")
        config = load_config(config_path)
        click.echo(f"demo county {config.county}: {len(config.units)} units at {server.base_url}")
        with CrawlProgress() as progress:
            daily_run(config, db_path, today=today, on_progress=progress, deliver_mail=False)
        changes = county.skip_review()     # what the review rules are for: edits, back-dating, deletion
        click.echo(f"the demo units now edit, back-date and delete items ({len(changes)} changes); crawling again")
        with CrawlProgress() as progress:
            summary = daily_run(config, db_path, today=today, on_progress=progress,
                                deliver_mail=False)
        db = open_db(db_path)
        overdue = [f for f in query_findings(db) if f.result == "fail"]
        findings_table(overdue, _console(), title=f"{config.county}超期及问题栏目（{today}，{len(overdue)} 条）")
        files = write_bulletin(config, db, today.strftime("%Y-%m"), out_dir / "bulletin", issue_date=today)
        for line in summary.lines():
            click.echo(line)
        click.echo(f"config: {config_path}  database: {db_path}")
        click.echo(f"bulletin (督查通报, not sent): {files.folder.resolve()}")
        if serve:
            from monitor.web.serve import dashboard_url, make_server, serve_until_signal

            try:
                web = make_server(db_path, "127.0.0.1", dashboard_port, config=config)
            except OSError:     # port taken: any free one will do for a demo
                web = make_server(db_path, "127.0.0.1", 0, config=config)
            click.echo(f"dashboard: {dashboard_url(web)}  (Ctrl-C to stop; the demo portal keeps running)")
            try:
                serve_until_signal(web)
            finally:
                web.close()


def _console() -> Console:
    """On a terminal, its width; in a cron mail or a pipe, wide enough that Chinese names do not wrap."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def main() -> None:
    cli(prog_name="gongkai")


if __name__ == "__main__":
    main()
