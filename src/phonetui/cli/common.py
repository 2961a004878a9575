"""What every command shares: exit statuses, usage errors, reading the config, running a coroutine."""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from .. import paths
from ..config import Config, load_config
from ..paths import CONFIG_ENV, find_config_path
from ..wording import plural

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in what the user asked for; printed as one line, exit status 2."""


def read_config(args: argparse.Namespace, rebuild_discovered: bool = False) -> Config:
    """The config the command names (or the default one), its warnings said on stderr.

    ``rebuild_discovered``: see :func:`load_config` (``discover`` rebuilds a damaged discovered file).
    """
    path = find_config_path(args.config)
    if not args.config and not os.environ.get(CONFIG_ENV) and not path.exists():
        raise UsageError(first_run_message(path))
    config = load_config(path, rebuild_discovered)
    paths.config_for_hints = str(path) if getattr(args, "config", None) else ""
    for warning in config.warnings:
        print(f"phonetui: warning: {warning}", file=sys.stderr)
    if args.command != "check":
        for error in config.phone_errors:
            what = (
                "pushing this template stops until it is fixed"
                if "templates" in error.key
                else "this phone will be refused"
            )
            print(f"phonetui: warning: {error.located()}; {what}", file=sys.stderr)
    waiting = sum(1 for phone in config.phones if phone.device and not phone.host)
    if waiting and args.command in ("push", "probe"):  # said once, as a command to paste
        have = "has" if waiting == 1 else "have"
        print(
            f"phonetui: warning: {plural(waiting, 'phone')} named by device {have} no address yet:"
            f" run 'phonetui discover --config {shlex.quote(str(path))} --cucm'",
            file=sys.stderr,
        )
    return config


def first_run_message(path: Path) -> str:
    """What to do when there is no config yet: the demo first, then where a config goes."""
    sample = Path(__file__).resolve().parents[3] / "sample-config.toml"  # cli/ phonetui/ src/ and the checkout
    where = f"{sample}" if sample.is_file() else "sample-config.toml in phonetui's source"
    return (
        "no config yet.\n"
        "  See phonetui at work on a simulated fleet, with nothing to write first:  phonetui demo\n"
        f"  Then list your phones in {path}\n"
        f"  (or give --config FILE, or set ${CONFIG_ENV}); {where} is a commented start."
    )


def run_to_exit(coroutine: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine to its exit status."""
    return asyncio.run(coroutine)


async def wait_for_signal(on_hangup: Callable[[], None] | None = None, ready: Callable[[], None] | None = None) -> None:
    """Wait until Ctrl-C, SIGTERM or a hang-up: the end of ``simulate`` and ``serve``.

    ``on_hangup``: SIGHUP calls it instead (``serve`` reloads its config, as daemons do), and a
    hang-up once the wait is over is ignored, not the end. ``ready``: called once the signals are
    handled (a line saying so is then true: a signal sent on seeing it is handled).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, on_hangup if on_hangup and sig == signal.SIGHUP else stop.set)
    try:
        if ready:
            ready()
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        if on_hangup:  # a reload asked for while stopping is moot
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
