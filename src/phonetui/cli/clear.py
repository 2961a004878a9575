"""``phonetui clear``: take the last alert (or a message on the phones named) off the screens."""

from __future__ import annotations

import argparse
import sys

from ..alert_journal import last_alert_in
from ..cisco import errors, validate
from ..cisco.clear import replacement_text
from ..clearing import plan_clear
from ..config import Config, Phone, missing_credentials
from ..history import Journal
from ..object_host import ServiceObjectHost
from ..paths import default_history_path
from ..printable import printable
from ..wording import names_phrase, plural
from .common import EXIT_FAILED, UsageError, read_config, run_to_exit
from .push import PushJobSpec, push_and_print, select_phones

NO_ALERT_HINT = "name the phones to clear with --phone NAME, --tag TAG or --all"


def clear_command(args: argparse.Namespace) -> int:
    """``phonetui clear``."""
    return clear_config(read_config(args), args)


def _say(text: str) -> None:
    print(f"phonetui: {text}", file=sys.stderr, flush=True)


def _alert_phones(config: Config, journal: Journal) -> tuple[list[Phone], str] | None:
    """The phones the last alert reached (those still in the config) and its id; None after saying why not."""
    alert = last_alert_in(journal)
    if alert is None:
        _say(f"no alert in the history ({printable(journal.path)}): nothing to clear; {NO_ALERT_HINT}")
        return None
    known = {phone.name: phone for phone in config.phones}
    phones = [known[name] for name in alert.phones if name in known]
    gone = [name for name in alert.phones if name not in known]
    what = printable(alert.describe(), 200)
    if not alert.phones:
        _say(f"{what}, but no phone took it: nothing to clear; {NO_ALERT_HINT}")
        return None
    if gone:
        _say(f"warning: {names_phrase(gone)} of that alert no longer in {config.path}: skipped")
    if not phones:
        _say(f"{what}, but none of its phones is in {config.path} now; {NO_ALERT_HINT}")
        return None
    _say(f"clearing {what}" + (f" ({plural(len(phones), 'phone')} still in the config)" if gone else ""))
    return phones, alert.alert_id


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
