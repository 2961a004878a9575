"""The TOML configuration: phones, defaults, the service, templates, keys.

Read with ``tomllib``; every error names the file, the key and the line, and a
file is checked whole, so one run of ``phonetui check`` shows every mistake. The
app never rewrites a file a person wrote: templates saved from the app go to a
file of its own (``templates.toml`` beside the config, or ``[defaults]
templates_file``), written with ``tomli-w`` atomically.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import os
import re
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

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
    validate,
)
from .keymap import DEFAULT_KEYS, clashes, key_problem

#: How an object reaches a phone (see ``push.plan``): the one definition of the modes.
Mode = Literal["auto", "direct", "via-url"]
MODES: tuple[Mode, ...] = get_args(Mode)
#: Where the service listens unless ``[service] listen`` says otherwise.
SERVICE_HOST, SERVICE_PORT = "127.0.0.1", 8081
TEMPLATES_FILE = "templates.toml"
#: How many errors a ConfigErrors shows before "and N more".
ERRORS_SHOWN = 20

TemplateKind = Literal["text", "execute"]


class ConfigError(Exception):
    """A config problem, located: ``file:line: key: message``."""

    def __init__(self, path: Path | str, key: str, message: str, line: int | None = None) -> None:
        self.path, self.key, self.message, self.line = Path(path), key, message, line
        super().__init__(self.located())

    def located(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"

    def lines(self) -> list[str]:
        """What to print, one problem a line."""
        return [self.located()]


class ConfigErrors(ConfigError):
    """Every problem found in a config. Its own fields are those of the first problem,
    so code that wants one error (``except ConfigError``) still reads one."""

    def __init__(self, errors: list[ConfigError]) -> None:
        if not errors:
            raise ValueError("ConfigErrors needs at least one error")
        self.errors = list(errors)
        first = errors[0]
        super().__init__(first.path, first.key, first.message, first.line)

    def lines(self) -> list[str]:
        shown = [error.located() for error in self.errors[:ERRORS_SHOWN]]
        hidden = len(self.errors) - ERRORS_SHOWN
        if hidden > 0:
            shown.append(f"and {hidden} more error{'s' * (hidden != 1)}")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())


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
    mode: Mode = "auto"


@dataclass
class ServiceConfig:
    """The embedded service: where it listens, how phones reach it, whom it admits."""

    listen_host: str = SERVICE_HOST
    listen_port: int = SERVICE_PORT
    url: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    allowed_devices: tuple[str, ...] = ()
    object_ttl: float = 300.0

    @property
    def public_url(self) -> str:
        return (self.url or f"http://{self.listen_host}:{self.listen_port}").rstrip("/")


@dataclass
class Template:
    """A saved message: a Text or an Execute, with the file and line it came from."""

    name: str
    kind: TemplateKind = "text"
    title: str = ""
    prompt: str = ""
    text: str = ""
    softkeys: list[SoftKeyItem] = field(default_factory=list)
    items: list[ExecuteItem] = field(default_factory=list)
    source: Path | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    def to_object(self) -> CiscoObject:
        """A fresh object (editing it leaves the template as it is)."""
        if self.kind == "execute":
            return CiscoIPPhoneExecute([ExecuteItem(i.url, i.priority) for i in self.items])
        softkeys = [SoftKeyItem(k.name, k.url, k.url_down, k.position) for k in self.softkeys]
        return CiscoIPPhoneText(self.title, self.prompt, self.text, softkeys)

    @classmethod
    def from_object(cls, name: str, obj: CiscoObject) -> Template:
        """The template that gives ``obj`` back."""
        if isinstance(obj, CiscoIPPhoneExecute):
            return cls(name, "execute", items=[ExecuteItem(i.url, i.priority) for i in obj.items])
        softkeys = [SoftKeyItem(k.name, k.url, k.url_down, k.position) for k in obj.softkeys]
        return cls(name, "text", obj.title, obj.prompt, obj.text, softkeys)

    @property
    def where(self) -> str:
        """``file:line`` of the template, for messages."""
        if self.source is None:
            return "(not saved)"
        return f"{self.source}:{self.line}" if self.line else str(self.source)

    def to_toml(self) -> dict[str, Any]:
        """The table that reads back as this template."""
        if self.kind == "execute":
            return {
                "name": self.name,
                "kind": "execute",
                "items": [{"url": i.url, "priority": i.priority} for i in self.items],
            }
        table: dict[str, Any] = {
            "name": self.name,
            "kind": "text",
            "title": self.title,
            "prompt": self.prompt,
            "text": self.text,
        }
        if self.softkeys:
            table["softkeys"] = [
                {"name": k.name, "url": k.url, "url_down": k.url_down, "position": k.position}
                if k.url_down
                else {"name": k.name, "url": k.url, "position": k.position}
                for k in self.softkeys
            ]
        return table


@dataclass
class Config:
    """A whole config file, read and checked."""

    path: Path
    phones: list[Phone] = field(default_factory=list)
    defaults: Defaults = field(default_factory=Defaults)
    service: ServiceConfig | None = None
    templates: list[Template] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)
    templates_path: Path | None = None
    #: Located errors of single phones (an address that cannot be one): ``check`` fails on them,
    #: ``push`` and the app keep the other phones and refuse these.
    phone_errors: list[ConfigError] = field(default_factory=list)

    @property
    def templates_file(self) -> Path:
        """Where the app saves templates: ``[defaults] templates_file``, else ``templates.toml`` beside the config."""
        return self.templates_path or self.path.parent / TEMPLATES_FILE

    def phone(self, name: str) -> Phone | None:
        return next((p for p in self.phones if p.name == name), None)

    def template(self, name: str) -> Template | None:
        return next((t for t in self.templates if t.name == name), None)

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


class _Problems:
    """What checking one config (and its templates file) found: errors and warnings."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []
        self.warnings: list[str] = []
        #: Wrong for one phone only (its address): ``check`` fails, a push refuses that phone alone.
        self.phone_errors: list[ConfigError] = []

    def raise_if_any(self) -> None:
        """ConfigErrors, each file's errors in the order of their lines, if anything was wrong."""
        if self.errors:
            every = self.errors + self.phone_errors  # all of them, one a line
            files = list(dict.fromkeys(error.path for error in every))
            raise ConfigErrors(sorted(every, key=lambda e: (files.index(e.path), e.line or 0)))


class _Invalid(Exception):
    """A value was wrong; its error is already recorded. Internal to the reader."""


class _Reader:
    """Typed access to one TOML table; every problem is recorded, located, and reading goes on."""

    def __init__(
        self,
        path: Path,
        locator: _Locator,
        table: dict[str, Any],
        where: tuple[str | int, ...],
        problems: _Problems,
    ) -> None:
        self.path, self.locator, self.table, self.where, self.problems = path, locator, table, where, problems

    def child(self, table: dict[str, Any], *where: str | int) -> _Reader:
        return _Reader(self.path, self.locator, table, (*self.where, *where), self.problems)

    def name(self, key: str | int | None = None) -> str:
        out = ""
        for part in (*self.where, key) if key is not None else self.where:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def line(self, key: str | int | None = None) -> int | None:
        return self.locator.line(*self.where, key) if key is not None else self.locator.line(*self.where)

    def error(self, key: str | int | None, message: str) -> ConfigError:
        return ConfigError(self.path, self.name(key), message, self.line(key))

    def fail(self, key: str | int | None, message: str) -> None:
        """Record an error at ``key`` (the table itself when None)."""
        self.problems.errors.append(self.error(key, message))

    def fail_phone(self, key: str | int | None, message: str) -> None:
        """Record an error that concerns this phone alone: the phone is kept, and refused when pushed."""
        self.problems.phone_errors.append(self.error(key, message))

    def warn(self, key: str | int | None, message: str) -> None:
        self.problems.warnings.append(self.error(key, message).located())

    def check_keys(self, allowed: set[str], elsewhere: dict[str, str] | None = None) -> None:
        """Unknown keys are errors, with a suggestion; ``elsewhere`` says where a misplaced key belongs."""
        for key in self.table:
            if key in allowed:
                continue
            if elsewhere and key in elsewhere:
                self.fail(key, elsewhere[key])
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.fail(key, f"unknown key{hint}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        """The value at ``key`` if it has the right type; else the error is recorded and ``default`` returned."""
        if key not in self.table:
            if required:
                self.problems.errors.append(ConfigError(self.path, self.name(key), "is required", self.line()))
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.fail(key, f"must be {names}, not {_TYPE_NAMES.get(type(value), type(value).__name__)}")
            return default
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if not all(isinstance(v, str) for v in values):
            self.fail(key, "must be a list of strings")
            return ()
        return tuple(values)

    def positive(self, key: str, kind: type, default: Any) -> Any:
        value = self.get(key, kind, default)
        if not math.isfinite(value) or value <= 0:
            self.fail(key, "must be a number greater than 0" if kind is float else "must be greater than 0")
            return default
        return value

    def tables(self, key: str, example: str = "") -> Iterator[tuple[int, _Reader]]:
        """Each table of the array at ``key``; anything else in it is an error."""
        message = f"must be a table, like {example}" if example else "must be a table"
        if isinstance(self.table.get(key), dict) and not self.where:
            self.fail(key, f"must be an array of tables: write [[{key}]], not [{key}]")
            return
        for index, item in enumerate(self.get(key, list, [])):
            if isinstance(item, dict):
                yield index, self.child(item, key, index)
            else:
                self.problems.errors.append(
                    ConfigError(self.path, f"{self.name(key)}[{index}]", message, self.line(key))
                )

    def password(self, default: str = "") -> str:
        sources = [k for k in ("password", "password_env", "password_file") if k in self.table]
        if len(sources) > 1:
            self.fail(sources[1], f"give only one of {', '.join(sources)}")
            return default
        if not sources:
            return default
        source = sources[0]
        value = self.get(source, str)
        if value is None:
            return default
        if source == "password":
            return str(value)
        if source == "password_env":
            if value not in os.environ:
                self.warn(source, f"environment variable {value!r} is not set: no password from it")
                return ""
            return os.environ[value]
        file = (self.path.parent / str(value)).expanduser()
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            self.fail(source, f"cannot read {file}: {reason}")
            return default


_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
_TYPE_NAMES[dict] = "a table"

_PASSWORD_KEYS = {"password", "password_env", "password_file"}
_PHONE_KEYS = {"name", "host", "port", "scheme", "model", "username", "tags", "family", "charset", "size_limit"}
_DEFAULT_KEYS = {"username", "timeout", "connect_timeout", "play_timeout", "concurrency", "mode", "templates_file"}
_SERVICE_KEYS = {"listen", "url", "username", "allowed_devices", "object_ttl"}
_TOP_KEYS = {"defaults", "service", "phones", "templates", "keys"}
_TEMPLATE_KEYS: dict[str, set[str]] = {
    "text": {"name", "kind", "title", "prompt", "text", "softkeys"},
    "execute": {"name", "kind", "items"},
}
_SOFTKEY_KEYS = {"name", "url", "url_down", "position"}
_ITEM_KEYS = {"url", "priority"}

_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def host_problem(host: str) -> str | None:
    """Why ``host`` cannot be a phone's address, or None: it must be an IP address or a DNS name.

    Checked at load (a located error) and again before a push (the phone is refused),
    so a config built in code cannot slip an address past either.
    """
    if not host:
        return "is empty"
    if any(c.isspace() for c in host):
        return f"{host!r} holds a space"
    if "/" in host or "@" in host or "?" in host or "#" in host:
        return f"{host!r} is not a host name or address: give the host alone (no scheme, user or path)"
    if host.startswith("["):
        return f"{host!r}: write an IPv6 address without brackets"
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            name, _, port = host.rpartition(":")
            if port.isdigit() and ":" not in name:
                return f"{host!r}: give the port on its own (port = {port})"
            return f"{host!r} is not an IPv6 address"
        return None
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if re.fullmatch(r"[0-9.]+", name):
        if len(labels) != 4 or not all(labels):
            return f"{host!r} is not an IPv4 address: it needs four numbers 0-255, like 192.0.2.10"
        for label in labels:
            if int(label) > 255:
                return f"{host!r} is not an IPv4 address: {label} is over 255"
            if len(label) > 1 and label.startswith("0"):
                return f"{host!r}: {label} has a leading zero (some read it as octal); write {int(label)}"
        return None
    if not all(labels):
        return f"{host!r} has an empty label (a leading dot, or two dots in a row)"
    label_rule = "may hold letters, digits and hyphens (not first or last), up to 63 characters"
    try:
        ascii_labels = [label.encode("idna").decode("ascii") for label in labels]
    except UnicodeError:
        return f"{host!r} is not a valid host name: each label {label_rule}"
    if len(".".join(ascii_labels)) > 253:
        return f"{host!r} is longer than 253 characters"
    for label in ascii_labels:
        if not _LABEL.fullmatch(label):
            return f"{host!r} is not a valid host name: {label!r} {label_rule}"
    return None


def _defaults(reader: _Reader) -> Defaults:
    reader.check_keys(_DEFAULT_KEYS | _PASSWORD_KEYS)
    given = reader.get("mode", str, Defaults.mode)
    mode = next((m for m in MODES if m == given), None)
    if mode is None:
        reader.fail("mode", f"must be one of {', '.join(MODES)}")
        mode = Defaults.mode
    return Defaults(
        username=reader.get("username", str, ""),
        password=reader.password(),
        timeout=reader.positive("timeout", float, Defaults.timeout),
        connect_timeout=reader.positive("connect_timeout", float, Defaults.connect_timeout),
        play_timeout=reader.positive("play_timeout", float, Defaults.play_timeout),
        concurrency=reader.positive("concurrency", int, Defaults.concurrency),
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
    listen = reader.get("listen", str, f"{SERVICE_HOST}:{SERVICE_PORT}")
    try:
        host, port = split_host_port(listen, SERVICE_PORT)
    except ValueError as exc:
        reader.fail("listen", str(exc))
        host, port = SERVICE_HOST, SERVICE_PORT
    url = reader.get("url", str, "")
    if url and not re.match(r"https?://[^/\s]+", url):
        reader.fail("url", "must be an http:// or https:// URL the phones can reach")
    devices = reader.string_list("allowed_devices")
    for device in devices:
        if not re.fullmatch(r"SEP[0-9A-Fa-f]{12}", device):
            reader.fail("allowed_devices", f"{device!r} is not a device name like SEP001122334455")
    return ServiceConfig(
        listen_host=host,
        listen_port=port,
        url=url,
        username=reader.get("username", str, defaults.username),
        password=reader.password(defaults.password),
        allowed_devices=tuple("SEP" + d[3:].upper() for d in devices),
        object_ttl=reader.positive("object_ttl", float, 300.0),
    )


def _phone(reader: _Reader, defaults: Defaults) -> Phone | None:
    """The phone the table describes, or None when it is too broken to list."""
    reader.check_keys(_PHONE_KEYS | _PASSWORD_KEYS)
    errors_before = len(reader.problems.errors)
    name = (reader.get("name", str, required=True) or "").strip()
    if "name" in reader.table and isinstance(reader.table["name"], str) and not name:
        reader.fail("name", "must not be empty")
    host = (reader.get("host", str, required=True) or "").strip()
    if isinstance(reader.table.get("host"), str):
        problem = host_problem(host)
        if problem:
            reader.fail_phone("host", problem)
    scheme = reader.get("scheme", str, "http")
    if scheme not in ("http", "https"):
        reader.fail("scheme", "must be http or https")
        scheme = "http"
    port = reader.get("port", int, 443 if scheme == "https" else 80)
    if not 1 <= port <= 65535:
        reader.fail("port", f"{port} is out of range 1-65535")
    model = reader.get("model", str, "")
    family = family_for_model(model)
    family_name = reader.get("family", str, None)
    if family_name is not None:
        if family_name in FAMILIES:
            family = FAMILIES[family_name]
        else:
            reader.fail("family", f"must be one of {', '.join(FAMILIES)}")
    charset = family.charset
    try:
        charset = normalise_charset(reader.get("charset", str, family.charset))
    except ValueError as exc:
        reader.fail("charset", str(exc))
    phone = Phone(
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
        line=reader.line(),
    )
    return phone if len(reader.problems.errors) == errors_before else None


def _softkey(reader: _Reader, position: int) -> SoftKeyItem:
    reader.check_keys(_SOFTKEY_KEYS)
    return SoftKeyItem(
        reader.get("name", str, "", required=True),
        reader.get("url", str, ""),
        reader.get("url_down", str, ""),
        reader.get("position", int, position),
    )


def _item(reader: _Reader) -> ExecuteItem:
    reader.check_keys(_ITEM_KEYS)
    return ExecuteItem(reader.get("url", str, "", required=True), reader.get("priority", int, 0))


def _template(reader: _Reader, source: Path) -> Template | None:
    """The template the table describes; structural mistakes are errors, protocol ones warnings."""
    errors_before = len(reader.problems.errors)
    name = reader.get("name", str, "", required=True)
    if isinstance(reader.table.get("name"), str) and not name.strip():
        reader.fail("name", "must not be empty")
    kind = reader.get("kind", str, "text")
    if kind not in _TEMPLATE_KEYS:
        reader.fail("kind", "must be text or execute")
        return None
    other = "execute" if kind == "text" else "text"
    misplaced = f'belongs to kind = "{other}" templates; this one is kind = "{kind}"'
    elsewhere = dict.fromkeys(_TEMPLATE_KEYS[other] - _TEMPLATE_KEYS[kind], misplaced)
    reader.check_keys(_TEMPLATE_KEYS[kind], elsewhere)
    template = Template(name, kind, source=source, line=reader.line())
    if kind == "text":
        template.title = reader.get("title", str, "")
        template.prompt = reader.get("prompt", str, "")
        template.text = reader.get("text", str, "")
        example = '{ name = "Exit", url = "SoftKey:Exit", position = 1 }'
        template.softkeys = [_softkey(r, i + 1) for i, r in reader.tables("softkeys", example)]
    else:
        template.items = [_item(r) for _, r in reader.tables("items", '{ url = "Key:Services", priority = 0 }')]
    if len(reader.problems.errors) != errors_before:
        return None
    for problem in validate(template.to_object()):
        reader.warn(None, f"{problem.field}: {problem.message}")
    return template


def _templates(top: _Reader, source: Path) -> list[Template]:
    templates: list[Template] = []
    names: dict[str, int] = {}
    for index, reader in top.tables("templates"):
        template = _template(reader, source)
        if template is None:
            continue
        if template.name in names:
            reader.fail("name", f"{template.name!r} is already used by templates[{names[template.name]}]")
            continue
        names[template.name] = index
        templates.append(template)
    return templates


def _keys(reader: _Reader) -> dict[str, str]:
    keys: dict[str, str] = {}
    for key_id, value in reader.table.items():
        if key_id not in DEFAULT_KEYS:
            close = difflib.get_close_matches(key_id, sorted(DEFAULT_KEYS), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "phonetui's help screen lists the ids"
            reader.fail(key_id, f"no action has this id; {hint}")
        elif not isinstance(value, str) or not value.strip():
            reader.fail(key_id, 'must be a key name in a string, e.g. "k" or "f6"')
        elif problem := key_problem(value):
            reader.fail(key_id, problem)
        else:
            keys[key_id] = value
    for key_id, key, other, screen in clashes(keys):
        reader.fail(key_id, f"{key!r} is already {other!r}'s key on the {screen} screen")
    return keys


def _parse(text: str, path: Path, problems: _Problems) -> Config | None:
    """Check every part of ``text``, recording each problem; None when it is not TOML at all."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.errors.append(_syntax_error(exc, path))
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
    names: dict[str, int] = {}
    addresses: dict[str, int] = {}
    for index, reader in top.tables("phones"):
        phone = _phone(reader, defaults)
        if phone is None:
            continue
        if phone.name in names:
            reader.fail("name", f"{phone.name!r} is already used by phones[{names[phone.name]}]")
            continue
        if phone.address in addresses:
            reader.fail("host", f"{phone.address} is already used by phones[{addresses[phone.address]}]")
            continue
        names[phone.name] = index
        addresses[phone.address] = index
        config.phones.append(phone)
    config.templates = _templates(top, path)
    config.keys = _keys(top.child(top.get("keys", dict, {}), "keys"))
    return config


def _syntax_error(exc: tomllib.TOMLDecodeError, path: Path) -> ConfigError:
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    line = int(match.group(1)) if match else None
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return ConfigError(path, "", f"TOML syntax: {message}", line)


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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        problems.errors.append(ConfigError(path, "", f"cannot read the templates file: {exc}"))
        return []
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.errors.append(_syntax_error(exc, path))
        return []
    top = _Reader(path, _Locator(text), raw, (), problems)
    top.check_keys({"templates"})
    return _templates(top, path)


def merge_templates(from_config: list[Template], saved: list[Template]) -> list[Template]:
    """The config's templates then the app's; on equal names the app's file wins."""
    names = {t.name for t in saved}
    return [t for t in from_config if t.name not in names] + saved


def load_config(path: Path | str) -> Config:
    """Read and check the config at ``path`` and the app's templates file beside it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ConfigError(path, "", "is a folder, not a config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    problems = _Problems()
    config = _parse(text, path, problems)
    if config is not None:
        config.templates = merge_templates(config.templates, _read_templates_file(config, problems))
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
    for index, phone in enumerate(config.phones):
        has_user, has_password = bool(username or phone.username), bool(password or phone.password)
        if phone in phones and not (has_user and has_password):
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
    tables = [raw.get("defaults", {}), raw.get("service", {}), *raw.get("phones", [])]
    return any(isinstance(t, dict) and "password" in t for t in tables)


def _write_atomic(path: Path, text: str, backup: bool) -> None:
    """Write ``text`` to ``path`` so a crash leaves the old file or the new one, whole.

    The text goes to a temporary file in the same folder, is synced, then renamed over
    the old one; with ``backup`` the old file is first copied to ``<name>.bak``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and path.exists():
            _copy(path, path.with_name(path.name + ".bak"))
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    _sync_dir(path.parent)


def write_config(path: Path | str, raw: dict[str, Any]) -> None:
    """Write a config phonetui made itself (``simulate --write-config``, the demo) as TOML.

    Atomic, the old file kept as ``<name>.bak``. Never used on a file a person wrote.
    """
    path = Path(path)
    text = tomli_w.dumps(raw)
    parse_config(text, path)  # never write what we could not read back
    _write_atomic(path, text, backup=True)


_TEMPLATES_HEADER = (
    "# Templates saved by phonetui (F4 in the app). phonetui rewrites this file when it saves one:\n"
    "# edits here are kept, comments are not. Templates in the config are read too; on equal\n"
    "# names the ones here win.\n\n"
)


def save_template(config: Config, template: Template) -> Path:
    """Save ``template`` in the app's templates file (replacing one of the same name); return that file.

    The config itself is never written. ConfigError if the templates file exists but cannot be read
    (it is then left alone); OSError if it cannot be written.
    """
    path = config.templates_file
    if _same_file(path, config.path):
        raise ConfigError(path, "", "the templates file is the config itself; phonetui never rewrites it")
    entries: list[Any] = []
    try:
        existing = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        existing = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, "", f"cannot read the templates file, so it is left as it is: {exc}") from None
    if isinstance(existing.get("templates"), list):
        entries = [t for t in existing["templates"] if not (isinstance(t, dict) and t.get("name") == template.name)]
    entries.append(template.to_toml())
    text = _TEMPLATES_HEADER + tomli_w.dumps({**existing, "templates": entries})
    problems = _Problems()
    top = _Reader(path, _Locator(text), tomllib.loads(text), (), problems)
    saved = _templates(top, path)
    problems.raise_if_any()  # never write what we could not read back
    _write_atomic(path, text, backup=False)
    written = next(t for t in saved if t.name == template.name)
    template.source, template.line = written.source, written.line
    config.templates = merge_templates([t for t in config.templates if t.name != template.name], [template])
    return path


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
