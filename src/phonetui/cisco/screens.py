"""Phone screens, pure: where a model serves its screenshot, in what format, its display, its keys.

Sources are in ``shared/docs/fleet-and-screens.md`` (sections 3 and 4). What no source
settles is marked "(guess)": a real phone can prove it wrong, and the fetch tries the
unknown-model list wherever a model is not known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .families import model_number

ImageFormat = Literal["bmp", "png", ""]  # "" when the format varies (any image/* is taken)

#: Phones do not serve screenshots faster than about every 2 s.
SHOT_MIN_INTERVAL = 2.0

#: The paths tried, in order, when the model is unknown; a 401 stops the search.
UNKNOWN_PATHS: tuple[str, ...] = ("/CGI/Screenshot", "/CGI/ScreenShot", "/CGI/Screenshot.bmp", "/CGI/ScreenShot.bmp")
SCREENSHOT_PATH = "/CGI/Screenshot"
LCD_PATH = "/CGI/lcd.bmp"
MPP_PATH = "/admin/screendump.bmp"
#: Every path any model serves its screen on.
ALL_PATHS: tuple[str, ...] = (*UNKNOWN_PATHS, LCD_PATH, MPP_PATH)


@dataclass(frozen=True)
class ShotSource:
    """Where and how a model serves its screenshot.

    ``paths`` in the order to try; ``https_first``: ask over HTTPS (port 443) before the
    phone's own scheme and port; ``known``: the model is in the table (else the
    unknown-model list).
    """

    paths: tuple[str, ...]
    image_format: ImageFormat
    https_first: bool = False
    known: bool = True


UNKNOWN_SOURCE = ShotSource(UNKNOWN_PATHS, "", known=False)


@dataclass(frozen=True)
class Display:
    """A model's display (the XML services area): pixels, bits per pixel, colour or grey."""

    width: int
    height: int
    depth: int
    colour: bool

    @property
    def header(self) -> str:
        """As phones announce it in ``x-CiscoIPPhoneDisplay``: ``298, 168, 12, C``."""
        return f"{self.width}, {self.height}, {self.depth}, {'C' if self.colour else 'G'}"


#: Display by four-digit model number [Cisco OL-22505-01; usecallmanager.nz image-list-xml].
DISPLAYS: dict[str, Display] = {
    "7940": Display(133, 65, 2, False),
    "7960": Display(133, 65, 2, False),
    "7941": Display(298, 144, 4, False),  # grey; the depth is a guess
    "7961": Display(298, 144, 4, False),
    "7945": Display(298, 156, 16, True),
    "7965": Display(298, 156, 16, True),
    "7970": Display(298, 168, 12, True),
    "7971": Display(298, 168, 12, True),
    "7975": Display(298, 168, 16, True),
    "6921": Display(396, 81, 1, False),
    "6961": Display(396, 81, 1, False),
    "6941": Display(396, 162, 4, False),  # the depth is a guess
    "6945": Display(396, 162, 4, False),
    "8961": Display(498, 289, 24, True),
    "9951": Display(498, 289, 24, True),
    "9971": Display(498, 289, 24, True),
    "8821": Display(240, 320, 24, True),
}
#: 88xx full screens; every other 88xx but the 8821.
DISPLAY_88XX = Display(800, 480, 24, True)
#: (guess) 78xx greyscale screens.
DISPLAY_78XX = Display(396, 162, 4, False)
#: (guess) what an unknown model is drawn as.
DISPLAY_DEFAULT = Display(298, 168, 24, True)


def is_mpp(model: str) -> bool:
    """A multiplatform (3PCC) phone: ``CP-8851-3PCC``, ``... MPP``, or a 68xx (MPP only)."""
    return bool(re.search(r"3pcc|\bmpp\b", model, re.IGNORECASE)) or model_number(model)[:2] == "68"


def shot_source(model: str) -> ShotSource:
    """Where ``model`` serves its screenshot; the unknown-model list when the model says nothing."""
    number = model_number(model)
    if is_mpp(model):
        return ShotSource((MPP_PATH,), "bmp")
    prefix = number[:2]
    if prefix == "79":
        return ShotSource((SCREENSHOT_PATH,), "bmp")
    if prefix == "88":
        return ShotSource((SCREENSHOT_PATH,), "png")
    if prefix == "78":
        return ShotSource((SCREENSHOT_PATH,), "")  # the format varies by firmware
    if prefix == "98":
        return ShotSource((SCREENSHOT_PATH,), "", https_first=True)
    if prefix in ("69", "39"):
        return ShotSource((LCD_PATH,), "bmp")
    return UNKNOWN_SOURCE


def display_for(model: str) -> Display:
    """The display ``model`` draws XML objects on (a guess for models no source lists)."""
    number = model_number(model)
    if number in DISPLAYS:
        return DISPLAYS[number]
    if number[:2] == "88":
        return DISPLAY_88XX
    if number[:2] == "78":
        return DISPLAY_78XX
    return DISPLAY_DEFAULT


#: Keys some models do not have: model numbers, keys, and what to use instead [avholloway issue 1].
_NO_MENU_KEYS = frozenset({"Info", "Services", "Directories", "Settings", "AppMenu", "Hold"})
UNSUPPORTED_KEYS: dict[str, tuple[frozenset[str], str]] = dict.fromkeys(
    ("8961", "9951", "9971"), (_NO_MENU_KEYS, "use Key:Applications")
)


#: Line buttons of the 79xx models (their data sheets; not in the research notes): a
#: higher ``Key:LineN`` has no button. Other series vary with add-ons and line mode: not checked.
LINE_BUTTONS = {
    "7940": 2, "7941": 2, "7942": 2, "7945": 2,
    "7960": 6, "7961": 6, "7962": 6, "7965": 6,
    "7970": 8, "7971": 8, "7975": 8,
}  # fmt: skip
_NUMBERED = re.compile(r"(Line|Session)(\d+)")


def key_problem(model: str, uri: str) -> str | None:
    """Why ``uri`` (a ``Key:`` URI) does nothing on ``model`` (words to put after the URI), or None.

    Unknown models pass.

    Such a key is answered ``ResponseItem Status="6" Data="URI not found"``. Besides the
    research's list: 79xx phones have no session keys and no Applications button, and
    only so many line buttons.
    """
    scheme, _, key = uri.partition(":")
    if scheme != "Key":
        return None
    number = model_number(model)
    entry = UNSUPPORTED_KEYS.get(number)
    if entry is not None and key in entry[0]:
        return f"not on the {number}: {entry[1]}"
    if not number.startswith("79"):
        return None
    numbered = _NUMBERED.fullmatch(key)
    if numbered and numbered.group(1) == "Session":
        return f"the {number} has no session keys; use Key:Line1-Line{LINE_BUTTONS.get(number, 6)}"
    if numbered and number in LINE_BUTTONS and int(numbered.group(2)) > LINE_BUTTONS[number]:
        return f"the {number} has {LINE_BUTTONS[number]} line buttons (Key:Line1-Line{LINE_BUTTONS[number]})"
    if key == "Applications":
        return f"the {number} has no Applications button; use Key:Services or Key:Settings"
    return None
