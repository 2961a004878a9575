"""``phonetui push``: choose phones, build the object, push it, and print each phone's answer."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import json
import signal
import sys
from pathlib import Path
from typing import Any

from ..cisco import (
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    CiscoObject,
    ExecuteItem,
    ObjectError,
    encode,
    errors,
    parse_object,
    validate,
)
from ..config import MODES, Config, Mode, Phone, missing_credentials
from ..history import Journal
from ..object_host import ServiceObjectHost
from ..output import plan_lines, summary, table_header, table_row
from ..paths import default_history_path
from ..push import Delivery, Pusher, PushResult
from ..tailor import Tailor
from .ack import push_with_acks
from .ack_options import ack_options, dry_run_tailor
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config, run_to_exit


def select_phones(config: Config, names: list[str], tags: list[str], everyone: bool) -> list[Phone]:
    """The phones named, tagged, or all of them, in config order; UsageError if none or unknown."""
    if not (names or tags or everyone):
        raise UsageError("choose phones with --phone NAME, --tag TAG or --all")
    known = {p.name for p in config.phones}
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            raise UsageError(
                f"no phone named {name!r} in {config.path}" + (f"; did you mean {close[0]!r}?" if close else "")
            )
    for tag in tags:
        if tag not in config.tags():
            raise UsageError(f"no phone has tag {tag!r} in {config.path} (tags: {', '.join(config.tags()) or 'none'})")
    chosen = [p for p in config.phones if everyone or p.name in names or set(tags) & set(p.tags)]
    if not chosen:
        raise UsageError(f"{config.path} lists no phones")
    return chosen


def chosen_credentials(
    config: Config, phones: list[Phone], args: argparse.Namespace, check: bool = True
) -> tuple[str, str] | None:
    """The push user ``--username`` / ``--password`` give (the other from ``[defaults]``), or None: each phone's own.

    ``check``: a ConfigError naming every chosen phone left with no user or password. Shared
    by ``push``, ``screenshot`` and ``keys``, so the three take credentials the same way.
    """
    missing = missing_credentials(config, phones, args.username, args.password)
    if missing is not None and check:
        raise missing
    if args.username is None and args.password is None:
        return None
    defaults = config.defaults
    return (
        args.username if args.username is not None else defaults.username,
        args.password if args.password is not None else defaults.password,
    )


def build_object(args: argparse.Namespace, config: Config) -> CiscoObject:
    """The object the flags describe; UsageError listing every problem."""
    given = (args.text is not None, bool(args.execute), args.xml is not None, args.template is not None)
    if sum(given) != 1:
        raise UsageError("give exactly one object: --text, --execute (up to 3), --xml FILE or --template NAME")
    obj: CiscoObject
    prefix = ""
    if args.template is not None:
        template = config.template(args.template)
        if template is None:
            names = [t.name for t in config.templates]
            close = difflib.get_close_matches(args.template, sorted(names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (templates: {', '.join(names) or 'none'})"
            where = f"{config.path} or {config.templates_file}"
            raise UsageError(f"no template named {args.template!r} in {where}{hint}")
        obj = template.to_object()
        prefix = f"{template.where}: template {template.name!r}: "
    elif args.xml is not None:
        try:
            data = Path(args.xml).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {args.xml}: {exc.strerror}") from None
        try:
            obj = parse_object(data)
        except ObjectError as exc:
            raise UsageError(f"{args.xml}: " + "; ".join(str(p) for p in exc.problems)) from None
    elif args.execute:
        items = []
        for value in args.execute:
            url, _, priority = value.rpartition("@")
            if url and priority.isdigit():
                items.append(ExecuteItem(url, int(priority)))
            else:
                items.append(ExecuteItem(value, 0))
        obj = CiscoIPPhoneExecute(items)
    else:
        obj = CiscoIPPhoneText(args.title, args.prompt, args.text.replace("\\n", "\n"))
    problems = validate(obj)
    for warning in [p for p in problems if p.severity == "warning"]:
        print(f"phonetui: {prefix}{warning}", file=sys.stderr)
    if errors(problems):
        raise UsageError(prefix + "; ".join(str(p) for p in errors(problems)))
    return obj


def _print_dry_run(obj: CiscoObject, deliveries: list[Delivery]) -> int:
    for charset in dict.fromkeys(d.phone.charset for d in deliveries):
        phones = [d for d in deliveries if d.phone.charset == charset]
        try:
            data = encode(obj, charset)
        except Exception as exc:  # an unknown charset from a config built in code, say
            print(f"# {charset}: cannot encode: {exc}")
            continue
        print(f"# {charset.upper()}, {len(data)} bytes, for {len(phones)} phone{'s' * (len(phones) != 1)}")
        print(data.decode(charset))
    print()
    print("\n".join(plan_lines(deliveries)))
    return EXIT_FAILED if any(d.route == "refused" for d in deliveries) else EXIT_OK


def dry_run_json(obj: CiscoObject, deliveries: list[Delivery]) -> dict[str, Any]:
    """The plan as one JSON object: the object's root, its bytes in each charset, each phone's route."""
    encodings: list[dict[str, Any]] = []
    for charset in dict.fromkeys(d.phone.charset for d in deliveries):
        try:
            data = encode(obj, charset)
        except Exception as exc:
            encodings.append({"charset": charset, "bytes": None, "xml": None, "error": str(exc)})
            continue
        encodings.append({"charset": charset, "bytes": len(data), "xml": data.decode(charset)})
    phones = [
        {"phone": d.phone.name, "host": d.phone.address, "route": d.route, "reason": d.reason} for d in deliveries
    ]
    return {"object": obj.root, "encodings": encodings, "phones": phones}


def push_command(args: argparse.Namespace) -> int:
    """``phonetui push``."""
    return push_config(read_config(args), args)


def push_config(config: Config, args: argparse.Namespace) -> int:
    """``push`` on a config already read (from its file, or built in code)."""
    phones = select_phones(config, args.phone, args.tag, args.all)
    obj = build_object(args, config)
    ack = ack_options(args, config, obj)
    credentials = chosen_credentials(config, phones, args, check=not args.dry_run)
    defaults = config.defaults
    if args.timeout is not None:
        defaults.timeout = args.timeout
    if args.concurrency is not None:
        defaults.concurrency = args.concurrency
    mode: Mode = next((m for m in MODES if m == args.mode), defaults.mode)
    host = ServiceObjectHost(config.service) if config.service else None
    journal = None if args.no_history or args.dry_run else Journal(args.history or default_history_path())
    if ack is not None and not args.dry_run:
        assert host is not None, "ack_options() needs [service]"
        alert = push_with_acks(obj, phones, mode, credentials, host, journal, args.json, defaults, ack)
        return run_to_exit(alert)
    tailor = None
    if ack is not None and config.service is not None:
        tailor = dry_run_tailor(phones, ack, config.service.public_url)
    return run_to_exit(push_and_print(obj, phones, mode, credentials, host, journal, args, defaults, tailor))


class _JournalWarning:
    """Says once, on stderr, that the journal could not be written; the push goes on."""

    def __init__(self, journal: Journal | None) -> None:
        self.journal = journal
        self.said = False

    def check(self) -> None:
        if self.journal is not None and self.journal.problem and not self.said:
            self.said = True
            print(f"phonetui: warning: {self.journal.problem}", file=sys.stderr, flush=True)


async def push_and_print(
    obj: CiscoObject,
    phones: list[Phone],
    mode: Mode,
    credentials: tuple[str, str] | None,
    host: ServiceObjectHost | None,
    journal: Journal | None,
    args: argparse.Namespace,
    defaults: Any,
    tailor: Tailor | None = None,
    label: dict[str, Any] | None = None,
) -> int:
    """Push and print each phone's row as it comes; also ``clear``'s (with its tailor and journal label)."""
    results: list[PushResult] = []
    warning = _JournalWarning(journal)
    async with Pusher(defaults, host=host, journal=journal) as pusher:
        run = pusher.push(obj, phones, mode, credentials, tailor, label)
        if args.dry_run:
            if args.json:
                print(json.dumps(dry_run_json(obj, run.deliveries), ensure_ascii=False, indent=2))
                return EXIT_FAILED if any(d.route == "refused" for d in run.deliveries) else EXIT_OK
            return _print_dry_run(obj, run.deliveries)
        loop = asyncio.get_running_loop()
        # Ctrl-C is the user cancelling; SIGTERM and a hang-up stop the push from outside
        loop.add_signal_handler(signal.SIGINT, run.cancel)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, run.cancel, True)
        if not args.json:
            print(table_header(), flush=True)
        try:
            async with contextlib.aclosing(aiter(run)) as arriving:
                async for result in arriving:
                    results.append(result)
                    line = json.dumps(result.as_json(), ensure_ascii=False) if args.json else table_row(result)
                    print(line, flush=True)
                    warning.check()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            if host:
                await host.aclose()
            if journal is not None:
                journal.close()
            warning.check()
    print(summary(results), file=sys.stderr)
    return EXIT_OK if all(r.outcome.succeeded for r in results) else EXIT_FAILED
