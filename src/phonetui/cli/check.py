"""``phonetui check``: validate a config and say what it holds."""

from __future__ import annotations

import argparse

from ..config import ConfigErrors, missing_credentials
from .common import EXIT_OK, read_config


def check_command(args: argparse.Namespace) -> int:
    """``phonetui check``."""
    config = read_config(args)
    if config.phone_errors:
        raise ConfigErrors(config.phone_errors)
    families: dict[str, int] = {}
    for phone in config.phones:
        families[phone.family.name] = families.get(phone.family.name, 0) + 1
    mix = ", ".join(f"{n} {name}" for name, n in sorted(families.items()))
    print(f"{config.path}: OK")
    print(f"  phones: {len(config.phones)}" + (f" ({mix})" if mix else ""))
    print(f"  tags: {', '.join(config.tags()) or 'none'}")
    d = config.defaults
    user = d.username or "(none)"
    print(f"  defaults: user {user}, timeout {d.timeout:g} s, concurrency {d.concurrency}, mode {d.mode}")
    if config.service:
        s = config.service
        print(f"  service: listens on {s.listen_host}:{s.listen_port}, phones reach it at {s.public_url}")
        if s.allowed_devices:
            print(f"  allowed devices: {len(s.allowed_devices)}")
    else:
        print("  service: not configured (no auth responder, no via-url delivery)")
    saved = sum(1 for t in config.templates if t.source == config.templates_file)
    print(
        f"  templates: {len(config.templates)} ({len(config.templates) - saved} in the config, {saved} saved by "
        f"the app in {config.templates_file})"
    )
    if config.keys:
        print(f"  keys rebound: {', '.join(f'{k} = {v}' for k, v in config.keys.items())}")
    missing = missing_credentials(config, config.phones)
    if missing is not None:
        for line in missing.lines():
            print(f"  warning: {line}")
    return EXIT_OK
