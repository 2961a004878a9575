"""The app's responder: starting and stopping it, and who hosts objects for via-url delivery."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from ..config import ServiceConfig
from ..service import Service
from ..wording import listen_problem
from .background import ObjectHostAddress

if TYPE_CHECKING:
    from .app import PhoneTUI


def object_host(app: PhoneTUI) -> ObjectHostAddress | None:
    """Who hosts objects for via-url delivery: the app's service when it runs, else the
    service already listening on the configured address (``phonetui serve``), as ``push`` does."""
    service = app.service
    if service is not None and service.running:
        own = service.config
        return ObjectHostAddress(service.url, own.username, own.password, ca_file=own.tls_cert)
    config = app.config.service
    if config is not None and app.service_taken:
        url = f"{config.scheme}://{config.listen_host}:{config.listen_port}"
        return ObjectHostAddress(url, config.username, config.password, remote=True, ca_file=config.tls_cert)
    return None


async def toggle_service(app: PhoneTUI, quiet: bool = False) -> None:
    """Start the responder (from [service], else where ``ServiceConfig`` listens by default), or stop it."""
    if app.service is None:
        defaults = app.config.defaults
        config = app.config.service or ServiceConfig(username=defaults.username, password=defaults.password)
        app.service = Service(config)
        app.service.listeners.append(app.relay_auth_event)
        app.own_service = True
    service = app.service
    if service.running:
        await service.stop()
        app.notify("Responder stopped; its port is free.")
        return
    try:
        await service.start()
    except OSError as exc:
        where = f"{service.config.listen_host}:{service.config.listen_port}"
        app.service_taken = exc.errno == errno.EADDRINUSE
        problem = listen_problem(where, exc)
        app.service_problem = problem[0].upper() + problem[1:] + "."
        if app.service_taken:
            app.service_problem += (
                " If it is phonetui serve or simulate, phones keep asking it, long objects are handed to it"
                " for via-url delivery, and alerts register with it (it hears their acknowledgements)."
            )
        said = app.service_problem
        if app.service_taken:  # short enough for a toast at 80x24; the responder screen (r) has it all
            said = f"{where} is taken by another program; if it is phonetui serve or simulate, it answers the phones."
        app.notify(f"Responder: {said}", severity="warning" if quiet else "error", markup=False)
        return
    app.service_problem, app.service_taken = "", False
    if not quiet:
        app.notify(f"Responder listening; phones use {service.auth_url}", markup=False)
