"""``push --dry-run``: the exact XML and each phone's route and size, sending nothing.

With variables, each phone may get its own copy: the dry run prints the first phone's (or
``--show PHONE``'s), and names the largest copy against its phone's limit.
"""

from __future__ import annotations

import shutil
from typing import Any

from ..cisco import CiscoObject, encode
from ..output import plan_lines
from ..phone_tls import insecure_warning
from ..printable import printable
from ..push import Delivery
from ..push_plan import largest
from ..tailor import Tailor
from .common import EXIT_FAILED, EXIT_OK


def _exit(deliveries: list[Delivery]) -> int:
    return EXIT_FAILED if any(d.route == "refused" for d in deliveries) else EXIT_OK


def _shared(obj: CiscoObject, tailor: Tailor | None) -> CiscoObject | None:
    """The one object every phone gets, or None when each gets its own copy."""
    if tailor is None:
        return obj
    return tailor.common(obj) if tailor.same_for_all(obj) else None


def largest_line(deliveries: list[Delivery]) -> str | None:
    """``largest: sim-0003, 530 bytes against its limit of 512``."""
    big = largest(deliveries)
    if big is None:
        return None
    return f"largest: {big.phone.name}, {big.size} bytes against its limit of {big.phone.size_limit}"


def _copy_lines(delivery: Delivery) -> list[str]:
    d = delivery
    if not d.object_xml:
        return [f"# {d.phone.name} gets nothing: {d.reason}"]
    head = f"# {d.phone.name}'s copy, {d.phone.charset.upper()}, {d.size} bytes, {d.route}"
    return [head, d.object_xml.decode(d.phone.charset)]


def print_dry_run(obj: CiscoObject, deliveries: list[Delivery], tailor: Tailor | None, show: Delivery | None) -> int:
    """The XML (each charset's, or one phone's copy), then the plan, one phone a line."""
    shared = _shared(obj, tailor)
    if show is not None:
        print("\n".join(_copy_lines(show)))
    elif shared is None:
        first = next((d for d in deliveries if d.object_xml), deliveries[0] if deliveries else None)
        print("# each phone gets its own copy (--show PHONE prints another's)")
        if first is not None:
            print("\n".join(_copy_lines(first)))
    else:
        for charset in dict.fromkeys(d.phone.charset for d in deliveries):
            phones = [d for d in deliveries if d.phone.charset == charset]
            try:
                data = encode(shared, charset)
            except Exception as exc:  # an unknown charset from a config built in code, say
                print(f"# {charset}: cannot encode: {exc}")
                continue
            print(f"# {charset.upper()}, {len(data)} bytes, for {len(phones)} phone{'s' * (len(phones) != 1)}")
            print(data.decode(charset))
    print()
    print("\n".join(plan_lines(deliveries, shutil.get_terminal_size().columns)))
    insecure = insecure_warning(d.phone for d in deliveries)
    if insecure:
        print(f"# warning: {printable(insecure)}")
    line = largest_line(deliveries) if shared is None else None
    if line:
        print(line)
    return _exit(deliveries)


def dry_run_json(
    obj: CiscoObject, deliveries: list[Delivery], tailor: Tailor | None = None, show: Delivery | None = None
) -> dict[str, Any]:
    """The plan as one JSON object: the object's root, its bytes in each charset, each phone's route and size.

    When each phone gets its own copy, ``encodings`` holds the first phone's copy of each
    charset (``phone`` says whose); ``largest`` names the largest copy; ``shown`` is
    ``--show PHONE``'s copy.
    """
    shared = _shared(obj, tailor)
    encodings: list[dict[str, Any]] = []
    for charset in dict.fromkeys(d.phone.charset for d in deliveries):
        if shared is None:
            first = next((d for d in deliveries if d.phone.charset == charset and d.object_xml), None)
            if first is not None:
                xml = first.object_xml.decode(charset)
                encodings.append({"charset": charset, "bytes": first.size, "xml": xml, "phone": first.phone.name})
            continue
        try:
            data = encode(shared, charset)
        except Exception as exc:
            encodings.append({"charset": charset, "bytes": None, "xml": None, "error": str(exc)})
            continue
        encodings.append({"charset": charset, "bytes": len(data), "xml": data.decode(charset)})
    phones = [
        {
            "phone": d.phone.name,
            "host": d.phone.address,
            "route": d.route,
            "reason": d.reason,
            "bytes": d.size if d.object_xml else None,
            "limit": d.phone.size_limit,
        }
        for d in deliveries
    ]
    big = largest(deliveries)
    out: dict[str, Any] = {"object": obj.root, "own_copies": shared is None, "encodings": encodings}
    out["phones"] = phones
    out["largest"] = {"phone": big.phone.name, "bytes": big.size, "limit": big.phone.size_limit} if big else None
    if show is not None:
        shown = show.object_xml.decode(show.phone.charset) if show.object_xml else None
        out["shown"] = {"phone": show.phone.name, "charset": show.phone.charset, "bytes": show.size, "xml": shown}
    return out


def dry_run_exit(deliveries: list[Delivery]) -> int:
    """1 when a phone would be refused, as a push would end."""
    return _exit(deliveries)
