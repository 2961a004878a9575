"""The command line's grammar: every command, its options, and the checks on their values."""

from __future__ import annotations

import argparse
import math

from .. import __version__
from ..config import MODES
from ..logfile import LEVELS
from ..simphone import HTTPS_PORT


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``phonetui`` command and each of its subcommands."""
    parser = argparse.ArgumentParser(
        prog="phonetui", description="Push Cisco IP Phone XML objects to phones and watch them answer."
    )
    parser.add_argument("--version", action="version", version=f"phonetui {__version__}")
    parser.add_argument("--config", help="config file (else $PHONETUI_CONFIG, else the platform config dir)")
    _log_options(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    push = commands.add_parser("push", help="push an object to phones and print each reply")
    push.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    _targets(push)
    obj = push.add_argument_group("object (a Text, an Execute, or a file)")
    obj.add_argument("--text", help="the body of a CiscoIPPhoneText")
    obj.add_argument("--title", default="", help="the Text's title (32 characters)")
    obj.add_argument("--prompt", default="", help="the Text's prompt (32 characters)")
    obj.add_argument(
        "--execute", action="append", default=[], metavar="URL[@PRIORITY]", help="an ExecuteItem (up to 3)"
    )
    obj.add_argument("--xml", metavar="FILE", help="send this XML object as it is")
    obj.add_argument("--template", metavar="NAME", help="a template saved in the config")
    push.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="a variable's value, {NAME} (repeatable)"
    )
    push.add_argument("--sender", help="{sender} (default: [defaults] sender, else your login name)")
    push.add_argument("--show", metavar="PHONE", help="with --dry-run: print the copy this phone would get")
    push.add_argument("--mode", choices=MODES, help="delivery (default: config, else auto)")
    _credentials(push, "push")
    push.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="seconds each phone has to answer")
    push.add_argument("--concurrency", type=_at_least_one, metavar="N", help="phones pushed at once")
    push.add_argument("--dry-run", action="store_true", help="print the XML and the delivery plan; send nothing")
    push.add_argument(
        "--json", action="store_true", help="one JSON object per phone instead of a table (with --dry-run: the plan)"
    )
    push.add_argument("--history", metavar="FILE", help="journal file (default: the platform state dir)")
    push.add_argument("--no-history", action="store_true", help="do not write the journal")
    _ack_options(push)

    clear = commands.add_parser("clear", help="take the last alert (or a message on the phones named) off the screens")
    clear.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    _targets(clear)
    clear.add_argument("--with-text", metavar="TEXT", help="cover the message with this Text on every phone instead")
    clear.add_argument("--json", action="store_true", help="one JSON object per phone instead of a table")
    clear.add_argument("--history", metavar="FILE", help="journal file (default: the platform state dir)")
    clear.set_defaults(dry_run=False)

    history = commands.add_parser("history", help="recent pushes; --export one push's or alert's results")
    history.add_argument("--config", default=argparse.SUPPRESS, help="config file (not needed: the journal is read)")
    history.add_argument("--history", metavar="FILE", help="journal file (default: the platform state dir)")
    history.add_argument("--last", type=_at_least_one, default=20, metavar="N", help="pushes listed (default 20)")
    history.add_argument("--export", choices=("csv", "json"), help="one row per phone, as CSV or a JSON array")
    history.add_argument("--push", metavar="ID", help="export this push (an id, or the start of one)")
    history.add_argument(
        "--alert", metavar="ID", help="export every round of this alert (an id, or the start of one), a row per phone"
    )
    history.add_argument("--last-push", action="store_true", help="export the newest push (the default)")
    history.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    history.add_argument("--force", action="store_true", help="replace --out FILE when it exists")

    sim = commands.add_parser("simulate", help="run a fleet of simulated phones on loopback")
    sim.add_argument("--count", type=int, default=12, help="how many phones (default 12)")
    sim.add_argument("--write-config", metavar="FILE", help="write a config listing the fleet")
    sim.add_argument("--auth-url", help="phones ask this responder instead of a built-in one")
    sim.add_argument(
        "--auth-ca",
        metavar="FILE",
        help="with an https --auth-url: the phones trust the CA (PEM) that signed its certificate",
    )
    sim.add_argument("--listen", default="127.0.0.1:0", help="built-in responder's address (default: a free port)")
    sim.add_argument("--base", default="127.77.0.0", help="phones get addresses after this one (loopback only)")
    sim.add_argument(
        "--port", type=int, default=0,
        help=f"the phones' shared port (default: a free one; with --https, {HTTPS_PORT}, so pins survive a restart)",
    )  # fmt: skip
    sim.add_argument("--per-port", action="store_true", help="all phones on 127.0.0.1, each on its own port")
    sim.add_argument("--username", default="phonetui", help="push user the responder accepts")
    sim.add_argument("--password", help="push password the responder accepts (default: random)")
    sim.add_argument("--latency", type=float, default=0.0, help="seconds every phone waits before answering")
    sim.add_argument(
        "--ack-after", type=_seconds, metavar="SECONDS", help="phones press an alert's Ack key this long after it shows"
    )
    sim.add_argument(
        "--ack-probability", type=_probability, default=1.0, metavar="P", help="with --ack-after: the chance (0-1)"
    )
    for fault, text in (
        ("offline", "listen on nothing"),
        ("black-hole", "accept but never answer"),
        ("garbled", "answer garbage"),
        ("wrong-password", "get a wrong password in the written config"),
        ("web-off", "refuse their web port (Web Access disabled; CUCM says Httpd = No)"),
    ):
        sim.add_argument(f"--{fault}", type=int, default=0, metavar="N", help=f"N phones {text}")
    sim.add_argument(
        "--no-screenshots", type=int, default=0, metavar="N",
        help="N phones (none with another fault) answer 404 on every screenshot path (their screenshot is off)",
    )  # fmt: skip
    sim.add_argument(
        "--https", action="store_true",
        help=f"phones serve https with a certificate made at start (port {HTTPS_PORT} unless --port or --per-port)",
    )  # fmt: skip
    sim.add_argument(
        "--cert-dir", metavar="DIR",
        help="with --https: keep the phones' CA and certificate here across starts (remade when addresses change)",
    )  # fmt: skip
    sim.add_argument(
        "--mpp", type=int, default=0, metavar="N",
        help="the last N phones are multiplatform (3PCC): Digest with a password of their own, no structured reply",
    )  # fmt: skip
    sim.add_argument(
        "--service-tls", action="store_true",
        help="the built-in responder serves https (a certificate it makes; the phones and the written config trust it)",
    )  # fmt: skip
    sim.add_argument("--cucm", action="store_true", help="also a fake CUCM over HTTPS; the config lists devices only")
    sim.add_argument("--cucm-rate", type=_at_least_one, default=15, metavar="N", help="its RisPort requests a minute")
    sim.add_argument("--cucm-page", type=_at_least_one, default=1000, metavar="N", help="devices per RisPort answer")

    serve = commands.add_parser("serve", help="run the authentication responder and object host")
    serve.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    serve.add_argument("--listen", help="HOST:PORT (default: the config's [service] listen)")

    probe = commands.add_parser("probe", help="ask phones who they are (their information page) and which are up")
    probe.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    _targets(probe)
    probe.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="seconds each phone has (default 3)")
    probe.add_argument("--concurrency", type=_at_least_one, metavar="N", help="phones asked at once (default 64)")
    probe.add_argument("--json", action="store_true", help="one JSON object per phone instead of a table")

    shot = commands.add_parser("screenshot", help="fetch phones' screens and write one image per phone")
    shot.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    _targets(shot)
    shot.add_argument("--out", default=".", metavar="DIR|FILE", help="a folder (default: here), or one phone's file")
    shot.add_argument("--png", action="store_true", help="write PNG whatever the phone sends (BMP on most)")
    shot.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="seconds each phone has (default: config)")
    shot.add_argument("--concurrency", type=_at_least_one, metavar="N", help="phones asked at once (default 16)")
    shot.add_argument("--json", action="store_true", help="one JSON object per phone instead of a table")
    _credentials(shot, "fetch")

    discover = commands.add_parser(
        "discover", help="find phones in CUCM, CSV files or address ranges; keep them in the app's own file"
    )
    discover.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    discover.add_argument("--cucm", action="store_true", help="ask CUCM's RisPort70 (the config's [cucm] table)")
    discover.add_argument("--device", action="append", default=[], metavar="NAME", help="ask CUCM for this device only")
    discover.add_argument("--csv", action="append", default=[], metavar="FILE", help="a BAT export or name,host list")
    discover.add_argument("--scan", action="append", default=[], metavar="CIDR", help="probe every address of a range")
    discover.add_argument("--scan-port", type=_port, default=80, metavar="PORT", help="the phones' web port (80)")
    discover.add_argument("--json", action="store_true", help="one JSON object per phone: what happened to it")
    discover.add_argument("--dry-run", action="store_true", help="say what would be added, changed and gone")

    keys = commands.add_parser(
        "keys", help="press phones' keys: a macro such as 'Key:Settings, pause 500ms, Key:KeyPad5'"
    )
    keys.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    _targets(keys)
    keys.add_argument("--macro", metavar="TEXT", help="the steps, comma separated")
    keys.add_argument("--name", metavar="SAVED", help="a macro saved from the app (in the templates file)")
    keys.add_argument("--json", action="store_true", help="one JSON object per phone")
    _credentials(keys, "press")

    trust = commands.add_parser("trust", help="show https phones' certificate fingerprints and accept them")
    trust.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    _targets(trust)
    trust.add_argument("--yes", action="store_true", help="record the new and changed ones without asking")
    trust.add_argument("--json", action="store_true", help="one JSON object per phone")

    check = commands.add_parser("check", help="validate a config and say what it holds")
    check.add_argument("--config", default=argparse.SUPPRESS, help="config file")

    demo = commands.add_parser("demo", help="the TUI on a built-in simulated fleet (no files needed)")
    demo.add_argument("--count", type=_fleet_size, default=12, metavar="N", help="phones, 1-1000 (default 12)")
    for command in (push, clear, history, sim, serve, probe, shot, discover, keys, trust, check, demo):
        _log_options(command, argparse.SUPPRESS, command is serve)  # before or after the command's name, as --config
    return parser


def _ack_options(push: argparse.ArgumentParser) -> None:
    ack = push.add_argument_group("alerts people acknowledge (a Text with an Ack key; needs [service])")
    ack.add_argument("--ack", action="store_true", help="add an Ack key and wait for each phone's acknowledgement")
    ack.add_argument("--ack-wait", type=_seconds, metavar="SECONDS", help="how long to wait (default 60)")
    ack.add_argument("--ack-name", metavar="NAME", help="the key's name (default Ack)")
    ack.add_argument("--ack-replace-exit", action="store_true", help="no Exit key beside Ack")
    ack.add_argument("--ack-reply", metavar="TEXT", help="what a phone shows once acknowledged (default Thank you)")
    ack.add_argument("--repeat", type=_seconds, metavar="SECONDS", help="push again to who has not acknowledged")
    ack.add_argument("--max", type=_at_least_one, metavar="N", help="with --repeat: at most N repeats")
    ack.add_argument("--repeat-failed", action="store_true", help="repeats also go to phones whose push failed")
    ack.add_argument("--beep", metavar="TONE", help="on repeats, also play this tone file (Play:TONE)")


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a probability") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be from 0 to 1")
    return value


def _targets(command: argparse.ArgumentParser) -> None:
    targets = command.add_argument_group("targets")
    targets.add_argument("--phone", action="append", default=[], metavar="NAME", help="a phone by name (repeatable)")
    targets.add_argument("--tag", action="append", default=[], metavar="TAG", help="phones with a tag (repeatable)")
    targets.add_argument("--all", action="store_true", help="every phone in the config")


def _credentials(command: argparse.ArgumentParser, verb: str) -> None:
    """``--username`` and ``--password``, the same on every command that asks phones as the push user."""
    command.add_argument("--username", help=f"{verb} as this user instead of the config's")
    command.add_argument("--password", help=f"{verb} with this password instead of the config's")


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port from 1 to 65535")
    return int(text)


def _log_options(parser: argparse.ArgumentParser, default: str | None, serve: bool = False) -> None:
    """``--log-file`` and ``--log-level``; checked (one line, exit 2) where the log is set up.

    ``serve`` logs to stdout without a file, so its level filters that too: its help says so.
    """
    parser.add_argument("--log-file", metavar="FILE", default=default, help="append phonetui's log to FILE")
    where = "the log (the file, else stdout; start, reloads and stop always shown)" if serve else "with --log-file"
    parser.add_argument(
        "--log-level", metavar="LEVEL", default=default, help=f"{where}: {', '.join(LEVELS)} (default INFO)"
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be more than 0 seconds")
    return value


def _at_least_one(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a whole number, at least 1")
    return int(text)


def _fleet_size(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of phones from 1 to 1000")
    return int(text)
