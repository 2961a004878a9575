"""The form's alert fields: ask for acknowledgement, the key's name, and the repeats (all optional)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Checkbox, Input, Label

from ...cisco import CiscoIPPhoneExecute, ExecuteItem, errors, validate
from ...cisco import limits as L
from ...cli.ack_options import ack_name_problem
from ..alert_settings import AlertSettings


class TickBox(Checkbox):
    """A checkbox drawn ``[x]`` or ``[ ]``: on or off reads without colour."""

    @property
    def _button(self) -> Content:
        return Content("[x]" if self.value else "[ ]")


def _number(text: str, what: str, whole: bool = False) -> float | None:
    """The field's number, None when empty; ValueError saying what it should be."""
    text = text.strip()
    if not text:
        return None
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise ValueError(f"{what}: {'a whole number' if whole else 'seconds'}, e.g. {'3' if whole else '30'}") from None
    if not 1 <= value <= 86400:
        raise ValueError(f"{what}: from 1 to 86400")
    return value


class AlertFields(Vertical):
    """Off, the form sends a plain Text. On, F5 sends an alert: each phone's copy with its own Ack key."""

    def compose(self) -> ComposeResult:
        yield TickBox("Ask for acknowledgement (send as an alert)", id="ack-on", compact=True)
        with Horizontal(classes="row ack-settings"):
            yield Label("Ack key", classes="ack-label")
            yield Input(placeholder="Ack", id="ack-name", max_length=L.SOFTKEY_NAME_MAX)
            yield Label("repeat every", classes="ack-label")
            yield Input(placeholder="seconds", id="ack-repeat")
            yield Label("at most", classes="ack-label")
            yield Input(placeholder="N times", id="ack-max")
        with Horizontal(classes="row ack-settings"):
            yield TickBox("repeat to failed phones too", id="ack-failed", compact=True)
            yield Label("beep", classes="ack-label")
            yield Input(placeholder="tone on repeats, e.g. Chime.raw", id="ack-beep")
        yield Label("", id="alert-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self._show_settings()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "ack-on":
            self._show_settings()

    def _show_settings(self) -> None:
        """The settings take room (and Tab stops) only when the alert is asked for."""
        for row in self.query(".ack-settings"):
            row.display = self.asked

    @property
    def asked(self) -> bool:
        return self.query_one("#ack-on", TickBox).value

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def settings(self) -> AlertSettings:
        """What the fields say; ValueError naming the first field that is wrong."""
        name = self._value("#ack-name").strip() or "Ack"
        if ack_name_problem(name):
            raise ValueError(f"Ack key {ack_name_problem(name)}")
        repeat = _number(self._value("#ack-repeat"), "repeat every")
        most = _number(self._value("#ack-max"), "at most", whole=True)
        failed = self.query_one("#ack-failed", TickBox).value
        beep = self._value("#ack-beep").strip()
        if repeat is None and (most is not None or failed or beep):
            raise ValueError("give 'repeat every' seconds: at most, failed phones and the beep are for repeats")
        if beep:
            problems = errors(validate(CiscoIPPhoneExecute([ExecuteItem(f"Play:{beep}")])))
            if problems:
                raise ValueError(f"beep: {problems[0].message}")
        return AlertSettings(name, repeat, int(most) if most is not None else None, failed, beep)
