"""`gongkai dashboard` and `gongkai serve` (registered on the main group by monitor.cli)."""
from __future__ import annotations

import click

from monitor.cli_context import Context, pass_ctx


@click.command()
@click.option("--host", metavar="ADDR", help="Address to bind (default: dashboard.host in the config, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: dashboard.port, 8000).")
@pass_ctx
def dashboard(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the dashboard of overdue sections (read-only) until Ctrl-C.

    Set GONGKAI_DASHBOARD_USER and GONGKAI_DASHBOARD_PASSWORD to require a login when it is
    reachable from other machines.
    """
    from monitor.store import open_readonly
    from monitor.web.serve import serve_dashboard

    config = ctx.config
    if ctx.db_path.exists():        # a corrupt store: one line now, not an error page for every visitor
        open_readonly(ctx.db_path).conn.close()
    serve_dashboard(ctx.db_path.resolve(), host or config.dashboard.host,
                    config.dashboard.port if port is None else port,
                    config=config)


@click.command()
@click.option("--host", metavar="ADDR", help="Dashboard address (default: dashboard.host in the config).")
@click.option("--port", type=click.IntRange(1, 65535), help="Dashboard port (default: dashboard.port).")
@pass_ctx
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Scheduler and dashboard in one process (the systemd service).

    Runs the daily job at schedule.daily and the monthly bulletin at schedule.bulletin_day /
    bulletin_time, in the config's timezone, and probes the county portal and each site page every
    schedule.probe_minutes (W6 网站不可用). A run missed while the machine was off runs once on
    the next start. Never overlaps a cron `gongkai run` on the same store. Stops on SIGTERM.
    """
    from monitor.service import run_service

    run_service(ctx.config, ctx.config_path.resolve(), ctx.db_path.resolve(), host=host, port=port)
