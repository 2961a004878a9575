"""The form: a Text or an Execute, checked field by field as the operator types."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Collapsible,
    Footer,
    Input,
    Label,
    Select,
    TabbedContent,
    TabPane,
    TextArea,
)

from ...cisco import (
    COMMON_URIS,
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    CiscoObject,
    ExecuteItem,
    ObjectError,
    Problem,
    SoftKeyItem,
    encode,
    errors,
    validate,
)
from ...cisco import limits as L
from ...config import Template, reload_templates, save_template
from ...printable import printable
from ...tailor import PHONE_VARIABLES, object_variables
from ...variables import known_names, unknown_problems
from ...wording import names_phrase
from ..alert_settings import AlertSettings
from ..keys import binding
from ..widgets.alert_fields import AlertFields, TickBox
from .base import PhoneScreen
from .pickers import ConfirmModal, NameModal, PickerModal

SOFTKEY_ROWS = L.SOFTKEY_MAX_COUNT
EXECUTE_ROWS = L.EXECUTE_ITEMS_MAX
PRIORITY_OPTIONS = [(f"{n}: {text}", n) for n, text in L.PRIORITY_NAMES.items()]


def unsendable(obj: CiscoObject, charset: str) -> dict[str, list[str]]:
    """By field, the characters ``charset`` cannot carry (those UTF-8 can, so a warning, not an error)."""
    found: dict[str, list[str]] = {}
    for field, value in obj.text_fields():
        for ch in dict.fromkeys(value):
            try:
                ch.encode(charset)
            except UnicodeEncodeError:
                found.setdefault(field, []).append(ch)
    return found


def _indexed(pattern: str, field: str) -> int | None:
    match = re.match(pattern, field)
    return int(match.group(1)) if match else None


class ComposeScreen(PhoneScreen):
    """Compose a Text or an Execute; every field shows its own problem beside it."""

    BINDINGS = [
        binding("back"),
        binding("send"),
        binding("preview"),
        binding("switch-kind", priority=True),  # the Text box binds F6 itself (select line)
        binding("load-template"),
        binding("save-template"),
    ]
    AUTO_FOCUS = "#title"

    def __init__(self) -> None:
        super().__init__(id="compose")
        self.problems: list[Problem] = []
        #: The loaded template's own variables (or a history push's): ``{site}`` beside the built-in ones.
        self.variables: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="text-tab", id="kind"):
            with TabPane("Text", id="text-tab"), VerticalScroll(can_focus=False):
                yield from self._field(
                    "Title",
                    Input(placeholder=f"up to {L.TITLE_MAX} characters", id="title"),
                )
                yield from self._field(
                    "Prompt",
                    Input(placeholder=f"up to {L.PROMPT_MAX} characters", id="prompt"),
                )
                yield from self._field("Text", TextArea(id="text", soft_wrap=True, show_line_numbers=False))
                yield Label("", id="template-vars", markup=False)  # under the Text: at 80x24 the summary is cut
                yield AlertFields(id="alert")
                with Collapsible(title="Softkeys (optional; row number = position)", id="softkeys"):
                    for i in range(1, SOFTKEY_ROWS + 1):
                        with Horizontal(classes="row"):
                            yield Label(str(i), classes="index")
                            yield Input(
                                placeholder="label",
                                id=f"sk-name-{i}",
                                classes="sk-name",
                            )
                            yield Input(
                                placeholder="URL or URI, e.g. SoftKey:Exit",
                                id=f"sk-url-{i}",
                            )
                        yield Label("", id=f"sk-{i}-error", classes="error", markup=False)
            with TabPane("Execute", id="execute-tab"), VerticalScroll(can_focus=False):
                for i in range(1, EXECUTE_ROWS + 1):
                    with Horizontal(classes="row"):
                        yield Label(str(i), classes="index")
                        yield Input(placeholder="URL or internal URI", id=f"ex-url-{i}")
                        yield Select(
                            PRIORITY_OPTIONS,
                            value=0,
                            allow_blank=False,
                            id=f"ex-prio-{i}",
                            compact=True,
                        )
                        yield Button("URIs…", id=f"ex-pick-{i}", compact=True)
                    yield Label("", id=f"ex-{i}-error", classes="error", markup=False)
                yield Label("", id="ex-error", classes="error", markup=False)
        yield Label("", id="object-error", markup=False)
        yield Footer()

    def _field(self, title: str, widget: Input | TextArea) -> ComposeResult:
        yield Label(title, classes="field-title")
        yield widget
        yield Label("", id=f"{widget.id}-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#softkeys", Collapsible).collapsed = True
        for field in self.query(Input).results(Input):
            field.select_on_focus = False  # a loaded template's title must not vanish at the first key
        self.check()

    # -- reading the form -------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return "execute" if self.query_one(TabbedContent).active == "execute-tab" else "text"

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def _softkey_rows(self) -> list[int]:
        return [i for i in range(1, SOFTKEY_ROWS + 1) if self._value(f"#sk-name-{i}") or self._value(f"#sk-url-{i}")]

    def _execute_rows(self) -> list[int]:
        return [i for i in range(1, EXECUTE_ROWS + 1) if self._value(f"#ex-url-{i}").strip()]

    def _priority(self, row: int) -> int:
        value = self.query_one(f"#ex-prio-{row}", Select).value
        return value if isinstance(value, int) else 0

    def current_object(self) -> CiscoObject:
        """The object the form describes now, valid or not."""
        if self.kind == "execute":
            items = [ExecuteItem(self._value(f"#ex-url-{i}").strip(), self._priority(i)) for i in self._execute_rows()]
            return CiscoIPPhoneExecute(items)
        softkeys = [
            SoftKeyItem(self._value(f"#sk-name-{i}"), self._value(f"#sk-url-{i}"), "", i) for i in self._softkey_rows()
        ]
        return CiscoIPPhoneText(
            self._value("#title"), self._value("#prompt"), self.query_one("#text", TextArea).text, softkeys
        )

    def phones_by_charset(self) -> dict[str, list[str]]:
        """The selected phones' names by charset (UTF-8 alone when none is selected)."""
        found: dict[str, list[str]] = {}
        for phone in self.tui.fleet.selected():
            found.setdefault(phone.charset, []).append(phone.name)
        return dict(sorted(found.items())) or {"utf-8": []}

    def check(self) -> list[Problem]:
        """Validate the form and put each problem beside its field.

        What the protocol forbids stops the push. A character that only some selected
        phones cannot carry (a 7960 among 88xx) is a warning naming those phones: they
        will be refused, the others pushed. Only when no selected phone can carry the
        object is it an error.
        """
        from ..sending import push_tailor  # the app's one Tailor; sending imports the screens

        obj = self.current_object()
        filled = push_tailor(self.tui, self.variables).common(obj)  # limits hold for the values, not the names
        problems = validate(filled, "utf-8")
        by_charset = self.phones_by_charset()
        others = {charset: names for charset, names in by_charset.items() if charset != "utf-8"}
        blocked = 0
        for charset, names in others.items():
            refused = False
            for field, chars in unsendable(filled, charset).items():
                refused = True
                shown = ", ".join(repr(ch) for ch in chars[:5]) + (" …" if len(chars) > 5 else "")
                message = f"{shown} cannot be sent in {charset.upper()}: {names_phrase(names)} will be refused"
                problems.append(Problem(field, message, "warning"))
            blocked += len(names) if refused else 0
        everyone = sum(len(names) for names in by_charset.values())
        if blocked and blocked == everyone:
            problems = [Problem(p.field, p.message) if p.severity == "warning" else p for p in problems]
        self.problems = problems + unknown_problems(obj, known_names(self.variables))
        if self.kind == "text" and self.query_one(AlertFields).asked:
            try:
                self.query_one(AlertFields).settings()
            except ValueError as exc:
                self.problems.append(Problem("Alert", str(exc)))
        self._show(filled)
        return self.problems

    def sizes(self, obj: CiscoObject) -> str:
        """The encoded size in each charset the selected phones use, named: the preview says the same."""
        parts, refused = [], []
        for charset in self.phones_by_charset():
            try:
                parts.append(f"{len(encode(obj, charset))} bytes {charset.upper()}")
            except ObjectError:
                refused.append(charset.upper())
        return ", ".join(parts) + "".join(f" ({c} phones refused)" for c in refused)

    def _label_for(self, field: str) -> str:
        if field in ("Title", "Prompt", "Text"):
            return f"#{field.lower()}-error"
        index = _indexed(r"SoftKeyItem\[(\d+)\]", field)
        if index is not None:
            rows = self._softkey_rows()
            return f"#sk-{rows[index - 1]}-error" if index <= len(rows) else "#object-error"
        index = _indexed(r"ExecuteItem\[(\d+)\]", field)
        if index is not None:
            rows = self._execute_rows()
            return f"#ex-{rows[index - 1]}-error" if index <= len(rows) else "#ex-error"
        if field == "Alert":
            return "#alert-error"
        return "#ex-error" if field == "ExecuteItem" else "#object-error"

    def _show(self, obj: CiscoObject) -> None:
        messages: dict[str, list[str]] = {}
        for problem in self.problems:
            label = self._label_for(problem.field)
            prefix = "" if label.startswith(f"#{problem.field.lower()}") else f"{problem.field}: "
            text = f"{'⚠ ' if problem.severity == 'warning' else '✗ '}{prefix}{problem.message}"
            messages.setdefault(label, []).append(text)
        for widget in self.query(".error").results(Label):
            widget.update("\n".join(messages.get(f"#{widget.id}", [])))
        summary = "\n".join(messages.get("#object-error", []))
        if not errors(self.problems):
            before = " before each phone's own variables" if set(object_variables(obj)) & set(PHONE_VARIABLES) else ""
            alert = " as an alert (each copy gets its own Ack key)" if self.alert_settings() else ""
            ready = f"✓ {obj.root}{alert}, {self.sizes(obj)}{before}; F2 preview, F5 send"
            summary = ready + (f"\n{summary}" if summary else "")
        own = " · ".join(f"{{{name}}}={printable(value, 40)}" for name, value in self.variables.items())
        self.query_one("#template-vars", Label).update(f"the template's variables: {own}" if own else "")
        self.query_one("#template-vars", Label).display = bool(own)
        self.query_one("#object-error", Label).update(summary)

    def alert_settings(self) -> AlertSettings | None:
        """The alert the form asks for (a Text with "Ask for acknowledgement" on, its fields right), or None."""
        fields = self.query_one(AlertFields)
        if self.kind != "text" or not fields.asked:
            return None
        try:
            return fields.settings()
        except ValueError:
            return None

    @on(Input.Changed)
    @on(TickBox.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(TabbedContent.TabActivated)
    def changed(self) -> None:
        self.check()

    def action_switch_kind(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "text-tab" if tabs.active == "execute-tab" else "execute-tab"
        self.query_one("#ex-url-1" if self.kind == "execute" else "#title").focus()

    def on_screen_resume(self) -> None:
        self.check()  # the selection, and so the charsets, may have changed
        if self.focused is None:
            target = "#ex-url-1" if self.kind == "execute" else "#title"
            self.query_one(target).focus()

    # -- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(Button.Pressed)
    def pick_uri(self, event: Button.Pressed) -> None:
        row = (event.button.id or "").removeprefix("ex-pick-")
        choices = [(f"{uri:<18} {text}", uri) for uri, text in COMMON_URIS]

        def chosen(uri: str | None) -> None:
            if uri:
                field = self.query_one(f"#ex-url-{row}", Input)
                field.value = uri
                field.focus()
                field.cursor_position = len(uri)

        self.app.push_screen(PickerModal("Common internal URIs", choices), chosen)

    def to_template(self, name: str) -> Template:
        """The form, as it is now, as a template named ``name``."""
        template = Template.from_object(name, self.current_object())
        template.variables = dict(self.variables)
        return template

    def load_object(self, obj: CiscoObject, variables: dict[str, str] | None = None, alert: bool | None = None) -> None:
        """Fill the form with ``obj`` (a template's, or one from the history) and its own variables;
        ``alert`` ticks or clears "Ask for acknowledgement" (None: as it was)."""
        self.variables = dict(variables or {})
        if alert is not None:
            self.query_one("#ack-on", TickBox).value = alert and isinstance(obj, CiscoIPPhoneText)
        for field in self.query(Input).results(Input):
            field.value = ""
        if isinstance(obj, CiscoIPPhoneExecute):
            self.query_one(TabbedContent).active = "execute-tab"
            for i, item in enumerate(obj.items[:EXECUTE_ROWS], 1):
                self.query_one(f"#ex-url-{i}", Input).value = item.url
                self.query_one(f"#ex-prio-{i}", Select).value = item.priority if item.priority in L.PRIORITIES else 0
        elif isinstance(obj, CiscoIPPhoneText):
            self.query_one(TabbedContent).active = "text-tab"
            self.query_one("#title", Input).value = obj.title
            self.query_one("#prompt", Input).value = obj.prompt
            self.query_one("#text", TextArea).text = obj.text
            for key in obj.softkeys:
                if 1 <= key.position <= SOFTKEY_ROWS:
                    self.query_one(f"#sk-name-{key.position}", Input).value = key.name
                    self.query_one(f"#sk-url-{key.position}", Input).value = key.url
        self.query_one("#ex-url-1" if self.kind == "execute" else "#title").focus()
        self.check()

    def action_load_template(self) -> None:
        problem = reload_templates(self.tui.config)  # the file may have been edited since the app started
        if problem:
            self.notify(f"Templates file not read again: {problem}", severity="warning", markup=False)
        templates = {t.name: t for t in self.tui.config.templates}
        if not templates:
            self.notify("No templates yet; F4 saves this form as one.")
            return

        def chosen(name: str | None) -> None:
            if name:
                self.load_object(templates[name].to_object(), templates[name].variables)
                self.notify(f"Template {name!r} loaded.", markup=False)

        choices = [(f"{name}  ({t.kind})", name) for name, t in templates.items()]
        self.app.push_screen(PickerModal("Load a template", choices), chosen)

    def action_save_template(self) -> None:
        template_of = self.to_template

        def save(name: str) -> None:
            try:
                path = save_template(self.tui.config, template_of(name))
            except Exception as exc:  # a full disk or a read-only folder must not end the app
                self.notify(f"Could not save the template: {exc}", severity="error", markup=False)
                return
            self.notify(f"Template {name!r} saved to {path}", markup=False)

        def named(name: str | None) -> None:
            if not name:
                return
            existing = self.tui.config.template(name)
            if existing is None:
                save(name)
                return
            question = f"Replace the template {name!r}?"
            detail = f"It is a {existing.kind} template from {existing.where}."
            self.app.push_screen(
                ConfirmModal(question, detail, yes="Replace", no="Keep it"), lambda yes: save(name) if yes else None
            )

        self.app.push_screen(NameModal("Save the form as a template"), named)
