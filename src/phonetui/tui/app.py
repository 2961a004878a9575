"""The phonetui app: owns the config, the fleet, the service, the journal and the push pipeline; screens do the rest."""

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
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from ..cisco import CiscoObject, encode
from ..config import Config, Mode, Phone, Template
from ..history import Journal
from ..phone_tls import insecure_warning
from ..printable import printable
from ..service import AuthEvent, Service
from ..wording import plural
from . import sending, service_switch
from .alerting import Alerting
from .background import ObjectHostAddress, PushProcess
from .commands import TemplateCommands
from .cucm_refresh import AddressRefresh
from .frame_timer import hurry_for_input
from .keys import DEFAULT_KEYS, binding, describe_key
from .messages import AuthEventArrived
from .palette import REPLACED, app_commands
from .probing import AGE_SECONDS, Prober
from .pump import ResultPump
from .screens.compose import ComposeScreen
from .screens.help import HelpScreen
from .screens.history import HistoryScreen
from .screens.main import MainScreen
from .screens.preview import PreviewScreen
from .screens.responder import ResponderScreen
from .screens.shot_grid import ShotGridScreen, ShotScreen
from .shots import Shots
from .state import Fleet
from .widgets.phone_table import latency_text

NOTIFY_MAX = 400
#: Information toasts go sooner than warnings: they sit over the table.
INFO_SECONDS = 4.0


class PhoneTUI(App[int]):
    """Select phones, compose, preview, push, watch the replies, run the responder."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {TemplateCommands}
    TITLE = "phonetui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        binding("help"),
        # Priority: the app acts on these before the focused field sees the keys typed after
        # them; otherwise a quick "F5 y" typed the y into the message while the question
        # was still on its way, and "AAA Tab BBB" put BBB in the first field.
        binding("preview", priority=True),
        binding("send", priority=True),
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(
        self,
        config: Config,
        service: Service | None = None,
        journal: Journal | None = None,
        latency: Callable[[int | None], str] = latency_text,
        clock: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
        log_file: str | None = None,
        log_level: str = "INFO",
    ) -> None:
        super().__init__()
        self.config = config
        self.fleet = Fleet.lasting(config.phones)
        self.service = service
        self.journal = journal
        self.latency_text = latency
        self.clock = clock
        self.keymap = dict(config.keys)
        #: The one push process of the app (it logs where the app does), and the pump that draws its results.
        self.push_process = PushProcess(log_file, log_level)
        self.pump = ResultPump(self, self.push_process)
        self.alerting = Alerting(self)
        self.prober = Prober(self)
        self.shots = Shots(self)
        self.addresses = AddressRefresh(self)
        self.main = MainScreen()
        self.compose_screen = ComposeScreen()
        self.responder = ResponderScreen()
        self.history = HistoryScreen()
        #: The app started the service itself (and stops it when it ends).
        self.own_service = False
        #: Why the responder is not running, when it could not start (shown in its panel).
        self.service_problem = ""
        #: Another program holds the service's address: via-url objects are handed to it.
        self.service_taken = False

    @property
    def config_label(self) -> str:
        return f"{self.config.path.name} · {plural(len(self.config.phones), 'phone')}"

    async def on_mount(self) -> None:
        unknown = sorted(set(self.keymap) - set(DEFAULT_KEYS))
        if unknown:
            self.notify(f"[keys] has unknown ids: {', '.join(unknown)}", severity="warning", markup=False)
        if insecure := insecure_warning(self.config.phones):  # said on start, as check and the preview say it
            self.notify(insecure, severity="warning", markup=False, timeout=30)
        self.set_keymap({k: v for k, v in self.keymap.items() if k in DEFAULT_KEYS})
        self.install_screen(self.compose_screen, "compose")
        self.install_screen(self.responder, "responder")
        self.install_screen(self.history, "history")
        await self.push_screen(self.main)
        # What exists now (Textual, the fleet) lives as long as the app: out of the collector's passes too.
        gc.freeze()
        # No SIGHUP on some platforms, nor outside the main thread (tests): then nothing to do.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)
        if self.service is None and self.config.service is not None:
            await self.toggle_service(quiet=True)
        if self.service is not None and self.relay_auth_event not in self.service.listeners:  # its own has it
            self.service.listeners.append(self.relay_auth_event)
        self.call_after_refresh(self.start_push_process)
        if self.config.probe.interval:
            self.set_interval(self.config.probe.interval, self.addresses.start)
            self.set_interval(self.config.probe.interval, self.prober.every_phone)
        self.set_interval(AGE_SECONDS, self.main.table.refresh_ages)

    async def start_push_process(self) -> None:
        """Once the first frame is out: the first push then finds its process ready (0.4-0.5 s sooner)."""
        with contextlib.suppress(OSError):  # the push tries again, and says why if it cannot
            await self.push_process.start()
        self.addresses.start()
        if self.config.probe.at_start:
            self.prober.start([state.phone for state in self.fleet.states.values()], quiet=True)

    async def on_unmount(self) -> None:
        await self.stop_pushes()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast as plain text: they carry names, replies and errors from outside.

        Screens and widgets call this too (``Widget.notify`` hands over to the app), so no
        notification anywhere parses markup, whatever its caller asked for.
        """
        super().notify(
            printable(message, NOTIFY_MAX, one_line=False),
            title=printable(title, 80),
            severity=severity,
            timeout=INFO_SECONDS if timeout is None and severity == "information" else timeout,
            markup=False,
        )

    async def on_event(self, event: events.Event) -> None:
        hurry_for_input(self, event)
        await super().on_event(event)

    # -- the service ----------------------------------------------------------------------

    def relay_auth_event(self, event: AuthEvent) -> None:
        """The responder answered someone (called by the service, on this loop)."""
        self.post_message(AuthEventArrived(event))

    def on_auth_event_arrived(self, message: AuthEventArrived) -> None:
        self.responder.add_event(message.event)

    def object_host(self) -> ObjectHostAddress | None:
        return service_switch.object_host(self)

    async def toggle_service(self, quiet: bool = False) -> None:
        await service_switch.toggle_service(self, quiet)

    async def stop_pushes(self) -> None:
        """The push process ends with the app: a push still running is stopped in good order (its journal
        record closed, ``interrupted``)."""
        await self.pump.stop()

    async def stop_service(self) -> None:
        if self.service is not None and self.own_service:
            await self.service.stop()

    # -- actions --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; while a push runs, ask first (a second quit key while asked quits at once)."""
        await sending.quit_app(self)

    def action_compose(self) -> None:
        if not isinstance(self.screen, ComposeScreen):
            self.push_screen("compose")

    def _asking(self) -> bool:
        """A question or picker is open: F2 and F5 wait until it is answered."""
        return isinstance(self.screen, ModalScreen)

    async def action_preview(self) -> None:
        if not self._asking() and await sending.fields_settled(self):
            ready = sending.ready_to_send(self)
            if ready:
                self.push_screen(sending.preview_screen(self, *ready))

    async def action_send(self) -> None:
        if self._asking() or not await sending.fields_settled(self):
            return
        if self.pump.running:
            self.main.say_busy()
            return
        ready = sending.ready_to_send(self)
        if ready is None:
            return
        obj, phones = ready
        if not phones:
            self.notify("No phone selected: Space, a or t on the phone table.", severity="warning")
            return
        sending.confirm_send(self, obj, phones)

    def confirm_push(self, obj: CiscoObject, phones: list[Phone], mode: Mode, retry: bool = False) -> None:
        """Ask, naming the phones and the routes; on yes, back to the table and push."""
        sending.confirm_push(self, obj, phones, mode, retry)

    def action_responder(self) -> None:
        if not isinstance(self.screen, ResponderScreen):
            self.push_screen("responder")

    def action_history(self) -> None:
        if not isinstance(self.screen, HistoryScreen):
            self.push_screen("history")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):  # the keys of the screen it was asked from come first
            here = list(type(self.screen).BINDINGS)
            self.push_screen(HelpScreen(first=next((w for w, b in self.key_map() if b == here), "")))

    async def to_compose(self) -> ComposeScreen:
        """The form, brought to the top."""
        if not isinstance(self.screen, ComposeScreen):
            await self.push_screen("compose")
        return self.compose_screen

    async def load_template(self, template: Template) -> None:
        """Open the form and fill it with ``template`` (from the palette)."""
        (await self.to_compose()).load_object(template.to_object(), template.variables)
        self.notify(f"Template {template.name!r} loaded.", markup=False)

    async def load_template_from_form(self) -> None:
        """The form's template picker (F3), from anywhere."""
        (await self.to_compose()).action_load_template()

    async def save_template_from_form(self) -> None:
        """Save the form as a template (F4), from anywhere."""
        (await self.to_compose()).action_save_template()

    def action_copy_xml(self) -> None:
        ready = sending.ready_to_send(self)
        if ready is not None:
            xml = encode(ready[0], "utf-8").decode("utf-8")
            self.copy_to_clipboard(xml)
            self.notify("XML copied to the clipboard (OSC 52; in tmux: set -g set-clipboard on).")

    def key_for(self, binding_id: str) -> str:
        """The key(s) bound to ``binding_id`` now, as people write them (``F1 / ?``)."""
        return describe_key(self.keymap.get(binding_id, DEFAULT_KEYS[binding_id][0]))

    def key_map(self) -> list[tuple[str, list[BindingType]]]:
        """Every screen's bindings, for the help screen."""
        return [
            ("Everywhere", list(self.BINDINGS)),
            ("Phones", list(MainScreen.BINDINGS)),
            ("Compose", list(ComposeScreen.BINDINGS)),
            ("Preview", list(PreviewScreen.BINDINGS)),
            ("Responder", list(ResponderScreen.BINDINGS)),
            ("History", list(HistoryScreen.BINDINGS)),
            ("Screen", list(ShotScreen.BINDINGS)),
            ("Screens", list(ShotGridScreen.BINDINGS)),
        ]

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (but its Quit and Keys: ours ask before ending a push, and list every key),
        then every action of the app, each with its key."""
        yield from (command for command in super().get_system_commands(screen) if command.title not in REPLACED)
        yield from app_commands(self)
