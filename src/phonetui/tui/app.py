"""The phonetui app: owns the config, the fleet, the service and the journal; screens do the rest."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from ..cisco import CiscoIPPhoneText, CiscoObject, encode, errors
from ..config import Config, Mode, Phone, ServiceConfig, Template
from ..history import Journal
from ..printable import printable
from ..push import plan
from ..service import AuthEvent, Service
from ..wording import names_phrase, plural
from .background import ObjectHostAddress
from .commands import TemplateCommands
from .frame_timer import PromptFrames
from .keys import DEFAULT_KEYS, binding, describe_key
from .messages import AuthEventArrived
from .screens.compose import ComposeScreen
from .screens.help import HelpScreen
from .screens.history import HistoryScreen
from .screens.main import MainScreen
from .screens.pickers import ConfirmModal, QuitModal
from .screens.preview import PreviewScreen
from .screens.responder import ResponderScreen
from .state import Fleet
from .widgets.phone_table import latency_text

NOTIFY_MAX = 400
#: Seconds a cancelled push has to write its last records when the app quits.
QUIT_WAIT = 3.0
#: The confirmation names this many phones, then "and N more".
CONFIRM_NAMES = 5

#: Input whose effect on screen should not wait for the frame timer (see ``frame_timer``).
INPUT_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)


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
            timeout=timeout,
            markup=False,
        )

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

    def object_host(self) -> ObjectHostAddress | None:
        """Who hosts objects for via-url delivery: the app's service when it runs, else the
        service already listening on the configured address (``phonetui serve``), as ``push`` does."""
        service = self.service
        if service is not None and service.running:
            return ObjectHostAddress(service.url, service.config.username, service.config.password)
        config = self.config.service
        if config is not None and self.service_taken:
            url = f"http://{config.listen_host}:{config.listen_port}"
            return ObjectHostAddress(url, config.username, config.password, remote=True)
        return None

    async def toggle_service(self, quiet: bool = False) -> None:
        """Start the responder (from [service], else where ``ServiceConfig`` listens by default), or stop it."""
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
            self.service_problem = f"Cannot listen on {where}: {exc.strerror or exc}."
            self.service_taken = exc.errno == errno.EADDRINUSE
            if self.service_taken:
                self.service_problem += (
                    " Another program holds that address (phonetui serve?): phones keep asking it,"
                    " and long objects are handed to it for via-url delivery."
                )
            self.notify(f"Responder: {self.service_problem}", severity="warning" if quiet else "error", markup=False)
            return
        self.service_problem, self.service_taken = "", False
        if not quiet:
            self.notify(f"Responder listening; phones use {self.service.auth_url}", markup=False)

    async def stop_pushes(self) -> None:
        """A push still running when the app ends is stopped in good order: its journal record is closed."""
        run = self.main.push_run
        if run is not None:
            await run.stop()

    async def stop_service(self) -> None:
        if self.service is not None and self._own_service:
            await self.service.stop()

    # -- actions --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; while a push runs, ask first (a second quit key while asked quits at once)."""
        run = self.main.push_run
        if run is None or isinstance(self.screen, QuitModal):
            if run is not None:
                await self.main.cancel_and_wait(QUIT_WAIT)
            self.exit()
            return
        count = self.main.push_size
        question = f"A push to {plural(count, 'phone')} is running: cancel it and quit?"
        detail = "Phones still outstanding become 'cancelled'; the history records the push as cancelled."

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.main.cancel_and_wait(QUIT_WAIT)
                self.exit()

        self.push_screen(QuitModal(question, detail, yes="Stop it and quit", no="Keep pushing"), answered)

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

    def _asking(self) -> bool:
        """A question or picker is open: F2 and F5 wait until it is answered."""
        return isinstance(self.screen, ModalScreen)

    def action_preview(self) -> None:
        if self._asking():
            return
        ready = self.ready_to_send()
        if ready:
            self.push_screen(PreviewScreen(*ready))

    def action_send(self) -> None:
        if self._asking():
            return
        if self.main.push_run is not None:
            self.main.say_busy()
            return
        ready = self.ready_to_send()
        if ready is None:
            return
        obj, phones = ready
        if not phones:
            self.notify("No phone selected: Space, a or t on the phone table.", severity="warning")
            return
        self.confirm_push(obj, phones, self.config.defaults.mode)

    def confirm_push(self, obj: CiscoObject, phones: list[Phone], mode: Mode, retry: bool = False) -> None:
        """Ask, naming the phones (the first few) and the routes; on yes, back to the table and push."""
        deliveries = plan(obj, phones, mode, can_host=self.object_host() is not None)
        routes = Counter(d.route for d in deliveries)
        route_text = ", ".join(f"{routes[r]} {r}" for r in ("direct", "via-url", "refused") if routes[r])
        verb = "Retry" if retry else "Push"
        question = f"{verb} {obj.root} to {plural(len(phones), 'phone')}?"
        detail = f"{names_phrase([p.name for p in phones], CONFIRM_NAMES)}\nmode {mode}: {route_text}"
        host = self.object_host()
        if routes["via-url"] and host is not None and host.remote:
            detail += f"\nvia-url objects go to the service already listening at {host.url}"
        refused = [d for d in deliveries if d.route == "refused"]
        if refused:
            why = printable(refused[0].reason.split("; ")[0], 100)
            detail += f"\nrefused: {names_phrase([d.phone.name for d in refused])}: {why}"
        if self.service is not None and not self.service.running and not self.service_taken:
            detail += "\nthe responder is stopped: phones that ask it will refuse the push (r, then s, starts it)"

        # Keys typed before the question is up go nowhere, not into the field that had focus.
        focused = self.screen.focused
        self.screen.set_focus(None)

        async def answered(yes: bool | None) -> None:
            if not yes:
                if focused is not None and focused.is_attached:
                    focused.focus()
                return
            while not isinstance(self.screen, MainScreen):
                await self.pop_screen()
            self.main.start_push(obj, phones, mode)

        self.push_screen(ConfirmModal(question, detail), answered)

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

    async def load_template(self, template: Template) -> None:
        """Open the form and fill it with ``template`` (from the palette)."""
        if not isinstance(self.screen, ComposeScreen):
            await self.push_screen("compose")
        self.compose_screen.load_object(template.to_object())
        self.notify(f"Template {template.name!r} loaded.", markup=False)

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
        ]

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (but its Quit and Keys: ours ask before ending a push, and list every key),
        then every action of the app, each with its key."""
        ours = {"Quit", "Keys"}
        yield from (command for command in super().get_system_commands(screen) if command.title not in ours)
        main = self.main
        commands: list[tuple[str, str, str | None, Callable[[], object]]] = [
            ("Compose a message", "open the form (Text or Execute)", "compose", self.action_compose),
            ("Preview", "the exact XML, its size, the route per phone", "preview", self.action_preview),
            ("Send", "push the composed object to the selected phones", "send", self.action_send),
            ("Select all phones", "every phone the filter shows", "select-all", main.action_select_all),
            ("Select no phone", "clear the selection", "select-none", main.action_select_none),
            ("Select phones by tag", "pick a tag", "select-tag", main.action_select_tag),
            ("Filter phones", "type to narrow the table", "filter", main.action_filter),
            ("Sort phones", "next sort column", "sort", main.action_sort),
            ("Retry failed phones", "push the last object again to the phones that failed", "retry", main.action_retry),
            ("Cancel the push", "outstanding phones become 'cancelled'", "cancel-push", main.action_cancel_push),
            ("Select or unselect the highlighted phone", "and move down", "toggle", main.action_toggle_phone),
            ("Show the highlighted phone's reply", "decoded, and the raw body", "reply", main.action_reply),
            ("Load a template", "into the form", "load-template", self._load_template),
            ("Save the form as a template", "in the app's templates file", "save-template", self._save_template),
            ("Copy the XML", "of the composed object, to the clipboard (OSC 52)", "copy-xml", self.action_copy_xml),
            ("Responder", "authentication requests, start or stop", "responder", self.action_responder),
            ("Start or stop the responder", "frees its port when stopped", "toggle-service", self.toggle_service),
            ("History", "past pushes and their results", "history", self.action_history),
            ("Keys", "every key binding, with the ids [keys] rebinds", "help", self.action_help),
            ("Quit", "end phonetui (asks first while a push runs)", "quit", self.action_quit),
        ]
        if main.push_run is None:
            commands = [c for c in commands if c[2] != "cancel-push"]
        for title, help_text, binding_id, callback in commands:
            key = f" · key {self.key_for(binding_id)}" if binding_id else ""
            yield SystemCommand(title, escape(f"{help_text}{key}"), callback)
