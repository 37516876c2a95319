"""`gongkai bulletin` and `gongkai outbox` (registered on the main CLI by monitor/cli.py)."""
from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from alerts.outbox import DeliverySummary
from monitor.cli_context import Context, pass_ctx, today_option
from monitor.exitcodes import MAIL_SETUP


def exit_for_delivery(summary: DeliverySummary) -> None:
    """Undelivered mail: one `error:` line with the reason on stderr and its exit code."""
    if summary.exit_code:
        click.echo(f"error: {summary.problem()}", err=True)
        raise SystemExit(summary.exit_code)


def _month(ctx: click.Context, param: click.Parameter, value: str | None):
    from alerts.model import Month

    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("bulletin")
@click.option("--month", callback=_month, metavar="YYYY-MM",
              help="The month reported on (default: the month before --today).")
@click.option("--send", is_flag=True, help="Queue for the supervisor, the cc list and the liaisons, and deliver.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write bulletin-YYYY-MM.{eml,html,txt,csv} to DIR without sending.")
@today_option
@pass_ctx
def bulletin(ctx: Context, month, send: bool, out_dir: Path | None, today: str | None) -> None:
    """Build the monthly supervision bulletin (督查通报) from the store.

    --today is the issue date: the rectification deadline counts `rules.rectify_workdays`
    working days from it (official holiday calendar). Without --send or --out the text version
    is printed. Sending is exactly once per recipient and month: running it again sends nothing.
    --send also sends older messages that waited for the server; mail left queued sets the exit
    code as in `gongkai run`.
    """
    from alerts.bulletin import queue_bulletin, write_bulletin
    from alerts.model import Month, build_bulletin
    from alerts.outbox import deliver
    from alerts.render import render

    if send and out_dir:
        raise click.UsageError("use either --send or --out")
    issue_date = ctx.today(today)
    month = month or Month.before(issue_date)
    db = ctx.db(write=send)         # sending queues and delivers under the store's lock; the rest only reads
    if out_dir:
        files = write_bulletin(ctx.config, db, month, out_dir, issue_date=issue_date)
        for path in (files.eml, files.html, files.txt, files.csv):
            click.echo(path)
    elif send:
        _require_smtp(ctx)
        queued = queue_bulletin(ctx.config, db, month, issue_date)
        summary = deliver(ctx.config, db)
        click.echo(f"bulletin {month}: {queued} messages queued; {summary.line()}")
        exit_for_delivery(summary)
    else:
        click.echo(render("bulletin", b=build_bulletin(ctx.config, db, month, issue_date)).text, nl=False)


@click.command("outbox")
@click.option("--retry", is_flag=True, help="Re-queue failed messages and deliver everything pending now.")
@click.option("--all", "show_all", is_flag=True, help="Also list messages already sent.")
@pass_ctx
def outbox(ctx: Context, retry: bool, show_all: bool) -> None:
    """Show the message queue (e-mail and chat-bot notices); with --retry, flush it now (ignoring the retry backoff).

    After --retry, messages that remain unsent set the exit code as in `gongkai run`.
    """
    from alerts.outbox import deliver, outbox_rows, requeue_failed

    db = ctx.db(write=retry)
    if retry:
        _require_smtp(ctx)
        requeue_failed(db)
        summary = deliver(ctx.config, db)
        click.echo(summary.line())
    rows = [r for r in outbox_rows(db) if show_all or r["status"] != "sent"]
    table = Table(title=f"发件队列（{len(rows)} 条）", header_style="bold")
    for name in ("状态", "类型", "期间", "收件人", "主题", "尝试", "下次尝试", "错误"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(*(Text(str(v or "")) for v in (r["status"], r["kind"], r["period"], r["recipient"],
                                                      r["subject"], r["attempts"], r["next_attempt_at"],
                                                      r["last_error"])))
    Console().print(table)
    if retry:
        exit_for_delivery(summary)


def _require_smtp(ctx: Context) -> None:
    """Asking to send without an `smtp:` section when recipients have e-mail addresses is a config
    error, not mail left for later."""
    from alerts.routing import channels_used

    if ctx.config.smtp is None and "email" in channels_used(ctx.config):
        click.echo(f"error: {ctx.config_path}: no smtp section, so nothing can be sent", err=True)
        raise SystemExit(MAIL_SETUP)
