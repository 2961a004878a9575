"""Asking many phones at once: a bounded number in flight over one shared client, answers as they come.

The probe and the screenshot fetch both work this way; a push has its own loop (``push.py``)
because it also plans, journals and watches for stalls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx

from .config import Phone
from .push import make_client

T = TypeVar("T")


async def each_phone(
    phones: list[Phone],
    ask: Callable[[httpx.AsyncClient, Phone], Awaitable[T]],
    concurrency: int,
    client: httpx.AsyncClient | None = None,
) -> AsyncIterator[T]:
    """``ask(client, phone)`` for every phone, at most ``concurrency`` at a time; each answer as it comes.

    ``ask`` must turn a phone's trouble into its answer (it never raises for one phone). The
    client is made here, and closed, unless one is given.
    """
    answers: asyncio.Queue[T] = asyncio.Queue()
    queue = iter(phones)
    shared = client or make_client()

    async def worker() -> None:
        for phone in queue:  # every worker draws from the one iterator
            await answers.put(await ask(shared, phone))

    workers = [asyncio.create_task(worker()) for _ in range(max(1, min(concurrency, len(phones))))]
    try:
        for _ in phones:
            yield await answers.get()
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if client is None:
            await shared.aclose()
