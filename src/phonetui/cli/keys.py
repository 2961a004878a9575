"""``phonetui keys``: press a phone's keys from the command line, a macro on many phones at once.

Each press is a ``CiscoIPPhoneExecute`` holding one ``Key:`` URI, pushed direct; each phone
runs the steps in order on its own (the pauses too), and the first press it fails stops it.
One line per phone when it is done (``--json``: one object, with the failed step's result).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from ..cisco import Outcome
from ..cisco.macro import MacroError, Pause, Press, Step, key_object, parse_macro
from ..cisco.screens import key_problem
from ..config import Phone
from ..config.macros import load_macros, unknown_macro
from ..output import outcome_summary
from ..printable import fit, printable
from ..push import Pusher, PushResult
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config, run_to_exit
from .first_contacts import FirstContacts
from .push import chosen_credentials, select_phones


def macro_steps(args: argparse.Namespace, config: Any) -> list[Step]:
    """The steps ``--macro`` or ``--name`` give; UsageError naming every wrong step, a line each."""
    if (args.macro is None) == (args.name is None):
        raise UsageError("give exactly one of --macro TEXT or --name SAVED")
    text = args.macro
    if args.name is not None:
        macros, problems = load_macros(config)
        if args.name not in macros:
            raise UsageError(unknown_macro(config, args.name, macros, problems))
        text = macros[args.name]
    try:
        return parse_macro(text)
    except MacroError as exc:
        raise UsageError("\n".join(f"macro: {line}" for line in exc.lines())) from None


async def _one(
    pusher: Pusher, phone: Phone, steps: list[Step], credentials: tuple[str, str] | None = None
) -> tuple[Phone, int, PushResult | None]:
    """Run ``steps`` on ``phone``: how many presses went, and the failed one's result (or None)."""
    pressed = 0
    for step in steps:
        if isinstance(step, Pause):
            await asyncio.sleep(step.ms / 1000)
        elif isinstance(step, Press):
            results = [r async for r in pusher.push(key_object(step.uri), [phone], "direct", credentials)]
            if not results or results[-1].outcome is not Outcome.OK:
                return phone, pressed, results[-1] if results else None
            pressed += 1
    return phone, pressed, None


def _say(phone: Phone, pressed: int, presses: int, result: PushResult | None, as_json: bool) -> str:
    """Print one phone's line (or JSON object) when its steps are done; its outcome."""
    outcome = "ok" if result is None else str(result.outcome)
    detail = "" if result is None else printable(result.detail)
    if result is not None and result.hint:  # as push and screenshot print it
        detail += f" (hint: {printable(result.hint)})"
    if as_json:
        line: dict[str, Any] = {"phone": phone.name, "outcome": outcome, "pressed": pressed, "of": presses}
        if result is not None:
            line["result"] = result.as_json()
        print(json.dumps(line, ensure_ascii=False), flush=True)
    else:
        count = fit(f"{pressed}/{presses}", 7)
        print(f"{fit(phone.name, 16)}  {fit(outcome, 12)}  {count}  {detail}".rstrip(), flush=True)
    return outcome


def keys_command(args: argparse.Namespace) -> int:
    """Exit 0 when every phone ran every step, 1 when one did not, 2 for usage or config errors."""
    config = read_config(args)
    phones = select_phones(config, args.phone, args.tag, args.all)
    steps = macro_steps(args, config)
    credentials = chosen_credentials(config, phones, args)
    presses = sum(1 for step in steps if isinstance(step, Press))
    for phone in phones:
        for step in steps:
            if isinstance(step, Press) and (problem := key_problem(phone.model, step.uri)):
                print(f"phonetui: warning: {phone.name}: {step.uri}: {problem}", file=sys.stderr)

    async def run() -> int:
        outcomes: list[str] = []
        if not args.json:
            print(f"{fit('PHONE', 16)}  {fit('OUTCOME', 12)}  {fit('PRESSED', 7)}  DETAIL", flush=True)
        pinned = FirstContacts()
        try:
            async with Pusher(config.defaults) as pusher:
                for done in asyncio.as_completed([_one(pusher, phone, steps, credentials) for phone in phones]):
                    phone, pressed, result = await done
                    outcomes.append(_say(phone, pressed, presses, result, args.json))
        finally:
            pinned.close()
        print(outcome_summary(outcomes), file=sys.stderr)  # as push ends
        return EXIT_OK if outcomes.count("ok") == len(outcomes) else EXIT_FAILED

    return run_to_exit(run())
