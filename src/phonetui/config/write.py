"""Writing the files phonetui owns, atomically: configs it made itself, and the templates file.

A person's config is never written (``save_template`` refuses when the templates file is it).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from .errors import ConfigError
from .load import _same_file, merge_templates, parse_config
from .model import Config, Template
from .reader import _Locator, _Problems, _Reader
from .schema import _templates


def _write_atomic(path: Path, text: str, backup: bool, make_folder: bool = True) -> None:
    """Write ``text`` to ``path`` so a crash leaves the old file or the new one, whole.

    The text goes to a temporary file in the same folder, is synced, then renamed over
    the old one; with ``backup`` the old file is first copied to ``<name>.bak``.
    """
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and path.exists():
            _copy(path, path.with_name(path.name + ".bak"))
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    _sync_dir(path.parent)


def write_config(path: Path | str, raw: dict[str, Any]) -> None:
    """Write a config phonetui made itself (``simulate --write-config``, the demo) as TOML.

    Atomic, the old file kept as ``<name>.bak``. Never used on a file a person wrote.
    """
    path = Path(path)
    text = tomli_w.dumps(raw)
    parse_config(text, path)  # never write what we could not read back
    _write_atomic(path, text, backup=True)


_TEMPLATES_HEADER = (
    "# Templates saved by phonetui (F4 in the app). phonetui rewrites this file when it saves one:\n"
    "# edits here are kept, comments are not. Templates in the config are read too; on equal\n"
    "# names the ones here win.\n\n"
)


def save_template(config: Config, template: Template) -> Path:
    """Save ``template`` in the app's templates file (replacing one of the same name); return that file.

    The config itself is never written. ConfigError if the templates file exists but cannot be read
    (it is then left alone); OSError if it cannot be written.
    """
    path = config.templates_file
    if _same_file(path, config.path):
        raise ConfigError(path, "", "the templates file is the config itself; phonetui never rewrites it")
    entries: list[Any] = []
    try:
        existing = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        existing = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, "", f"cannot read the templates file, so it is left as it is: {exc}") from None
    if isinstance(existing.get("templates"), list):
        entries = [t for t in existing["templates"] if not (isinstance(t, dict) and t.get("name") == template.name)]
    entries.append(template.to_toml())
    text = _TEMPLATES_HEADER + tomli_w.dumps({**existing, "templates": entries})
    problems = _Problems()
    top = _Reader(path, _Locator(text), tomllib.loads(text), (), problems)
    saved = _templates(top, path)
    problems.raise_if_any()  # never write what we could not read back
    _write_atomic(path, text, backup=False)
    written = next(t for t in saved if t.name == template.name)
    template.source, template.line = written.source, written.line
    config.templates = merge_templates([t for t in config.templates if t.name != template.name], [template])
    return path


def _copy(source: Path, target: Path) -> None:
    data = source.read_bytes()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_DISCOVERED_HEADER = (
    "# Phones found by 'phonetui discover' (CUCM, CSV files, address ranges). phonetui rewrites\n"
    "# this file on every discovery: put lasting changes in the config, where hand-written phones\n"
    "# win over the ones here.\n\n"
)


def discovered_entries(config: Config) -> list[dict[str, Any]]:
    """The entries of the discovered phones file as written; ConfigError if it exists but cannot be read."""
    path = config.discovery.file
    try:
        existing = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, "", f"cannot read the discovered phones file, so it is left as it is: {exc}") from None
    phones = existing.get("phones", [])
    return [entry for entry in phones if isinstance(entry, dict)] if isinstance(phones, list) else []


def write_discovered(config: Config, entries: list[dict[str, Any]]) -> Path:
    """Replace the discovered phones file with ``entries``, atomically; never the config itself."""
    from .fleet import parse_discovered

    path = config.discovery.file
    if _same_file(path, config.path):
        raise ConfigError(path, "", "the discovered phones file is the config itself; phonetui never rewrites it")
    text = _DISCOVERED_HEADER + tomli_w.dumps({"phones": entries})
    problems = _Problems()
    parse_discovered(text, path, config.defaults, problems)
    problems.raise_if_any()  # never write what we could not read back
    _write_atomic(path, text, backup=False, make_folder=False)  # its folder was checked with the config
    return path
