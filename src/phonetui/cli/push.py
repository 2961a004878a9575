"""``phonetui push``: choose phones, build the object, push it, and print each phone's answer."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import json
import signal
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..cisco import (
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    CiscoObject,
    ExecuteItem,
    ObjectError,
    errors,
    parse_object,
    validate,
)
from ..config import MODES, Config, Mode, Phone, Template, missing_credentials
from ..history import Journal
from ..object_host import ServiceObjectHost
from ..output import summary, table_header, table_row
from ..paths import default_history_path
from ..push import Pusher, PushResult
from ..tailor import Tailor, push_values
from ..variables import default_sender, empty_dn_warning, known_names, parse_assignment, unknown_problems
from .ack import push_with_acks
from .ack_options import ack_options, dry_run_tailor
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config, run_to_exit
from .dry_run import dry_run_exit, dry_run_json, print_dry_run
from .first_contacts import FirstContacts


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


def build_object(args: argparse.Namespace, config: Config, tailor: Tailor | None = None) -> CiscoObject:
    """The object the flags describe; UsageError listing every problem.

    With a ``tailor`` its unknown variables are errors, and the limits are checked with the
    push's values filled in (a title of ``{site}`` is as long as the site's name).
    """
    obj, prefix = _object(args, config)
    if tailor is not None:
        check_variables(obj, args, config.template(args.template) if args.template is not None else None)
    problems = validate(tailor.common(obj) if tailor is not None else obj)
    for warning in [p for p in problems if p.severity == "warning"]:
        print(f"phonetui: {prefix}{warning}", file=sys.stderr)
    if errors(problems):
        raise UsageError(prefix + "; ".join(str(p) for p in errors(problems)))
    return obj


def _object(args: argparse.Namespace, config: Config) -> tuple[CiscoObject, str]:
    """The object as the flags give it, and the words that say where it came from."""
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
    return obj, prefix


def own_variables(args: argparse.Namespace, template: Template | None) -> dict[str, str]:
    """The template's own variables, then ``--var`` ones over them; UsageError for a malformed one."""
    values = dict(template.variables) if template is not None else {}
    for text in getattr(args, "var", None) or []:
        try:
            name, value = parse_assignment(text)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        values[name] = value
    return values


def push_tailor(args: argparse.Namespace, config: Config, template: Template | None) -> Tailor:
    """The one place a CLI push's Tailor is built: who sends and when, the template's and ``--var`` values.

    ``{sender}`` is ``--sender``, else ``[defaults] sender``, else the login name.
    """
    sender = getattr(args, "sender", None) or default_sender(config.defaults.sender)
    return Tailor({**push_values(sender), **own_variables(args, template)})


def check_variables(obj: CiscoObject, args: argparse.Namespace, template: Template | None) -> None:
    """UsageError naming each unknown ``{name}``: it would reach the phones as written."""
    known = known_names(own_variables(args, template))
    problems = unknown_problems(obj, known)
    if problems:

        def prefix(field: str) -> str:  # the line of the key that holds the field, as ``check`` says
            return f"{template.where_field(field)}: template {template.name!r}: " if template is not None else ""

        raise UsageError("\n".join(f"{prefix(p.field)}{p}" for p in problems))


def push_command(args: argparse.Namespace) -> int:
    """``phonetui push``."""
    return push_config(read_config(args), args)


def push_config(config: Config, args: argparse.Namespace) -> int:
    """``push`` on a config already read (from its file, or built in code)."""
    phones = select_phones(config, args.phone, args.tag, args.all)
    template = config.template(args.template) if args.template is not None else None
    tailor = push_tailor(args, config, template)
    obj = build_object(args, config, tailor)
    ack = ack_options(args, config, obj, phones)
    show = _shown_phone(args, phones)
    credentials = chosen_credentials(config, phones, args, check=not args.dry_run)
    defaults = config.defaults
    if args.timeout is not None:
        defaults.timeout = args.timeout
    if args.concurrency is not None:
        defaults.concurrency = args.concurrency
    mode: Mode = next((m for m in MODES if m == args.mode), defaults.mode)
    host = ServiceObjectHost(config.service) if config.service else None
    journal = None if args.no_history or args.dry_run else Journal(args.history or default_history_path())
    warning = empty_dn_warning(obj, phones)
    if warning:
        print(f"phonetui: warning: {warning}", file=sys.stderr)
    label = {"vars": own} if (own := own_variables(args, template)) else None
    if ack is not None:
        ack = replace(ack, base=tailor, label=label)
        if not args.dry_run:
            assert host is not None, "ack_options() needs [service]"
            alert = push_with_acks(obj, phones, mode, credentials, host, journal, args.json, defaults, ack)
            return run_to_exit(alert)
        assert config.service is not None, "ack_options() needs [service]"
        tailor = dry_run_tailor(phones, ack, config.service.public_url)
    job = PushJobSpec(obj, phones, mode, credentials, tailor, label, show)
    return run_to_exit(push_and_print(job, host, journal, args, defaults))


def _shown_phone(args: argparse.Namespace, phones: list[Phone]) -> Phone | None:
    """The phone ``--show`` names, among those chosen; UsageError otherwise."""
    name = getattr(args, "show", None)
    if name is None:
        return None
    if not args.dry_run:
        raise UsageError("--show PHONE goes with --dry-run: it prints the copy that phone would get")
    found = next((p for p in phones if p.name == name), None)
    if found is None:
        names = [p.name for p in phones]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"--show {name!r}: not among the phones chosen ({len(names)}){hint}")
    return found


@dataclass(frozen=True)
class PushJobSpec:
    """What a CLI push sends, to whom and how: everything but the connections and the journal."""

    obj: CiscoObject
    phones: list[Phone]
    mode: Mode
    credentials: tuple[str, str] | None
    tailor: Tailor | None
    label: dict[str, Any] | None
    show: Phone | None


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
    job: PushJobSpec, host: ServiceObjectHost | None, journal: Journal | None, args: argparse.Namespace, defaults: Any
) -> int:
    """Push and print each phone's row as it comes; also ``clear``'s (with its tailor and journal label)."""
    results: list[PushResult] = []
    warning = _JournalWarning(journal)
    pinned = FirstContacts()
    async with Pusher(defaults, host=host, journal=journal) as pusher:
        run = pusher.push(job.obj, job.phones, job.mode, job.credentials, job.tailor, job.label)
        if args.dry_run:
            show = next((d for d in run.deliveries if d.phone is job.show), None)
            if args.json:
                plan = dry_run_json(job.obj, run.deliveries, job.tailor, show)
                print(json.dumps(plan, ensure_ascii=False, indent=2))
                return dry_run_exit(run.deliveries)
            return print_dry_run(job.obj, run.deliveries, job.tailor, show)
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
    pinned.close()
    print(summary(results), file=sys.stderr)
    return EXIT_OK if all(r.outcome.succeeded for r in results) else EXIT_FAILED
