"""Macros from the app: ask for one (or a saved one's name), warn of keys the models lack, run it on many phones."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..cisco.macro import MacroError, Step, parse_macro
from ..config import ConfigError, Phone
from ..config.macros import load_macros, save_macro
from ..wording import names_phrase, plural
from .screens.pickers import NameModal
from .shots import unsupported

if TYPE_CHECKING:
    from .app import PhoneTUI

#: Phones a macro runs on at once.
MACRO_CONCURRENCY = 32


def resolve(app: PhoneTUI, text: str) -> str:
    """``text`` itself, or the steps of the saved macro it names."""
    try:
        macros, _ = load_macros(app.config)
    except ConfigError:
        return text
    return macros.get(text.strip(), text)


def ask_and_run(app: PhoneTUI, phones: list[Phone]) -> None:
    """Ask for a macro and run it on ``phones``; ``save NAME: steps`` saves one instead."""
    title = f"Macro for {plural(len(phones), 'phone')}: steps, a saved name, or 'save NAME: steps'"

    def chosen(text: str | None) -> None:
        if not text:
            return
        if text.lower().startswith("save ") and ":" in text:
            name, steps = text[5:].split(":", 1)
            _save(app, name.strip(), steps.strip())
            return
        try:
            steps_ = parse_macro(resolve(app, text))
        except MacroError as exc:
            app.notify(f"Macro: {exc}", severity="warning", markup=False)
            return
        problems = sorted({line for phone in phones for line in unsupported(phone, steps_)})
        if problems:
            app.notify("Not on every model (sent anyway): " + "; ".join(problems[:3]), severity="warning")
        app.main.run_worker(run_on(app, phones, steps_), group="macro", exit_on_error=False)

    app.push_screen(NameModal(title, placeholder="Key:Settings, pause 500ms, Key:KeyPad5"), chosen)


def _save(app: PhoneTUI, name: str, steps: str) -> None:
    if not name:
        app.notify("Macro not saved: give it a name (save NAME: steps).", severity="warning")
        return
    try:
        path = save_macro(app.config, name, steps)
    except (MacroError, ConfigError, OSError) as exc:
        app.notify(f"Macro not saved: {exc}", severity="warning", markup=False)
        return
    app.notify(f"Macro {name!r} saved to {path.name}.", markup=False)


async def run_on(app: PhoneTUI, phones: list[Phone], steps: list[Step]) -> None:
    """Run ``steps`` on each phone (MACRO_CONCURRENCY at once); a toast says how it went."""
    slots = asyncio.Semaphore(MACRO_CONCURRENCY)

    async def one(phone: Phone) -> tuple[str, str | None]:
        async with slots:
            failed = await app.shots.run_macro(phone, steps)
            return phone.name, None if failed is None else f"{failed.outcome}"

    outcomes = await asyncio.gather(*(one(phone) for phone in phones))
    failed = [name for name, problem in outcomes if problem]
    text = f"Macro: {len(phones) - len(failed)} of {plural(len(phones), 'phone')} ran it"
    if failed:
        text += f"; failed on {names_phrase(failed)}"
    app.notify(text, severity="warning" if failed else "information", markup=False)
