"""Internal URIs (``Key:``, ``Dial:``, ``RTPRx:`` ...) and how to check their syntax.

Syntax follows Cisco's "Internal URI Features" notes. A malformed known URI is an
error; an unknown scheme is only a warning, since new firmware adds schemes.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .problems import Problem

UriKind = Literal["http", "internal", "unknown"]
Context = Literal["execute", "softkey", "softkey-down"]

INIT_TARGETS = ("CallHistory", "Services", "Messages", "Directories", "AppStatus")
SOFTKEY_NAMES = (
    "Back", "Cancel", "Exit", "Next", "Search", "Select", "Submit", "Update", "Dial", "EditDial", "<<",
)  # fmt: skip
APP_ACTIONS = ("RequestFocus", "ReleaseFocus", "Minimize", "Close")
DEVICE_ACTIONS = ("Unlock", "GeneratePRT", "PRTStatus")

#: What the form's picker offers, with a word on each.
COMMON_URIS: tuple[tuple[str, str], ...] = (
    ("Key:Services", "open the Services menu"),
    ("Key:Directories", "open the Directories"),
    ("Key:Messages", "open voicemail"),
    ("Key:Settings", "open Settings"),
    ("Key:Speaker", "toggle the speaker"),
    ("Key:Headset", "toggle the headset"),
    ("Key:Mute", "toggle mute"),
    ("Init:Services", "close the Services app"),
    ("Init:AppStatus", "clear a Status object"),
    ("Init:CallHistory", "clear call history"),
    ("Dial:", "dial a number (add digits)"),
    ("Play:", "play a TFTP ring file (add the file name)"),
    ("Display:On", "backlight on"),
    ("Display:Off", "backlight off"),
    ("Display:Default", "backlight back to normal"),
    ("RTPRx:Stop", "stop receiving audio"),
    ("RTPTx:Stop", "stop sending audio"),
)


#: Every key name a ``Key:`` URI may carry, as phones spell them.
KEY_NAMES: tuple[str, ...] = (
    *(f"Soft{n}" for n in range(1, 6)),
    *(f"Line{n}" for n in range(1, 37)),
    *(f"Session{n}" for n in range(1, 11)),
    *(f"KeyPad{n}" for n in range(10)),
    "KeyPadStar", "KeyPadPound",
    "NavUp", "NavDwn", "NavDown", "NavLeft", "NavRight", "NavSelect", "NavBack",
    "Applications", "AppMenu", "Services", "Directories", "Settings", "Messages", "Info",
    "Speaker", "Headset", "Mute", "VolUp", "VolDwn", "Hold", "Transfer", "Conference", "Redial",
    "Release", "FixedFeature1", "FixedFeature2", "FixedFeature3",
)  # fmt: skip


@dataclass(frozen=True)
class UriCheck:
    """What a URI is and what is wrong with it."""

    uri: str
    kind: UriKind
    scheme: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_http(self) -> bool:
        return self.kind == "http"


def _ip(value: str, v6_too: bool = False) -> bool:
    """An IPv4 address (what phones' RTP URIs take), or with ``v6_too`` any IP address."""
    try:
        ipaddress.ip_address(value) if v6_too else ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _multicast(value: str) -> bool:
    return _ip(value) and ipaddress.IPv4Address(value).is_multicast


def _int_in(value: str, low: int, high: int) -> bool:
    return value.isdigit() and low <= int(value) <= high


def _rtp_port(value: str) -> bool:
    return _int_in(value, 20480, 32768) and int(value) % 2 == 0


_DIGITS = re.compile(r"[0-9#*A-D,]+")
_APP_ID = re.compile(r"[^:;]+")


def _check_key(rest: str) -> str | None:
    return None if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", rest) else "expects a key name, e.g. Key:Services"


def _check_softkey(rest: str) -> str | None:
    return None if rest in SOFTKEY_NAMES else f"expects one of {', '.join(SOFTKEY_NAMES)}"


def _check_dial(rest: str) -> str | None:
    parts = rest.split(":")
    if not _DIGITS.fullmatch(parts[0]):
        return "expects digits 0-9, #, *, A-D or ',' after Dial:"
    if len(parts) == 1:
        return None
    if len(parts) not in (3, 4) or parts[1] not in ("0", "1") or not _APP_ID.fullmatch(parts[2]):
        return "expects Dial:digits[:useAppUI(0|1):appId[:audibleFeedback(0|1)]]"
    if len(parts) == 4 and parts[3] not in ("0", "1"):
        return "audibleFeedback must be 0 or 1"
    return None


def _check_editdial(rest: str) -> str | None:
    return None if _DIGITS.fullmatch(rest) else "expects digits after EditDial:"


def _check_senddigits(rest: str) -> str | None:
    if re.fullmatch(r"[0-9#*A-D]+(:[01](::[^:;]+)?)?", rest):
        return None
    return "expects SendDigits:dtmf[:audibleFeedback(0|1)[::appId]]"


def _check_init(rest: str) -> str | None:
    return None if rest in INIT_TARGETS else f"expects one of {', '.join(INIT_TARGETS)}"


def _check_play(rest: str) -> str | None:
    if rest == "Stop" or re.fullmatch(r"[^\s:]+", rest):
        return None
    return "expects a TFTP file name or Stop"


def _check_display(rest: str) -> str | None:
    parts = rest.split(":")
    if parts[0] not in ("On", "Off", "Default") or len(parts) > 2:
        return "expects Display:On|Off|Default[:minutes]"
    if len(parts) == 2 and not _int_in(parts[1], 0, 1440):
        return "minutes must be 0-1440"
    return None


def _check_vibrate(rest: str) -> str | None:
    parts = rest.split(":")
    if len(parts) == 3 and all(_int_in(p, 0, 65536) for p in parts[:2]) and parts[2].isdigit():
        return None
    return "expects Vibrate:vibrateMs:silenceMs:count"


def _rtp_receive(address_ok: Callable[[str], bool], what: str) -> Callable[[str], str | None]:
    def check(rest: str) -> str | None:
        if rest == "Stop":
            return None
        parts = rest.split(":")
        if not 2 <= len(parts) <= 4 or not address_ok(parts[0]):
            return f"expects {what}:port[:volume[:path]] or Stop"
        if not _rtp_port(parts[1]):
            return "port must be even, 20480-32768"
        if len(parts) > 2 and parts[2] and not _int_in(parts[2], 0, 100):
            return "volume must be 0-100"
        if len(parts) > 3 and parts[3] not in ("0", "1", "2"):
            return "path must be 0, 1 or 2"
        return None

    return check


def _rtp_send(address_ok: Callable[[str], bool], what: str) -> Callable[[str], str | None]:
    def check(rest: str) -> str | None:
        if rest == "Stop":
            return None
        parts = rest.split(":")
        if len(parts) != 2 or not address_ok(parts[0]):
            return f"expects {what}:port or Stop"
        return None if _rtp_port(parts[1]) else "port must be even, 20480-32768"

    return check


def _check_notify(rest: str) -> str | None:
    parts = rest.split(":")
    if len(parts) >= 4 and parts[0] in ("http", "https") and parts[1] and parts[2].isdigit():
        return None
    return "expects Notify:http:host:port:path[:credentials[:data]]"


def _check_app(rest: str) -> str | None:
    parts = rest.split(":")
    if len(parts) != 4 or parts[0] not in APP_ACTIONS:
        return "expects App:RequestFocus|ReleaseFocus|Minimize|Close:priority:idleTimer:appId"
    if not _int_in(parts[1], 0, 2):
        return "priority must be 0-2"
    if parts[2] and not _int_in(parts[2], 10, 86400):
        return "idleTimer must be 10-86400 seconds"
    return None if _APP_ID.fullmatch(parts[3]) else "appId is required"


def _check_device(rest: str) -> str | None:
    return None if rest in DEVICE_ACTIONS else f"expects one of {', '.join(DEVICE_ACTIONS)}"


def _check_qsp(rest: str) -> str | None:
    return None if rest else "expects data after QueryStringParam:"


_CHECKERS: dict[str, Callable[[str], str | None]] = {
    "Key": _check_key,
    "SoftKey": _check_softkey,
    "Dial": _check_dial,
    "EditDial": _check_editdial,
    "SendDigits": _check_senddigits,
    "Init": _check_init,
    "Play": _check_play,
    "Display": _check_display,
    "Vibrate": _check_vibrate,
    "RTPRx": _rtp_receive(_ip, "RTPRx:ip"),
    "RTPTx": _rtp_send(_ip, "RTPTx:ip"),
    "RTPMRx": _rtp_receive(_multicast, "RTPMRx:multicast-ip"),
    "RTPMTx": _rtp_send(_multicast, "RTPMTx:multicast-ip"),
    "Notify": _check_notify,
    "App": _check_app,
    "Device": _check_device,
    "QueryStringParam": _check_qsp,
}

INTERNAL_SCHEMES: tuple[str, ...] = tuple(_CHECKERS)

#: Schemes a phone refuses inside an ExecuteItem.
_NOT_IN_EXECUTE = {"SoftKey", "Notify", "QueryStringParam"}


_HOST_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?")


def _http_problems(uri: str, field_name: str) -> list[Problem]:
    """What keeps an http(s) URL from being one a phone can fetch: no host, a host that is no name or address."""
    try:
        parts = urllib.parse.urlsplit(uri)
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError as exc:
        return [Problem(field_name, f"not a valid URL: {exc}")]
    host = parts.hostname or ""
    problems = []
    if not host:
        problems.append(Problem(field_name, "URL has no host"))
    elif not (_HOST_NAME.fullmatch(host) or _ip(host, v6_too=True)):
        problems.append(Problem(field_name, f"URL host {host!r} is not a host name or an IP address"))
    if not uri.isascii():
        note = "URL has characters outside ASCII: percent-encode them (phones send the URL as it is)"
        problems.append(Problem(field_name, note, "warning"))
    return problems


def check_uri(uri: str, field_name: str = "URL", context: Context = "execute") -> UriCheck:
    """Classify ``uri`` and list what is wrong with its syntax, naming ``field_name``."""
    if re.match(r"(?i)https?://", uri):
        problems = _http_problems(uri, field_name)
        if context == "softkey-down":
            problems.append(Problem(field_name, "URLDown takes internal URIs only, not HTTP"))
        if re.search(r"\s", uri):
            problems.append(Problem(field_name, "URL contains white space"))
        return UriCheck(uri, "http", uri.split(":", 1)[0].lower(), problems)
    scheme, sep, rest = uri.partition(":")
    checker = _CHECKERS.get(scheme)
    if not sep or checker is None:
        close = [s for s in INTERNAL_SCHEMES if s.lower() == scheme.lower()]
        hint = f" (did you mean {close[0]}:?)" if close else ""
        note = f"unknown URI scheme {scheme!r}{hint}; the phone may refuse it"
        return UriCheck(uri, "unknown", scheme, [Problem(field_name, note, "warning")])
    problems = []
    message = checker(rest)
    if message:
        problems.append(Problem(field_name, f"malformed {scheme}: URI: {message}"))
    elif scheme == "Key" and rest not in KEY_NAMES:
        close = [name for name in KEY_NAMES if name.lower() == rest.lower()]
        hint = f"did you mean Key:{close[0]}?" if close else "e.g. Soft1-Soft5, KeyPad0-9, NavUp, Services, Line1"
        note = f"no key {rest!r} that phonetui knows ({hint}); the phone may answer 'URI not found'"
        problems.append(Problem(field_name, note, "warning"))
    if context == "execute" and scheme in _NOT_IN_EXECUTE:
        problems.append(Problem(field_name, f"{scheme}: is not allowed in an ExecuteItem"))
    return UriCheck(uri, "internal", scheme, problems)
