"""Who receives what: the supervisor (and the configured cc list) get the full bulletin; each
liaison gets only the units they are the contact for. A recipient may be reached on several
channels (an e-mail address, a chat-bot URL); each endpoint is one liaison with the units that
name it, so one address or one group chat serving several units gets one message covering them."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from alerts.channels import CHANNELS, Endpoint, endpoints
from monitor.config import Config, Recipient, UnitConfig

log = logging.getLogger("gongkai.alerts.routing")


@dataclass(frozen=True, slots=True)
class Liaison:
    endpoint: Endpoint
    units: tuple[UnitConfig, ...]

    @property
    def greeting(self) -> str:
        return self.endpoint.name or "、".join(u.name for u in self.units)


def _key(e: Endpoint) -> str:
    return CHANNELS[e.channel].identity(e.address)


def supervisor_recipients(config: Config) -> list[Endpoint]:
    """The supervisor's endpoints first, then the cc list, each endpoint once."""
    seen: set[str] = set()
    out = []
    for recipient in config.supervisor.all_recipients() + [Recipient(email=c) for c in config.bulletin.cc]:
        for e in endpoints(recipient):
            if _key(e) not in seen:
                seen.add(_key(e))
                out.append(e)
    return out


def liaisons(config: Config) -> list[Liaison]:
    """Liaisons in config order, one per endpoint, each with the units whose contact names it."""
    grouped: dict[str, tuple[Endpoint, list[UnitConfig]]] = {}
    for unit in config.units:
        reached = [e for r in unit.contact.all_recipients() for e in endpoints(r)]
        if not reached:
            log.debug("unit %s has no contact e-mail or notify URL; its liaison gets no messages", unit.id)
        for e in reached:
            units = grouped.setdefault(_key(e), (e, []))[1]
            if unit not in units:
                units.append(unit)
    return [Liaison(e, tuple(units)) for e, units in grouped.values()]


def channels_used(config: Config) -> set[str]:
    """The channels some recipient of the config is reached on."""
    return {e.channel for e in supervisor_recipients(config)} | {l.endpoint.channel for l in liaisons(config)}
