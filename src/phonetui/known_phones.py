"""The known-phones file: each https phone's certificate fingerprint, recorded on first contact.

Like SSH's known_hosts: one line a phone, ``host:port sha256-fingerprint name``. It is
phonetui's own file (the state directory, mode 600), never a person's config. Records are
appended under an exclusive lock, so two phonetui processes pinning at once both land;
a later line for the same address overrides an earlier one, and ``replace`` (the
``trust`` command) rewrites the file without the old line.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import platformdirs

from .paths import APP_NAME

KNOWN_PHONES_ENV = "PHONETUI_KNOWN_PHONES"

if sys.platform != "win32":
    import fcntl


def default_known_phones_path() -> Path:
    """``$PHONETUI_KNOWN_PHONES``, else the platform state directory's ``phonetui/known-phones``."""
    if os.environ.get(KNOWN_PHONES_ENV):
        return Path(os.environ[KNOWN_PHONES_ENV])
    return platformdirs.user_state_path(APP_NAME, appauthor=False) / "known-phones"


def _clean(text: str) -> str:
    """A name or address as one word of a line: no spaces or line breaks from a config can split a record."""
    return "".join(c if c.isprintable() and not c.isspace() else "_" for c in text) or "-"


class KnownPhones:
    """The fingerprints recorded so far, read again whenever the file changed (another process trusted one)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_known_phones_path()
        self._stamp: tuple[int, int] | None = None
        self._pins: dict[str, str] = {}

    def fingerprint(self, address: str) -> str | None:
        """The fingerprint recorded for ``host:port``, or None."""
        self._refresh()
        return self._pins.get(address.lower())

    def record(self, address: str, fingerprint: str, name: str) -> None:
        """Append a record (first contact), under the lock; the file is not read again for it.

        A thousand phones pinned in one push append a thousand lines: reading the whole file
        for each would be quadratic. A record that duplicates one is harmless (the last wins).
        """
        address = address.lower()  # names are case-blind; httpx lowers them too
        with self._locked() as handle:
            before = os.fstat(handle.fileno())
            handle.seek(0, os.SEEK_END)
            handle.write(f"{_clean(address)} {fingerprint} {_clean(name)}\n")
            handle.flush()
            after = os.fstat(handle.fileno())
        if self._stamp == (before.st_mtime_ns, before.st_size):  # nobody else wrote since it was read
            self._pins[address] = fingerprint
            self._stamp = (after.st_mtime_ns, after.st_size)
        else:
            self._stamp = None

    def replace(self, address: str, fingerprint: str, name: str) -> None:
        """Record ``fingerprint`` for ``address`` in place of any earlier one (a person accepted it)."""
        address = address.lower()
        with self._locked() as handle:
            kept = [line for line in handle.read().splitlines() if line.split(" ", 1)[0] != address]
            kept.append(f"{_clean(address)} {fingerprint} {_clean(name)}")
            handle.seek(0)
            handle.truncate()
            handle.write("\n".join(kept) + "\n")
            handle.flush()
        self._stamp = None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[TextIO]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with open(fd, "r+", encoding="utf-8", newline="\n") as handle:
            if sys.platform != "win32":
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            yield handle

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except OSError:
            self._pins, self._stamp = {}, None
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                self._pins = dict(_parse(self.path.read_text(encoding="utf-8")))
            self._stamp = stamp


def _parse(text: str) -> Iterator[tuple[str, str]]:
    """(address, fingerprint) for every well-formed line, in order (a later one wins)."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            yield parts[0].lower(), parts[1]
