"""``phonetui clear``: take the last alert (or a message on the phones named) off the screens."""

from __future__ import annotations

import argparse
import sys

from ..alert_journal import AlertSent, alert_for
from ..cisco import errors, validate
from ..cisco.clear import replacement_text
from ..clearing import plan_clear
from ..config import Config, Phone, missing_credentials
from ..history import Journal
from ..object_host import ServiceObjectHost
from ..paths import default_history_path
from ..printable import printable
from .common import EXIT_FAILED, UsageError, read_config, run_to_exit
from .push import PushJobSpec, push_and_print, select_phones

NO_ALERT_HINT = "name the phones to clear with --phone NAME, --tag TAG or --all"


def clear_command(args: argparse.Namespace) -> int:
    """``phonetui clear``."""
    return clear_config(read_config(args), args)


def _say(text: str) -> None:
    print(f"phonetui: {text}", file=sys.stderr, flush=True)


def _alert_phones(config: Config, journal: Journal) -> tuple[list[Phone], str] | None:
    """The phones of this config the newest alert sent to them reached, at the same addresses, and
    its id; None after saying why not (another fleet's alert with the same names is not cleared)."""
    found = alert_for(journal.pushes(), config.phones)
    if found is None:
        _say(f"no alert in the history ({printable(journal.path)}): nothing to clear; {NO_ALERT_HINT}")
        return None
    if isinstance(found, AlertSent):
        what = printable(found.describe(other=True), 200)
        _say(f"no alert was sent to the phones of {printable(config.path)}: the newest, {what}; {NO_ALERT_HINT}")
        return None
    what = printable(found.alert.describe(), 200)
    for phone in found.moved:
        name, now = printable(phone.name, 80), printable(phone.address, 80)
        _say(f"warning: {name} is at {now}, the alert went to {printable(found.alert.hosts[phone.name], 80)}: skipped")
    if not found.phones:
        _say(f"{what}, but no phone took it: nothing to clear; {NO_ALERT_HINT}")
        return None
    _say(f"clearing {what}{printable(found.passed_phrase(), 200)}")
    return found.phones, found.alert.alert_id


def clear_config(config: Config, args: argparse.Namespace) -> int:
    """``clear`` on a config already read."""
    journal = Journal(args.history or default_history_path())
    alert_id: str | None = None
    if args.phone or args.tag or args.all:
        phones = select_phones(config, args.phone, args.tag, args.all)
    else:
        found = _alert_phones(config, journal)
        if found is None:
            return EXIT_FAILED
        phones, alert_id = found
    if args.with_text is not None:
        problems = errors(validate(replacement_text(args.with_text.replace("\\n", "\n"))))
        if problems:
            raise UsageError("--with-text: " + "; ".join(str(p) for p in problems))
    missing = missing_credentials(config, phones, None, None)
    if missing is not None:
        raise missing
    with_text = None if args.with_text is None else args.with_text.replace("\\n", "\n")
    plan = plan_clear(phones, alert_id, with_text)
    _say(f"sending {plan.methods_text()}")
    host = ServiceObjectHost(config.service) if config.service else None
    mode = config.defaults.mode
    job = PushJobSpec(plan.obj, phones, mode, None, plan.tailor, plan.label, None)
    coroutine = push_and_print(job, host, journal, args, config.defaults)
    return run_to_exit(coroutine)
