"""``phonetui serve``: the authentication responder and object host, logging what it answers (bounded)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..config import SERVICE_PORT, ServiceConfig, split_host_port
from ..logfile import NOTICE
from ..service_reload import Reloader, service_settings, settings_problem
from ..service_stop import Tally
from ..wording import listen_problem
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config, run_to_exit, wait_for_signal
from .serve_log import serve_log_file, serve_logging, sturdy_stdout


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
    with sturdy_stdout(), serve_logging(args, service_config) as started:
        log_file = serve_log_file(args, service_config)
        return run_to_exit(_serve_async(service_config, config.path, bool(args.listen), started, log_file))


async def _serve_async(
    service_config: ServiceConfig, path: Path, listen_fixed: bool, started: Callable[[], None], log_file: str
) -> int:
    from ..service import Service
    from ..service_metrics import MetricsListenError

    # The log (stdout, or log_file) has a line per request until a flood, then summaries. Lines
    # that matter beyond it (the first, reloads, the last) are logged at NOTICE, above any
    # --log-level, and printed on stdout too when the log is a file.
    def also_on_stdout(line: str) -> None:
        if log_file:
            print(line, flush=True)

    service = Service(service_config)
    service.says_itself = True
    tally, reloader = Tally(service), Reloader(service, path, also_on_stdout, listen_fixed)  # SIGHUP reloads
    try:
        await service.start()
    except OSError as exc:
        host, port = service_config.listen_host, service_config.listen_port
        if isinstance(exc, MetricsListenError) and service_config.metrics_listen:
            host, port = service_config.metrics_listen
        # exit 1, not 2: the address may come free (an old instance stopping) or up; systemd tries again
        print(f"phonetui: {listen_problem(f'{host}:{port}', exc)}", file=sys.stderr)
        return EXIT_FAILED
    bound_host, bound_port = service.bound or (service_config.listen_host, service_config.listen_port)
    judged = ""
    if service_config.verdict == "cucm" and service_config.cucm is not None:
        judged = f"; the verdict comes from CUCM at {service_config.cucm.url} (AXL)"

    def ready() -> None:  # said once SIGHUP reloads: a reload asked for on seeing this line is not lost
        first = f"listening on {bound_host}:{bound_port}; phones use {service.auth_url}{judged}"
        print(first, flush=True)
        if service.metrics_bound:
            print("health and metrics at http://{}:{}/metrics".format(*service.metrics_bound), flush=True)
        if log_file:
            print(f"the log is in {os.path.abspath(log_file)}", flush=True)
            logging.getLogger("phonetui.service").log(NOTICE, "%s", first)  # on stdout it is this very line
        started()

    try:
        await wait_for_signal(on_hangup=reloader.request, ready=ready)
    finally:
        await service.stop()  # requests in flight are answered first (a few seconds at most)
        also_on_stdout(tally.report(reloader.reloads, reloader.refused))
    return EXIT_OK
