"""The baseline responder: a minimal aiohttp handler that always answers AUTHORIZED."""

from __future__ import annotations

import sys

from aiohttp import web


async def authorized(request: web.Request) -> web.Response:
    return web.Response(body=b"AUTHORIZED", content_type="text/plain")


def main() -> None:
    app = web.Application()
    app.router.add_route("*", "/authenticate", authorized)
    web.run_app(
        app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=lambda *_: print("ready", flush=True)
    )


if __name__ == "__main__":
    main()
