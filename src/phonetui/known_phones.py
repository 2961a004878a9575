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
import re
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


def _own_folder() -> Path:
    """The app's own state folder: the one folder phonetui makes for the file itself."""
    return platformdirs.user_state_path(APP_NAME, appauthor=False)


#: A fingerprint as the file keeps it: colon hex.
_FINGERPRINT = re.compile(r"[0-9A-F]{2}(:[0-9A-F]{2})*")


class KnownPhonesError(OSError):
    """The known-phones file cannot be written: ``str()`` says why, in words (the caller names the file)."""


def _clean(text: str) -> str:
    """A name or address as one word of a line: no spaces or line breaks from a config can split a record."""
    return "".join(c if c.isprintable() and not c.isspace() else "_" for c in text) or "-"


class KnownPhones:
    """The fingerprints recorded so far, read again whenever the file changed (another process trusted one)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_known_phones_path()
        self._stamp: tuple[int, int] | None = None
        self._pins: dict[str, str] = {}
        #: name -> (address, fingerprint) of its latest record, to notice a phone that moved.
        self._names: dict[str, tuple[str, str]] = {}
        #: Damaged lines, one warning each (file and line); a warning is kept once.
        self.warnings: list[str] = []

    def moved(self, address: str, fingerprint: str, name: str, how: str = "on first contact") -> str | None:
        """A warning when ``name`` is pinned at another address with another certificate, else None."""
        self._refresh()
        earlier = self._names.get(_clean(name))
        if earlier is None or earlier[0] == address.lower() or earlier[1] == fingerprint:
            return None
        old = earlier[0].rsplit(":", 1)[0] if earlier[0].count(":") == 1 else earlier[0]
        new = address.lower().rsplit(":", 1)[0] if address.count(":") == 1 else address.lower()
        return f"{name} was pinned at {old} with another certificate; pinned {new} {how}"

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
            self._names[_clean(name)] = (address, fingerprint)
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
        """The file open for writing, under the lock; ``KnownPhonesError`` (a sentence) when it cannot be.

        Only the app's own state folder is made: a folder missing from a path a person gave
        (``$PHONETUI_KNOWN_PHONES``) is more likely a typo than a wish for new folders.
        """
        folder = self.path.parent
        try:
            if folder == _own_folder():
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                raise KnownPhonesError(f"the folder {folder} does not exist")
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except KnownPhonesError:
            raise
        except OSError as exc:
            reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
            raise KnownPhonesError(reason[:1].lower() + reason[1:]) from exc
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
                self._read(self.path.read_text(encoding="utf-8"))
            self._stamp = stamp

    def _read(self, text: str) -> None:
        """The pins of every well-formed line, in order (a later one wins); a damaged line is warned of."""
        pins: dict[str, str] = {}
        names: dict[str, tuple[str, str]] = {}
        for number, line in enumerate(text.splitlines(), 1):
            parts = line.split()
            if not parts or line.startswith("#"):
                continue
            if len(parts) < 2 or not _FINGERPRINT.fullmatch(parts[1]):
                warning = f"{self.path}, line {number}: not a phone's address and SHA-256 fingerprint; ignored"
                if warning not in self.warnings:
                    self.warnings.append(warning)
                continue
            pins[parts[0].lower()] = parts[1]
            if len(parts) >= 3:
                names[parts[2]] = (parts[0].lower(), parts[1])
        self._pins, self._names = pins, names
