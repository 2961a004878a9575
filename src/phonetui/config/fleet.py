"""Where phones come from besides the config: ``[cucm]``, ``[discovery]``, and the discovered phones file.

The discovered file belongs to the app (``phonetui discover`` writes it); the config a
person wrote is never touched. Hand-written phones win: a discovered phone with the
name of a hand-written one is left out, and a hand-written phone given by ``device``
alone takes its address (and, if it names none, its model) from the discovered record.
"""

from __future__ import annotations

import re
import tomllib
import urllib.parse
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..cisco import family_for_model
from .errors import ConfigError
from .model import TAG_SOURCES, Config, CucmConfig, Defaults, Phone, ProbeConfig, TagSource
from .reader import _Locator, _Problems, _Reader, _syntax_error, read_app_file
from .schema import _phone

_CUCM_KEYS = {"url", "username", "password", "password_env", "password_file", "ca_file", "insecure"}
_CUCM_KEYS |= {"rate_per_minute", "axl", "axl_version", "timeout"}
_DISCOVERY_KEYS = {"file", "tags_from"}
_PROBE_KEYS = {"concurrency", "timeout", "interval", "at_start"}


def cucm_table(reader: _Reader, defaults: Defaults) -> CucmConfig:
    reader.check_keys(_CUCM_KEYS)
    url = (reader.get("url", str, "", required=True) or "").strip()
    if url and not re.match(r"https://[^/\s]+", url):
        # CUCM serves RisPort70 and AXL over HTTPS only; plain HTTP would also carry the password in clear.
        reader.fail("url", "must be CUCM's https:// address, like https://cucm.example.com:8443")
    elif url and (problem := _port_problem(url)):
        reader.fail("url", problem)
    ca_file = reader.get("ca_file", str, "")
    if ca_file:
        resolved = (reader.path.parent / ca_file).expanduser()
        if not resolved.is_file():
            reader.fail("ca_file", f"{resolved} is not a file")
        ca_file = str(resolved)
    insecure = reader.get("insecure", bool, False)
    if insecure and ca_file:
        reader.fail("insecure", "give ca_file or insecure = true, not both")
    return CucmConfig(
        url=url,
        username=reader.get("username", str, defaults.username),
        password=reader.password(defaults.password),
        ca_file=ca_file,
        insecure=insecure,
        rate_per_minute=reader.positive("rate_per_minute", int, 15),
        axl=reader.get("axl", bool, False),
        axl_version=_axl_version(reader),
        timeout=reader.positive("timeout", float, 30.0),
    )


def _port_problem(url: str) -> str | None:
    """Why the port in ``url`` cannot be CUCM's (0, out of range, not a number), or None."""
    try:
        port = urllib.parse.urlsplit(url).port
    except ValueError as exc:
        return f"is not a URL: {exc}"
    return "port 0 is no port: CUCM listens on 8443 (or 443)" if port == 0 else None


def probe_table(reader: _Reader) -> ProbeConfig:
    reader.check_keys(_PROBE_KEYS)
    interval = reader.get("interval", float, 0.0)
    if interval and interval < 10:
        reader.fail("interval", "must be 0 (never) or at least 10 seconds")
        interval = 0.0
    return ProbeConfig(
        concurrency=reader.positive("concurrency", int, ProbeConfig.concurrency),
        timeout=reader.positive("timeout", float, ProbeConfig.timeout),
        interval=interval,
        at_start=reader.get("at_start", bool, False),
    )


def _axl_version(reader: _Reader) -> str:
    version = str(reader.get("axl_version", str, "15.0")).strip()
    if not re.fullmatch(r"\d{1,2}\.\d", version):
        reader.fail("axl_version", f"{version!r} is not an AXL version like 15.0 or 12.5")
        return "15.0"
    return version


def discovery_table(reader: _Reader, config: Config) -> None:
    reader.check_keys(_DISCOVERY_KEYS)
    file = reader.get("file", str, "")
    if file:
        path = (config.path.parent / file).expanduser()
        if _same(path, config.path):
            reader.fail("file", "must not be the config itself: the app never rewrites it")
        elif not path.parent.is_dir():
            reader.fail("file", f"{path.parent} is not a folder: make it, or name a file in one (phonetui makes none)")
        else:
            config.discovery_path = path
    sources: list[TagSource] = []
    for value in reader.string_list("tags_from") if "tags_from" in reader.table else config.tags_from:
        source = next((s for s in TAG_SOURCES if s == value), None)
        if source is None:
            reader.fail("tags_from", f"{value!r} is not one of {', '.join(TAG_SOURCES)}")
        else:
            sources.append(source)
    config.tags_from = tuple(sources)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


#: Said with a damaged discovered file: whose it is, and how to recover.
DAMAGED_HINT = (
    "this file belongs to phonetui (it is written by 'phonetui discover'): run 'phonetui discover' to "
    "rebuild it, or delete it"
)


def read_discovered(config: Config, problems: _Problems, rebuild: bool = False) -> list[Phone]:
    """The phones the discovered file holds, checked like the config's (located in their own file).

    A file that is not TOML is an error saying how to recover; with ``rebuild`` (``discover``,
    about to write it anew) it is no error: ``config.discovered_damage`` says what was wrong.
    """
    path = config.discovery.file
    own = _Problems()
    read = read_app_file(path, "the discovered phones file", own)
    for error in own.errors:
        if not error.message.startswith("TOML syntax"):
            problems.errors.append(error)
        elif rebuild:
            config.discovered_damage = error
        else:
            problems.errors.append(ConfigError(error.path, "", f"{error.message}; {DAMAGED_HINT}", error.line))
    return [] if read is None else _discovered_phones(read[0], read[1], path, config.defaults, problems)


def parse_discovered(text: str, path: Path, defaults: Defaults, problems: _Problems) -> list[Phone]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.errors.append(_syntax_error(exc, path, text))
        return []
    return _discovered_phones(text, raw, path, defaults, problems)


def _discovered_phones(
    text: str, raw: dict[str, Any], path: Path, defaults: Defaults, problems: _Problems
) -> list[Phone]:
    top = _Reader(path, _Locator(text), raw, (), problems)
    top.check_keys({"phones"})
    phones = [_phone(reader, defaults, discovered=True) for _, reader in top.tables("phones")]
    return [phone for phone in phones if phone is not None]


def merge_discovered(config: Config, found: list[Phone]) -> None:
    """Add what discovery found to ``config.phones``; hand-written phones win, and say so once each."""
    by_device = {p.device.upper(): i for i, p in enumerate(config.phones) if p.device}
    others = []
    for phone in found:  # first the config's phones named by device: their addresses count below
        index = by_device.get(phone.device.upper()) if phone.device else None
        if index is not None:
            config.phones[index] = _completed(config, index, phone)
        else:
            others.append(phone)
    names = {p.name for p in config.phones}
    addresses = {p.address for p in config.phones if p.address}
    for phone in others:
        if phone.name in names:
            continue
        elif phone.address and phone.address in addresses:
            config.warnings.append(
                f"{config.discovery.file}: {phone.name} was found at {phone.address}, which another phone "
                "already has; it is left out (run discover again, or give one of them another address)"
            )
        else:
            config.phones.append(phone)
            config.discovered_names.add(phone.name)
            names.add(phone.name)
            addresses.add(phone.address)


def _completed(config: Config, index: int, found: Phone) -> Phone:
    """A hand-written phone with what it leaves open taken from its discovered record."""
    phone = config.phones[index]
    if not phone.host and found.host:
        phone = replace(phone, host=found.host, discovered=found.discovered)
    phone = replace(phone, dn=phone.dn or found.dn, description=phone.description or found.description)
    if found.model and not phone.rules_given:
        family = family_for_model(found.model)
        phone = replace(phone, model=found.model, family=family, charset=family.charset, size_limit=family.size_limit)
    return phone
