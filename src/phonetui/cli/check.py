"""``phonetui check``: validate a config and say what it holds."""

from __future__ import annotations

import argparse
import datetime

from ..cisco.screens import is_mpp
from ..config import Config, ConfigError, ConfigErrors, discovered_entries, missing_credentials
from ..config.macros import load_macros
from ..known_phones import KnownPhones
from ..printable import printable
from ..wording import names_phrase, plural
from .ack_options import reply_charset_problem
from .common import EXIT_OK, read_config


def check_command(args: argparse.Namespace) -> int:
    """``phonetui check``."""
    config = read_config(args)
    if config.phone_errors:
        raise ConfigErrors(config.phone_errors)
    families: dict[str, int] = {}
    for phone in config.phones:
        family = "multiplatform" if is_mpp(phone.model) else phone.family.name
        families[family] = families.get(family, 0) + 1
    mix = ", ".join(f"{n} {name}" for name, n in sorted(families.items()))
    print(f"{config.path}: OK")
    print(f"  phones: {len(config.phones)}" + (f" ({mix})" if mix else ""))
    print(f"  tags: {', '.join(config.tags()) or 'none'}")
    for line in https_lines(config):
        print(f"  {line}")
    d = config.defaults
    user = d.username or "(none)"
    print(f"  defaults: user {user}, timeout {d.timeout:g} s, concurrency {d.concurrency}, mode {d.mode}")
    if config.service:
        s = config.service
        print(f"  service: listens on {s.listen_host}:{s.listen_port}, phones reach it at {s.public_url}")
        if s.allowed_devices:
            print(f"  allowed devices: {len(s.allowed_devices)}")
        if s.tls_cert:
            print(f"  service over https: certificate {s.tls_cert}")
        if s.verdict == "cucm" and s.cucm:
            print(f"  service verdict: asked of CUCM at {s.cucm.url} (AXL doAuthenticateUser)")
    else:
        print("  service: not configured (no auth responder, no via-url delivery)")
    saved = sum(1 for t in config.templates if t.source == config.templates_file)
    print(
        f"  templates: {len(config.templates)} ({len(config.templates) - saved} in the config, {saved} saved by "
        f"the app in {config.templates_file})"
    )
    try:
        macros, unread = load_macros(config)
    except ConfigError:
        macros, unread = {}, []  # the templates file's own error was said when the config was read
    print(f"  macros: {len(macros)} saved in {config.templates_file}" + (f", {len(unread)} not read" if unread else ""))
    for line in fleet_lines(config):
        print(f"  {line}")
    if config.keys:
        print(f"  keys rebound: {', '.join(f'{k} = {v}' for k, v in config.keys.items())}")
    basic = [phone.name for phone in config.phones if phone.auth == "basic" and is_mpp(phone.model)]
    if basic:
        print(
            f'  warning: auth = "basic" for {names_phrase(basic)}, a multiplatform model:'
            ' multiplatform phones use Digest (set auth = "digest" for them)'
        )
    reply = reply_charset_problem(config.service.ack_reply, config.phones) if config.service else ""
    if reply:  # push --ack refuses it; the app's alerts would answer those phones "Thank you" instead
        print(f'  warning: [service] ack_reply: {reply}: an alert to them is answered "Thank you" instead')
    missing = missing_credentials(config, config.phones)
    if missing is not None:
        for line in missing.lines():
            print(f"  warning: {line}")
    return EXIT_OK


def fleet_lines(config: Config) -> list[str]:
    """Where the fleet's phones come from besides the config: CUCM, and the discovered file."""
    lines: list[str] = []
    if config.cucm is not None:
        c = config.cucm
        lines.append(f"cucm: {c.url} (rate {c.rate_per_minute}/min, AXL {'on' if c.axl else 'off'})")
    path = config.discovery.file
    shown = path.name if path.parent == config.path.parent else str(path)
    try:
        written = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)
    except OSError:
        unplaced = sum(1 for phone in config.phones if phone.device and not phone.host)
        if unplaced:
            command = "phonetui discover --cucm" if config.cucm else "phonetui discover"
            lines.append(
                f"no discovered file yet: {plural(unplaced, 'phone')} named by device "
                f"{'has' if unplaced == 1 else 'have'} no address until `{command}`"
            )
        else:
            lines.append(f"discovered: none yet ({shown})")
        return lines
    count = len(discovered_entries(config))
    lines.append(f"discovered: {shown}, {plural(count, 'phone')} (last written {written:%Y-%m-%d %H:%M} UTC)")
    return lines


def https_lines(config: Config) -> list[str]:
    """How the https phones' certificates are checked, a line; and the known-phones file's damaged lines.

    ``N https phones: P pinned (R recorded so far), C verify true (CA file F), I verify false``:
    an admin sees at a glance who is trusted on first use, by a CA, or not at all.
    """
    https = [phone for phone in config.phones if phone.scheme == "https"]
    if not https:
        return []
    known = KnownPhones()
    pinned = [phone for phone in https if phone.verify == "pin"]
    recorded = sum(1 for phone in pinned if known.fingerprint(phone.address) is not None)
    by_ca = [phone for phone in https if phone.verify == "ca"]
    files = sorted({f"CA file {phone.ca_file}" if phone.ca_file else "the system's CAs" for phone in by_ca})
    cas = f" ({', '.join(files)})" if by_ca else ""
    off = sum(1 for phone in https if phone.verify == "off")
    line = f"{plural(len(https), 'https phone')}: {len(pinned)} pinned ({recorded} recorded in {known.path})"
    line += f", {len(by_ca)} verify true{cas}, {off} verify false"
    return [line, *(f"warning: {printable(warning, 300)}" for warning in known.warnings)]
