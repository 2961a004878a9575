"""``phonetui serve``: the authentication responder and object host, one line per request."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ..config import SERVICE_PORT, ServiceConfig, split_host_port
from ..service_reload import Reloader, service_settings, settings_problem
from ..service_stop import Tally
from ..wording import listen_problem
from .common import EXIT_OK, UsageError, read_config, run_to_exit, wait_for_signal


def serve_command(args: argparse.Namespace) -> int:
    """``phonetui serve``."""
    config = read_config(args)
    service_config = service_settings(config)
    if args.listen:
        try:
            service_config.listen_host, service_config.listen_port = split_host_port(args.listen, SERVICE_PORT)
        except ValueError as exc:
            raise UsageError(f"--listen: {exc}") from None
    if problem := settings_problem(config, service_config):  # with verdict = "cucm" CUCM judges the users
        raise UsageError(problem)
    return run_to_exit(_serve_async(service_config, config.path, bool(args.listen)))


async def _serve_async(service_config: ServiceConfig, path: Path, listen_fixed: bool) -> int:
    from .. import service_tls
    from ..service import AuthEvent, Service

    # One line per request. On a terminal each line shows at once; into a pipe or a file
    # they are written in blocks and flushed twice a second, not with a syscall each.
    interactive = sys.stdout.isatty()

    def emit(line: str) -> None:
        print(line, flush=interactive)

    def log_auth(event: AuthEvent) -> None:
        emit(event.line())

    def log_request(peer: str, method: str, path: str, status: int) -> None:
        emit(f"{peer} {method} {path} {status}")

    service = Service(service_config, on_event=log_auth)
    service.request_listeners.append(log_request)
    tally, reloader = Tally(service), Reloader(service, path, emit, listen_fixed)  # SIGHUP reloads
    service_tls.handshake_listeners.append(emit)  # a phone that does not trust the certificate shows why
    try:
        await service.start()
    except OSError as exc:
        where = f"{service_config.listen_host}:{service_config.listen_port}"
        raise UsageError(listen_problem(where, exc)) from None
    bound_host, bound_port = service.bound or (service_config.listen_host, service_config.listen_port)
    judged = ""
    if service_config.verdict == "cucm" and service_config.cucm is not None:
        judged = f"; the verdict comes from CUCM at {service_config.cucm.url} (AXL)"

    def ready() -> None:  # said once SIGHUP reloads: a reload asked for on seeing this line is not lost
        print(f"listening on {bound_host}:{bound_port}; phones use {service.auth_url}{judged}", flush=True)

    async def flush_now_and_then() -> None:
        while True:
            await asyncio.sleep(0.5)
            sys.stdout.flush()

    flusher = asyncio.create_task(flush_now_and_then())
    try:
        await wait_for_signal(on_hangup=reloader.request, ready=ready)
    finally:
        flusher.cancel()
        await service.stop()  # requests in flight are answered first (a few seconds at most)
        emit(tally.report(reloader.reloads))
        sys.stdout.flush()
    return EXIT_OK
