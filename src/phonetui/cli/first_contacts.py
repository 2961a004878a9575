"""Pins made on first contact and a damaged known-phones file, said on stderr by every command that pins.

``push``, ``push --ack``, ``clear``, ``probe``, ``screenshot`` and ``keys`` all ask https
phones through ``phone_tls.PhoneTransport``, so each may pin; each says so the same way.
"""

from __future__ import annotations

import sys

from .. import phone_tls
from ..known_phones import default_known_phones_path
from ..printable import printable
from ..wording import plural


class FirstContacts:
    """Says on stderr each phone pinned at a new address with another certificate and each damaged line of
    the known-phones file (as it happens), and how many certificates were pinned on first contact (once,
    at ``close``)."""

    def __init__(self) -> None:
        self.count = 0
        self._said: set[str] = set()
        phone_tls.first_contact_listener = self.pinned
        phone_tls.damaged_listener = self.damaged

    def pinned(self, address: str, moved: str | None) -> None:
        self.count += 1
        if moved:
            print(f"phonetui: warning: {printable(moved, 300)}", file=sys.stderr, flush=True)

    def damaged(self, warning: str) -> None:
        if warning not in self._said:  # each client reads the file afresh: said once a command
            self._said.add(warning)
            print(f"phonetui: warning: {printable(warning, 400)}", file=sys.stderr, flush=True)

    def close(self) -> None:
        phone_tls.first_contact_listener = None
        phone_tls.damaged_listener = None
        if self.count:
            where = default_known_phones_path()
            certificates = plural(self.count, "new certificate")
            print(f"phonetui: pinned {certificates} on first contact (known-phones: {where})", file=sys.stderr)
