"""The access code in front of the app, as Starlette middleware."""

import asyncio

from mobilise.views.app.access import COOKIE, AccessCode, _token, new_code


def call(app, scope):
    """Run an ASGI app on one request; return the messages it sent."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


async def inner(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"the app"})


def http(path="/", query=b"", cookie=None):
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    return {"type": "http", "path": path, "query_string": query, "headers": headers}


def test_the_access_code_keeps_out_who_has_not_got_it():
    app = AccessCode(inner, "k7m2pq")
    closed = call(app, http())
    assert closed[0]["status"] == 401 and b"access code" in closed[1]["body"]
    wrong = call(app, http(query=b"code=nope"))
    assert wrong[0]["status"] == 401 and b"not right" in wrong[1]["body"]
    right = call(app, http("/facilitator", b"code=k7m2pq"))
    headers = dict(right[0]["headers"])
    assert right[0]["status"] == 303 and headers[b"location"] == b"/facilitator"
    assert f"{COOKIE}={_token('k7m2pq')}".encode() in headers[b"set-cookie"]
    assert call(app, http(cookie=_token("k7m2pq")))[1]["body"] == b"the app"
    assert call(app, http(cookie=_token("other")))[0]["status"] == 401
    socket = call(app, {"type": "websocket", "path": "/jupyter", "headers": []})
    assert [(m["type"], m["code"]) for m in socket] == [("websocket.close", 4401)]


def test_new_codes_are_short_and_unambiguous():
    codes = {new_code() for _ in range(50)}
    assert len(codes) > 45
    assert all(len(c) == 6 and not set(c) & set("01ilo") for c in codes)
