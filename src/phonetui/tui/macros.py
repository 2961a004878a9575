"""Macros from the app: ask for one (or a saved one's name), warn of keys the models lack, run it on many phones.

What is typed is a saved macro's name if one is called so; else steps if it has a colon (or
is a pause); else a name no macro has, answered as ``phonetui keys --name`` answers it. ``save
NAME: steps`` saves one, asking first when the name is taken; ``save! NAME: steps`` replaces
without asking. Both boxes (the table's ``m``, the screen view's) read the text here, and
keep it open with every problem under it until it is right. A phone the macro failed on gets
a line in the reply log (its outcome, the press, the detail and the hint).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..cisco.macro import MacroError, Step, parse_macro
from ..config import ConfigError, Phone
from ..config.macros import load_macros, macro_exists, name_problem, save_macro, unknown_macro
from ..printable import printable
from ..push import PushResult
from ..wording import names_phrase, plural
from .screens.pickers import ConfirmModal, NameModal
from .shots import unsupported
from .widgets.line_log import LineLog

if TYPE_CHECKING:
    from .app import PhoneTUI

#: Phones a macro runs on at once.
MACRO_CONCURRENCY = 32


@dataclass(frozen=True)
class SaveAsked:
    """``save NAME: steps`` (``save!``: replace without asking)."""

    name: str
    steps: str
    force: bool


def _steps_problems(app: PhoneTUI, text: str) -> tuple[list[Step], list[str]]:
    """The steps ``text`` means (a saved macro's name, or steps), or every problem, said as the CLI says them."""
    name = text.strip()
    try:
        macros, problems = load_macros(app.config)
    except ConfigError as exc:
        macros, problems = {}, [exc.message]
    if name in macros:
        try:
            return parse_macro(macros[name]), []
        except MacroError as exc:  # changed on disk since it was read
            return [], [f"the saved macro {printable(name, 60)!r} was not read: {exc}"]
    if ":" in name or name.lower().startswith("pause"):
        try:
            return parse_macro(text), []
        except MacroError as exc:
            return [], exc.lines()
    message = unknown_macro(app.config, name, macros, problems)
    try:
        parse_macro(text)
    except MacroError as exc:
        if "did you mean" in exc.message:  # ``Settings`` for ``Key:Settings``
            message += f"; as steps: {exc.message}"
    return [], [message]


def understood(app: PhoneTUI, text: str) -> tuple[list[Step] | SaveAsked, list[str]]:
    """What a macro box's text asks for (steps to run, or a save), and every problem with it (then nothing).

    The one reading of both boxes, the phone table's ``m`` and the screen view's.
    """
    lower = text.lower()
    if not lower.startswith(("save ", "save!")):
        return _steps_problems(app, text)
    if ":" not in text:
        return [], ["To save a macro: save NAME: steps (a colon after the name)"]
    force = lower.startswith("save!")
    name, steps = (part.strip() for part in text[5:].split(":", 1))
    problem = name_problem(name)
    problems = [f"not saved: {problem}"] if problem else []
    try:
        parse_macro(steps)
    except MacroError as exc:
        # "save a:b: Key:Settings" gives the name "a" and the steps "b: Key:Settings": say why.
        problems += [f"not saved: {line}" for line in exc.lines()]
        problems.append("(the name is what comes before the first ':', and holds no ':')")
    return SaveAsked(name, steps, force), problems


def ask_macro(app: PhoneTUI, title: str, run: Callable[[list[Step]], object]) -> None:
    """The macro box: steps or a saved name go to ``run``; ``save NAME: steps`` (``save!``) saves.

    A text with problems keeps the box open, the text in it and each problem under it.
    """

    def check(text: str) -> list[str]:
        return understood(app, text)[1]

    def chosen(text: str | None) -> None:
        if not text:
            return
        asked, problems = understood(app, text)
        if problems:  # changed on disk since it was checked
            app.notify(f"Macro: {'; '.join(problems)}", severity="warning", markup=False)
        elif isinstance(asked, SaveAsked):
            ask_and_save(app, asked.name, asked.steps, asked.force)
        else:
            run(asked)

    placeholder = "Key:Settings, pause 500ms, Key:KeyPad5"
    box = NameModal(title, placeholder=placeholder, empty="A macro: its steps or a name.", check=check)
    app.push_screen(box, chosen)


def ask_and_run(app: PhoneTUI, phones: list[Phone]) -> None:
    """Ask for a macro and run it on ``phones``; ``save NAME: steps`` (``save!``) saves one instead."""
    title = f"Macro for {plural(len(phones), 'phone')}: steps, a saved name, or 'save NAME: steps'"

    def run(steps: list[Step]) -> None:
        problems = sorted({line for phone in phones for line in unsupported(phone, steps)})
        if problems:
            app.notify("Not on every model (sent anyway): " + "; ".join(problems[:3]), severity="warning")
        app.main.run_worker(run_on(app, phones, steps), group="macro", exit_on_error=False)

    ask_macro(app, title, run)


def ask_and_save(app: PhoneTUI, name: str, steps: str, force: bool = False) -> None:
    """Save ``steps`` as ``name``; a name already saved is replaced only when the user says so (or ``force``)."""
    try:
        taken = macro_exists(app.config, name)
    except ConfigError:
        taken = False  # the save says why the file cannot be read
    if not taken or force:
        _save(app, name, steps)
        return
    question = f"Replace the saved macro {printable(name, 40)!r}?"
    detail = f"New steps: {printable(steps, 200)}\n(save! NAME: steps replaces without asking)"
    app.push_screen(
        ConfirmModal(question, detail, yes="Replace", no="Keep it"),
        lambda yes: _save(app, name, steps) if yes else None,
    )


def _save(app: PhoneTUI, name: str, steps: str) -> None:
    try:
        path = save_macro(app.config, name, steps)
    except (ValueError, MacroError, ConfigError, OSError) as exc:
        # "save a:b: Key:Settings" gives the name "a" and the steps "b: Key:Settings": say why.
        why = " (the name is what comes before the first ':', and holds no ':')" if isinstance(exc, MacroError) else ""
        app.notify(f"Macro not saved: {exc}{why}", severity="warning", markup=False)
        return
    app.notify(f"Macro {printable(name, 40)!r} saved to {path.name}.", markup=False)


async def run_on(app: PhoneTUI, phones: list[Phone], steps: list[Step]) -> None:
    """Run ``steps`` on each phone (MACRO_CONCURRENCY at once); a toast says how it went, the reply log why."""
    slots = asyncio.Semaphore(MACRO_CONCURRENCY)

    async def one(phone: Phone) -> tuple[Phone, PushResult | None]:
        async with slots:
            return phone, await app.shots.run_macro(phone, steps)

    outcomes = await asyncio.gather(*(one(phone) for phone in phones))
    failed = [result for _, result in outcomes if result is not None]
    text = f"Macro: {len(phones) - len(failed)} of {plural(len(phones), 'phone')} ran it"
    if failed:
        stamp = app.clock()
        app.main.query_one("#replies", LineLog).write_lines([app.main.log_line(result, stamp) for result in failed])
        text += f"; failed on {names_phrase([result.phone.name for result in failed])}; see the reply log"
    app.notify(text, severity="warning" if failed else "information", markup=False)
