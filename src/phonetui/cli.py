"""The command line: ``push``, ``simulate``, ``serve``, ``check`` (and the TUI by default).

Exit status: 0 when every phone succeeded, 1 when any failed, 2 for usage or
config errors. Errors are one clear line each on stderr (a config shows every
problem it has, one a line), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import json
import math
import os
import secrets
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .cisco import (
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
from .config import (
    MODES,
    SERVICE_PORT,
    Config,
    ConfigError,
    ConfigErrors,
    Mode,
    Phone,
    ServiceConfig,
    load_config,
    missing_credentials,
    split_host_port,
    write_config,
)
from .history import Journal
from .output import plan_lines, summary, table_header, table_row
from .paths import CONFIG_ENV, HISTORY_ENV, default_history_path, find_config_path
from .push import Delivery, ObjectHost, Pusher, PushResult, RemoteObjectHost

if TYPE_CHECKING:  # aiohttp costs a quarter of a second to import: only the commands that serve load it
    from .service import Service
    from .simfleet import Fleet

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in what the user asked for; printed as one line, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="phonetui", description="Push Cisco IP Phone XML objects to phones and watch them answer."
    )
    parser.add_argument("--version", action="version", version=f"phonetui {__version__}")
    parser.add_argument("--config", help="config file (else $PHONETUI_CONFIG, else the platform config dir)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    push = commands.add_parser("push", help="push an object to phones and print each reply")
    push.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    targets = push.add_argument_group("targets")
    targets.add_argument("--phone", action="append", default=[], metavar="NAME", help="a phone by name (repeatable)")
    targets.add_argument("--tag", action="append", default=[], metavar="TAG", help="phones with a tag (repeatable)")
    targets.add_argument("--all", action="store_true", help="every phone in the config")
    obj = push.add_argument_group("object (a Text, an Execute, or a file)")
    obj.add_argument("--text", help="the body of a CiscoIPPhoneText")
    obj.add_argument("--title", default="", help="the Text's title (32 characters)")
    obj.add_argument("--prompt", default="", help="the Text's prompt (32 characters)")
    obj.add_argument(
        "--execute", action="append", default=[], metavar="URL[@PRIORITY]", help="an ExecuteItem (up to 3)"
    )
    obj.add_argument("--xml", metavar="FILE", help="send this XML object as it is")
    obj.add_argument("--template", metavar="NAME", help="a template saved in the config")
    push.add_argument("--mode", choices=MODES, help="delivery (default: config, else auto)")
    push.add_argument("--username", help="push as this user instead of the config's")
    push.add_argument("--password", help="push with this password instead of the config's")
    push.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="seconds each phone has to answer")
    push.add_argument("--concurrency", type=_at_least_one, metavar="N", help="phones pushed at once")
    push.add_argument("--dry-run", action="store_true", help="print the XML and the delivery plan; send nothing")
    push.add_argument(
        "--json", action="store_true", help="one JSON object per phone instead of a table (with --dry-run: the plan)"
    )
    push.add_argument("--history", metavar="FILE", help="journal file (default: the platform state dir)")
    push.add_argument("--no-history", action="store_true", help="do not write the journal")

    sim = commands.add_parser("simulate", help="run a fleet of simulated phones on loopback")
    sim.add_argument("--count", type=int, default=12, help="how many phones (default 12)")
    sim.add_argument("--write-config", metavar="FILE", help="write a config listing the fleet")
    sim.add_argument("--auth-url", help="phones ask this responder instead of a built-in one")
    sim.add_argument("--listen", default="127.0.0.1:0", help="built-in responder's address (default: a free port)")
    sim.add_argument("--base", default="127.77.0.0", help="phones get addresses after this one (loopback only)")
    sim.add_argument("--port", type=int, default=0, help="the phones' shared port (default: a free one)")
    sim.add_argument("--per-port", action="store_true", help="all phones on 127.0.0.1, each on its own port")
    sim.add_argument("--username", default="phonetui", help="push user the responder accepts")
    sim.add_argument("--password", help="push password the responder accepts (default: random)")
    sim.add_argument("--latency", type=float, default=0.0, help="seconds every phone waits before answering")
    for fault, text in (
        ("offline", "listen on nothing"),
        ("black-hole", "accept but never answer"),
        ("garbled", "answer garbage"),
        ("wrong-password", "get a wrong password in the written config"),
    ):
        sim.add_argument(f"--{fault}", type=int, default=0, metavar="N", help=f"N phones {text}")

    serve = commands.add_parser("serve", help="run the authentication responder and object host")
    serve.add_argument("--config", default=argparse.SUPPRESS, help="config file")
    serve.add_argument("--listen", help="HOST:PORT (default: the config's [service] listen)")

    check = commands.add_parser("check", help="validate a config and say what it holds")
    check.add_argument("--config", default=argparse.SUPPRESS, help="config file")

    demo = commands.add_parser("demo", help="the TUI on a built-in simulated fleet (no files needed)")
    demo.add_argument("--count", type=_fleet_size, default=12, metavar="N", help="phones, 1-1000 (default 12)")
    return parser


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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``phonetui`` command."""
    args = _parser().parse_args(argv)
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        "push": _push,
        "simulate": _simulate,
        "serve": _serve,
        "check": _check,
        "demo": _tui,
        None: _tui,
    }
    try:
        return handlers[args.command](args)
    except ConfigError as exc:
        for line in exc.lines():
            print(f"phonetui: {line}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"phonetui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into 'head' and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED


def _tui(args: argparse.Namespace) -> int:
    if args.command == "demo":
        return _run(_demo_async(args.count))
    return _run(_app_async(_config(args), None))


async def _app_async(
    config: Config, service: Service | None, history: Path | None = None, notices: Sequence[str] = ()
) -> int:
    from .tui.app import PhoneTUI  # imported here so the headless commands never load Textual

    app = PhoneTUI(config, service=service, journal=Journal(history or default_history_path()))
    for notice in notices:  # queued now, shown on the first screen
        app.notify(notice, severity="warning", timeout=30)
    try:
        await app.run_async()
    finally:
        await app.stop_pushes()  # a push still running writes its end record ("interrupted")
        await app.stop_service()
    return app.return_code or EXIT_OK


async def _demo_async(count: int) -> int:
    from .demo import start_demo

    try:
        demo = await start_demo(count)
    except OSError as exc:
        raise UsageError(f"cannot start the demo fleet: {exc}") from None
    try:
        # The demo's pushes go to fake phones: they are kept out of the operator's real history.
        history = None if os.environ.get(HISTORY_ENV) else demo.folder / "history.jsonl"
        return await _app_async(demo.config, demo.service, history, demo.notices)
    finally:
        await demo.stop()


def _config(args: argparse.Namespace) -> Config:
    path = find_config_path(args.config)
    if not args.config and not os.environ.get(CONFIG_ENV) and not path.exists():
        raise UsageError(first_run_message(path))
    config = load_config(path)
    for warning in config.warnings:
        print(f"phonetui: warning: {warning}", file=sys.stderr)
    if args.command != "check":
        for error in config.phone_errors:
            print(f"phonetui: warning: {error.located()}; this phone will be refused", file=sys.stderr)
    return config


def first_run_message(path: Path) -> str:
    """What to do when there is no config yet: the demo first, then where a config goes."""
    sample = Path(__file__).resolve().parents[2] / "sample-config.toml"
    where = f"{sample}" if sample.is_file() else "sample-config.toml in phonetui's source"
    return (
        "no config yet.\n"
        "  See phonetui at work on a simulated fleet, with nothing to write first:  phonetui demo\n"
        f"  Then list your phones in {path}\n"
        f"  (or give --config FILE, or set ${CONFIG_ENV}); {where} is a commented start."
    )


def _run(coroutine: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coroutine)


# -- push ---------------------------------------------------------------------------------


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


class _CliObjectHost:
    """Hosts via-url objects: an embedded service, or the one already listening there."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.service: Service | None = None
        self._chosen: ObjectHost | None = None

    async def host(self, data: bytes, charset: str) -> str:
        if self._chosen is None:
            from .service import Service

            service = Service(self.config)
            try:
                await service.start()
                self.service, self._chosen = service, service
            except OSError:  # taken: most likely 'phonetui serve' or 'simulate' runs there
                self._chosen = RemoteObjectHost(service.url, self.config.username, self.config.password)
        return await self._chosen.host(data, charset)

    async def aclose(self) -> None:
        if self.service:
            await self.service.stop()


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


def _push(args: argparse.Namespace) -> int:
    return push_config(_config(args), args)


def push_config(config: Config, args: argparse.Namespace) -> int:
    """``push`` on a config already read (from its file, or built in code)."""
    phones = select_phones(config, args.phone, args.tag, args.all)
    obj = build_object(args, config)
    missing = missing_credentials(config, phones, args.username, args.password)
    if missing is not None and not args.dry_run:
        raise missing
    defaults = config.defaults
    if args.timeout is not None:
        defaults.timeout = args.timeout
    if args.concurrency is not None:
        defaults.concurrency = args.concurrency
    mode: Mode = next((m for m in MODES if m == args.mode), defaults.mode)
    credentials = None
    if args.username is not None or args.password is not None:
        credentials = (
            args.username if args.username is not None else defaults.username,
            args.password if args.password is not None else defaults.password,
        )
    host = _CliObjectHost(config.service) if config.service else None
    journal = None if args.no_history or args.dry_run else Journal(args.history or default_history_path())
    return _run(_push_async(obj, phones, mode, credentials, host, journal, args, defaults))


class _JournalWarning:
    """Says once, on stderr, that the journal could not be written; the push goes on."""

    def __init__(self, journal: Journal | None) -> None:
        self.journal = journal
        self.said = False

    def check(self) -> None:
        if self.journal is not None and self.journal.problem and not self.said:
            self.said = True
            print(f"phonetui: warning: {self.journal.problem}", file=sys.stderr, flush=True)


async def _push_async(
    obj: CiscoObject,
    phones: list[Phone],
    mode: Mode,
    credentials: tuple[str, str] | None,
    host: _CliObjectHost | None,
    journal: Journal | None,
    args: argparse.Namespace,
    defaults: Any,
) -> int:
    results: list[PushResult] = []
    warning = _JournalWarning(journal)
    async with Pusher(defaults, host=host, journal=journal) as pusher:
        run = pusher.push(obj, phones, mode, credentials)
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


# -- simulate ------------------------------------------------------------------------------


def _simulate(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 50_000:
        raise UsageError("--count must be 1-50000")
    faults = (args.offline, args.black_hole, args.garbled, args.wrong_password)
    if any(n < 0 for n in faults) or sum(faults) > args.count:
        raise UsageError("fault counts must be 0 or more and add up to at most --count")
    from .simfleet import simulated_fleet
    from .simphone import fleet_phones

    try:
        listen = split_host_port(args.listen, 0)
        sim = simulated_fleet(fleet_phones(args.count, base=args.base, port=args.port, per_port=args.per_port))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return _run(_simulate_async(args, sim, listen))


def _assign_faults(sim: Fleet, args: argparse.Namespace) -> None:
    """Give the last phones of the fleet the requested faults, one fault per phone."""
    pool = list(reversed(sim.phones))
    for attribute, count in (
        ("offline", args.offline),
        ("black_hole", args.black_hole),
        ("garbled", args.garbled),
        ("wrong_password", args.wrong_password),
    ):
        for _ in range(count):
            setattr(pool.pop(0), attribute, True)
    for phone in sim.phones:
        phone.latency = args.latency


async def _simulate_async(args: argparse.Namespace, sim: Fleet, listen: tuple[str, int]) -> int:
    from .service import Service

    password = args.password or secrets.token_urlsafe(12)
    service: Service | None = None
    if args.auth_url:
        auth_url = args.auth_url
    else:
        service = Service(ServiceConfig(listen[0], listen[1], username=args.username, password=password))
        try:
            await service.start()
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.listen}: {exc.strerror}") from None
        auth_url = service.auth_url
    for phone in sim.phones:
        phone.auth_url = auth_url
    _assign_faults(sim, args)
    try:
        try:
            await sim.start()
        except OSError as exc:
            raise UsageError(f"cannot start the fleet: {exc}") from None
        if sim.fallback:
            print(f"phonetui: {sim.fallback}", file=sys.stderr, flush=True)
        first, last = sim.phones[0], sim.phones[-1]
        count = len(sim.phones)
        print(f"{count} phone{'s' * (count != 1)} listening, {first.address} .. {last.address}", flush=True)
        print(f"authentication URL: {auth_url}", flush=True)
        if args.write_config:
            block = None
            if service is not None:
                host, port = service.bound or listen
                block = {"listen": f"{host}:{port}", "url": service.url}
            write_config(args.write_config, sim.config(args.username, password, block))
            print(f"config written to {args.write_config}", flush=True)
        print("press Ctrl-C to stop", flush=True)
        await _wait_for_signal()
    finally:
        await sim.stop()
        if service:
            await service.stop()
    return EXIT_OK


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)


# -- serve ---------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    config = _config(args)
    service_config = config.service or ServiceConfig(
        username=config.defaults.username, password=config.defaults.password
    )
    if args.listen:
        try:
            service_config.listen_host, service_config.listen_port = split_host_port(args.listen, SERVICE_PORT)
        except ValueError as exc:
            raise UsageError(f"--listen: {exc}") from None
    if not service_config.username or not service_config.password:
        raise UsageError(f"{config.path}: [service] (or [defaults]) needs username and password to accept")
    return _run(_serve_async(service_config))


async def _serve_async(service_config: ServiceConfig) -> int:
    from .service import AuthEvent, Service

    # One line per request. On a terminal each line shows at once; into a pipe or a file
    # they are written in blocks and flushed twice a second, not with a syscall each.
    interactive = sys.stdout.isatty()

    def emit(line: str) -> None:
        print(line, flush=interactive)

    def log_auth(event: AuthEvent) -> None:
        emit(event.line())

    def log_request(peer: str, method: str, path: str, status: int) -> None:
        emit(f"{peer} {method} {path} {status}")

    service = Service(service_config, on_event=log_auth)
    service.request_listeners.append(log_request)
    try:
        await service.start()
    except OSError as exc:
        where = f"{service_config.listen_host}:{service_config.listen_port}"
        raise UsageError(f"cannot listen on {where}: {exc.strerror}") from None
    bound_host, bound_port = service.bound or (service_config.listen_host, service_config.listen_port)
    print(f"listening on {bound_host}:{bound_port}; phones use {service.auth_url}", flush=True)

    async def flush_now_and_then() -> None:
        while True:
            await asyncio.sleep(0.5)
            sys.stdout.flush()

    flusher = asyncio.create_task(flush_now_and_then())
    try:
        await _wait_for_signal()
    finally:
        flusher.cancel()
        await service.stop()
        sys.stdout.flush()
    return EXIT_OK


# -- check ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    config = _config(args)
    if config.phone_errors:
        raise ConfigErrors(config.phone_errors)
    families: dict[str, int] = {}
    for phone in config.phones:
        families[phone.family.name] = families.get(phone.family.name, 0) + 1
    mix = ", ".join(f"{n} {name}" for name, n in sorted(families.items()))
    print(f"{config.path}: OK")
    print(f"  phones: {len(config.phones)}" + (f" ({mix})" if mix else ""))
    print(f"  tags: {', '.join(config.tags()) or 'none'}")
    d = config.defaults
    user = d.username or "(none)"
    print(f"  defaults: user {user}, timeout {d.timeout:g} s, concurrency {d.concurrency}, mode {d.mode}")
    if config.service:
        s = config.service
        print(f"  service: listens on {s.listen_host}:{s.listen_port}, phones reach it at {s.public_url}")
        if s.allowed_devices:
            print(f"  allowed devices: {len(s.allowed_devices)}")
    else:
        print("  service: not configured (no auth responder, no via-url delivery)")
    saved = sum(1 for t in config.templates if t.source == config.templates_file)
    print(
        f"  templates: {len(config.templates)} ({len(config.templates) - saved} in the config, {saved} saved by "
        f"the app in {config.templates_file})"
    )
    if config.keys:
        print(f"  keys rebound: {', '.join(f'{k} = {v}' for k, v in config.keys.items())}")
    missing = missing_credentials(config, config.phones)
    if missing is not None:
        for line in missing.lines():
            print(f"  warning: {line}")
    return EXIT_OK
