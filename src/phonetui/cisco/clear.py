"""How a pushed message is taken off a phone's screen, family by family (``phonetui clear``).

A pushed Text stays on the screen until someone presses Exit. ``Init:Services`` (an
internal URI, run at once whatever the Priority) closes the Services application the
Text is shown in, and the phone goes back to its idle screen. Multiplatform (MPP, 3PCC)
firmware knows only ``Init:CallHistory`` (protocol notes §3), so there the message can
only be covered: a small replacement Text with an Exit key.

=========  ===============================  ====================================
family     models                           clear with
=========  ===============================  ====================================
legacy     7905, 7912, 7940, 7960, ...      Execute ``Init:Services``
classic    7941, 7961, 7970, 69xx, 89xx...  Execute ``Init:Services``
modern     78xx, 88xx, 98xx                 Execute ``Init:Services``
MPP        68xx, any ``-3PCC`` / ``MPP``    a replacement Text (``REPLACEMENT``)
=========  ===============================  ====================================

``--with-text`` sends a replacement Text to every phone instead (a closing word after a
drill, say); the Text gets an Exit key, since the phone drops its own once one is given.
"""

from __future__ import annotations

from .families import family_for_model
from .objects import CiscoIPPhoneExecute, CiscoIPPhoneText, CiscoObject, ExecuteItem, SoftKeyItem
from .screens import is_mpp

CLEAR_URI = "Init:Services"
#: What an MPP phone shows instead of the message when no text is given.
REPLACEMENT_TITLE = "Message cleared"
REPLACEMENT = "The earlier message has been withdrawn."


def clears_with_init(model: str) -> bool:
    """Whether the model closes a shown Text on ``Init:Services`` (every family but MPP)."""
    return not is_mpp(model)


def clear_method(model: str) -> str:
    """The table's row in words: ``Init:Services`` or ``replacement Text (MPP)``."""
    return CLEAR_URI if clears_with_init(model) else "replacement Text (MPP)"


def family_label(model: str) -> str:
    """The row of the table a model falls in: MPP, or its family's name."""
    return "MPP" if is_mpp(model) else family_for_model(model).name


def clear_execute() -> CiscoIPPhoneExecute:
    return CiscoIPPhoneExecute([ExecuteItem(CLEAR_URI, 0)])


def replacement_text(text: str | None = None) -> CiscoIPPhoneText:
    """The Text that covers the message: ``text`` (or the default words) with an Exit key."""
    body = REPLACEMENT if text is None else text
    return CiscoIPPhoneText(REPLACEMENT_TITLE, "", body, [SoftKeyItem("Exit", "SoftKey:Exit", position=1)])


def clear_object(model: str, with_text: str | None = None) -> CiscoObject:
    """What one phone of ``model`` gets: the replacement Text when asked for (or on MPP), else the Execute."""
    if with_text is not None or not clears_with_init(model):
        return replacement_text(with_text)
    return clear_execute()
