"""``phonetui trust``: show what certificate each phone presents now, and accept it (like a known_hosts edit).

Each phone's line names its SHA-256 fingerprint and how it stands (new, trusted already,
changed); then, unless ``--yes``, one question before the new and changed ones are
recorded in the known-phones file. Compare the fingerprint with the phone's own
(Settings > Security on the phone, or its web page) before saying yes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from ..known_phones import KnownPhones, KnownPhonesError
from ..printable import fit, printable
from ..trust import Seen, accept, look_all, octet_lines, unreachable_phrase
from ..wording import plural
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config
from .push import select_phones


def row(seen: Seen) -> str:
    """The phone's line, then its fingerprint (and the one trusted before, if it changed) on lines of their own,
    16 octets a line: 80 columns never wrap one mid-octet, and two fingerprints compare line by line."""
    head = f"{fit(printable(seen.phone.name), 16)}  {fit(printable(seen.phone.address), 21)}  {seen.standing_words()}"
    lines = [head.rstrip()]
    for label, value in (
        ("SHA-256", seen.fingerprint),
        ("trusted", seen.trusted if seen.standing == "changed" else ""),
    ):
        if value:
            lines += [f"    {label if n == 0 else '':<8} {line}" for n, line in enumerate(octet_lines(value))]
    return "\n".join(lines)


def _confirmed(count: int) -> bool:
    """The person's yes; no answer to read (not a terminal) is a no, with how to say yes."""
    if not sys.stdin.isatty():
        them = "it" if count == 1 else "them"
        raise UsageError(f"{plural(count, 'certificate')} to accept: give --yes to record {them} without asking")
    try:
        answer = input(f"Trust {plural(count, 'certificate')} from now on? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def trust_command(args: argparse.Namespace) -> int:
    """``phonetui trust``: exit 0 when every chosen phone's certificate is trusted at the end, else 1."""
    config = read_config(args)
    phones = select_phones(config, args.phone, args.tag, args.all)
    known = KnownPhones()

    async def gather() -> list[Seen]:
        return [seen async for seen in look_all(phones, known)]

    seen_all = asyncio.run(gather())
    for seen in seen_all:
        print(json.dumps(_as_json(seen), ensure_ascii=False) if args.json else row(seen), flush=True)
    for warning in known.warnings:
        print(f"phonetui: warning: {warning}", file=sys.stderr)
    todo = [seen for seen in seen_all if seen.to_record]
    unreachable = unreachable_phrase(seen_all)
    if todo and (args.yes or _confirmed(len(todo))):
        if not _record(known, todo):
            return EXIT_FAILED
        print(f"phonetui: {plural(len(todo), 'certificate')} recorded in {known.path}", file=sys.stderr)
    elif todo:
        print("phonetui: nothing recorded", file=sys.stderr)
        return EXIT_FAILED
    if unreachable:
        print(f"phonetui: not trusted: {unreachable}", file=sys.stderr)
    return EXIT_FAILED if unreachable else EXIT_OK


def _record(known: KnownPhones, todo: list[Seen]) -> bool:
    """Accept each, warning of a phone that moved; one line (and False) when the file cannot be written."""
    try:
        for seen in todo:
            moved = accept(known, seen)
            if moved:
                print(f"phonetui: warning: {printable(moved, 300)}", file=sys.stderr)
    except KnownPhonesError as exc:
        print(f"phonetui: cannot record the certificate in {known.path}: {exc}; nothing was recorded", file=sys.stderr)
        return False
    return True


def _as_json(seen: Seen) -> dict[str, str]:
    return {
        "phone": seen.phone.name,
        "host": seen.phone.address,
        "standing": seen.standing,
        "fingerprint": seen.fingerprint,
        "trusted": seen.trusted,
        "detail": seen.detail,
    }
