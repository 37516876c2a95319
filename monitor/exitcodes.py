"""Exit codes of `gongkai`, in one place so the CLI, the outbox and cron wrappers agree on them."""
from __future__ import annotations

# --- mail delivery: `gongkai run`, `bulletin --send`, `outbox --retry` (alerts/outbox.py) ---
# Messages are never lost: in every case below they stay in the outbox, and the error line says why.
MAIL_SETUP = 2      # the SMTP settings or environment cannot work (password variable unset, login refused,
                    # server requires AUTH but no smtp.username): fix config/environment; the config-error code
MAIL_DEFERRED = 5   # some messages could not be delivered now (server unreachable, temporary 4xx reply);
                    # they are retried with backoff by the next run; act if it persists
MAIL_REFUSED = 6    # the server refused some messages permanently (5xx, e.g. unknown mailbox): fix the
                    # address, then `gongkai outbox --retry`
