"""Who receives what: the supervisor (and the configured cc list) get the full bulletin; each
liaison gets only the units they are the contact for. One liaison address may serve several
units; they get one message covering exactly those units."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from email.headerregistry import Address

from monitor.config import Config, UnitConfig

log = logging.getLogger("gongkai.alerts.routing")


@dataclass(frozen=True, slots=True)
class Liaison:
    address: Address
    units: tuple[UnitConfig, ...]

    @property
    def greeting(self) -> str:
        return self.address.display_name or "、".join(u.name for u in self.units)


def _address(name: str, email: str) -> Address:
    return Address(display_name=name, addr_spec=email.strip())


def supervisor_recipients(config: Config) -> list[Address]:
    """The supervisor first, then the cc list, each address once."""
    seen: set[str] = set()
    out = []
    for name, email in [(config.supervisor.name, config.supervisor.email)] + [("", c) for c in config.bulletin.cc]:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            out.append(_address(name, email))
    return out


def liaisons(config: Config) -> list[Liaison]:
    """Liaisons in config order, each with the units whose `contact.email` is theirs."""
    grouped: dict[str, tuple[Address, list[UnitConfig]]] = {}
    for unit in config.units:
        email = unit.contact.email
        if not email:
            log.debug("unit %s has no contact e-mail; its liaison gets no messages", unit.id)
            continue
        key = email.strip().lower()
        if key not in grouped:
            grouped[key] = (_address(unit.contact.name, email), [])
        grouped[key][1].append(unit)
    return [Liaison(address, tuple(units)) for address, units in grouped.values()]
