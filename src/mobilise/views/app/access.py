"""An access code for an app that listens beyond this machine (``--host 0.0.0.0``).

Everyone on the network can reach such a server; the code keeps out those who were
not in the room. Every request (pages, assets, the websocket) needs a cookie that only
the right code sets; without it the server answers with a one-field form.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "mobilise_access"


def new_code() -> str:
    """A short code to read out or write on a board: six characters, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


def _token(code: str) -> str:
    return hashlib.sha256(f"mobilise-access:{code}".encode()).hexdigest()


FORM = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>mobilise: access code</title></head>
<body style="font-family: sans-serif; max-width: 30em; margin: 4em auto">
<h1>mobilise workshop</h1><p>{message}</p>
<form method="get"><label>Access code <input name="code" autofocus></label>
<button type="submit">Enter</button></form></body></html>"""


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
        if self._has_cookie(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        given = parse_qs(scope.get("query_string", b"").decode()).get("code", [""])[0]
        if given and hmac.compare_digest(given.strip(), self.code):
            path = scope.get("path", "/") or "/"
            await _respond(send, 303, b"", [
                (b"location", path.encode()),
                (b"set-cookie", f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Lax".encode()),
            ])  # fmt: skip
            return
        message = "That code is not right; ask the facilitator." if given else (
            "This workshop app asks for the access code the facilitator gave out."
        )  # fmt: skip
        body = FORM.format(message=html.escape(message)).encode()
        await _respond(send, 401, body, [(b"content-type", b"text/html; charset=utf-8")])

    def _has_cookie(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie = SimpleCookie()
                cookie.load(value.decode("latin-1"))
                if COOKIE in cookie and hmac.compare_digest(cookie[COOKIE].value, self.token):
                    return True
        return False


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
