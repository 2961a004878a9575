"""A simulated phone's softkeys pressed like a person presses them: on request, or on its own.

``POST /sim/press?key=NAME`` (or ``?position=N``, the Nth key of the row from 1) on the phone's
own address presses that softkey of what it shows: an http URL is fetched from the phone's own
address, as a phone does, and what comes back is shown. A phone with ``ack_after`` presses its
``ack_key`` that long after a Text with that key shows, with probability ``ack_probability``.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import TYPE_CHECKING

from aiohttp import web

from .simphone import SimPhone

if TYPE_CHECKING:
    from .simulator import Simulator


class KeyPresser:
    """The press endpoint of every phone of ``simulator``, and the phones that press on their own."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self._pending: dict[str, asyncio.Task[None]] = {}

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/sim/press", self.endpoint)

    async def press(
        self, phone: SimPhone, key: str | None = None, position: int | None = None
    ) -> tuple[str, int, str] | None:
        """Press the softkey named ``key`` (or the ``position``-th): its URL, Status and Data; None if no such key."""
        screen = phone.screen
        index = screen.softkeys.index(key) if key in screen.softkeys else -1
        if position is not None:
            index = position - 1
        if not 0 <= index < len(screen.softkey_urls):
            return None
        url = screen.softkey_urls[index]
        if not url:
            return url, 0, "Success"
        return await self.simulator._run_item(phone, url)

    async def endpoint(self, request: web.Request) -> web.Response:
        phone = self.simulator._phone_for(request)
        key = request.query.get("key")
        position = request.query.get("position", "")
        if (key is None) == (not position) or (position and not position.isdigit()):
            return _json({"error": "give key=NAME or position=N (from 1)"}, 400)
        done = await self.press(phone, key, int(position) if position else None)
        if done is None:
            shown = ", ".join(phone.screen.softkeys) or "none"
            return _json({"error": f"no such softkey on the screen (it shows: {shown})"}, 404)
        url, status, data = done
        screen = phone.screen
        shows = {"title": screen.title, "prompt": screen.prompt, "text": screen.text, "softkeys": screen.softkeys}
        return _json({"phone": phone.name, "url": url, "status": status, "data": data, "screen": shows})

    def shown(self, phone: SimPhone) -> None:
        """A Text has just shown: press its Ack key later, if this phone's person would."""
        if phone.ack_after is None or phone.ack_key not in phone.screen.softkeys:
            return
        pending = self._pending.get(phone.name)
        if pending is not None and not pending.done():
            return
        if random.random() >= phone.ack_probability:
            return
        self._pending[phone.name] = asyncio.get_running_loop().create_task(self._later(phone, phone.ack_after))

    async def _later(self, phone: SimPhone, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.press(phone, phone.ack_key)

    def stop(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()


def _json(data: dict[str, object], status: int = 200) -> web.Response:
    response = web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))
    response.force_close()
    return response
