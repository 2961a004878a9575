"""What a config holds, once read and checked: phones, defaults, the service, templates.

Plain dataclasses with every default applied, so the rest of phonetui never sees TOML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from ..cisco import (
    FAMILIES,
    CiscoIPPhoneExecute,
    CiscoIPPhoneText,
    CiscoObject,
    ExecuteItem,
    Family,
    SoftKeyItem,
)
from .errors import ConfigError

#: How an object reaches a phone (see ``push.plan``): the one definition of the modes.
Mode = Literal["auto", "direct", "via-url"]
MODES: tuple[Mode, ...] = get_args(Mode)
#: Where the service listens unless ``[service] listen`` says otherwise.
SERVICE_HOST, SERVICE_PORT = "127.0.0.1", 8081
TEMPLATES_FILE = "templates.toml"
#: Where ``phonetui discover`` keeps the phones it found, beside the config, unless ``[discovery] file`` says.
DISCOVERED_FILE = "discovered-phones.toml"
#: What discovered phones may be tagged by (``[discovery] tags_from``).
TagSource = Literal["device_pool", "family", "description"]
TAG_SOURCES: tuple[TagSource, ...] = get_args(TagSource)

TemplateKind = Literal["text", "execute"]
#: How an https phone's certificate is checked: pinned on first use, verified by CAs, or not at all.
Verify = Literal["pin", "ca", "off"]
#: How phonetui proves itself to a phone: Basic (checked by the phone's authentication URL) or Digest (MPP).
PhoneAuthScheme = Literal["basic", "digest"]
AUTH_SCHEMES: tuple[PhoneAuthScheme, ...] = get_args(PhoneAuthScheme)


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
    #: The phone's device name in CUCM (``SEP…``); a phone may be given by it alone, its address discovered.
    device: str = ""
    dn: str = ""
    description: str = ""
    #: Where the address came from when it was discovered (e.g. "cucm cm-pub"); '' when a person wrote it.
    discovered: str = field(default="", compare=False)
    #: The config gave model, family, charset or size_limit: discovery does not change them.
    rules_given: bool = field(default=False, compare=False, repr=False)
    #: The phone's table gives its own user or password: ``--username``/``--password`` leave a Digest
    #: phone's own alone (they are the push user's, which a multiplatform phone does not know).
    own_credentials: bool = field(default=False, compare=False, repr=False)
    #: ``verify``: "pin" (trust on first use), "ca" (``true``: system CAs or ``ca_file``), "off" (``false``).
    verify: Verify = field(default="pin", compare=False)
    ca_file: str = field(default="", compare=False)
    #: ``auth`` as the config gives it (the phone's, else ``[defaults]``); None: by model (``phone_auth``).
    auth: PhoneAuthScheme | None = field(default=None, compare=False)

    @property
    def insecure(self) -> bool:
        """An https phone whose certificate is not checked at all (``verify = false``)."""
        return self.scheme == "https" and self.verify == "off"

    @property
    def address(self) -> str:
        """``host:port``; '' while a phone known by device name only has no address yet."""
        if not self.host:
            return ""
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
    #: ``{sender}`` when ``--sender`` is not given ("": the login name).
    sender: str = ""
    verify: Verify = "pin"
    ca_file: str = ""
    #: ``auth`` for every phone that names none; None: each phone's model decides (MPP: digest).
    auth: PhoneAuthScheme | None = None


#: Where the responder's verdict comes from: the config's own user and password, or CUCM (AXL).
Verdict = Literal["config", "cucm"]


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
    #: What a phone shows once it has acknowledged an alert.
    ack_reply: str = "Thank you"
    #: PEM files: serve https with them ("" for plain http).
    tls_cert: str = ""
    tls_key: str = ""
    #: "cucm": ask CUCM's AXL ``doAuthenticateUser`` whether a user's password is right.
    verdict: Verdict = "config"
    #: The ``[cucm]`` connection the verdict is asked over (set when the config is read).
    cucm: CucmConfig | None = field(default=None, repr=False)
    #: ``/healthz`` and ``/metrics`` only here (host, port), phones' address answering 404; None: beside the rest.
    metrics_listen: tuple[str, int] | None = None
    #: ``serve``'s log: a file rotated at ``log_max_bytes`` keeping ``log_backups`` old ones ("" for stdout).
    log_file: str = ""
    log_max_bytes: int = 10 * 1024 * 1024
    log_backups: int = 5
    #: Lines for answered requests a minute; beyond it they are counted in the minute's summary.
    log_successes_per_minute: int = 60

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"

    @property
    def public_url(self) -> str:
        return (self.url or f"{self.scheme}://{self.listen_host}:{self.listen_port}").rstrip("/")


@dataclass(frozen=True)
class CucmConfig:
    """Where CUCM is and how to ask it (``[cucm]``): RisPort70 for addresses, AXL for models."""

    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: str = ""
    insecure: bool = False
    rate_per_minute: int = 15
    axl: bool = False
    #: AXL's schema version must match the server's (CUCM 12.5 speaks "12.5", 15 speaks "15.0").
    axl_version: str = "15.0"
    timeout: float = 30.0


@dataclass(frozen=True)
class ProbeConfig:
    """How the app probes (``[probe]``): how many phones at once, how long each has, how often (0: never by itself)."""

    concurrency: int = 64
    timeout: float = 3.0
    interval: float = 0.0
    #: Probe every phone as the app starts (the demo does).
    at_start: bool = False


@dataclass(frozen=True)
class DiscoveryConfig:
    """Where discovered phones are kept and what tags them (``[discovery]``)."""

    file: Path
    tags_from: tuple[TagSource, ...] = ("device_pool", "family")


def template_key(field_name: str) -> str:
    """The template key that holds an object's field: ``Text`` → ``text``, ``SoftKeyItem[2]`` → ``softkeys``."""
    known = {"Title": "title", "Prompt": "prompt", "Text": "text"}
    return known.get(field_name) or ("softkeys" if field_name.startswith("SoftKey") else "items")


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
    #: The template's own variables (``vars = { site = "HQ" }``), beside the built-in ones.
    variables: dict[str, str] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)
    #: The line of each of its keys (``text``, ``softkeys``, …): a message about a field names its line.
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

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

    def where_field(self, field_name: str) -> str:
        """``file:line`` of the key that holds an object's field (``Text``: the ``text`` line), as
        ``check`` locates it; the table's line when the key is not known."""
        line = self.key_lines.get(template_key(field_name))
        return f"{self.source}:{line}" if self.source is not None and line else self.where

    def to_toml(self) -> dict[str, Any]:
        """The table that reads back as this template."""
        own = {"vars": dict(self.variables)} if self.variables else {}
        if self.kind == "execute":
            return {
                "name": self.name,
                "kind": "execute",
                "items": [{"url": i.url, "priority": i.priority} for i in self.items],
                **own,
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
        table.update(own)
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
    #: Located errors of single phones (an address that cannot be one) or templates (an unknown
    #: variable): ``check`` fails on them; ``push`` and the app keep the others and refuse these.
    phone_errors: list[ConfigError] = field(default_factory=list)
    cucm: CucmConfig | None = None
    probe: ProbeConfig = field(default_factory=ProbeConfig)
    discovery_path: Path | None = None
    tags_from: tuple[TagSource, ...] = ("device_pool", "family")
    #: Names of the phones that came from the discovered phones file (not written by a person).
    discovered_names: set[str] = field(default_factory=set)
    #: The discovered file's syntax error, when it was read to be rebuilt (``discover``) and is damaged.
    discovered_damage: ConfigError | None = None

    @property
    def discovery(self) -> DiscoveryConfig:
        """Where discovered phones go: ``[discovery] file``, else ``discovered-phones.toml`` beside the config."""
        return DiscoveryConfig(self.discovery_path or self.path.parent / DISCOVERED_FILE, self.tags_from)

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
