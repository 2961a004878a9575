"""``serve`` reloading its config on SIGHUP: new users, passwords, allowlist and certificate, no restart.

The responder is the phones' authentication URL for months at a time; a password change must
not cost a restart (and the refused pushes while it is down). A reload reads the whole config
again and checks it as ``serve`` does at start: a config with any error is refused, located,
and the old one keeps serving. What cannot change live (the listen address, http against
https) is said and kept. The listener stays open: no connection is dropped, and each request
is judged by the settings in force when its form has arrived.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, ConfigError, ServiceConfig, load_config
from .logfile import NOTICE
from .service_tls import _no_pass_phrase, server_context
from .wording import plural

if TYPE_CHECKING:
    from .service import Service

log = logging.getLogger("phonetui.service")
#: An old CUCM client is closed this long after a reload replaced it: verdicts in flight finish on it.
CUCM_CLOSE_AFTER = 30.0
#: Set up once at start (where the log goes, where the metrics listen): a reload keeps them.
RESTART_KEYS = ("log_file", "log_max_bytes", "log_backups", "metrics_listen")


def service_settings(config: Config) -> ServiceConfig:
    """The config's ``[service]``, else one admitting ``[defaults]``'s user: what ``serve`` runs with."""
    return config.service or ServiceConfig(username=config.defaults.username, password=config.defaults.password)


def settings_problem(config: Config, settings: ServiceConfig) -> str | None:
    """Why ``serve`` cannot answer with these settings; None if it can."""
    if settings.verdict == "config" and (not settings.username or not settings.password):
        return f"{config.path}: [service] (or [defaults]) needs username and password to accept"
    return None


def tls_fingerprint(settings: ServiceConfig) -> str:
    """What the certificate and key files hold now: a renewal in place is a change, same paths or not."""
    if not settings.tls_cert:
        return ""
    digest = hashlib.sha256()
    for name in (settings.tls_cert, settings.tls_key):
        try:
            digest.update(Path(name).read_bytes())
        except OSError as exc:
            digest.update(f"unreadable {exc.errno}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _changed(label: str, old: object, new: object) -> str:
    return f"{label} {'changed' if old != new else 'unchanged'}"


class Reloader:
    """Rereads ``path`` into a running ``Service``; each reload says one line (never a password).

    ``listen_fixed``: ``serve --listen`` chose the address; the config's ``listen`` is not looked at.
    ``say``: where the lines go besides the log (``serve`` prints them when its log is a file).
    Its lines are logged at ``NOTICE`` (or ``ERROR``): above any ``--log-level``, as an operator relies on them.
    """

    def __init__(self, service: Service, path: Path, say: Callable[[str], None], listen_fixed: bool = False) -> None:
        self.service, self.path, self.say, self.listen_fixed = service, path, say, listen_fixed
        self.fingerprint = tls_fingerprint(service.config)
        self.reloads = 0  # asked for, taken or not
        self.refused = 0
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[bool | None]] = set()

    def _tell(self, level: int, line: str) -> None:
        log.log(level, "%s", line)
        self.say(line)

    def request(self) -> None:
        """A SIGHUP: reload soon, in order (a second hang-up during a reload reloads again after it)."""
        task = asyncio.get_running_loop().create_task(self.reload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> bool:
        """Read the config again and apply it; False (the old settings kept) if it has an error."""
        async with self._lock:
            self.reloads += 1
            self.refused += 1  # until it is applied
            try:
                return self._apply(*self._read())
            except ConfigError as exc:
                lines = exc.lines()
                self._tell(logging.ERROR, f"reload refused, the old config keeps serving: {lines[0]}")
                for line in lines[1:]:
                    self._tell(logging.ERROR, f"  {line}")
                return False
            except Exception as exc:  # never a traceback into the service's log; the old config serves on
                self._tell(logging.ERROR, f"reload refused, the old config keeps serving: {type(exc).__name__}: {exc}")
                return False

    def _read(self) -> tuple[Config, ServiceConfig]:
        config = load_config(self.path)
        settings = service_settings(config)
        if problem := settings_problem(config, settings):
            raise ConfigError(self.path, "", problem.removeprefix(f"{self.path}: "))
        for warning in config.warnings:
            self._tell(NOTICE, f"reload: warning: {warning}")
        return config, settings

    def _apply(self, config: Config, new: ServiceConfig) -> bool:
        service, old = self.service, self.service.config
        where_old, where_new = f"{old.listen_host}:{old.listen_port}", f"{new.listen_host}:{new.listen_port}"
        if not self.listen_fixed and where_old != where_new:
            host, port = service.bound or (old.listen_host, old.listen_port)
            self._tell(
                NOTICE,
                f"reload: listen {where_new} cannot change without a restart; still listening on {host}:{port}",
            )
        tls = self._new_tls(old, new)
        cert, key = (new.tls_cert, new.tls_key) if tls else (old.tls_cert, old.tls_key)
        fixed = {name: getattr(old, name) for name in RESTART_KEYS}  # the log's handler and the metrics' listener
        if changed := [name for name, value in fixed.items() if getattr(new, name) != value]:
            verb = "needs" if len(changed) == 1 else "need"
            kept = "kept as it was" if len(changed) == 1 else "kept as they were"
            self._tell(NOTICE, f"reload: {', '.join(changed)} {verb} a restart; {kept}")
        applied = replace(
            new, listen_host=old.listen_host, listen_port=old.listen_port, tls_cert=cert, tls_key=key, **fixed
        )
        cucm_changed = (old.verdict, old.cucm) != (applied.verdict, applied.cucm)
        service.config = applied  # one assignment: each request reads the settings once it is asked
        service.request_log.success_limit = applied.log_successes_per_minute
        if cucm_changed:
            self._retire_cucm()
        self.refused -= 1
        others = ("url", "object_ttl", "ack_reply")
        parts = [
            _changed("user", old.username, applied.username),
            _changed("password", old.password, applied.password),
            _changed("allowed devices", old.allowed_devices, applied.allowed_devices)
            + f" ({plural(len(applied.allowed_devices), 'device') if applied.allowed_devices else 'any device'})",
            tls or "TLS unchanged",
            _changed("verdict", (old.verdict, old.cucm), (applied.verdict, applied.cucm)),
        ]
        if changed_too := [name for name in others if getattr(old, name) != getattr(applied, name)]:
            parts.append(f"{', '.join(changed_too)} changed")
        if old.log_successes_per_minute != applied.log_successes_per_minute:
            parts.append(f"log_successes_per_minute {applied.log_successes_per_minute} (applied)")
        self._tell(NOTICE, f"reloaded {config.path}: {', '.join(parts)}")
        return True

    def _new_tls(self, old: ServiceConfig, new: ServiceConfig) -> str | None:
        """Load the new certificate for the next handshakes; what to say, or None to keep the old files."""
        fingerprint = tls_fingerprint(new)
        if bool(old.tls_cert) != bool(new.tls_cert):
            now, then = ("https", "http") if old.tls_cert else ("http", "https")
            self._tell(NOTICE, f"reload: {then} instead of {now} needs a restart; still serving {now}")
            return None
        if not new.tls_cert or (
            fingerprint == self.fingerprint and (old.tls_cert, old.tls_key) == (new.tls_cert, new.tls_key)
        ):
            return "TLS unchanged"
        context = self.service.tls_context
        try:
            server_context(new.tls_cert, new.tls_key)  # the whole pair checked apart first: the live one stays whole
            if context is None:
                raise OSError("the listener has no TLS context")
            context.load_cert_chain(new.tls_cert, new.tls_key, password=_no_pass_phrase)  # never a prompt
        except OSError as exc:  # ssl.SSLError is one
            self._tell(logging.ERROR, f"reload: the new certificate does not load ({exc}); the old one serves on")
            return None
        self.fingerprint = fingerprint
        return "TLS certificate changed (new handshakes use it)"

    def _retire_cucm(self) -> None:
        """The next verdict asks CUCM anew; the old client closes once verdicts in flight are done."""
        old = self.service._cucm
        self.service._cucm = None
        if old is None:
            return

        async def close_later() -> None:
            try:
                await asyncio.sleep(CUCM_CLOSE_AFTER)
            finally:  # closed at the end of the run too (asyncio.run cancels what is left)
                await old.aclose()

        task = asyncio.get_running_loop().create_task(close_later())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
