"""``phonetui history``: the recent pushes in a table, or one push's (one alert's) results exported."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from ..alert_journal import alert_of, clock_time, kind_of, number, round_of
from ..export import AmbiguousId, Format, render, rows_for, write_new
from ..history import Journal, PushRecord
from ..paths import default_history_path
from ..printable import fit, printable
from .common import EXIT_FAILED, EXIT_OK, UsageError

COLUMNS = (("TIME", 16), ("PUSH", 12), ("KIND", 8), ("PHONES", 6))


def history_command(args: argparse.Namespace) -> int:
    """``phonetui history``; the config is not read: the journal is all it needs."""
    journal = Journal(args.history or default_history_path())
    if args.export is None:
        if args.push or args.alert or args.last_push or args.out or args.force:
            raise UsageError("--push, --alert, --last-push, --out and --force go with --export csv|json")
        return _list(journal, args.last)
    return _export(journal, args)


def _outcomes(record: PushRecord) -> str:
    counts = Counter(printable(r.get("outcome"), 20) for r in record.results)
    return ", ".join(f"{count} {outcome}" for outcome, count in counts.most_common()) or "no result"


def list_line(record: PushRecord) -> str:
    """``2026-11-30 10:31  1a2b3c4d5e6f  alert r2  40  38 ok, 2 timeout  alert a1b2``."""
    kind = kind_of(record)
    if kind == "alert" and round_of(record) is not None:
        kind = f"alert r{round_of(record)}"
    targets = record.start.get("targets")
    phones = str(len(targets) if isinstance(targets, list) else len(record.results))
    stamp = clock_time(number(record.start.get("time")), now=0)  # always the date: a list spans days
    values = (stamp, record.push_id, kind, phones)
    cells = [fit(value, width) for value, (_, width) in zip(values, COLUMNS, strict=True)]
    tail = _outcomes(record) + ("" if record.ended else " (interrupted)")
    alert = alert_of(record) or (record.start.get("clear") if kind == "clear" else None)
    if alert:
        tail += f"  {'clears ' if kind == 'clear' else ''}alert {printable(alert, 40)}"
    return "  ".join([*cells, printable(tail)])


def _list(journal: Journal, last: int) -> int:
    pushes = journal.pushes()
    if not pushes:
        print(f"phonetui: no push in the history ({printable(journal.path)})", file=sys.stderr)
        return EXIT_OK
    header = "  ".join(fit(name, width) for name, width in COLUMNS) + "  OUTCOMES"
    print(header)
    for record in reversed(pushes[-last:]):
        print(list_line(record))
    return EXIT_OK


def _export(journal: Journal, args: argparse.Namespace) -> int:
    chosen = sum(bool(x) for x in (args.push, args.alert, args.last_push))
    if chosen > 1:
        raise UsageError("give one of --push ID, --alert ID or --last-push")
    pushes = journal.pushes()
    if not pushes:
        print(f"phonetui: no push in the history ({printable(journal.path)}): nothing to export", file=sys.stderr)
        return EXIT_FAILED
    try:
        if args.alert:
            rows = rows_for(pushes, journal.records(), alert_id=args.alert)
        else:
            rows = rows_for(pushes, journal.records(), push_id=args.push or pushes[-1].push_id)
    except AmbiguousId as exc:  # the user gave too little of the id: theirs to fix, as a usage error
        raise UsageError(printable(exc.args[0])) from None
    except KeyError as exc:
        print(f"phonetui: {printable(exc.args[0])} ({printable(journal.path)})", file=sys.stderr)
        return EXIT_FAILED
    fmt: Format = "json" if args.export == "json" else "csv"
    text = render(rows, fmt)
    if args.out is None or args.out == "-":
        # A terminal would act on a phone's escape sequences: there they are shown; a pipe gets the data
        sys.stdout.write(printable(text, one_line=False) if sys.stdout.isatty() else text)
        sys.stdout.flush()
        return EXIT_OK
    out = Path(args.out)
    try:
        write_new(out, text, replace=args.force)
    except FileExistsError:
        raise UsageError(f"{args.out} exists: give another --out, or --force to replace it") from None
    except OSError as exc:
        where = printable(exc.filename or args.out)
        print(f"phonetui: cannot write {where}: {exc.strerror or exc}; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    print(f"phonetui: {len(rows)} rows written to {printable(args.out)}", file=sys.stderr)
    return EXIT_OK
