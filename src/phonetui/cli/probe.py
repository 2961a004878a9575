"""``phonetui probe``: ask each phone's information page who it is, and say which phones are up."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from ..printable import fit, printable
from ..probe import DEFAULT_CONCURRENCY, DEFAULT_DEADLINE, ProbeResult, probe
from ..wording import plural
from .common import EXIT_FAILED, EXIT_OK, read_config, run_to_exit
from .first_contacts import FirstContacts
from .push import select_phones

COLUMNS = (("PHONE", 16), ("ADDRESS", 21), ("STATE", 11), ("RTT", 7), ("MODEL", 10), ("DEVICE", 15), ("DN", 8))


def header() -> str:
    return "  ".join([*(fit(name, width) for name, width in COLUMNS), "FIRMWARE / DETAIL"]).rstrip()


def row(result: ProbeResult) -> str:
    """One line per phone; a failure's reason and a model that disagrees follow on the same line."""
    info = result.info
    rtt = "-" if result.rtt_ms is None else f"{result.rtt_ms} ms"
    values: tuple[str, ...] = (result.phone.name, result.phone.address, result.state, rtt)
    values += (info.model, info.device, info.dn) if info else ("-", "-", "-")
    last = info.firmware if info else result.detail
    if result.model_note:
        last = f"{last}  (model: {result.model_note})"
    if result.hint:  # as push, screenshot and keys print it
        last = f"{last} (hint: {result.hint})"
    cells = [fit(value, width) for value, (_, width) in zip(values, COLUMNS, strict=True)]
    return "  ".join([*cells, printable(last)]).rstrip()


def summary(results: list[ProbeResult]) -> str:
    counts = Counter(result.state for result in results)
    online = counts.pop("online", 0)
    text = f"{plural(len(results), 'phone')}: {online} online"
    if counts:
        text += ", " + ", ".join(f"{n} {state}" for state, n in counts.most_common())
    flagged = sum(1 for result in results if result.model_disagrees)
    if flagged:
        text += f"; {plural(flagged, 'model')} not as configured"
    return text


def probe_command(args: argparse.Namespace) -> int:
    """``phonetui probe``: exit 0 when every phone chosen is online, 1 otherwise."""
    config = read_config(args)
    phones = select_phones(config, args.phone, args.tag, args.all)
    concurrency = args.concurrency or DEFAULT_CONCURRENCY
    deadline = args.timeout or DEFAULT_DEADLINE

    async def run() -> int:
        results: list[ProbeResult] = []
        if not args.json:
            print(header(), flush=True)
        pinned = FirstContacts()
        try:
            async for result in probe(phones, concurrency, deadline):
                results.append(result)
                print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else row(result), flush=True)
        finally:
            pinned.close()
        print(summary(results), file=sys.stderr)
        return EXIT_OK if all(result.online for result in results) else EXIT_FAILED

    return run_to_exit(run())
