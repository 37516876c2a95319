"""The outbox: every message is queued once per (kind, period, recipient, channel) and delivered
from the queue, so re-running a month or a day sends nothing twice and outages only delay it.
Each row records its channel (alerts/channels/: `email` over SMTP, `apprise` for chat-bot
webhooks); everything below holds for every channel.

Life of a row (table `outbox`, store migration 2):
- `queue` inserts it as `pending` with INSERT OR IGNORE on the idempotency key; the exact
  message bytes are built once and stored, so a retry sends the same message.
- `deliver` claims due rows one at a time, channel by channel (`pending` → `sending`, an UPDATE
  that only one process can win), sends, and marks them `sent`. A temporary failure (server down, 4xx) puts
  the row back to `pending` with `next_attempt_at` = now + backoff (5 min, doubling, at most
  6 h); a permanent one (5xx, recipient refused) or MAX_ATTEMPTS failures make it `failed`,
  which only `gongkai outbox --retry` re-queues. Rows that wait only because the server could
  not be reached (`last_error` starts with UNREACHABLE) are sent as soon as a later pass gets a
  connection; a temporary reply about the message itself (greylisting, rate limit) keeps its backoff.
- Settings that cannot work (password variable unset, login refused, the server requires a login
  that is not configured; an unset `${VARIABLE}` in a notify URL, which holds only that
  recipient's rows) are no message's fault: nothing is sent, no attempt is counted, and every
  due row says why in `last_error` until the operator fixes it.
- A crash between the SMTP 250 and the UPDATE leaves a row in `sending`; after STALE_MINUTES it
  is sent again (at-least-once) with the same Message-ID, so the duplicate is recognisable.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlite_utils import Database

from alerts.channels import CHANNELS, Channel, Endpoint, Notice, Payload, SendError, SetupError, Unreachable
from monitor.config import Config
from monitor.exitcodes import MAIL_DEFERRED, MAIL_REFUSED, MAIL_SETUP
from monitor.store import stamp

log = logging.getLogger("gongkai.alerts.outbox")

MAX_ATTEMPTS = 8
STALE_MINUTES = 15
FIRST_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
UNREACHABLE = "SMTP server unreachable: "    # last_error of rows deferred because no session could be held


@dataclass
class DeliverySummary:
    sent: int = 0
    deferred: int = 0          # temporary failure: retried later with backoff
    failed: int = 0            # permanent failure or too many attempts
    recovered: int = 0         # stale `sending` rows put back in the queue
    waiting: int = 0           # still pending after this pass (not due yet, or no SMTP configured)
    error: str | None = None   # the first problem of this pass (no SMTP config, connection refused, a reply …)
    setup_error: bool = False  # `error` is about the settings or environment: only the operator can fix it

    def line(self) -> str:
        text = (f"mail: {self.sent} sent, {self.deferred} deferred, {self.failed} failed, "
                f"{self.waiting} waiting")
        if self.recovered:
            text += f", {self.recovered} recovered after an interrupted send"
        return text + (f" ({self.error})" if self.error else "")

    @property
    def exit_code(self) -> int:
        """What a cron job can act on (monitor/exitcodes.py). 0 when nothing tried failed: messages
        that only wait for their retry time, or for an SMTP section that is not configured, are queued."""
        if self.setup_error:
            return MAIL_SETUP
        if self.failed:
            return MAIL_REFUSED
        return MAIL_DEFERRED if self.deferred else 0

    def problem(self) -> str:
        """The one-line reason that goes with a non-zero exit_code."""
        if self.setup_error:
            return f"mail: {self.error}; {self.waiting} messages stay queued"
        if self.failed:
            return (f"mail: {self.failed} messages refused permanently ({self.error}); "
                    f"see `gongkai outbox`, fix, then `gongkai outbox --retry`")
        return f"mail: {self.deferred} messages could not be delivered and stay queued for a retry ({self.error})"


def outbox_key(kind: str, period: str, to: Endpoint) -> str:
    return f"{kind}:{period}:{CHANNELS[to.channel].identity(to.address)}"


def is_queued(db: Database, key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE key = ?", [key]).fetchone() is not None


def queue(db: Database, kind: str, period: str, to: Endpoint, build: Callable[[str], Payload],
          *, now: datetime | None = None) -> bool:
    """Queue the message `build(key)` unless this (kind, period, recipient, channel) already is;
    True if queued. The message is only built when the key is new, so re-running a month renders
    nothing again."""
    key = outbox_key(kind, period, to)
    if is_queued(db, key):
        return False
    msg = build(key)
    cur = db.execute(
        """INSERT OR IGNORE INTO outbox (key, kind, period, recipient, channel, message_id, subject, eml, status,
                                         attempts, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)""",
        [key, kind, period, to.address, to.channel, msg.message_id, msg.subject, msg.data,
         stamp(now or datetime.now(timezone.utc))])
    return cur.rowcount == 1


def queue_notice(config: Config, db: Database, kind: str, period: str, to: Endpoint, notice: Notice) -> bool:
    """Queue `notice` for `to` in the form of its channel (e-mail, or a short Markdown notice)."""
    channel = CHANNELS[to.channel]
    return queue(db, kind, period, to, lambda key: channel.encode(config, key, to, notice))


def recover_stale(db: Database, now: datetime, minutes: int = STALE_MINUTES) -> int:
    """Put rows left in `sending` by a crashed sender back in the queue."""
    cur = db.execute(
        """UPDATE outbox SET status = 'pending', next_attempt_at = NULL,
                  last_error = 'interrupted while sending; may have been delivered (same Message-ID)'
           WHERE status = 'sending' AND claimed_at < ?""", [stamp(now - timedelta(minutes=minutes))])
    return cur.rowcount


def requeue_failed(db: Database) -> int:
    """`gongkai outbox --retry`: failed rows and rows waiting for their backoff become due now."""
    cur = db.execute("UPDATE outbox SET status = 'pending', next_attempt_at = NULL "
                     "WHERE status IN ('pending', 'failed')")
    return cur.rowcount


def _claim(db: Database, key: str, now: datetime) -> bool:
    cur = db.execute("""UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = attempts + 1
                        WHERE key = ? AND status = 'pending'""", [stamp(now), key])
    return cur.rowcount == 1


def _mark_sent(db: Database, key: str, now: datetime) -> None:
    db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE key = ?",
               [stamp(now), key])


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _mark_error(db: Database, key: str, now: datetime, error: str, *, permanent: bool) -> bool:
    """Record a failed attempt; returns True when the row is given up (`failed`)."""
    attempts = db.execute("SELECT attempts FROM outbox WHERE key = ?", [key]).fetchone()[0]
    give_up = permanent or attempts >= MAX_ATTEMPTS
    db.execute("UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ? WHERE key = ?",
               ["failed" if give_up else "pending", error[:500],
                None if give_up else stamp(now + _backoff(attempts)), key])
    return give_up


def _due(db: Database, now: datetime, channel: str, *, reachable_again: bool = False) -> list[tuple[str, str, bytes]]:
    """The channel's pending rows whose retry time has come; with `reachable_again` (a session is
    open) also the rows that only wait because the server could not be reached before."""
    return db.execute("""SELECT key, recipient, eml FROM outbox WHERE status = 'pending' AND channel = ?
                         AND (next_attempt_at IS NULL OR next_attempt_at <= ?
                              OR (? AND substr(last_error, 1, ?) = ?))
                         ORDER BY created_at, key""",
                      [channel, stamp(now), reachable_again, len(UNREACHABLE), UNREACHABLE]).fetchall()


def deliver(config: Config, db: Database, *, now: datetime | None = None) -> DeliverySummary:
    """Send every due message once, each on the channel recorded in its row; safe to call from any
    number of runs (or processes)."""
    now = now or datetime.now(timezone.utc)
    summary = DeliverySummary(recovered=recover_stale(db, now))
    for channel in CHANNELS.values():
        due = [key for key, _, _ in _due(db, now, channel.name)]
        if due and (problem := channel.unconfigured(config)):
            summary.error = summary.error or problem
        elif due:
            _send_all(channel, config, db, due, now, summary)
    summary.waiting = db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    return summary


def _send_all(channel: Channel, config: Config, db: Database, due: list[str], now: datetime,
              summary: DeliverySummary) -> None:
    try:
        with channel.session(config) as send:
            for key, recipient, data in _due(db, now, channel.name, reachable_again=True):
                if not _claim(db, key, now):
                    continue            # another process took it
                try:
                    send(recipient, data)
                except SetupError as exc:
                    _unclaim(db, key)
                    if exc.all_messages:
                        raise
                    log.error("%s: %s; its messages stay queued", channel.name, exc)
                    summary.error, summary.setup_error = summary.error or str(exc), True
                    _note_setup_error(db, [key], now, str(exc))
                    continue
                except (SendError, Unreachable) as exc:
                    lost = isinstance(exc, Unreachable)
                    error = (UNREACHABLE if lost else "") + str(exc)
                    summary.error = summary.error or error
                    if _mark_error(db, key, now, error, permanent=isinstance(exc, SendError) and exc.permanent):
                        summary.failed += 1
                    else:
                        summary.deferred += 1
                    if lost:
                        raise       # leave the rest for the next run
                    continue
                _mark_sent(db, key, now)
                summary.sent += 1
    except SetupError as exc:
        summary.error, summary.setup_error = str(exc), True
        _note_setup_error(db, due, now, str(exc))
    except Unreachable as exc:
        summary.error = f"{UNREACHABLE}{exc}"
        summary.deferred += _defer_untried(db, due, now, summary.error)


def _unclaim(db: Database, key: str) -> None:
    """Back to the queue without counting the attempt: the settings failed, not this message."""
    db.execute("UPDATE outbox SET status = 'pending', attempts = attempts - 1 WHERE key = ? AND status = 'sending'",
               [key])


def _note_setup_error(db: Database, keys: list[str], now: datetime, error: str) -> None:
    """Due rows keep their place and attempts; `gongkai outbox` shows why they wait."""
    for key in keys:
        db.execute("""UPDATE outbox SET last_error = ? WHERE key = ? AND status = 'pending'
                      AND (next_attempt_at IS NULL OR next_attempt_at <= ?)""", [error[:500], key, stamp(now)])


def _defer_untried(db: Database, keys: list[str], now: datetime, error: str) -> int:
    """Rows that were due but not tried because the server was unreachable: retry with backoff."""
    deferred = 0
    for key in keys:
        row = db.execute("SELECT status, next_attempt_at FROM outbox WHERE key = ?", [key]).fetchone()
        if row and row[0] == "pending" and (row[1] is None or row[1] <= stamp(now)):
            db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE key = ?", [key])
            _mark_error(db, key, now, error, permanent=False)
            deferred += 1
    return deferred


def outbox_rows(db: Database) -> list[dict[str, Any]]:
    """The queue for `gongkai outbox`, newest first (message bodies left out)."""
    cur = db.execute("""SELECT key, kind, period, channel, recipient, subject, status, attempts, next_attempt_at,
                               last_error, created_at, sent_at FROM outbox ORDER BY created_at DESC, key""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
