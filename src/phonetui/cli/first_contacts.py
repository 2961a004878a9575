"""Pins made on first contact, said on stderr: by ``push``, ``push --ack`` and ``clear`` alike."""

from __future__ import annotations

import sys

from .. import phone_tls
from ..known_phones import default_known_phones_path
from ..printable import printable
from ..wording import plural


class FirstContacts:
    """Says on stderr each phone pinned at a new address with another certificate (as it happens), and how
    many certificates were pinned on first contact (once, at ``close``): ``push``, ``push --ack`` and ``clear``."""

    def __init__(self) -> None:
        self.count = 0
        phone_tls.first_contact_listener = self.pinned

    def pinned(self, address: str, moved: str | None) -> None:
        self.count += 1
        if moved:
            print(f"phonetui: warning: {printable(moved, 300)}", file=sys.stderr, flush=True)

    def close(self) -> None:
        phone_tls.first_contact_listener = None
        if self.count:
            where = default_known_phones_path()
            certificates = plural(self.count, "new certificate")
            print(f"phonetui: pinned {certificates} on first contact (known-phones: {where})", file=sys.stderr)
