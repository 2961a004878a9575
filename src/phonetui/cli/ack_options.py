"""``push --ack``'s options: what they mean together, and the usage errors when they do not fit."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, replace
from typing import Any

from ..cisco import (
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    CiscoObject,
    ExecuteItem,
    character_problems,
    errors,
    limits,
    validate,
)
from ..config import Config, Phone
from ..tailor import AckKey, Tailor
from ..wording import names_phrase
from .common import UsageError

#: How long ``--ack`` waits unless told (seconds).
DEFAULT_WAIT = 60.0
#: An alert still takes acknowledgements this long after the wait (a late press is still thanked).
GRACE = 60.0
_NEEDS_ACK = ("ack_wait", "ack_name", "ack_replace_exit", "ack_reply", "repeat", "max", "repeat_failed", "beep")


@dataclass(frozen=True)
class AckOptions:
    """How a push with acknowledgements runs."""

    wait: float = DEFAULT_WAIT
    name: str = "Ack"
    replace_exit: bool = False
    reply: str = "Thank you"
    #: Seconds between rounds; None: no repeats.
    repeat: float | None = None
    #: Repeats after the first round; None: as many as fit in the wait.
    max_repeats: int | None = None
    repeat_failed: bool = False
    #: On repeats, an Execute that plays this after the Text.
    beep: CiscoIPPhoneExecute | None = None
    #: The push's own copies (its variables), which each round's Ack key is added to.
    base: Tailor = field(default_factory=Tailor)
    #: More for each round's journal record (the push's own variables).
    label: dict[str, Any] | None = None

    @property
    def lifetime(self) -> float:
        """How long the alert's tokens are good: the wait and a grace."""
        return self.wait + GRACE

    def repeats(self) -> int:
        """How many repeat rounds there can be."""
        if self.repeat is None:
            return 0
        fit = int(self.wait // self.repeat)
        if fit * self.repeat >= self.wait:
            fit -= 1  # a round at the very end of the wait would get no time
        return fit if self.max_repeats is None else min(fit, self.max_repeats)


def ack_name_problem(name: str) -> str:
    """Why an Ack key's name cannot be a softkey's (too long), or "": said before the push, not per phone."""
    if len(name) > limits.SOFTKEY_NAME_MAX:
        return f"is {len(name)} characters; the limit for a softkey's name is {limits.SOFTKEY_NAME_MAX}"
    return ""


def reply_charset_problem(reply: str, phones: list[Phone]) -> str:
    """Why some phones' charset cannot carry the reply, or "": the service would answer them "Thank you"
    instead, so the sender is told before anything is sent, as for a Text the charset cannot carry."""
    for charset in dict.fromkeys(p.charset for p in phones):
        problems = character_problems(CiscoIPPhoneText("Acknowledged", "", reply), charset)
        if problems:
            names = [p.name for p in phones if p.charset == charset]
            what = str(problems[0]).removeprefix("Text: ")
            return f"{what}, the charset of {names_phrase(names)}"
    return ""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def ack_options(args: argparse.Namespace, config: Config, obj: CiscoObject, phones: list[Phone]) -> AckOptions | None:
    """The options, or None without ``--ack``; UsageError for a combination that cannot work, or a
    reply that ``phones`` (the targets) cannot be sent."""
    if not getattr(args, "ack", False):
        given = [_flag(n) for n in _NEEDS_ACK if getattr(args, n, None) not in (None, False)]
        if given:
            raise UsageError(f"{given[0]} needs --ack")
        return None
    if not isinstance(obj, CiscoIPPhoneText):
        raise UsageError("--ack needs a Text (--text, or a Text from --xml or --template): an Execute has no keys")
    if config.service is None:
        raise UsageError(
            f"--ack needs a [service] table in {config.path}: phones fetch the Ack key's URL from the service"
        )
    for needs_repeat in ("max", "repeat_failed", "beep"):
        if getattr(args, needs_repeat) not in (None, False) and args.repeat is None:
            raise UsageError(f"{_flag(needs_repeat)} needs --repeat SECONDS")
    wait = args.ack_wait
    if wait is None:
        wait = args.repeat * (args.max + 1) if args.repeat is not None and args.max is not None else DEFAULT_WAIT
    if args.repeat is not None and args.repeat >= wait:
        raise UsageError(f"--repeat {args.repeat:g} leaves no time for a repeat within --ack-wait {wait:g}")
    if args.repeat is not None and args.max is not None and args.repeat * args.max >= wait:
        raise UsageError(f"--max {args.max} repeats every {args.repeat:g} s do not fit in --ack-wait {wait:g}")
    if args.ack_name is not None and not args.ack_name.strip():
        raise UsageError("--ack-name must not be empty")
    if args.ack_name is not None and ack_name_problem(args.ack_name):
        raise UsageError(f"--ack-name {ack_name_problem(args.ack_name)}")
    if args.ack_reply is not None:
        problems = errors(validate(CiscoIPPhoneText("Acknowledged", "", args.ack_reply), "utf-8"))
        if problems or not args.ack_reply.strip():
            raise UsageError("--ack-reply: " + (str(problems[0]) if problems else "must not be empty"))
    reply = args.ack_reply or config.service.ack_reply
    charset_problem = reply_charset_problem(reply, phones)
    if charset_problem:
        source = "--ack-reply" if args.ack_reply else f"{config.path}: [service] ack_reply"
        raise UsageError(f"{source}: {charset_problem}; give a reply they can show")
    beep = None
    if args.beep is not None:
        beep = CiscoIPPhoneExecute([ExecuteItem(f"Play:{args.beep}")])
        problems = errors(validate(beep))
        if problems or not args.beep.strip():
            raise UsageError(f"--beep {args.beep!r}: " + ("; ".join(str(p) for p in problems) or "give a tone file"))
    return AckOptions(
        wait=wait,
        name=args.ack_name or "Ack",
        replace_exit=args.ack_replace_exit,
        reply=reply,
        repeat=args.repeat,
        max_repeats=args.max,
        repeat_failed=args.repeat_failed,
        beep=beep,
    )


def dry_run_tailor(phones: list[Phone], options: AckOptions, service_url: str) -> Tailor:
    """Each phone's copy as ``--dry-run`` plans it: an Ack key with stand-in tokens of the real length."""
    tokens = {p.name: "x" * 22 for p in phones}
    return replace(options.base, ack=AckKey(service_url, "x" * 16, tokens, options.name, options.replace_exit))
