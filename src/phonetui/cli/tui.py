"""The app: ``phonetui`` on the config, and ``phonetui demo`` on a simulated fleet."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..history import Journal
from ..paths import HISTORY_ENV, default_history_path
from .common import EXIT_OK, UsageError, read_config, run_to_exit

if TYPE_CHECKING:  # Textual and aiohttp are imported only when the app or the demo runs
    from ..service import Service
    from ..tui.app import PhoneTUI


def tui_command(args: argparse.Namespace) -> int:
    """``phonetui`` and ``phonetui demo``."""
    if args.command == "demo":
        return run_to_exit(_demo_async(args))
    return run_to_exit(_app_async(args, read_config(args), None))


def make_app(args: argparse.Namespace, config: Config, service: Service | None, history: Path | None) -> PhoneTUI:
    """The one place the command line builds the app: whatever the app is given, it is given here.

    ``args`` carries what the command line says beyond the config (``--log-file``, ``--log-level``).
    """
    from ..tui.app import PhoneTUI  # imported here so the headless commands never load Textual
    from ..tui.screens.shot_view import real_pixels

    real_pixels()  # textual-image (when installed) asks the terminal what it speaks before Textual owns it
    log_file, log_level = getattr(args, "log_file", None), getattr(args, "log_level", None) or "INFO"
    return PhoneTUI(
        config,
        service=service,
        journal=Journal(history or default_history_path()),
        log_file=str(Path(log_file).resolve()) if log_file else None,  # the push process may run elsewhere
        log_level=log_level,
    )


async def _app_async(
    args: argparse.Namespace,
    config: Config,
    service: Service | None,
    history: Path | None = None,
    notices: Sequence[str] = (),
) -> int:
    app = make_app(args, config, service, history)
    for notice in notices:  # queued now, shown on the first screen
        app.notify(notice, severity="warning", timeout=30)
    try:
        await app.run_async()
    finally:
        await app.stop_pushes()  # a push still running writes its end record ("interrupted")
        await app.stop_service()
    return app.return_code or EXIT_OK


async def _demo_async(args: argparse.Namespace) -> int:
    from ..demo import start_demo

    try:
        demo = await start_demo(args.count, cucm=True)
    except OSError as exc:
        raise UsageError(f"cannot start the demo fleet: {exc}") from None
    try:
        # The demo's pushes go to fake phones: they are kept out of the operator's real history.
        history = None if os.environ.get(HISTORY_ENV) else demo.folder / "history.jsonl"
        return await _app_async(args, demo.config, demo.service, history, demo.notices)
    finally:
        await demo.stop()
