"""``phonetui serve``: the authentication responder and object host, logging what it answers (bounded)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..config import SERVICE_PORT, ServiceConfig, split_host_port
from ..wording import listen_problem
from .common import EXIT_OK, UsageError, read_config, run_to_exit, wait_for_signal
from .serve_log import serve_log_file, serve_logging


def serve_command(args: argparse.Namespace) -> int:
    """``phonetui serve``."""
    config = read_config(args)
    service_config = config.service or ServiceConfig(
        username=config.defaults.username, password=config.defaults.password
    )
    if args.listen:
        try:
            service_config.listen_host, service_config.listen_port = split_host_port(args.listen, SERVICE_PORT)
        except ValueError as exc:
            raise UsageError(f"--listen: {exc}") from None
    own = service_config.verdict == "config"  # with verdict = "cucm" CUCM judges the phones' users
    if own and (not service_config.username or not service_config.password):
        raise UsageError(f"{config.path}: [service] (or [defaults]) needs username and password to accept")
    with serve_logging(args, service_config) as started:
        return run_to_exit(_serve_async(service_config, started, serve_log_file(args, service_config)))


async def _serve_async(service_config: ServiceConfig, started: Callable[[], None], log_file: str) -> int:
    from ..service import Service
    from ..service_metrics import MetricsListenError

    # The log (stdout, or log_file) has a line per request until a flood, then summaries.
    service = Service(service_config)
    try:
        await service.start()
    except OSError as exc:
        host, port = service_config.listen_host, service_config.listen_port
        if isinstance(exc, MetricsListenError) and service_config.metrics_listen:
            host, port = service_config.metrics_listen
        where = f"{host}:{port}"
        raise UsageError(listen_problem(where, exc)) from None
    bound_host, bound_port = service.bound or (service_config.listen_host, service_config.listen_port)
    judged = ""
    if service_config.verdict == "cucm" and service_config.cucm is not None:
        judged = f"; the verdict comes from CUCM at {service_config.cucm.url} (AXL)"
    print(f"listening on {bound_host}:{bound_port}; phones use {service.auth_url}{judged}", flush=True)
    if service.metrics_bound:
        print("health and metrics at http://{}:{}/metrics".format(*service.metrics_bound), flush=True)
    if log_file:
        print(f"the log is in {log_file}", flush=True)
    started()
    try:
        await wait_for_signal()
    finally:
        await service.stop()
    return EXIT_OK
