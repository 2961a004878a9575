"""``phonetui discover``: find phones in CUCM, CSV files and address ranges; keep them in the app's own file."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any

from ..cisco.devinfo import device_name_problem
from ..config import Config, ConfigError, discovered_entries, write_discovered
from ..discovery.axl import list_phones
from ..discovery.csv_file import read_phones_csv
from ..discovery.cucm import CucmError, Pacer, client_for, select_devices
from ..discovery.merge import Plan, plan
from ..discovery.records import Found
from ..discovery.scan import scan_addresses
from ..printable import printable
from ..wording import names_phrase, plural
from .common import EXIT_FAILED, EXIT_OK, UsageError, read_config, run_to_exit
from .discover_scan import nothing_found_hint, one_per_name, scan_phones

#: Phones named one a line in the report; past this, a count (``--json`` lists every one).
LISTED = 20
#: The exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def _say(text: str) -> None:
    print(f"phonetui: {printable(text)}", file=sys.stderr, flush=True)


class Sources:
    """What each source found, and which fell short (so their missing phones are kept, not dropped)."""

    def __init__(self) -> None:
        self.found: list[Found] = []
        self.asked: set[str] = set()
        self.incomplete: set[str] = set()
        self.troubled = False

    def trouble(self, kind: str, text: str) -> None:
        self.incomplete.add(kind)
        self.troubled = True
        _say(text)

    def fail(self, text: str) -> None:
        """Something asked for was not found: exit status 1, but the source itself answered fully."""
        self.troubled = True
        _say(text)


async def _from_cucm(config: Config, devices: list[str], sources: Sources) -> None:
    cucm = config.cucm
    assert cucm is not None
    sources.asked.add("cucm")
    async with client_for(cucm) as client:
        try:
            result = await select_devices(client, cucm, devices, Pacer(cucm.rate_per_minute, say=_say))
            models = await list_phones(client, cucm) if cucm.axl else {}
        except CucmError as exc:
            sources.trouble("cucm", str(exc))
            return
    for node in sorted(result.silent_nodes):
        sources.trouble("cucm", f"CUCM node {node} did not answer (NodeNotResponding): its phones may be missing")
    _say(f"CUCM: {plural(len(result.devices), 'phone')} in {plural(result.requests, 'request')}")
    known = {name.upper() for name in result.devices}
    unknown = list(dict.fromkeys(device.upper() for device in devices if device.upper() not in known))
    if unknown:
        more = f" and {len(unknown) - LISTED} more" if len(unknown) > LISTED else ""
        sources.fail(f"CUCM does not know {', '.join(unknown[:LISTED])}{more}")
    for found in result.found():
        extra = models.get(found.name.upper(), {})
        if found.web_server_off:
            _say(f"{found.name}: its web server is off in CUCM (Httpd = No): pushes to it will fail")
        sources.found.append(
            Found(
                name=found.name,
                host=found.host,
                model=extra.get("model", "").removeprefix("Cisco ").strip(),
                dn=found.dn,
                description=found.description or extra.get("description", ""),
                device_pool=extra.get("devicePoolName", ""),
                source=found.source,
                web_server_off=found.web_server_off,
            )
        )


def _from_csv(path: str, sources: Sources) -> None:
    try:
        found, problems = read_phones_csv(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    kind = path.rsplit("/", 1)[-1]
    sources.asked.add(kind)
    for problem in problems:
        sources.trouble(kind, str(problem))
    sources.found.extend(found)


async def _from_scan(cidr: str, port: int, sources: Sources, known: dict[str, str]) -> None:
    kind = f"scan {cidr}"
    sources.asked.add(kind)
    found, doubles = one_per_name(await scan_phones(cidr, port, _say), known)
    _say(f"scan {cidr}: {plural(len(found), 'phone')}")
    if not found:
        _say(nothing_found_hint(port))
    for text in doubles:
        sources.trouble(kind, text)
    sources.found.extend(found)


def _report(result: Plan, dry_run: bool) -> None:
    would = "would be " if dry_run else ""
    for what, names in (("added", result.added), ("gone", result.gone)):
        if len(names) > LISTED:
            _say(f"{would}{what} {names_phrase(names, LISTED)}")
        else:
            for name in names:
                _say(f"{would}{what}: {name}")
    for index, (name, changes) in enumerate(result.changed.items()):
        if index == LISTED:
            _say(f"... and {len(result.changed) - LISTED} more changed (--json lists every one)")
            break
        _say(f"{would}changed: {name}: {'; '.join(changes)}")
    if result.kept:
        _say(f"kept {names_phrase(result.kept)}: not found, but a source fell short this time")
    if result.in_config:
        _say(f"left to the config (it lists them by hand): {names_phrase(result.in_config)}")
    counts = (len(result.added), len(result.changed), len(result.gone), len(result.unchanged))
    _say(("would be: " if dry_run else "") + "{} added, {} changed, {} gone, {} unchanged".format(*counts))


def _json_lines(result: Plan) -> list[dict[str, Any]]:
    action: dict[str, str] = dict.fromkeys(result.added, "added")
    action |= dict.fromkeys(result.changed, "changed")
    action |= dict.fromkeys(result.unchanged, "unchanged")
    action |= dict.fromkeys(result.kept, "kept")
    lines: list[dict[str, Any]] = []
    for entry in result.entries:
        name = str(entry.get("name"))
        if name in action:
            lines.append({"action": action[name], **entry, "changes": result.changed.get(name, [])})
    lines += [{"action": "gone", "name": name} for name in result.gone]
    lines += [{"action": "in-config", "name": name} for name in result.in_config]
    return lines


def discover_command(args: argparse.Namespace) -> int:
    """``phonetui discover``: exit 0 when every source answered fully, 1 when one fell short."""
    config = read_config(args, rebuild_discovered=not args.dry_run)
    use_cucm = args.cucm or bool(args.device) or (not (args.csv or args.scan) and config.cucm is not None)
    if use_cucm and config.cucm is None:
        raise UsageError(f"--cucm needs a [cucm] table in {config.path} (url, username, password, ca_file)")
    if not (use_cucm or args.csv or args.scan):
        raise UsageError("say where to look: --cucm (with a [cucm] table in the config), --csv FILE or --scan CIDR")
    for device in args.device:
        if problem := device_name_problem(device):
            raise UsageError(f"--device: {problem}")
    for cidr in args.scan:
        try:
            scan_addresses(cidr)
        except ValueError as exc:
            raise UsageError(f"--scan: {exc}") from None
    if config.discovered_damage is not None:
        damage = config.discovered_damage
        at = f"line {damage.line}: " if damage.line else ""
        _say(f"{config.discovery.file} is damaged ({at}{damage.message}): rebuilt from what this run finds")
        existing = []
    else:
        existing = discovered_entries(config)
    known = {str(entry.get("name", "")): str(entry.get("host", "")) for entry in existing}
    sources = Sources()

    async def gather() -> int:
        if use_cucm:
            await _from_cucm(config, args.device, sources)
        for path in args.csv:
            _from_csv(path, sources)
        for cidr in args.scan:
            await _from_scan(cidr, args.scan_port, sources, known)
        return EXIT_OK

    try:
        run_to_exit(gather())
    except KeyboardInterrupt:
        _say(f"interrupted: nothing written; {config.discovery.file} is as it was")
        return EXIT_INTERRUPTED
    seen = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    only = {name.upper() for name in args.device} if args.device else None
    result = plan(config, existing, sources.found, sources.asked, sources.incomplete, seen, only)
    _report(result, args.dry_run)
    if args.json:
        for line in _json_lines(result):
            print(json.dumps(line, ensure_ascii=False), flush=True)
    if args.dry_run:
        _say(f"nothing written (--dry-run); {config.discovery.file} is as it was")
    else:
        try:
            _say(f"wrote {write_discovered(config, result.entries)}")
        except OSError as exc:
            raise ConfigError(config.discovery.file, "", f"cannot write the discovered phones file: {exc}") from None
    return EXIT_FAILED if sources.troubled else EXIT_OK
