"""A simulated phone's screen: drawn as its model would show it, served as its model serves it, changed by keys.

``render_screen(phone)`` draws what the phone displays (Title, Prompt, Text, softkeys; an
idle screen when nothing was pushed) at its model's display size and depth, with Pillow's
default font: tests compare a fetched screenshot with it. ``ScreenServer`` answers GET on
every screenshot path (``cisco.screens.ALL_PATHS``):

- a path that is not the model's, or any path on a phone with ``screenshots = False``: 404;
- no or wrong credentials (checked as ``/CGI/Execute`` checks them, with the phone's
  authentication URL): 401 with ``WWW-Authenticate``, whatever the family (an image
  request has no ``CiscoIPPhoneError`` to answer with);
- a screenshot less than ``SHOT_MIN_INTERVAL`` (2 s) after the last one served: **503 with
  ``Retry-After``** (whole seconds, rounded up), as real phones refuse faster refreshes;
- else 200 with the image in the model's format (``image/bmp`` or ``image/png``; a model
  whose format varies gets PNG). A ``garbled`` phone sends junk labelled ``image/bmp``.

``press(phone, uri)`` is what a ``Key:`` or ``Init:`` URI does to the screen.
"""

from __future__ import annotations

import asyncio
import io
import math
import random
import time
from functools import cache
from typing import TYPE_CHECKING

from aiohttp import web

from .basic_auth import parse_basic
from .cisco.screens import ALL_PATHS, SHOT_MIN_INTERVAL, Display, display_for, is_mpp, key_problem, shot_source
from .sim_digest import digest_refusal
from .simphone import Screen, SimPhone

if TYPE_CHECKING:  # Pillow is imported when a screen is first drawn: a fleet that is never looked at skips it
    from PIL import Image, ImageDraw, ImageFont

    from .simulator import Simulator

    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

#: What ``Key:Services`` (and ``Key:Applications``) shows: a menu of the phone's services.
SERVICES_MENU = ("1 Corporate Directory", "2 Alerts", "3 Extension Mobility")
_EXIT_KEYS = ("SoftKey:Exit", "SoftKey:Back", "SoftKey:Cancel", "Init:Services")


@cache
def _font(size: int) -> Font:
    from PIL import ImageFont

    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """``text`` in lines that fit ``width`` pixels (words broken only when a word alone is too wide)."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            while draw.textlength(candidate, font=font) > width and len(candidate) > 1:
                if line:
                    lines.append(line)
                    line, candidate = "", word
                    continue
                cut = max(1, int(len(candidate) * width / draw.textlength(candidate, font=font)))
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            line = candidate
        lines.append(line)
    return lines


def _idle(phone: SimPhone) -> Screen:
    """What a phone shows when nothing was pushed: its name, number and model."""
    return Screen(title=phone.devicename, text=f"{1000 + phone.number}\n{phone.model}", softkeys=["Redial", "NewCall"])


def draw_screen(screen: Screen, display: Display, idle: Screen | None = None) -> Image.Image:
    """``screen`` drawn in full colour at ``display``'s size (``idle`` when it shows nothing)."""
    from PIL import Image, ImageDraw

    shown = idle if idle is not None and not (screen.title or screen.text or screen.prompt) else screen
    width, height = display.width, display.height
    size = max(8, min(22, height // 11))
    font = _font(size)
    bar = size + 4
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    ink = (20, 20, 20)
    band = (24, 64, 128) if display.colour else (60, 60, 60)
    draw.rectangle((0, 0, width, bar), fill=band)
    draw.text((3, 2), shown.title, font=font, fill="white")
    keys_top = height - bar if shown.softkeys else height
    prompt_top = keys_top - bar if shown.prompt else keys_top
    y = bar + 2
    for line in _wrap(draw, shown.text, font, width - 6):
        if y + size > prompt_top:
            break
        draw.text((3, y), line, font=font, fill=ink)
        y += size + 1
    if shown.prompt:
        draw.line((0, prompt_top, width, prompt_top), fill=ink)
        draw.text((3, prompt_top + 2), shown.prompt, font=font, fill=ink)
    if shown.softkeys:
        draw.rectangle((0, keys_top, width, height), fill=(200, 200, 200))
        slot = width / max(4, len(shown.softkeys))
        for i, name in enumerate(shown.softkeys):
            draw.text((round(i * slot) + 3, keys_top + 2), name, font=font, fill=ink)
    return image


def reduce_depth(image: Image.Image, display: Display) -> Image.Image:
    """``image`` as the display holds it: 1-bit, greys of ``depth`` bits, or colour of ``depth`` bits."""
    from PIL import Image

    if display.depth == 1:
        return image.convert("L").point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)
    if not display.colour:
        levels = (1 << min(display.depth, 8)) - 1
        return image.convert("L").point(lambda v: round(v * levels / 255) * 255 // levels)
    if display.depth >= 24:
        return image
    bits = {12: (4, 4, 4), 16: (5, 6, 5)}.get(display.depth, (8, 8, 8))
    channels = [
        band.point(lambda v, n=n: round(v * ((1 << n) - 1) / 255) * 255 // ((1 << n) - 1))
        for band, n in zip(image.split(), bits, strict=True)
    ]
    return Image.merge("RGB", channels)


def render_screen(phone: SimPhone) -> Image.Image:
    """What ``phone`` shows now, at its model's display size and depth: the pixels its screenshot holds."""
    display = display_for(phone.model)
    return reduce_depth(draw_screen(phone.screen, display, _idle(phone)), display)


def screenshot_bytes(phone: SimPhone) -> tuple[bytes, str]:
    """The phone's screenshot as it serves it: the bytes and their Content-Type."""
    image_format = shot_source(phone.model).image_format or "png"
    buffer = io.BytesIO()
    render_screen(phone).save(buffer, format=image_format.upper())
    return buffer.getvalue(), f"image/{image_format}"


# -- keys ------------------------------------------------------------------------------------


def _show(screen: Screen, title: str, text: str, softkeys: list[tuple[str, str]]) -> None:
    screen.title, screen.prompt, screen.text = title, "", text
    screen.softkeys = [name for name, _ in softkeys]
    screen.softkey_urls = [url for _, url in softkeys]
    screen.updated = time.time()


def press(phone: SimPhone, uri: str) -> tuple[int, str] | str:
    """What ``uri`` (``Key:…``, ``Init:…``, ``SoftKey:…``) does to the screen.

    A (Status, Data) pair when it is done; or a URL the phone must now run (a softkey's
    URL, fetched and shown like an ExecuteItem's). A key the model lacks: Status 6.
    """
    screen = phone.screen
    if key_problem(phone.model, uri):
        return 6, "URI not found"
    if uri.startswith("Init:") and uri != "Init:CallHistory" and is_mpp(phone.model):
        return 6, "URI not found"  # multiplatform firmware knows Init:CallHistory only
    if uri in _EXIT_KEYS:
        _show(screen, "", "", [])
        return 0, "Success"
    if uri in ("Key:Services", "Key:Applications"):
        title = uri.removeprefix("Key:")
        _show(screen, title, "\n".join(SERVICES_MENU), [("Select", ""), ("Exit", "Init:Services")])
        return 0, "Success"
    if uri.startswith("Key:Soft") and uri[8:].isdigit():
        index = int(uri[8:]) - 1
        url = screen.softkey_urls[index] if 0 <= index < len(screen.softkey_urls) else ""
        if url.startswith("Key:Soft"):  # a softkey that presses a softkey does nothing (and never loops)
            return 0, "Success"
        if url.startswith(("SoftKey:", "Init:", "Key:")):
            return press(phone, url)
        return url or (0, "Success")
    return 0, "Success"


# -- serving ---------------------------------------------------------------------------------


class ScreenServer:
    """The screenshot paths of every phone of ``simulator`` (see the module's notes)."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self._served: dict[str, float] = {}

    def add_routes(self, app: web.Application) -> None:
        for path in ALL_PATHS:
            app.router.add_get(path, self.screenshot)

    async def screenshot(self, request: web.Request) -> web.StreamResponse:
        sim = self.simulator
        phone = sim._phone_for(request)
        if not phone.screenshots or request.path not in shot_source(phone.model).paths[:1]:
            raise web.HTTPNotFound()
        if phone.black_hole:
            await sim._hang.wait()  # accept, never answer
            raise web.HTTPServiceUnavailable()
        if phone.latency:
            await asyncio.sleep(phone.latency)
        credentials = parse_basic(request.headers.get("Authorization", ""))
        if is_mpp(phone.model):
            if (refusal := digest_refusal(sim.digest, phone, request)) is not None:
                return refusal
        elif credentials is None or not phone.auth_url or not await sim._authorized(phone, *credentials):
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Basic realm="user"'})
        now = time.monotonic()
        wait = self._served.get(phone.name, -math.inf) + SHOT_MIN_INTERVAL - now
        if wait > 0:
            raise web.HTTPServiceUnavailable(headers={"Retry-After": str(math.ceil(wait))})
        self._served[phone.name] = now
        if phone.garbled:
            body, content_type = b"BM\x00garbled" + random.randbytes(48), "image/bmp"
        else:
            body, content_type = screenshot_bytes(phone)  # 1-20 ms; on the loop, so it draws one state
        response = web.Response(body=body, content_type=content_type)
        response.force_close()
        return response
