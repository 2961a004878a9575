"""One phone's copy of an object: variables filled in, and an Ack softkey carrying its own token.

A push sends one object to many phones; an alert or a template with ``{phone}`` in it needs a
copy per phone. A ``Tailor`` says what differs and makes each copy; it is plain data, so it
travels to the push process with the job.

Variables are ``{name}`` with a lower-case identifier; ``{{`` and ``}}`` stand for braces. Any
other brace is left as written: a text about ``{`` needs no escaping unless it looks like a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from .cisco import CiscoIPPhoneText, CiscoObject, ExecuteItem, SoftKeyItem
from .cisco.families import model_number
from .config import Phone

#: The variables every push knows; a template may define more (``vars`` of a ``[[templates]]``).
BUILTIN_VARIABLES = ("phone", "dn", "model", "date", "time", "sender")
#: The variables whose value differs from phone to phone.
PHONE_VARIABLES = ("phone", "dn", "model")
#: Models whose softkey row starts with Exit (8900/9900 series).
_EXIT_FIRST = ("89", "99")
MAX_SOFTKEYS = 8
_VARIABLE = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}")


def variables_in(text: str) -> list[str]:
    """The variable names ``text`` uses, in order, each once."""
    names: list[str] = []
    for match in _VARIABLE.finditer(text):
        name = match.group(1)
        if name and name not in names:
            names.append(name)
    return names


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` replaced; a name without a value stays as written."""
    if "{" not in text and "}" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        return values.get(name, match.group(0))

    return _VARIABLE.sub(one, text)


def fill_some(text: str, values: Mapping[str, str]) -> str:
    """``text`` with only the names in ``values`` filled, all else (``{{`` too) kept, to be filled again.

    The values' own braces are doubled, so the second fill leaves them as they were given.
    """
    if "{" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None or name not in values:
            return match.group(0)
        return values[name].replace("{", "{{").replace("}", "}}")

    return _VARIABLE.sub(one, text)


def object_variables(obj: CiscoObject) -> list[str]:
    """Every variable name the object's text fields use, in order, each once."""
    names: list[str] = []
    for _, value in obj.text_fields():
        for name in variables_in(value):
            if name not in names:
                names.append(name)
    return names


def phone_values(phone: Phone) -> dict[str, str]:
    """The variables that come from the phone itself."""
    return {"phone": phone.name, "dn": phone.dn, "model": phone.model}


def push_values(sender: str, now: datetime | None = None) -> dict[str, str]:
    """The variables fixed for a whole push: who sends, and when it started (local time)."""
    now = now or datetime.now().astimezone()
    return {"sender": sender, "date": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M")}


@dataclass(frozen=True)
class AckKey:
    """The Ack softkey of an alert: where it points, and each phone's token.

    The URL is ``<base_url>/ack/<alert_id>/<token>``; the token alone names the phone, so an
    acknowledgement never trusts who the caller says it is.
    """

    base_url: str
    alert_id: str
    tokens: Mapping[str, str] = field(repr=False)
    name: str = "Ack"
    #: Replace the phone's Exit key instead of keeping one beside Ack.
    replace_exit: bool = False

    def url_for(self, phone: Phone) -> str:
        return f"{self.base_url.rstrip('/')}/ack/{self.alert_id}/{self.tokens[phone.name]}"


def with_ack(text: CiscoIPPhoneText, key: AckKey, phone: Phone) -> CiscoIPPhoneText:
    """``text`` with the Ack softkey added for ``phone``, and an Exit kept unless asked not to.

    Any custom softkey removes the phone's own (Exit among them), so Exit is put back with
    ``SoftKey:Exit``: first on the 8900/9900 series, where Exit comes first, else after Ack.
    """
    keys = list(text.softkeys)
    has_exit = any(k.url == "SoftKey:Exit" for k in keys)
    taken = {k.position for k in keys}

    def free() -> int:
        position = next(p for p in range(1, MAX_SOFTKEYS + 2) if p not in taken)
        taken.add(position)
        return position

    exit_key = None if has_exit or key.replace_exit else SoftKeyItem("Exit", "SoftKey:Exit")
    if exit_key and model_number(phone.model)[:2] in _EXIT_FIRST:
        exit_key.position = free()
        keys.append(exit_key)
        exit_key = None
    keys.append(SoftKeyItem(key.name, key.url_for(phone), position=free()))
    if exit_key:
        exit_key.position = free()
        keys.append(exit_key)
    return replace(text, softkeys=keys)


def filled(
    obj: CiscoObject, values: Mapping[str, str], how: Callable[[str, Mapping[str, str]], str] = fill
) -> CiscoObject:
    """A copy of ``obj`` with every text field (those ``text_fields`` lists) filled by ``how``."""
    if isinstance(obj, CiscoIPPhoneText):
        keys = [
            replace(k, name=how(k.name, values), url=how(k.url, values), url_down=how(k.url_down, values))
            for k in obj.softkeys
        ]
        return replace(
            obj,
            title=how(obj.title, values),
            prompt=how(obj.prompt, values),
            text=how(obj.text, values),
            softkeys=keys,
        )
    return replace(obj, items=[ExecuteItem(how(i.url, values), i.priority) for i in obj.items])


@dataclass(frozen=True)
class Tailor:
    """What makes each phone's copy differ: variable values and, for an alert, its Ack key."""

    values: Mapping[str, str] = field(default_factory=dict)
    ack: AckKey | None = None

    def object_for(self, obj: CiscoObject, phone: Phone) -> CiscoObject:
        """The copy ``phone`` gets. KeyError when an alert has no token for the phone."""
        copy = obj
        if object_variables(obj):
            copy = filled(obj, {**self.values, **phone_values(phone)})
        if self.ack is not None and isinstance(copy, CiscoIPPhoneText):
            copy = with_ack(copy, self.ack, phone)
        return copy

    def common(self, obj: CiscoObject) -> CiscoObject:
        """The copy every phone gets when ``same_for_all``: the push's own values filled in."""
        return filled(obj, self.values) if object_variables(obj) else obj

    def by_filling(self) -> bool:
        """Each copy is the object with the phone's variables filled in, nothing more.

        Then a plan may fill the encoded XML instead of building each copy (``copies.py``);
        an Ack key, or a subclass that makes other objects (a clear), says False.
        """
        return self.ack is None and type(self) is Tailor

    def same_for_all(self, obj: CiscoObject) -> bool:
        """True when every phone gets the same bytes (no per-phone variable, no Ack)."""
        if self.ack is not None and isinstance(obj, CiscoIPPhoneText):
            return False
        return not set(object_variables(obj)) & set(PHONE_VARIABLES)
