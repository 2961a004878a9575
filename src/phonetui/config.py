"""The TOML configuration: phones, defaults, the service, templates, keys.

Read with ``tomllib``; every error names the file, the key and the line. Written
with ``tomli-w`` atomically, the previous file kept beside it as ``.bak``.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from .cisco import (
    FAMILIES,
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    CiscoObject,
    ExecuteItem,
    Family,
    SoftKeyItem,
    family_for_model,
    normalise_charset,
)

MODES = ("auto", "direct", "via-url")


class ConfigError(Exception):
    """A config problem, located: ``file:line: key: message``."""

    def __init__(self, path: Path | str, key: str, message: str, line: int | None = None) -> None:
        self.path, self.key, self.message, self.line = Path(path), key, message, line
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


@dataclass
class Phone:
    """A phone to push to, with every default already applied."""

    name: str
    host: str
    port: int = 80
    scheme: str = "http"
    model: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    tags: tuple[str, ...] = ()
    family: Family = FAMILIES["classic"]
    charset: str = "utf-8"
    size_limit: int = 512
    line: int | None = field(default=None, repr=False, compare=False)

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def execute_url(self) -> str:
        return f"{self.scheme}://{self.address}/CGI/Execute"


@dataclass
class Defaults:
    """Settings every phone and push falls back on."""

    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 10.0
    connect_timeout: float = 3.0
    play_timeout: float = 30.0
    concurrency: int = 32
    mode: str = "auto"


@dataclass
class ServiceConfig:
    """The embedded service: where it listens, how phones reach it, whom it admits."""

    listen_host: str = "127.0.0.1"
    listen_port: int = 8081
    url: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    allowed_devices: tuple[str, ...] = ()
    object_ttl: float = 300.0

    @property
    def public_url(self) -> str:
        return (self.url or f"http://{self.listen_host}:{self.listen_port}").rstrip("/")


@dataclass
class Config:
    """A whole config file, read and checked."""

    path: Path
    phones: list[Phone] = field(default_factory=list)
    defaults: Defaults = field(default_factory=Defaults)
    service: ServiceConfig | None = None
    templates: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)

    def phone(self, name: str) -> Phone | None:
        return next((p for p in self.phones if p.name == name), None)

    def tags(self) -> list[str]:
        return sorted({tag for phone in self.phones for tag in phone.tags})


class _Locator:
    """Finds the line of a key in TOML source, by table path and array index."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        counts: dict[str, int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                name = header.group(2).strip()
                if header.group(1) == "[[":
                    index = counts.get(name, -1) + 1
                    counts[name] = index
                    table = (*name.split("."), str(index))
                else:
                    table = tuple(name.split("."))
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                self.lines.setdefault((*table, key.group(1).strip("\"'")), number)

    def line(self, *path: str | int) -> int | None:
        parts = tuple(str(p) for p in path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return None


class _Reader:
    """Typed access to one TOML table, raising located ConfigErrors."""

    def __init__(self, path: Path, locator: _Locator, table: dict[str, Any], where: tuple[str | int, ...]):
        self.path, self.locator, self.table, self.where = path, locator, table, where

    def _name(self, key: str) -> str:
        out = ""
        for part in (*self.where, key):
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.path, self._name(key), message, self.locator.line(*self.where, key))

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.error(key, f"unknown key{hint}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        if key not in self.table:
            if required:
                raise ConfigError(self.path, self._name(key), "is required", self.locator.line(*self.where))
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise self.error(key, f"must be {names}, not {_TYPE_NAMES.get(type(value), type(value).__name__)}")
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if not all(isinstance(v, str) for v in values):
            raise self.error(key, "must be a list of strings")
        return tuple(values)

    def positive(self, key: str, kind: type, default: Any) -> Any:
        value = self.get(key, kind, default)
        if value <= 0:
            raise self.error(key, "must be greater than 0")
        return value

    def password(self, default: str = "") -> str:
        sources = [k for k in ("password", "password_env", "password_file") if k in self.table]
        if len(sources) > 1:
            raise self.error(sources[1], f"give only one of {', '.join(sources)}")
        if not sources:
            return default
        source = sources[0]
        value = self.get(source, str)
        if source == "password":
            return value
        if source == "password_env":
            if value not in os.environ:
                raise self.error(source, f"environment variable {value!r} is not set")
            return os.environ[value]
        file = (self.path.parent / value).expanduser()
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise self.error(source, f"cannot read {file}: {exc.strerror}") from None


_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
_TYPE_NAMES[dict] = "a table"

_PASSWORD_KEYS = {"password", "password_env", "password_file"}
_PHONE_KEYS = {"name", "host", "port", "scheme", "model", "username", "tags", "family", "charset", "size_limit"}
_DEFAULT_KEYS = {"username", "timeout", "connect_timeout", "play_timeout", "concurrency", "mode"}
_SERVICE_KEYS = {"listen", "url", "username", "allowed_devices", "object_ttl"}
_TOP_KEYS = {"defaults", "service", "phones", "templates", "keys"}


def _defaults(reader: _Reader) -> Defaults:
    reader.check_keys(_DEFAULT_KEYS | _PASSWORD_KEYS)
    mode = reader.get("mode", str, "auto")
    if mode not in MODES:
        raise reader.error("mode", f"must be one of {', '.join(MODES)}")
    return Defaults(
        username=reader.get("username", str, ""),
        password=reader.password(),
        timeout=reader.positive("timeout", float, 10.0),
        connect_timeout=reader.positive("connect_timeout", float, 3.0),
        play_timeout=reader.positive("play_timeout", float, 30.0),
        concurrency=reader.positive("concurrency", int, 32),
        mode=mode,
    )


def split_host_port(value: str, default_port: int) -> tuple[str, int]:
    """``host:port`` (or ``[v6]:port``) to its parts; ValueError if malformed."""
    match = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?|([^:\[\]]+)(?::(\d+))?", value.strip())
    if not match:
        raise ValueError(f"{value!r} is not host:port")
    host = match.group(1) or match.group(3)
    port = int(match.group(2) or match.group(4) or default_port)
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    return host, port


def _service(reader: _Reader, defaults: Defaults) -> ServiceConfig:
    reader.check_keys(_SERVICE_KEYS | _PASSWORD_KEYS)
    listen = reader.get("listen", str, "127.0.0.1:8081")
    try:
        host, port = split_host_port(listen, 8081)
    except ValueError as exc:
        raise reader.error("listen", str(exc)) from None
    url = reader.get("url", str, "")
    if url and not re.match(r"https?://[^/\s]+", url):
        raise reader.error("url", "must be an http:// or https:// URL the phones can reach")
    devices = reader.string_list("allowed_devices")
    for device in devices:
        if not re.fullmatch(r"SEP[0-9A-Fa-f]{12}", device):
            raise reader.error("allowed_devices", f"{device!r} is not a device name like SEP001122334455")
    return ServiceConfig(
        listen_host=host,
        listen_port=port,
        url=url,
        username=reader.get("username", str, defaults.username),
        password=reader.password(defaults.password),
        allowed_devices=tuple("SEP" + d[3:].upper() for d in devices),
        object_ttl=reader.positive("object_ttl", float, 300.0),
    )


def _phone(reader: _Reader, defaults: Defaults) -> Phone:
    reader.check_keys(_PHONE_KEYS | _PASSWORD_KEYS)
    name = reader.get("name", str, required=True).strip()
    if not name:
        raise reader.error("name", "must not be empty")
    host = reader.get("host", str, required=True).strip()
    if not host or re.search(r"[\s/]", host):
        raise reader.error("host", f"{host!r} is not a host name or address")
    scheme = reader.get("scheme", str, "http")
    if scheme not in ("http", "https"):
        raise reader.error("scheme", "must be http or https")
    port = reader.get("port", int, 443 if scheme == "https" else 80)
    if not 1 <= port <= 65535:
        raise reader.error("port", f"{port} is out of range 1-65535")
    model = reader.get("model", str, "")
    family = family_for_model(model)
    family_name = reader.get("family", str, None)
    if family_name is not None:
        if family_name not in FAMILIES:
            raise reader.error("family", f"must be one of {', '.join(FAMILIES)}")
        family = FAMILIES[family_name]
    try:
        charset = normalise_charset(reader.get("charset", str, family.charset))
    except ValueError as exc:
        raise reader.error("charset", str(exc)) from None
    return Phone(
        name=name,
        host=host,
        port=port,
        scheme=scheme,
        model=model,
        username=reader.get("username", str, defaults.username),
        password=reader.password(defaults.password),
        tags=reader.string_list("tags"),
        family=family,
        charset=charset,
        size_limit=reader.positive("size_limit", int, family.size_limit),
    )


def parse_config(text: str, path: Path | str = "<config>") -> Config:
    """Check TOML ``text`` and build a Config; ConfigError on the first problem."""
    path = Path(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(path, "", f"TOML syntax: {message}", line) from None
    locator = _Locator(text)
    top = _Reader(path, locator, raw, ())
    top.check_keys(_TOP_KEYS)
    defaults = _defaults(_Reader(path, locator, top.get("defaults", dict, {}), ("defaults",)))
    config = Config(path=path, defaults=defaults, raw=raw)
    if "service" in raw:
        config.service = _service(_Reader(path, locator, top.get("service", dict), ("service",)), defaults)
    names: dict[str, int] = {}
    addresses: dict[str, int] = {}
    for index, table in enumerate(top.get("phones", list, [])):
        if not isinstance(table, dict):
            raise ConfigError(path, f"phones[{index}]", "must be a table", locator.line("phones", index))
        reader = _Reader(path, locator, table, ("phones", index))
        phone = _phone(reader, defaults)
        if phone.name in names:
            raise reader.error("name", f"{phone.name!r} is already used by phones[{names[phone.name]}]")
        if phone.address in addresses:
            raise reader.error("host", f"{phone.address} is already used by phones[{addresses[phone.address]}]")
        names[phone.name] = index
        addresses[phone.address] = index
        phone.line = locator.line("phones", index)
        config.phones.append(phone)
    templates = top.get("templates", list, [])
    for index, template in enumerate(templates):
        reader = _Reader(path, locator, template if isinstance(template, dict) else {}, ("templates", index))
        if not isinstance(template, dict):
            raise ConfigError(path, f"templates[{index}]", "must be a table", locator.line("templates", index))
        reader.get("name", str, required=True)
        if reader.get("kind", str, "text") not in ("text", "execute"):
            raise reader.error("kind", "must be text or execute")
    config.templates = list(templates)
    keys = _Reader(path, locator, top.get("keys", dict, {}), ("keys",))
    config.keys = {k: keys.get(k, str) for k in keys.table}
    return config


def load_config(path: Path | str) -> Config:
    """Read and check the config at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found (give --config, or set $PHONETUI_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "", f"cannot read: {exc}") from None
    config = parse_config(text, path)
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if mode & (stat.S_IRGRP | stat.S_IROTH) and _holds_password(config.raw):
        config.warnings.append(f"{path}: holds passwords and is readable by other users; run: chmod 600 {path}")
    return config


def template_object(template: dict[str, Any]) -> CiscoObject:
    """The object a saved template describes (fields it lacks are left empty)."""
    if template.get("kind") == "execute":
        items = [ExecuteItem(str(i.get("url", "")), int(i.get("priority", 0))) for i in template.get("items", [])]
        return CiscoIPPhoneExecute(items)
    softkeys = [
        SoftKeyItem(
            str(k.get("name", "")), str(k.get("url", "")), str(k.get("url_down", "")), int(k.get("position", 1))
        )
        for k in template.get("softkeys", [])
    ]
    return CiscoIPPhoneText(
        str(template.get("title", "")), str(template.get("prompt", "")), str(template.get("text", "")), softkeys
    )


def missing_credentials(
    config: Config, phones: list[Phone], username: str | None = None, password: str | None = None
) -> ConfigError | None:
    """A located error for the first phone with no push user or password (after overrides), if any."""
    for index, phone in enumerate(config.phones):
        has_user, has_password = bool(username or phone.username), bool(password or phone.password)
        if phone in phones and not (has_user and has_password):
            what = "user" if not has_user else "password"
            message = (
                f"phone {phone.name!r} has no push {what}: give username and password (or password_env, "
                "password_file) in its table or in [defaults]"
            )
            return ConfigError(config.path, f"phones[{index}]", message, phone.line)
    return None


def _holds_password(raw: dict[str, Any]) -> bool:
    tables = [raw.get("defaults", {}), raw.get("service", {}), *raw.get("phones", [])]
    return any(isinstance(t, dict) and "password" in t for t in tables)


def write_config(path: Path | str, raw: dict[str, Any]) -> None:
    """Write ``raw`` as TOML to ``path`` atomically, keeping the old file as ``<name>.bak``.

    The new text is written to a temporary file in the same folder and synced, then
    renamed over the old one, so a crash leaves either the old or the new file whole.
    """
    path = Path(path)
    text = tomli_w.dumps(raw)
    parse_config(text, path)  # never write what we could not read back
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            backup = path.with_name(path.name + ".bak")
            _copy(path, backup)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    _sync_dir(path.parent)


def _copy(source: Path, target: Path) -> None:
    data = source.read_bytes()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_templates(config: Config, templates: list[dict[str, Any]]) -> None:
    """Replace the config file's templates, keeping everything else as it was read."""
    raw = dict(config.raw)
    raw["templates"] = templates
    write_config(config.path, raw)
    config.raw = raw
    config.templates = list(templates)
