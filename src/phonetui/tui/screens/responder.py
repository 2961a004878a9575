"""The authentication responder: its state, its counters, a live log; start and stop it."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from ...cisco.limits import AUTH_AUTHORIZED, AUTH_ERROR, AUTH_UNAUTHORIZED
from ...config import ServiceConfig
from ...printable import printable
from ...service import AuthEvent
from ..keys import binding
from ..widgets.line_log import LineLog
from .base import PhoneScreen

VERDICTS = (AUTH_AUTHORIZED, AUTH_UNAUTHORIZED, AUTH_ERROR)
_COLOURS = {AUTH_AUTHORIZED: "bold green", AUTH_UNAUTHORIZED: "bold red", AUTH_ERROR: "bold red"}
_PLAIN = {AUTH_AUTHORIZED: "bold", AUTH_UNAUTHORIZED: "bold reverse", AUTH_ERROR: "bold reverse"}
#: A device name or user from a request is cut here (they come from the network).
FIELD_MAX = 40


def verdict_label(verdict: str) -> str:
    return f"{'✓' if verdict == AUTH_AUTHORIZED else '✗'} {verdict}"


def event_line(event: AuthEvent, phones: dict[str, str], no_color: bool = False) -> Text:
    """The verdict first (it is what the operator looks for at 80 columns), then who asked.

    ``phones`` maps an address to the config's phone name, shown beside the address.
    """
    styles = _PLAIN if no_color else _COLOURS
    line = Text(verdict_label(event.verdict).ljust(16), style=styles.get(event.verdict, ""))
    stamp = time.strftime("%H:%M:%S", time.localtime(event.time))
    device = printable(event.devicename, FIELD_MAX) if event.devicename else "-"
    name = phones.get(event.peer)
    peer = f"{event.peer} ({printable(name, FIELD_MAX)})" if name else event.peer
    user = printable(event.user, FIELD_MAX) if event.user else "-"
    line.append(f"{stamp} {device} {peer} user={user} ({printable(event.reason, FIELD_MAX * 2)})")
    return line


class ResponderScreen(PhoneScreen):
    """Where phones ask whether a push's credentials are good."""

    BINDINGS = [binding("back"), binding("toggle-service")]

    def __init__(self) -> None:
        super().__init__(id="responder")
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Static(id="responder-state", markup=False)
        yield LineLog(max_lines=1000, id="auth-log")
        yield Footer()

    def phone_names(self) -> dict[str, str]:
        """Each configured address's phone, to name the phone that asked."""
        return {phone.host: phone.name for phone in self.tui.config.phones}

    def on_screen_resume(self) -> None:
        self.refresh_state()
        log = self.query_one("#auth-log", LineLog)
        log.clear()
        service = self.tui.service
        names = self.phone_names()
        log.write_lines(event_line(e, names, self.app.no_color) for e in (service.events if service else []))

    def refresh_state(self) -> None:
        service = self.tui.service
        if service is None or not service.running:
            state = "stopped" if service else "not configured"
            text = f"Responder: {state}. Press s to start it."
            if service is None:
                where = f"{ServiceConfig().listen_host}:{ServiceConfig().listen_port}"
                text += f" (It will listen on {where} and accept the [defaults] credentials.)"
            if self.tui.service_problem:
                text += f"\n{self.tui.service_problem}"
        else:
            host, port = service.bound or ("?", 0)
            counts = ", ".join(f"{verdict} {service.counters[verdict]}" for verdict in VERDICTS)
            allowed = service.config.allowed_devices
            text = (
                f"Responder: listening on {host}:{port}\n"
                f"Phones' authentication URL: {service.auth_url}\n"
                f"Accepts user {printable(service.config.username, FIELD_MAX)!r}; devices: "
                f"{', '.join(allowed) if allowed else 'any'}\n"
                f"Answers: {counts}"
            )
        self.query_one("#responder-state", Static).update(text)

    def add_event(self, event: AuthEvent) -> None:
        if self.is_current:
            self.query_one("#auth-log", LineLog).write(event_line(event, self.phone_names(), self.app.no_color))
            self.refresh_state()

    def action_back(self) -> None:
        self.app.pop_screen()

    async def action_toggle_service(self) -> None:
        await self.tui.toggle_service()
        self.refresh_state()
