"""The service's alert endpoints: the Ack URL phones fetch, and the desk other processes use.

``GET /ack/{alert}/{token}`` is what a phone fetches when its Ack softkey is pressed; it always
answers a ``CiscoIPPhoneText`` (a phone shows whatever comes back): the alert's reply, or a
refusal saying why in a few words. ``POST /alerts`` and ``GET /alerts/{id}`` (Basic auth, like
``POST /objects``) let ``phonetui push --ack`` beside ``serve`` or ``simulate`` register an
alert and read its acknowledgements.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .alerts import DEFAULT_REPLY, Alert, Verdict
from .basic_auth import parse_basic
from .cisco import CiscoIPPhoneText, encode
from .cisco.limits import AUTH_AUTHORIZED
from .printable import printable

if TYPE_CHECKING:
    from .service import Service

log = logging.getLogger(__name__)
_CONTENT_TYPES = {"utf-8": "text/xml; charset=UTF-8", "iso-8859-1": "text/xml; charset=ISO-8859-1"}
_REFUSALS = {
    Verdict.UNKNOWN: "This key is not valid (unknown alert or key).",
    Verdict.EXPIRED: "This alert has expired.",
}
THROTTLED_TEXT = "Too many wrong keys from this address; try again in a minute."


def phone_text(title: str, text: str, charset: str = "utf-8") -> web.Response:
    """A ``CiscoIPPhoneText`` reply with the right content type and charset, and nothing more."""
    charset = charset if charset in _CONTENT_TYPES else "utf-8"
    try:
        body = encode(CiscoIPPhoneText(title, "", text), charset)
    except Exception:  # a reply the charset cannot carry (a control character, say): the default
        body = encode(CiscoIPPhoneText(title, "", DEFAULT_REPLY), charset)
    response = web.Response(body=body, headers={"Server": "phonetui", "Content-Type": _CONTENT_TYPES[charset]})
    response.force_close()
    return response


class AlertRoutes:
    """The alert endpoints of one ``Service``: its book, its throttle, its listeners."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/ack/{alert}/{token}", self.ack)
        app.router.add_post("/alerts", self.register)
        app.router.add_get("/alerts/{alert}", self.status)  # ?since=N: from the Nth acknowledgement on

    async def ack(self, request: web.Request) -> web.Response:
        """A phone's Ack key: record it once, answer the alert's reply or a refusal."""
        service = self.service
        peer = request.remote or "-"
        alert_id, token = request.match_info["alert"], request.match_info["token"]
        if service.ack_throttle.throttled(peer):  # its own bucket: a stale Ack key does not lock out /authenticate
            service.metrics.acks.labels("throttled").inc()
            service._tell(request, 200, "ack-throttled")
            return phone_text("Not acknowledged", THROTTLED_TEXT)
        verdict, ack = service.alerts.acknowledge(alert_id, token, peer)
        service.metrics.acks.labels(verdict.value).inc()
        alert = service.alerts.get(alert_id)
        charset = alert.charsets.get(ack.phone, "utf-8") if alert and ack else "utf-8"
        if ack is None or alert is None:
            if service.ack_throttle.failed(peer):
                service._throttling(peer, "ack")
            service._tell(request, 200, "ack-refused")
            return phone_text("Not acknowledged", _REFUSALS.get(verdict, _REFUSALS[Verdict.UNKNOWN]))
        service._tell(request, 200)
        if verdict is Verdict.NEW:
            log.info("ack %s alert=%s phone=%s", peer, alert_id, printable(repr(ack.phone), 80))
            for listener in list(service.ack_listeners):
                listener(ack)
        return phone_text("Acknowledged", alert.reply, charset)

    def _authorized(self, request: web.Request) -> bool:
        credentials = parse_basic(request.headers.get("Authorization", "")) or ("", "")
        verdict, _ = self.service._credentials(*credentials)
        if verdict != AUTH_AUTHORIZED:
            self.service._tell(request, 401)
        return verdict == AUTH_AUTHORIZED

    async def register(self, request: web.Request) -> web.Response:
        """Take acknowledgements for an alert another process pushes."""
        if not self._authorized(request):
            raise web.HTTPUnauthorized(text="credentials refused")
        try:
            alert = Alert.from_json(json.loads(await request.read()))
        except ValueError as exc:  # JSONDecodeError is one
            self.service._tell(request, 400)
            raise web.HTTPBadRequest(text=f"not an alert: {exc}") from None
        if not self.service.alerts.register(alert):
            self.service._tell(request, 409)
            raise web.HTTPConflict(text="an alert with this id exists")
        self.service._tell(request, 201)
        return _json({"id": alert.id, "ack_url": f"{self.service.url}/ack/{alert.id}/"}, 201)

    async def status(self, request: web.Request) -> web.Response:
        """The acknowledgements of one alert so far."""
        if not self._authorized(request):
            raise web.HTTPUnauthorized(text="credentials refused")
        alert_id = request.match_info["alert"]
        since = request.query.get("since", "0")
        acks = self.service.alerts.acknowledgements(alert_id, int(since) if since.isdigit() else 0)
        alert = self.service.alerts.get(alert_id)
        if acks is None or alert is None:
            self.service._tell(request, 404)
            raise web.HTTPNotFound(text="no such alert")
        self.service._tell(request, 200)
        rows = [{"phone": a.phone, "time": a.time} for a in acks]
        return _json({"id": alert_id, "expired": alert.expired(), "acks": rows})


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    response = web.json_response(data, status=status, headers={"Server": "phonetui"})
    response.force_close()
    return response
