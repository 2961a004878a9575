"""The phonetui app: owns the config, the fleet, the service and the journal; screens do the rest."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import time
from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from ..cisco import CiscoIPPhoneText, CiscoObject, encode, errors
from ..config import Config, Phone, ServiceConfig
from ..history import Journal
from ..push import Mode, plan
from ..service import AuthEvent, Service
from .frame_timer import PromptFrames
from .keys import DEFAULT_KEYS, binding
from .messages import AuthEventArrived
from .screens.compose import ComposeScreen
from .screens.help import HelpScreen
from .screens.history import HistoryScreen
from .screens.main import MainScreen
from .screens.pickers import ConfirmModal
from .screens.preview import PreviewScreen
from .screens.responder import ResponderScreen
from .state import Fleet
from .widgets.phone_table import latency_text

#: Input whose effect on screen should not wait for the frame timer (see ``frame_timer``).
INPUT_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)


class PhoneTUI(App[int]):
    """Select phones, compose, preview, push, watch the replies, run the responder."""

    CSS_PATH = "app.tcss"
    TITLE = "phonetui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        binding("help"),
        binding("preview"),
        binding("send"),
    ]

    def __init__(
        self,
        config: Config,
        service: Service | None = None,
        journal: Journal | None = None,
        latency: Callable[[int | None], str] = latency_text,
        clock: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
    ) -> None:
        super().__init__()
        self.config = config
        self.fleet = Fleet(config.phones)
        self.service = service
        self.journal = journal
        self.latency_text = latency
        self.clock = clock
        self.keymap = dict(config.keys)
        self.main = MainScreen()
        self.compose_screen = ComposeScreen()
        self.responder = ResponderScreen()
        self.history = HistoryScreen()
        self._own_service = False

    @property
    def config_label(self) -> str:
        return f"{self.config.path.name} · {len(self.config.phones)} phones"

    async def on_mount(self) -> None:
        unknown = sorted(set(self.keymap) - set(DEFAULT_KEYS))
        if unknown:
            self.notify(f"[keys] has unknown ids: {', '.join(unknown)}", severity="warning", markup=False)
        self.set_keymap({k: v for k, v in self.keymap.items() if k in DEFAULT_KEYS})
        self.install_screen(self.compose_screen, "compose")
        self.install_screen(self.responder, "responder")
        self.install_screen(self.history, "history")
        await self.push_screen(self.main)
        # What exists now (Textual, the fleet, the config) lives as long as the app: keep it out
        # of the collector's full passes, and run those less often; each one stalls a frame
        # for tens of ms when a thousand results are arriving.
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        # No SIGHUP on some platforms, nor outside the main thread (tests): then nothing to do.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)
        if self.service is None and self.config.service is not None:
            await self.toggle_service(quiet=True)
        if self.service is not None:
            self.service.listeners.append(self._on_auth_event)

    # -- the service ----------------------------------------------------------------------

    def _on_auth_event(self, event: AuthEvent) -> None:
        self.post_message(AuthEventArrived(event))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, INPUT_EVENTS) and not event.is_forwarded and self.screen_stack:
            screen = self.screen_stack[-1]
            if isinstance(screen, PromptFrames):
                screen.hurry_frames()  # the frame that shows this input goes out at once
        await super().on_event(event)

    def on_auth_event_arrived(self, message: AuthEventArrived) -> None:
        self.responder.add_event(message.event)

    def object_host(self) -> Service | None:
        """The service, when it runs: it hosts objects for via-url delivery."""
        return self.service if self.service is not None and self.service.running else None

    async def toggle_service(self, quiet: bool = False) -> None:
        """Start the responder (from [service], else on 127.0.0.1:8081), or stop it."""
        if self.service is None:
            defaults = self.config.defaults
            config = self.config.service or ServiceConfig(username=defaults.username, password=defaults.password)
            self.service = Service(config)
            self.service.listeners.append(self._on_auth_event)
            self._own_service = True
        if self.service.running:
            await self.service.stop()
            self.notify("Responder stopped; its port is free.")
            return
        try:
            await self.service.start()
        except OSError as exc:
            where = f"{self.service.config.listen_host}:{self.service.config.listen_port}"
            self.notify(f"Responder cannot listen on {where}: {exc.strerror}", severity="error", markup=False)
            return
        if not quiet:
            self.notify(f"Responder listening; phones use {self.service.auth_url}", markup=False)

    async def stop_service(self) -> None:
        if self.service is not None and self._own_service:
            await self.service.stop()

    # -- actions --------------------------------------------------------------------------

    def action_compose(self) -> None:
        if not isinstance(self.screen, ComposeScreen):
            self.push_screen("compose")

    def ready_to_send(self) -> tuple[CiscoObject, list[Phone]] | None:
        """The composed object and the selected phones, or None after saying what is missing."""
        problems = errors(self.compose_screen.check()) if self.compose_screen.is_mounted else []
        obj = self.compose_screen.current_object() if self.compose_screen.is_mounted else CiscoIPPhoneText()
        if not self.compose_screen.is_mounted or problems:
            what = f"{problems[0]}" if problems else "nothing composed yet"
            self.notify(f"Fix the form first: {what}", severity="warning", markup=False)
            self.action_compose()
            return None
        return obj, self.fleet.selected()

    def action_preview(self) -> None:
        ready = self.ready_to_send()
        if ready:
            self.push_screen(PreviewScreen(*ready))

    def action_send(self) -> None:
        ready = self.ready_to_send()
        if ready is None:
            return
        obj, phones = ready
        if not phones:
            self.notify("No phone selected: Space, a or t on the phone table.", severity="warning")
            return
        self.confirm_push(obj, phones, self.config.defaults.mode)  # type: ignore[arg-type]

    def confirm_push(self, obj: CiscoObject, phones: list[Phone], mode: Mode, retry: bool = False) -> None:
        """Ask, naming how many phones and which routes; on yes, back to the table and push."""
        deliveries = plan(obj, phones, mode, can_host=self.object_host() is not None)
        routes = ", ".join(
            f"{sum(d.route == r for d in deliveries)} {r}" for r in ("direct", "via-url", "refused")
            if any(d.route == r for d in deliveries)
        )  # fmt: skip
        verb = "Retry" if retry else "Push"
        question = f"{verb} {obj.root} to {len(phones)} phone{'s' if len(phones) != 1 else ''}?"

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            while not isinstance(self.screen, MainScreen):
                await self.pop_screen()
            self.main.start_push(obj, phones, mode)

        self.push_screen(ConfirmModal(question, f"mode {mode}: {routes}"), answered)

    def action_responder(self) -> None:
        if not isinstance(self.screen, ResponderScreen):
            self.push_screen("responder")

    def action_history(self) -> None:
        if not isinstance(self.screen, HistoryScreen):
            self.push_screen("history")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def _in_compose(self, action: str) -> None:
        if not isinstance(self.screen, ComposeScreen):
            await self.push_screen("compose")
        getattr(self.compose_screen, action)()

    async def _load_template(self) -> None:
        await self._in_compose("action_load_template")

    async def _save_template(self) -> None:
        await self._in_compose("action_save_template")

    def action_copy_xml(self) -> None:
        ready = self.ready_to_send()
        if ready is not None:
            xml = encode(ready[0], "utf-8").decode("utf-8")
            self.copy_to_clipboard(xml)
            self.notify("XML copied to the clipboard (OSC 52; in tmux: set -g set-clipboard on).")

    def key_map(self) -> list[tuple[str, list[BindingType]]]:
        """Every screen's bindings, for the help screen."""
        return [
            ("Everywhere", list(self.BINDINGS)),
            ("Phones", list(MainScreen.BINDINGS)),
            ("Compose", list(ComposeScreen.BINDINGS)),
            ("Preview", list(PreviewScreen.BINDINGS)),
            ("Responder", list(ResponderScreen.BINDINGS)),
            ("History", list(HistoryScreen.BINDINGS)),
        ]

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        commands: list[tuple[str, str, Callable[[], object]]] = [
            ("Compose a message", "open the form (Text or Execute)", self.action_compose),
            ("Preview", "the exact XML, its size, the route per phone", self.action_preview),
            ("Send", "push the composed object to the selected phones", self.action_send),
            ("Select all phones", "every phone the filter shows", main.action_select_all),
            ("Select no phone", "clear the selection", main.action_select_none),
            ("Select phones by tag", "pick a tag", main.action_select_tag),
            ("Filter phones", "type to narrow the table", main.action_filter),
            ("Sort phones", "next sort column", main.action_sort),
            ("Retry failed phones", "push the last object again to the phones that failed", main.action_retry),
            ("Cancel the push", "phones still outstanding become 'cancelled'", main.action_cancel),
            ("Select or unselect the highlighted phone", "and move down", main.action_toggle),
            ("Show the highlighted phone's reply", "decoded, and the raw body", main.action_reply),
            ("Load a template", "into the form", self._load_template),
            ("Save the form as a template", "written to the config", self._save_template),
            ("Copy the XML", "of the composed object, to the clipboard (OSC 52)", self.action_copy_xml),
            ("Responder", "authentication requests, start or stop", self.action_responder),
            ("Start or stop the responder", "frees its port when stopped", self.toggle_service),
            ("History", "past pushes and their results", self.action_history),
            ("Keys", "every key binding", self.action_help),
            ("Quit", "end phonetui", self.action_quit),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)
