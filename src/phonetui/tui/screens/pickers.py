"""Small modals: pick one of a list, type a name, confirm."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..frame_timer import PromptFrames
from ..keys import binding
from ..plain import plain_content


class PickerModal(PromptFrames, ModalScreen[str | None]):
    """Choose one value from a list; Enter picks, Esc cancels."""

    BINDINGS = [binding("back")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = plain_content(self.title_text)
            yield OptionList(*(Option(plain_content(label), id=value) for label, value in self.choices), id="choices")
        yield Footer()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)


class NameModal(PromptFrames, ModalScreen[str | None]):
    """Ask for a line of text (a template's name, a selection); Enter takes it, Esc cancels.

    ``check``: the problems with a text (none: it is taken); while there are some, the box stays
    open with the text in it and says each under it, as the form does, so nothing typed is lost.
    """

    BINDINGS = [binding("back")]

    def __init__(
        self,
        title: str,
        value: str = "",
        placeholder: str = "name",
        empty: str = "A template needs a name.",
        check: Callable[[str], list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.empty = empty
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = plain_content(self.title_text)
            yield Input(value=self.value, placeholder=self.placeholder, id="name")
            yield Label("", id="name-error", classes="error")
        yield Footer()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#name-error", Label).update(self.empty)
            return
        problems = self.check(name) if self.check is not None else []
        if problems:
            self.query_one("#name-error", Label).update(Text("\n".join(problems)))  # text, never markup
            return
        self.dismiss(name)

    def action_back(self) -> None:
        self.dismiss(None)


class ConfirmModal(PromptFrames, ModalScreen[bool]):
    """Yes or no to one question; y/Enter say yes, n/Esc say no."""

    BINDINGS = [("y", "answer(True)", "Yes"), ("n", "answer(False)", "No"), ("s", "skip", "Skip"), binding("back")]

    def __init__(
        self, question: str, detail: str = "", yes: str = "Push", no: str = "Cancel", skip: str = "", tall: bool = False
    ) -> None:
        super().__init__()
        #: The dialog may take the whole screen above the footer (a list a person must compare), not 80% of it.
        self.tall = tall
        self.question = question
        self.detail = detail
        self.yes = yes
        self.no = no
        #: A third answer, yes to fewer (``s``): the push to the phones that answered the last probe.
        self.skip = skip
        self.skip_chosen = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall" if self.tall else "dialog") as box:
            box.border_title = "Confirm"
            yield Label(self.question, id="question", markup=False)
            if self.detail:
                yield Static(self.detail, id="detail", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                if self.skip:
                    yield Button(f"{self.skip} (s)", id="skip")
                yield Button(f"{self.no} (n)", id="no")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "skip":
            self.action_skip()
        else:
            self.dismiss(event.button.id == "yes")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.skip) if action == "skip" else True

    def action_skip(self) -> None:
        if self.skip:
            self.skip_chosen = True
            self.dismiss(True)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_back(self) -> None:
        self.dismiss(False)


class QuitModal(ConfirmModal):
    """The question asked when the user quits during a push."""
