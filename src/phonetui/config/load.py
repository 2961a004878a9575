"""Reading a config file (and the app's templates file beside it) into a checked Config."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigErrors
from .fleet import cucm_table, discovery_table, merge_discovered, probe_table, read_discovered
from .macros import check_macros
from .model import TEMPLATES_FILE, Config, Phone, Template
from .reader import _Locator, _Problems, _Reader, _syntax_error, read_app_file
from .schema import _TOP_KEYS, _defaults, _keys, _phone, _service, _templates


def _parse(text: str, path: Path, problems: _Problems) -> Config | None:
    """Check every part of ``text``, recording each problem; None when it is not TOML at all."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.errors.append(_syntax_error(exc, path, text))
        return None
    locator = _Locator(text)
    top = _Reader(path, locator, raw, (), problems)
    top.check_keys(_TOP_KEYS)
    defaults_reader = top.child(top.get("defaults", dict, {}), "defaults")
    defaults = _defaults(defaults_reader)
    config = Config(path=path, defaults=defaults, raw=raw)
    templates_file = defaults_reader.get("templates_file", str, "")
    if templates_file:
        config.templates_path = (path.parent / templates_file).expanduser()
        if _same_file(config.templates_path, path):
            defaults_reader.fail("templates_file", "must not be the config itself: the app never rewrites it")
            config.templates_path = path.parent / TEMPLATES_FILE
    if "service" in raw:
        config.service = _service(top.child(top.get("service", dict, {}), "service"), defaults)
    if "cucm" in raw and (cucm := top.get("cucm", dict)) is not None:  # not a table: said once, by get
        config.cucm = cucm_table(top.child(cucm, "cucm"), defaults)
    if config.service and config.service.verdict == "cucm":
        config.service.cucm = config.cucm
        if config.cucm is None:
            top.child(top.get("service", dict, {}), "service").fail("verdict", '"cucm" needs a [cucm] table to ask')
    discovery_table(top.child(top.get("discovery", dict, {}), "discovery"), config)
    config.probe = probe_table(top.child(top.get("probe", dict, {}), "probe"))
    names: dict[str, int] = {}
    addresses: dict[str, int] = {}
    devices: dict[str, int] = {}
    for index, reader in top.tables("phones"):
        phone = _phone(reader, defaults)
        if phone is None:
            continue
        if phone.name in names:
            reader.fail("name", f"{phone.name!r} is already used by phones[{names[phone.name]}]")
            continue
        if phone.address and phone.address in addresses:
            reader.fail("host", f"{phone.address} is already used by phones[{addresses[phone.address]}]")
            continue
        if phone.device and phone.device.upper() in devices:
            reader.fail("device", f"{phone.device} is already used by phones[{devices[phone.device.upper()]}]")
            continue
        names[phone.name] = index
        if phone.address:
            addresses[phone.address] = index
        if phone.device:
            devices[phone.device.upper()] = index
        config.phones.append(phone)
    config.templates = _templates(top, path)
    config.keys = _keys(top.child(top.get("keys", dict, {}), "keys"))
    return config


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def parse_config(text: str, path: Path | str = "<config>") -> Config:
    """Check TOML ``text`` and build a Config; ConfigErrors listing every problem.

    Only ``text`` is read: the app's templates file is read by :func:`load_config`.
    """
    path = Path(path)
    problems = _Problems()
    config = _parse(text, path, problems)
    problems.raise_if_any()
    assert config is not None
    config.warnings.extend(problems.warnings)
    config.phone_errors = problems.phone_errors
    return config


def _read_templates_file(config: Config, problems: _Problems) -> list[Template]:
    """The templates the app saved, checked like the config (located in their own file)."""
    path = config.templates_file
    read = read_app_file(path, "the templates file", problems)
    if read is None:
        return []
    text, raw = read
    top = _Reader(path, _Locator(text), raw, (), problems)
    top.check_keys({"templates", "macros"})
    check_macros(top)
    return _templates(top, path)


def merge_templates(from_config: list[Template], saved: list[Template]) -> list[Template]:
    """The config's templates then the app's; on equal names the app's file wins."""
    names = {t.name for t in saved}
    return [t for t in from_config if t.name not in names] + saved


def load_config(path: Path | str, rebuild_discovered: bool = False) -> Config:
    """Read and check the config at ``path`` and the app's templates file beside it.

    ``rebuild_discovered``: a discovered phones file that is not TOML is left out, not an error
    (``discover`` writes it anew); ``Config.discovered_damage`` says what was wrong with it.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ConfigError(path, "", "is a folder, not a config file") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        byte = exc.object[exc.start]
        raise ConfigError(path, "", f"not UTF-8 text (byte 0x{byte:02x}): save the file as UTF-8", line) from None
    except OSError as exc:
        raise ConfigError(path, "", f"cannot read: {exc.strerror or exc}") from None
    problems = _Problems()
    config = _parse(text, path, problems)
    if config is not None:
        config.templates = merge_templates(config.templates, _read_templates_file(config, problems))
        merge_discovered(config, read_discovered(config, problems, rebuild_discovered))
    problems.raise_if_any()
    assert config is not None
    config.warnings.extend(problems.warnings)
    config.phone_errors = problems.phone_errors
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if mode & (stat.S_IRGRP | stat.S_IROTH) and _holds_password(config.raw):
        config.warnings.append(f"{path}: holds passwords and is readable by other users; run: chmod 600 {path}")
    return config


def missing_credentials(
    config: Config, phones: list[Phone], username: str | None = None, password: str | None = None
) -> ConfigError | None:
    """Located errors for every phone with no push user or password (after overrides), if any."""
    found: list[ConfigError] = []
    chosen = {id(phone) for phone in phones}  # by identity: comparing dataclasses pairwise is quadratic
    for index, phone in enumerate(config.phones):
        has_user, has_password = bool(username or phone.username), bool(password or phone.password)
        if id(phone) in chosen and not (has_user and has_password):
            what = "user" if not has_user else "password"
            message = (
                f"phone {phone.name!r} has no push {what}: give username and password (or password_env, "
                "password_file) in its table or in [defaults]"
            )
            found.append(ConfigError(config.path, f"phones[{index}]", message, phone.line))
    if not found:
        return None
    return found[0] if len(found) == 1 else ConfigErrors(found)


def _holds_password(raw: dict[str, Any]) -> bool:
    tables = [raw.get("defaults", {}), raw.get("service", {}), raw.get("cucm", {}), *raw.get("phones", [])]
    return any(isinstance(t, dict) and "password" in t for t in tables)


def reload_templates(config: Config) -> str:
    """Read the app's templates file again, for a file edited while the app runs (F3 reads it each
    time): '' when done, else why not (the templates stay as they were)."""
    problems = _Problems()
    saved = _read_templates_file(config, problems)
    if problems.errors:
        return problems.errors[0].located()
    from_config = [t for t in config.templates if t.source != config.templates_file]  # made elsewhere: kept
    config.templates = merge_templates(from_config, saved)
    return ""
