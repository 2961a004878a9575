"""Each phone's own copy of an object, checked and encoded at the cost of a string fill.

A tailored plan for 20,000 phones that built, validated and encoded 20,000 objects took
about 4 s. Here the object is rendered once per charset with the push's values filled
and the phone's variables (``{phone}``, ``{dn}``, ``{model}``) left in the XML; each
phone's bytes are that XML filled with its values, escaped. The limits are checked
once per shape of values (their lengths, whether blank) when no URL holds a phone's
variable, since nothing else in them can change a check. A phone whose values are
not plain printable ASCII, or whose copy has a problem, or an alert's copy (its Ack
key), takes the slow path: its own object, checked in full, so the message is exact.
"""

from __future__ import annotations

from collections.abc import Mapping

from .cisco import CiscoObject, ObjectError, encode, errors, escape, validate
from .cisco.validate import structure_problems
from .config import Phone
from .tailor import PHONE_VARIABLES, Tailor, fill, fill_some, filled, object_variables, phone_values

#: Names of the fields that hold a URL (checked as URIs, whatever their length).
_URL_FIELDS = (".URL", ".URLDown")


def encoded(obj: CiscoObject, charset: str) -> bytes | str:
    """The object's bytes in ``charset``, or why it cannot be sent in it."""
    try:
        problems = errors(validate(obj, charset))
        if problems:
            return "; ".join(str(p) for p in problems)
        return encode(obj, charset)
    except Exception as exc:  # an unknown charset from a config built in code, say
        return f"cannot encode in {charset!r}: {type(exc).__name__}: {exc}"


def _plain(value: str) -> bool:
    """Printable ASCII: every charset carries it, and no check can turn on anything but its length."""
    return value.isascii() and value.isprintable()


class Copies:
    """Each phone's bytes of one tailored object (see the module's docstring)."""

    def __init__(self, obj: CiscoObject, tailor: Tailor) -> None:
        self.obj = obj
        self.tailor = tailor
        used = object_variables(obj)
        #: The phone's own variables the object uses, in order.
        self.used = [name for name in PHONE_VARIABLES if name in used]
        self.fast = tailor.by_filling()
        varying = [field for field, value in obj.text_fields() if any(f"{{{n}}}" in value for n in self.used)]
        #: No URL holds a phone's variable: checks depend only on the values' lengths and blankness.
        self.by_shape = not any(field.endswith(_URL_FIELDS) for field in varying)
        self._partial = filled(obj, tailor.values, fill_some)
        self._xml: dict[str, str | None] = {}
        self._checked: dict[tuple[tuple[int, bool], ...], bool] = {}

    def values_of(self, phone: Phone) -> dict[str, str]:
        """The phone's own variables that the object uses."""
        values = phone_values(phone)
        return {name: values[name] for name in self.used}

    def object_for(self, phone: Phone) -> CiscoObject:
        return self.tailor.object_for(self.obj, phone)

    def bytes_for(self, phone: Phone) -> bytes | str:
        """``phone``'s bytes in its charset, or why its copy cannot be sent."""
        values = self.values_of(phone)
        if not self.fast or not all(_plain(v) for v in values.values()):
            return encoded(self.object_for(phone), phone.charset)
        xml = self._template_xml(phone.charset)
        if xml is None or not self._fits(phone, values):
            return encoded(self.object_for(phone), phone.charset)
        return fill(xml, {name: escape(value, attribute=True) for name, value in values.items()}).encode(phone.charset)

    def _fits(self, phone: Phone, values: Mapping[str, str]) -> bool:
        """The phone's copy passes the protocol's limits and URI rules."""
        if not self.by_shape:
            return not errors(structure_problems(self.object_for(phone)))
        shape = tuple((len(v), bool(v.strip())) for v in values.values())
        if shape not in self._checked:
            self._checked[shape] = not errors(structure_problems(self.object_for(phone)))
        return self._checked[shape]

    def _template_xml(self, charset: str) -> str | None:
        """The object's XML in ``charset`` with the phone's variables still to fill; None if it cannot be."""
        if charset not in self._xml:
            try:
                xml = encode(self._partial, charset).decode(charset)
            except (ObjectError, ValueError, LookupError):
                xml = None
            self._xml[charset] = xml
        return self._xml[charset]


def _share(copies: Copies, phone: Phone, name: str, value: str) -> int:
    """The bytes ``value`` adds to the phone's copy: its escaped length times the places that hold it."""
    xml = copies._template_xml(phone.charset)
    places = xml.count(f"{{{name}}}") if xml is not None else 1
    try:
        return places * len(escape(value, attribute=True).encode(phone.charset))
    except (UnicodeEncodeError, LookupError):
        return places * len(value.encode("utf-8"))


def lengthened_by(copies: Copies, phone: Phone, size: int) -> str:
    """What makes this phone's copy (``size`` bytes) too long: `` (the name 'sim-0001-long' makes it
    longer)``, only for a value without which the copy would fit, so a text too long by itself is
    not blamed on the name (nor are two values that would not fit without both)."""
    words = {"phone": "the name", "dn": "the dn", "model": "the model"}
    shares = {name: _share(copies, phone, name, value) for name, value in copies.values_of(phone).items() if value}
    values = copies.values_of(phone)
    alone = [name for name, share in shares.items() if size - share <= phone.size_limit]
    blamed = alone or (list(shares) if size - sum(shares.values()) <= phone.size_limit else [])
    if not blamed:
        return ""
    named = " and ".join(f"{words[name]} {values[name]!r}" for name in blamed)
    return f" ({named} make{'s' if len(blamed) == 1 else ''} it longer)"
