"""Sending from the app: what is ready to send, the confirmation that names the phones, quitting mid-push."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..cisco import CiscoIPPhoneText, CiscoObject, errors
from ..config import Mode, Phone
from ..phone_tls import insecure_warning
from ..printable import printable
from ..push import plan
from ..tailor import Tailor, push_values
from ..variables import default_sender, empty_dn_warning, known_names, unknown_problems
from ..wording import names_phrase, plural
from .screens.main import MainScreen
from .screens.pickers import ConfirmModal, QuitModal
from .screens.preview import PreviewScreen
from .screens.shot_view import ShotScreen

if TYPE_CHECKING:
    from .app import PhoneTUI

#: The confirmation names this many phones, then "and N more".
CONFIRM_NAMES = 5
#: Seconds F2 or F5 waits, at most, for the focused field to take the keys typed before it.
SETTLE_SECONDS = 0.5
#: Seconds a cancelled push has to write its last records when the app quits.
QUIT_WAIT = 3.0


async def fields_settled(app: PhoneTUI) -> bool:
    """Wait until the focused field has handled the keys typed before F2 or F5; False if the screen changed.

    F2 and F5 are the app's priority keys: the app reads them as they come, while the keys
    typed just before (one terminal burst) may still wait in the field's own queue. A
    callback queued behind them runs once they are in the field; meanwhile the app reads no
    further key, so a quick "F5 y" still answers the question. At most ``SETTLE_SECONDS``.
    """
    field, screen = app.focused, app.screen
    if field is None:
        return True
    settled = asyncio.Event()
    field.call_later(settled.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(settled.wait(), SETTLE_SECONDS)
    return app.screen is screen


def ready_to_send(app: PhoneTUI) -> tuple[CiscoObject, list[Phone]] | None:
    """The composed object and the selected phones, or None after saying what is missing."""
    compose = app.compose_screen
    problems = errors(compose.check()) if compose.is_mounted else []
    obj = compose.current_object() if compose.is_mounted else CiscoIPPhoneText()
    if not compose.is_mounted or problems:
        what = f"{problems[0]}" if problems else "nothing composed yet"
        app.notify(f"Fix the form first: {what}", severity="warning", markup=False)
        app.action_compose()
        return None
    return obj, app.fleet.selected()


def form_variables(app: PhoneTUI) -> dict[str, str]:
    """The variables of the template loaded in the form (or of the push loaded from the history)."""
    compose = app.compose_screen
    return dict(compose.variables) if compose.is_mounted else {}


def preview_screen(app: PhoneTUI, obj: CiscoObject, phones: list[Phone]) -> PreviewScreen:
    """The preview of the form's object, showing the highlighted phone's copy when it is selected
    (an alert's with its Ack key, the tokens stood in for)."""
    highlighted = app.main.table.current_name()
    tailor = push_tailor(app, form_variables(app))
    settings = app.compose_screen.alert_settings() if isinstance(obj, CiscoIPPhoneText) else None
    if settings is not None:
        tailor = app.alerting.preview_tailor(phones, settings, tailor)
    return PreviewScreen(obj, phones, tailor, highlighted)


def confirm_send(app: PhoneTUI, obj: CiscoObject, phones: list[Phone]) -> None:
    """F5 on the form's object: as an alert when the form asks for acknowledgement, else a push."""
    settings = app.compose_screen.alert_settings() if isinstance(obj, CiscoIPPhoneText) else None
    if settings is None:
        confirm_push(app, obj, phones, app.config.defaults.mode)
        return
    own = form_variables(app)
    unknown = unknown_problems(obj, known_names(own))
    if unknown:
        app.notify(f"Not sent: {unknown[0]}", severity="error", markup=False)
        return
    app.alerting.confirm(obj, phones, settings, push_tailor(app, own), own)


def push_tailor(app: PhoneTUI, variables: Mapping[str, str]) -> Tailor:
    """The one place the app's Tailor is built: who sends and when, then the template's own values.

    ``{sender}`` is ``[defaults] sender``, else the login name.
    """
    return Tailor({**push_values(default_sender(app.config.defaults.sender)), **variables})


def confirm_push(
    app: PhoneTUI,
    obj: CiscoObject,
    phones: list[Phone],
    mode: Mode,
    retry: bool = False,
    variables: Mapping[str, str] | None = None,
    tailor: Tailor | None = None,
    label: dict[str, Any] | None = None,
    question: str = "",
    extra: str = "",
    start: Callable[[list[Phone]], bool] | None = None,
) -> None:
    """Ask, naming the phones (the first few) and the routes; on yes, back to the table and push.

    ``variables``: the object's own (a history push's); None: the form's. An unknown one
    stops here, saying which. ``tailor`` and ``label``: the copies and journal label of the push
    retried (a clear's, an alert's); None: built from the variables. ``start`` pushes the chosen
    phones instead of a plain push (an alert's round); ``question`` and ``extra`` say what it is.
    """
    own = dict(form_variables(app) if variables is None else variables)
    unknown = unknown_problems(obj, known_names(own))
    if unknown:
        app.notify(f"Not sent: {unknown[0]}", severity="error", markup=False)
        return
    tailor = push_tailor(app, own) if tailor is None else tailor
    host = app.object_host()
    deliveries = plan(obj, phones, mode, can_host=host is not None, tailor=tailor)
    routes = Counter(d.route for d in deliveries)
    route_text = ", ".join(f"{routes[r]} {r}" for r in ("direct", "via-url", "refused") if routes[r])
    verb = "Retry" if retry else "Push"
    asked = f"{verb} {obj.root} to {plural(len(phones), 'phone')}?"
    if isinstance(app.screen, ShotScreen):  # F5 from one phone's view: it goes to the selection, say so
        seen = app.screen.phone.name
        among = seen in {p.name for p in phones}
        but = "" if among and len(phones) == 1 else ", not only this one" if among else ", not this one"
        asked = f"{verb} {obj.root} to the {plural(len(phones), 'selected phone')}{but}?"
        where = "is one of them" if among else "is not one of them"
        detail_view = f"F5 sends to the selected phones: {printable(seen, 40)}, whose screen is open, {where}\n"
    else:
        detail_view = ""
    detail = f"{detail_view}{names_phrase([p.name for p in phones], CONFIRM_NAMES)}\nmode {mode}: {route_text}"
    question = question or asked
    if extra:
        detail += f"\n{extra}"
    if routes["via-url"] and host is not None and host.remote:
        detail += f"\nvia-url objects go to the service already listening at {host.url}"
    refused = [d for d in deliveries if d.route == "refused"]
    if refused:
        why = printable(refused[0].reason.split("; ")[0], 100)
        detail += f"\nrefused: {names_phrase([d.phone.name for d in refused])}: {why}"
    empty_dn = empty_dn_warning(obj, phones)
    if empty_dn:
        detail += f"\n{empty_dn}"
    if app.service is not None and not app.service.running and not app.service_taken:
        detail += "\nthe responder is stopped: phones that ask it will refuse the push (r, then s, starts it)"
    if insecure := insecure_warning(phones):  # as the preview says it
        detail += f"\n{insecure}"
    silent = [p.name for p in phones if app.fleet.states[p.name].state not in ("online", "unknown")]
    skip = ""
    if silent and len(silent) < len(phones):
        detail += f"\nnot online at the last probe: {names_phrase(silent)}"
        skip = f"Skip {len(silent)} not online"

    # Keys typed before the question is up go nowhere, not into the field that had focus.
    focused = app.screen.focused
    app.screen.set_focus(None)

    async def answered(yes: bool | None) -> None:
        if not yes:
            if focused is not None and focused.is_attached:
                # At once, not focus()'s call_later: the form's resume would put it on Title first.
                focused.screen.set_focus(focused)
            return
        while not isinstance(app.screen, MainScreen):
            await app.pop_screen()
        chosen = [p for p in phones if p.name not in silent] if modal.skip_chosen else phones
        if start is not None:
            started = start(chosen)
        else:
            started = app.pump.start(obj, chosen, mode, tailor, variables=own, label=label)
        if not started:
            app.main.say_busy()
        elif modal.skip_chosen:
            app.main.log_note(f"○ skipped, not online at the last probe: {names_phrase(silent, shown=10)}")

    modal = ConfirmModal(question, detail, skip=skip)
    app.push_screen(modal, answered)


async def quit_app(app: PhoneTUI) -> None:
    """Quit; while a push runs, ask first (a second quit key while asked quits at once)."""
    pump, repeating = app.pump, app.alerting.repeating
    if not (pump.running or repeating) or isinstance(app.screen, QuitModal):
        await pump.cancel_and_wait(QUIT_WAIT)
        app.exit()
        return
    if pump.running:
        question = f"A push to {plural(pump.progress[1], 'phone')} is running: cancel it and quit?"
        detail = "Phones still outstanding become 'cancelled'; the history records the push as cancelled."
        yes, no = "Stop it and quit", "Keep pushing"
    else:
        question = "An alert is still repeating: stop its repeats and quit?"
        detail = "; ".join(app.alerting.status() or [])
        detail += "\nThe phones that have not acknowledged get no more rounds, and acknowledgements"
        detail += " that come after the app quits are not counted."
        yes, no = "Stop repeating and quit", "Keep repeating"

    async def answered(yes: bool | None) -> None:
        if yes:
            await pump.cancel_and_wait(QUIT_WAIT)
            app.exit()

    app.push_screen(QuitModal(question, detail, yes=yes, no=no), answered)
