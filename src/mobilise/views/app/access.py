"""Codes in front of the app: one for the room, one for the facilitator's page.

Everyone on the network can reach a server that listens beyond this machine
(``--host 0.0.0.0``); the room's code keeps out those who were not in the room. The
facilitator's page (every group's session, with links into each) needs a code of its
own, which the room's code does not give. Every request (pages, assets, the websocket)
needs a cookie that only a right code sets; without it the server answers with a
one-field form, and the link's other parameters (``?session=``) survive the detour.
Codes are case-insensitive, and wrong ones are slowed (:class:`~.codes.Backoff`, by
client address).

It is Starlette middleware (``app.add_middleware(AccessCodes, codes=Codes(...))``) built from
Starlette's connection and response classes. It is a pure ASGI middleware rather than a
``BaseHTTPMiddleware`` because the latter passes websockets through unchecked, and
Solara's page lives on a websocket.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlencode

from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from mobilise.views.app.codes import COOKIE, FACILITATOR, ROOM, Backoff, Codes, wait_sentence
from mobilise.views.templating import render_template

FACILITATOR_PAGE = "/facilitator"


def needs(path: str) -> str:
    """What a request path needs: the facilitator's page needs the facilitator's code."""
    page = re.sub(r"/+", "/", path).rstrip("/").casefold()
    return (
        FACILITATOR if page == FACILITATOR_PAGE or page.startswith(FACILITATOR_PAGE + "/") else ROOM
    )


class AccessCodes:
    """ASGI middleware: requests pass with a cookie that opens them, or with ``?code=`` once."""

    def __init__(self, app: ASGIApp, codes: Codes, backoff: Backoff | None = None) -> None:
        self.app = app
        self.codes = codes
        self.backoff = backoff or Backoff()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer it with the form (or close the websocket)."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        needed = needs(connection.url.path)
        role = self.codes.role_of_cookie(connection.cookies.get(COOKIE, ""))
        if self.codes.opens(role, needed):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await WebSocketClose(code=4401)(scope, receive, send)
            return
        await self._answer(connection, needed)(scope, receive, send)

    def _answer(self, connection: HTTPConnection, needed: str) -> Response:
        """The redirect that sets the cookie (a right code), or the form, saying why."""
        given = connection.query_params.get("code")
        if given is None:
            return _form(connection, needed, 401)
        source = connection.client.host if connection.client else ""
        wait = self.backoff.wait(source)
        if wait > 0:
            response = _form(connection, needed, 429, wait_sentence(wait))
            response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return response
        role = self.codes.role_of_code(given)
        if role is None or not self.codes.opens(role, needed):
            self.backoff.missed(source)
            return _form(connection, needed, 401, "That code is not right; ask the facilitator.")
        self.backoff.passed(source)
        response = RedirectResponse(_without_code(connection), status_code=303)
        response.set_cookie(COOKIE, self.codes.tokens[role], path="/", httponly=True,
                            samesite="lax")  # fmt: skip
        return response


def _kept(connection: HTTPConnection) -> list[tuple[str, str]]:
    """The link's parameters other than the code (``session``, ``key``)."""
    return [(k, v) for k, v in connection.query_params.multi_items() if k != "code"]


def _path(connection: HTTPConnection) -> str:
    """The request's path, never a protocol-relative '//elsewhere' (no open redirect)."""
    return re.sub(r"^/+", "/", connection.url.path or "/")


def _without_code(connection: HTTPConnection) -> str:
    kept = _kept(connection)
    return _path(connection) + (f"?{urlencode(kept)}" if kept else "")


def _form(connection: HTTPConnection, needed: str, status: int, message: str = "") -> Response:
    facilitator = needed == FACILITATOR
    if not message:
        message = (
            "The facilitator's page asks for the facilitator code that `mobilise app` printed."
            if facilitator
            else "This workshop app asks for the access code the facilitator gave out."
        )
    page = render_template(
        "access.html.j2",
        {
            "title": "mobilise: facilitator code" if facilitator else "mobilise workshop",
            "label": "Facilitator code" if facilitator else "Access code",
            "message": message,
            "path": _path(connection),
            "keep": _kept(connection),
        },
    )
    return HTMLResponse(page, status_code=status)
