"""The schema: which keys each table takes, what each value must be, and the address rules."""

from __future__ import annotations

import difflib
import ipaddress
import re
from pathlib import Path

from ..cisco import (
    FAMILIES,
    CiscoIPPhoneText,
    ExecuteItem,
    SoftKeyItem,
    errors,
    family_for_model,
    normalise_charset,
    validate,
)
from ..cisco.devinfo import device_name_problem
from ..keymap import DEFAULT_KEYS, clashes, key_problem
from .auth_keys import phone_auth, service_tls, service_verdict
from .model import MODES, SERVICE_HOST, SERVICE_PORT, Defaults, Phone, ServiceConfig, Template, Verify, template_key
from .reader import _Reader
from .service_keys import OPERATOR_KEYS, operator_keys

_PASSWORD_KEYS = {"password", "password_env", "password_file"}
_PHONE_KEYS = {"name", "host", "port", "scheme", "model", "username", "tags", "family", "charset", "size_limit"}
_PHONE_KEYS |= {"device", "dn", "description", "verify", "ca_file", "auth"}
#: What ``phonetui discover`` also records about a phone it found (its own file only).
DISCOVERED_KEYS = {"device_pool", "source", "seen", "web_server_off"}
_DEFAULT_KEYS = {"username", "timeout", "connect_timeout", "play_timeout", "concurrency", "mode", "templates_file"}
_DEFAULT_KEYS |= {"sender", "verify", "ca_file", "auth"}
#: What ``verify = false`` leaves open, said by ``check``, on start and in the preview.
INSECURE_WARNING = "certificates are not checked (verify = false): anyone in the middle gets the push user's password"
_SERVICE_KEYS = {"listen", "url", "username", "allowed_devices", "object_ttl", "ack_reply"}
_SERVICE_KEYS |= {"tls_cert", "tls_key", "verdict"} | OPERATOR_KEYS
_TOP_KEYS = {"defaults", "service", "phones", "templates", "keys", "cucm", "discovery", "probe"}
_TEMPLATE_KEYS: dict[str, set[str]] = {
    "text": {"name", "kind", "title", "prompt", "text", "softkeys", "vars"},
    "execute": {"name", "kind", "items", "vars"},
}
#: The key of a template that holds a field of its object.
_FIELD_KEYS = {"Title": "title", "Prompt": "prompt", "Text": "text"}
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
        sender=reader.get("sender", str, ""),
        verify=_verify(reader, "pin"),
        ca_file=_ca_file(reader, ""),
        auth=phone_auth(reader, None),
    )


def _ca_file(reader: _Reader, default: str) -> str:
    """``ca_file``: a PEM file, relative to the config; one that is not there is an error now, not at the push."""
    given = reader.get("ca_file", str, "")
    if not given:
        return default
    resolved = (reader.path.parent / given).expanduser()
    if not resolved.is_file():
        reader.fail("ca_file", f"{resolved} is not a file")
    return str(resolved)


def _verify(reader: _Reader, default: Verify) -> Verify:
    """``verify``: "pin" (the default), true (CAs) or false (no check, warned of)."""
    value = reader.get("verify", (str, bool), None)
    if value is None:
        return default
    if value is True:
        return "ca"
    if value is False:
        reader.warn("verify", INSECURE_WARNING)
        return "off"
    if value != "pin":
        reader.fail("verify", 'must be "pin", true or false')
        return default
    return "pin"


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
    cert, key = service_tls(reader)
    return ServiceConfig(
        tls_cert=cert,
        tls_key=key,
        verdict=service_verdict(reader),
        listen_host=host,
        listen_port=port,
        url=url,
        username=reader.get("username", str, defaults.username),
        password=reader.password(defaults.password),
        allowed_devices=tuple("SEP" + d[3:].upper() for d in devices),
        object_ttl=reader.positive("object_ttl", float, 300.0),
        ack_reply=_ack_reply(reader),
        **operator_keys(reader, split_host_port)._asdict(),
    )


def _ack_reply(reader: _Reader) -> str:
    """The text phones show once acknowledged: a Text's body, in either charset."""
    reply: str = reader.get("ack_reply", str, "Thank you")
    problems = errors(validate(CiscoIPPhoneText("Acknowledged", "", reply), "utf-8"))
    if not reply.strip() or problems:
        reader.fail("ack_reply", str(problems[0]) if problems else "must not be empty")
        return "Thank you"
    return reply


def _phone(reader: _Reader, defaults: Defaults, discovered: bool = False) -> Phone | None:
    """The phone the table describes, or None when it is too broken to list.

    A phone may be given by ``device`` alone: its name is then the device name, and its
    address comes from discovery (the discovered phones file, or CUCM when asked).
    """
    reader.check_keys(_PHONE_KEYS | _PASSWORD_KEYS | (DISCOVERED_KEYS if discovered else set()))
    errors_before = len(reader.problems.errors)
    device = (reader.get("device", str, "") or "").strip()
    if "device" in reader.table and (problem := device_name_problem(device)):
        reader.fail("device", problem)
    if device[:3].upper() == "SEP":
        device = device.upper()
    name = (reader.get("name", str, device or None, required=not device) or "").strip()
    if "name" in reader.table and isinstance(reader.table["name"], str) and not name:
        reader.fail("name", "must not be empty")
    host = (reader.get("host", str, "", required=not device) or "").strip()
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
        device=device,
        dn=reader.get("dn", str, ""),
        description=reader.get("description", str, ""),
        discovered=reader.get("source", str, "discovered") if discovered else "",
        rules_given=any(key in reader.table for key in ("model", "family", "charset", "size_limit")),
        own_credentials=any(key in reader.table for key in ("username", "password", "password_env", "password_file")),
        verify=_verify(reader, defaults.verify),
        ca_file=_ca_file(reader, defaults.ca_file),
        auth=phone_auth(reader, defaults.auth),
    )
    if discovered:
        reader.get("device_pool", str, "")
        reader.get("seen", str, "")
        reader.get("web_server_off", bool, False)
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
    template.variables = _variables(reader)
    keys = ("title", "prompt", "text", "softkeys", "items")
    template.key_lines = {key: line for key in keys if key in reader.table and (line := reader.line(key))}
    if len(reader.problems.errors) != errors_before:
        return None
    for problem in validate(template.to_object()):
        reader.warn(None, f"{problem.field}: {problem.message}")
    from ..variables import known_names, unknown_problems  # the variables module needs the config's types

    for problem in unknown_problems(template.to_object(), known_names(template.variables)):
        key = template_key(problem.field)
        field = "" if problem.field in _FIELD_KEYS else f"{problem.field}: "
        reader.fail_phone(key, f"template {name!r}: {field}{problem.message}")
    return template


def _variables(reader: _Reader) -> dict[str, str]:
    """A template's ``vars``: names that are lower-case identifiers, not built in; values strings."""
    from ..variables import name_problem

    table = reader.get("vars", dict, {})
    values: dict[str, str] = {}
    own = reader.child(table, "vars")
    for name, value in table.items():
        if problem := name_problem(name):
            own.fail(name, problem)
        elif not isinstance(value, str):
            own.fail(name, f'must be a string, in quotes: {name} = "…"')
        else:
            values[name] = value
    return values


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
        reader.fail(key_id, f"{key!r} is already the key of {other!r} on the {screen} screen")
    return keys
