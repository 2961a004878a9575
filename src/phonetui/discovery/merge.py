"""Fold what discovery found into the app's discovered phones file: what is added, changed and gone.

Entries are keyed by name (the device name when known). A phone the config already
lists by that name is left to the config. A phone that was found before by a source
asked again, and not found now, is gone, unless that source was incomplete this
time (a CUCM node that did not answer): then it is kept, and the plan says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..cisco import family_for_model
from ..cisco.families import model_number
from ..config import Config, TagSource
from .records import Found

#: The fields an entry holds, in the order they are written.
FIELDS = ("name", "device", "host", "port", "model", "dn", "description", "device_pool", "tags", "source", "seen")
#: A change in these is worth reporting (``seen`` changes every time).
WATCHED = ("host", "port", "model", "dn", "description", "device_pool", "tags")


@dataclass
class Plan:
    """The new file's entries and what changed, for the report and ``--dry-run``."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  #: name -> "host 10.0.0.1 -> 10.0.0.9", …
    gone: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  #: not found, but their source was incomplete
    unchanged: list[str] = field(default_factory=list)
    in_config: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.gone)


def slug(text: str) -> str:
    """A tag made of ``text``: lower case, runs of other characters one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def tags_for(found: Found, sources: tuple[TagSource, ...]) -> tuple[str, ...]:
    tags = list(found.tags)
    if "device_pool" in sources and found.device_pool:
        tags.append(slug(found.device_pool))
    if "family" in sources and found.model:
        tags.append(family_for_model(found.model).name)
    if "description" in sources and found.description:
        tags.append(slug(found.description))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def entry_for(found: Found, sources: tuple[TagSource, ...], seen: str) -> dict[str, Any]:
    device = found.name if found.name[:3].upper() == "SEP" else ""
    values: dict[str, Any] = {
        "name": found.name,
        "device": device,
        "host": found.host,
        "port": found.port,
        "model": found.model,
        "dn": found.dn,
        "description": found.description,
        "device_pool": found.device_pool,
        "tags": list(tags_for(found, sources)),
        "source": found.source,
        "seen": seen,
    }
    return {key: values[key] for key in FIELDS if values[key] not in ("", [], 0)}


def _same(key: str, old: Any, new: Any) -> bool:
    """No change worth reporting: equal, or the same model number written another way (8845, CP-8845)."""
    if key == "model" and isinstance(old, str) and isinstance(new, str):
        return old == new or (model_number(old) != "" and model_number(old) == model_number(new))
    if key == "tags" and isinstance(old, list) and isinstance(new, list):
        return set(old) == set(new)
    return bool(old == new)


def _kept_tags(old: dict[str, Any], entry: dict[str, Any], config: Config) -> list[str]:
    """The earlier record's tags that stay: those a person wrote, and those of fields this run does not know.

    A tag that came from a source's field (device pool, family, description) is replaced by the
    tag of that field's new value when this run gives one: a phone moved to another device pool
    loses its old pool's tag. A source that knows nothing of the field (a scan and the device
    pool) leaves its tag as it was.
    """
    earlier = Found(
        name="",
        model=str(old.get("model", "")),
        description=str(old.get("description", "")),
        device_pool=str(old.get("device_pool", "")),
    )
    replaced: set[str] = set()
    for source in config.discovery.tags_from:
        field_name = "model" if source == "family" else source
        if entry.get(field_name) and old.get(field_name):
            replaced.update(tags_for(earlier, (source,)))
    return [str(tag) for tag in old.get("tags", []) if tag not in replaced]


def _source_kind(source: str) -> str:
    """``cucm``, ``scan 10.1.2.0/24`` or the CSV file's name: the unit a source is asked again by."""
    if source.startswith("cucm"):
        return "cucm"
    if source.startswith("scan "):
        return source
    return source.rsplit(":", 1)[0]


def plan(
    config: Config,
    existing: list[dict[str, Any]],
    found: list[Found],
    asked: set[str],
    incomplete: set[str],
    seen: str,
    only: set[str] | None = None,
) -> Plan:
    """The discovered file after this run: ``asked`` the source kinds run now, ``incomplete`` those that fell short.

    ``only``: the names a source was asked about (``--device``); no other phone can be gone.
    """
    result = Plan()
    hand_names = {p.name for p in config.phones if p.name not in config.discovered_names}
    before = {str(entry.get("name", "")): entry for entry in existing}
    now: dict[str, dict[str, Any]] = {}
    for item in found:
        entry = entry_for(item, config.discovery.tags_from, seen)
        old = now.get(item.name)
        if old is not None:  # the same phone from two sources: the later one adds what the first lacked
            entry = {**entry, **{k: v for k, v in old.items() if k not in entry}}
        now[item.name] = entry
    for name, entry in now.items():
        if name in hand_names and not entry.get("device"):
            result.in_config.append(name)
            continue
        old = before.get(name)
        if old is None:
            result.added.append(name)
        else:
            merged = {**old, **entry}
            if "model" in old and _same("model", old["model"], entry.get("model")):
                merged["model"] = old["model"]
            # this run's tags, then the earlier ones that stay (a person's; a field this run does not know)
            tags = list(dict.fromkeys([*entry.get("tags", []), *_kept_tags(old, entry, config)]))
            if tags:
                merged["tags"] = tags
            changes = [
                f"{key} {old.get(key, '-')!s} -> {merged.get(key, '-')!s}"
                for key in WATCHED
                if key in merged and not _same(key, old.get(key), merged[key])
            ]
            if changes:
                result.changed[name] = changes
            else:
                result.unchanged.append(name)
            entry = merged
        result.entries.append(entry)
    for name, old in before.items():
        if name in now:
            continue
        kind = _source_kind(str(old.get("source", "")))
        if kind not in asked or (only is not None and name.upper() not in only):
            result.entries.append(old)
        elif kind in incomplete:
            result.kept.append(name)
            result.entries.append(old)
        else:
            result.gone.append(name)
    return result
