"""What the form says about an alert, and what the confirmation and the refusals say about it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..cisco import CiscoIPPhoneExecute, ExecuteItem
from ..cli.ack_options import AckOptions
from ..service import Service
from ..tailor import Tailor

#: How long an alert sent from the app takes acknowledgements (unless its repeats need longer).
APP_WAIT = 3600.0


@dataclass(frozen=True)
class AlertSettings:
    """What the form says about an alert: its key, and its repeats (``repeat`` None: none)."""

    name: str = "Ack"
    repeat: float | None = None
    max_repeats: int | None = None
    repeat_failed: bool = False
    beep: str = ""

    def options(self, reply: str, base: Tailor) -> AckOptions:
        """The same options ``push --ack`` runs with; the wait is an hour, or as long as the repeats need."""
        wait = APP_WAIT
        if self.repeat is not None and self.max_repeats is not None:
            wait = max(wait, self.repeat * (self.max_repeats + 1) + 1)
        beep = CiscoIPPhoneExecute([ExecuteItem(f"Play:{self.beep}")]) if self.beep else None
        return AckOptions(wait, self.name, False, reply, self.repeat, self.max_repeats, self.repeat_failed, beep, base)


def reachable_problem(service: Service) -> str:
    """Why phones could not fetch the service's URL (it names no address of this host), or ""."""
    host = urlsplit(service.url).hostname or ""
    try:
        unspecified = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        unspecified = not host
    return f"phones cannot reach {service.url}: set [service] url to an address they reach" if unspecified else ""


def repeat_phrase(options: AckOptions, key: str) -> str:
    """The confirmation's line about repeats: ``repeats every 30 s, at most 3, failed phones too; beep Chime.raw``."""
    if options.repeat is None:
        return f"no automatic repeats ({key} repeats by hand)"
    text = f"repeats every {options.repeat:g} s to who has not acknowledged, at most {options.repeats()}"
    if options.repeat_failed:
        text += ", failed phones too"
    if options.beep is not None:
        text += f"; beep {options.beep.items[0].url.removeprefix('Play:')}"
    return text
