"""An access code for an app that listens beyond this machine (``--host 0.0.0.0``).

Everyone on the network can reach such a server; the code keeps out those who were
not in the room. Every request (pages, assets, the websocket) needs a cookie that only
the right code sets; without it the server answers with a one-field form.

It is Starlette middleware (added with ``app.add_middleware``), built from Starlette's
connection and response classes. It is a pure ASGI middleware rather than a
``BaseHTTPMiddleware`` because the latter passes websockets through unchecked, and
Solara's page lives on a websocket.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from mobilise.views.templating import render_template

COOKIE = "mobilise_access"


def new_code() -> str:
    """A short code to read out or write on a board: six characters, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


def _token(code: str) -> str:
    return hashlib.sha256(f"mobilise-access:{code}".encode()).hexdigest()


class AccessCode:
    """ASGI middleware: requests pass with the code's cookie, or with ``?code=`` once."""

    def __init__(self, app: ASGIApp, code: str) -> None:
        self.app = app
        self.token = _token(code)
        self.code = code

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer it with the form (or close the websocket)."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if hmac.compare_digest(connection.cookies.get(COOKIE, ""), self.token):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await WebSocketClose(code=4401)(scope, receive, send)
            return
        await self._answer(connection)(scope, receive, send)

    def _answer(self, connection: HTTPConnection) -> Response:
        """The redirect that sets the cookie (the right code), or the form."""
        given = connection.query_params.get("code", "")
        if given and hmac.compare_digest(given.strip(), self.code):
            response = RedirectResponse(connection.url.path or "/", status_code=303)
            response.set_cookie(COOKIE, self.token, path="/", httponly=True, samesite="lax")
            return response
        message = "That code is not right; ask the facilitator." if given else (
            "This workshop app asks for the access code the facilitator gave out."
        )  # fmt: skip
        page = render_template("access.html.j2", {"message": message})
        return HTMLResponse(page, status_code=401)
