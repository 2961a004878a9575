"""The authentication responder: its state, its counters, a live log; start and stop it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from ...service import AuthEvent
from ..keys import binding
from ..widgets.line_log import LineLog
from .base import PhoneScreen

VERDICT_STYLES = {"AUTHORIZED": "green", "UN-AUTHORIZED": "red", "ERROR": "bold red"}


def event_line(event: AuthEvent) -> Text:
    line = Text(event.line().replace(event.verdict, "", 1).rstrip() + " ")
    line.append(event.verdict, style=VERDICT_STYLES.get(event.verdict, ""))
    return line


class ResponderScreen(PhoneScreen):
    """Where phones ask whether a push's credentials are good."""

    BINDINGS = [binding("back"), binding("toggle-service")]

    def __init__(self) -> None:
        super().__init__(id="responder")

    def compose(self) -> ComposeResult:
        yield Static(id="responder-state", markup=False)
        yield LineLog(max_lines=1000, id="auth-log")
        yield Footer()

    def on_screen_resume(self) -> None:
        self.refresh_state()
        log = self.query_one("#auth-log", LineLog)
        log.clear()
        service = self.tui.service
        log.write_lines(event_line(event) for event in (service.events if service else []))

    def refresh_state(self) -> None:
        service = self.tui.service
        if service is None or not service.running:
            state = "stopped" if service else "not configured"
            text = f"Responder: {state}. Press s to start it."
            if service is None:
                text += " (It will listen on 127.0.0.1:8081 and accept the [defaults] credentials.)"
        else:
            host, port = service.bound or ("?", 0)
            counts = ", ".join(f"{verdict} {service.counters[verdict]}" for verdict in VERDICT_STYLES)
            allowed = service.config.allowed_devices
            text = (
                f"Responder: listening on {host}:{port}\n"
                f"Phones' authentication URL: {service.auth_url}\n"
                f"Accepts user {service.config.username!r}; devices: "
                f"{', '.join(allowed) if allowed else 'any'}\n"
                f"Answers: {counts}"
            )
        self.query_one("#responder-state", Static).update(text)

    def add_event(self, event: AuthEvent) -> None:
        if self.is_current:
            self.query_one("#auth-log", LineLog).write(event_line(event))
            self.refresh_state()

    def action_back(self) -> None:
        self.app.pop_screen()

    async def action_toggle_service(self) -> None:
        await self.tui.toggle_service()
        self.refresh_state()
