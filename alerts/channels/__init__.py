"""Notification channels: each way a queued message can leave, declared once and found by name.

A channel declares its `name` (recorded in `outbox.channel`), the `recipient_key` it reads from a
config recipient (`email`, `notify`), how a message is encoded for it when queued, and how it sends
one outbox row. The outbox (alerts/outbox.py) owns everything else — claim, backoff, deterministic
ids, recovery — so every channel is exactly as reliable as e-mail.

- `email`: SMTP with the standard library (alerts/smtp.py); the full message with attachments.
- `apprise`: webhook channels through apprise (`wecombot://`, `dingtalk://`, `feishu://`,
  `json://` …); a short Markdown notice with a link to the dashboard, never the full bulletin.
  `${VARIABLE}` placeholders in the URL are resolved from the environment at send time, so the
  secret never reaches config.yaml or the store.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Callable, ClassVar

from alerts.messages import Attachment
from alerts.render import Rendered
from monitor.config import Config, Recipient


class SetupError(Exception):
    """The settings or environment cannot work (no password, login refused, an unset variable in a
    notify URL): only the operator can fix it, so messages keep their attempts. `all_messages`
    when every message of the channel waits for it (SMTP), not only this recipient's."""

    def __init__(self, message: str, *, all_messages: bool = True):
        super().__init__(message)
        self.all_messages = all_messages


class SendError(Exception):
    """One message could not be sent; `permanent` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Unreachable(Exception):
    """The channel's server cannot be reached (or the session dropped): the rest of the pass waits."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One address on one channel: an e-mail address or an apprise URL (with its placeholders)."""

    channel: str
    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Payload:
    """What the outbox stores for a row: built once, sent as is on every attempt."""

    message_id: str
    subject: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Notice:
    """One message in the forms the channels need, rendered only when a channel asks."""

    subject: str
    full: Callable[[], Rendered]       # e-mail body (text + HTML)
    short: Callable[[], str]           # Markdown for a chat bot: who, what, until when, a link
    attachments: tuple[Attachment, ...] = ()


Send = Callable[[str, bytes], None]    # (address, payload data); raises SendError, Unreachable, SetupError


class Channel(ABC):
    """A way out of the outbox; subclasses are registered with `@register`."""

    name: ClassVar[str]             # recorded in outbox.channel
    recipient_key: ClassVar[str]    # the field of a config recipient holding this channel's address

    @abstractmethod
    def identity(self, address: str) -> str:
        """The recipient's part of the idempotency key."""

    @abstractmethod
    def encode(self, config: Config, key: str, to: Endpoint, notice: Notice) -> Payload:
        """The message as stored in the outbox row (built once, sent as is)."""

    def unconfigured(self, config: Config) -> str | None:
        """Why nothing can be sent on this channel with this config, or None."""
        return None

    @abstractmethod
    def session(self, config: Config) -> AbstractContextManager[Send]:
        """Open what sending needs (an SMTP connection); yields the function that sends one row.
        Raises SetupError or Unreachable when it cannot open."""


CHANNELS: dict[str, Channel] = {}


def register(cls: type[Channel]) -> type[Channel]:
    CHANNELS[cls.name] = cls()
    return cls


def endpoints(recipient: Recipient) -> list[Endpoint]:
    """A config recipient as one endpoint per channel it names (`email`, `notify`, …)."""
    return [Endpoint(c.name, value.strip(), recipient.name) for c in CHANNELS.values()
            if (value := getattr(recipient, c.recipient_key))]


# the channels register themselves on import
from alerts.channels import email, webhook  # noqa: E402,F401
