"""The CiscoIPPhone objects phonetui sends, as plain typed data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass
class SoftKeyItem:
    """A softkey: its label, what release (URL) and press (URLDown) run, and its slot."""

    name: str
    url: str = ""
    url_down: str = ""
    position: int = 1


@dataclass
class CiscoIPPhoneText:
    """A screen of text with an optional title, prompt and softkeys."""

    root: ClassVar[str] = "CiscoIPPhoneText"
    title: str = ""
    prompt: str = ""
    text: str = ""
    softkeys: list[SoftKeyItem] = field(default_factory=list)

    def text_fields(self) -> Iterator[tuple[str, str]]:
        """Every text value with the name of its field, for checks that span them all."""
        yield "Title", self.title
        yield "Prompt", self.prompt
        yield "Text", self.text
        for i, key in enumerate(self.softkeys, 1):
            yield f"SoftKeyItem[{i}].Name", key.name
            yield f"SoftKeyItem[{i}].URL", key.url
            yield f"SoftKeyItem[{i}].URLDown", key.url_down

    def uses_play(self) -> bool:
        """A Text never makes the phone play while answering (softkeys run later)."""
        return False


@dataclass
class ExecuteItem:
    """One URL or internal URI for the phone to run, with its Priority (0-2)."""

    url: str
    priority: int = 0


@dataclass
class CiscoIPPhoneExecute:
    """Up to three URLs or URIs the phone runs at once."""

    root: ClassVar[str] = "CiscoIPPhoneExecute"
    items: list[ExecuteItem] = field(default_factory=list)

    def text_fields(self) -> Iterator[tuple[str, str]]:
        for i, item in enumerate(self.items, 1):
            yield f"ExecuteItem[{i}].URL", item.url

    def uses_play(self) -> bool:
        """``Play:`` is synchronous: the phone answers only when the sound ends."""
        return any(item.url.startswith("Play:") for item in self.items)


CiscoObject = CiscoIPPhoneText | CiscoIPPhoneExecute
