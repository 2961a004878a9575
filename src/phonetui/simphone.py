"""What a simulated phone is (identity, family, address, faults, screen) and how a fleet is laid out.

Kept apart from the server (``simulator.py``) so that a fleet can be planned, written to
a config and handed to other processes without starting anything.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypedDict

from .cisco import CLASSIC, FAMILIES, LEGACY, MODERN, Family

AuthMethod = Literal["GET", "POST"]

#: A phone's fault knobs, by attribute name (``simulate`` has an option for each).
FAULTS = ("offline", "black_hole", "garbled", "wrong_password", "web_off")
#: What each fault (and ``screenshots`` off) does, as ``simulate`` says it at start.
FAULT_WORDS = {
    "offline": "offline: listens on nothing (connection refused)",
    "black_hole": "black hole: accepts connections, never answers",
    "garbled": "garbled: answers a push with garbage",
    "wrong_password": "wrong password: the written config has a wrong password for it",
    "web_off": "web off: Web Access disabled, its web port refuses",
    "no_screenshots": "no screenshots: 404 on every screenshot path",
}

#: Where phones go that each listen on a port of their own.
LOCALHOST = "127.0.0.1"

#: Models the fleet cycles through: (model, family).
FLEET_MODELS: tuple[tuple[str, Family], ...] = (
    ("CP-8845", MODERN),
    ("CP-7975G", CLASSIC),
    ("CP-7960G", LEGACY),
    ("CP-7841", MODERN),
    ("CP-6945", CLASSIC),
    ("CP-7940G", LEGACY),
    ("CP-8865", MODERN),
    ("CP-8961", CLASSIC),
)


@dataclass
class Screen:
    """What a simulated phone shows, and what it last ran."""

    title: str = ""
    prompt: str = ""
    text: str = ""
    softkeys: list[str] = field(default_factory=list)
    #: What each softkey runs when pressed (``Key:Soft1`` is the first), '' for nothing.
    softkey_urls: list[str] = field(default_factory=list)
    backlight: str = "Default"
    executed: list[str] = field(default_factory=list)
    pushes: int = 0
    updated: float = 0.0


@dataclass
class SimPhone:
    """One simulated phone: identity, family, where it listens, and its fault knobs."""

    name: str
    mac: str
    model: str
    family: Family
    host: str
    port: int = 0
    auth_url: str = ""
    auth_method: AuthMethod = "GET"
    latency: float = 0.0
    offline: bool = False
    black_hole: bool = False
    garbled: bool = False
    wrong_password: bool = False
    #: Web Access disabled: the phone refuses connections on its web port (pushes and probes alike).
    web_off: bool = False
    play_seconds: float = 0.05
    #: The phone serves its screenshot on its model's path; False: 404 on every path (no screenshots).
    screenshots: bool = True
    #: Its place in the fleet, from 0: its directory number and group follow from it.
    number: int = 0
    #: Press ``ack_key`` this many seconds after a Text with that key shows (a person acknowledging);
    #: None: never. ``ack_probability``: the chance the person does.
    ack_after: float | None = None
    ack_probability: float = 1.0
    ack_key: str = "Ack"
    screen: Screen = field(default_factory=Screen)

    @property
    def devicename(self) -> str:
        return f"SEP{self.mac}"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def spec(self) -> dict[str, Any]:
        """Everything but the screen, as JSON-ready data: how a phone is handed to another process."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "screen"}
        return data | {"family": self.family.name}

    @classmethod
    def from_spec(cls, data: dict[str, Any]) -> SimPhone:
        return cls(**(data | {"family": FAMILIES[data["family"]]}))


class FleetLayout(TypedDict, total=False):
    """Where a fleet goes: ``fleet_phones``'s keywords, for those who pass them on."""

    base: str
    port: int
    per_port: bool
    auth_method: AuthMethod | None


def fleet_phones(
    count: int,
    auth_url: str = "",
    *,
    base: str = "127.77.0.0",
    port: int = 0,
    per_port: bool = False,
    auth_method: AuthMethod | None = None,
) -> list[SimPhone]:
    """``count`` phones of mixed families, on consecutive loopback addresses after ``base``.

    Addresses ending in .0 and .255 are skipped. With ``per_port`` every phone gets its own
    port on 127.0.0.1 instead.
    """
    start = int(ipaddress.IPv4Address(base))
    phones = []
    for i in range(count):
        model, family = FLEET_MODELS[i % len(FLEET_MODELS)]
        host = LOCALHOST if per_port else str(ipaddress.IPv4Address(start + 1 + i + i // 254 * 2))
        if not ipaddress.IPv4Address(host).is_loopback:
            raise ValueError(f"{host} is outside 127.0.0.0/8; the simulator stays on loopback")
        method: AuthMethod = auth_method or "GET"  # as real phones ask (usecallmanagernz accepts only GET)
        mac = f"0050{0x56000000 + i:08X}"
        name = f"sim-{i + 1:04d}"
        phones.append(SimPhone(name, mac, model, family, host, 0 if per_port else port, auth_url, method, number=i))
    return phones


def fleet_config(
    phones: list[SimPhone], username: str, password: str, service: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A config (as TOML-ready data) listing ``phones`` with working push credentials."""
    entries = []
    for phone in phones:
        entry: dict[str, Any] = {
            "name": phone.name,
            "host": phone.host,
            "port": phone.port,
            "model": phone.model,
            "tags": [phone.family.name, f"group-{phone.number % 4 + 1}"],
        }
        if phone.wrong_password:
            entry["password"] = password + "-wrong"
        entries.append(entry)
    raw: dict[str, Any] = {
        "defaults": {"username": username, "password": password, "timeout": 5.0, "connect_timeout": 2.0},
        "phones": entries,
    }
    if service:
        raw["service"] = service
    return raw
