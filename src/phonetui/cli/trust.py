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

from ..known_phones import KnownPhones
from ..printable import fit, printable
from ..trust import Seen, accept, look_all
from ..wording import plural
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config
from .push import select_phones


def row(seen: Seen) -> str:
    return f"{fit(printable(seen.phone.name), 16)}  {fit(printable(seen.phone.address), 21)}  {seen.describe()}"


def _confirmed(count: int) -> bool:
    """The person's yes; no answer to read (not a terminal) is a no, with how to say yes."""
    if not sys.stdin.isatty():
        raise UsageError(f"{plural(count, 'certificate')} to accept: give --yes to record them without asking")
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
    todo = [seen for seen in seen_all if seen.to_record]
    if todo and (args.yes or _confirmed(len(todo))):
        for seen in todo:
            accept(known, seen)
        print(f"phonetui: {plural(len(todo), 'certificate')} recorded in {known.path}", file=sys.stderr)
    elif todo:
        print("phonetui: nothing recorded", file=sys.stderr)
        return EXIT_FAILED
    unreachable = sum(1 for seen in seen_all if seen.standing == "unreachable")
    return EXIT_FAILED if unreachable else EXIT_OK


def _as_json(seen: Seen) -> dict[str, str]:
    return {
        "phone": seen.phone.name,
        "host": seen.phone.address,
        "standing": seen.standing,
        "fingerprint": seen.fingerprint,
        "trusted": seen.trusted,
        "detail": seen.detail,
    }
