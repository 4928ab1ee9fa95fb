"""The codes in front of the app, as Starlette middleware: one real ASGI call per request."""

import asyncio

from mobilise.views.app.access import AccessCodes
from mobilise.views.app.codes import COOKIE, FACILITATOR, ROOM, Backoff, Codes


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


def http(path="/", query=b"", cookie=None, client="10.0.0.7"):
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    return {"type": "http", "path": path, "query_string": query, "headers": headers,
            "client": (client, 50000), "server": ("127.0.0.1", 8765), "scheme": "http"}  # fmt: skip


def status(sent):
    return sent[0]["status"]


def body(sent):
    return b"".join(m.get("body", b"") for m in sent[1:]).decode()


def headers(sent):
    return {k.decode(): v.decode() for k, v in sent[0]["headers"]}


CODES = Codes(facilitator="f4c1l7", room="k7m2pq")


def test_the_room_code_keeps_out_who_has_not_got_it_in_any_case_and_keeps_the_link():
    app = AccessCodes(inner, CODES)
    closed = call(app, http())
    assert status(closed) == 401 and "access code" in body(closed)
    wrong = call(app, http(query=b"code=nope"))
    assert status(wrong) == 401 and "not right" in body(wrong)
    right = call(app, http("/", b"session=tisch-5-1a2b&key=abc&code=+K7M2pq+"))
    assert status(right) == 303
    assert headers(right)["location"] == "/?session=tisch-5-1a2b&key=abc"  # the link, no code
    assert f"{COOKIE}={CODES.tokens[ROOM]}" in headers(right)["set-cookie"]
    assert "httponly" in headers(right)["set-cookie"].lower()
    assert body(call(app, http(cookie=CODES.tokens[ROOM]))) == "the app"
    assert status(call(app, http(cookie="k7m2pq"))) == 401  # the code is not the cookie
    socket = call(app, {"type": "websocket", "path": "/jupyter", "headers": []})
    assert [(m["type"], m["code"]) for m in socket] == [("websocket.close", 4401)]


def test_the_form_carries_the_link_along():
    page = body(call(AccessCodes(inner, CODES), http("/", b"session=gruppa&key=x1")))
    assert '<input type="hidden" name="session" value="gruppa">' in page
    assert '<input type="hidden" name="key" value="x1">' in page
    assert 'action="/"' in page


def test_the_facilitators_page_needs_the_facilitators_code():
    app = AccessCodes(inner, CODES)
    for path in ("/facilitator", "/facilitator/", "/Facilitator", "//facilitator"):
        refused = call(app, http(path, cookie=CODES.tokens[ROOM]))
        assert status(refused) == 401 and "Facilitator code" in body(refused), path
    assert status(call(app, http("/facilitator", b"code=k7m2pq"))) == 401  # the room's code
    right = call(app, http("/facilitator", b"code=F4C1L7"))
    assert status(right) == 303 and headers(right)["location"] == "/facilitator"
    assert CODES.tokens[FACILITATOR] in headers(right)["set-cookie"]
    for path in ("/facilitator", "/", "/static/main.js"):  # it opens the room's pages too
        assert body(call(app, http(path, cookie=CODES.tokens[FACILITATOR]))) == "the app"


def test_without_a_room_code_only_the_facilitators_page_is_guarded():
    app = AccessCodes(inner, Codes(facilitator="f4c1l7"))
    assert body(call(app, http("/"))) == "the app"
    assert status(call(app, http("/facilitator"))) == 401


def test_no_redirect_leaves_the_server():
    right = call(AccessCodes(inner, CODES), http("//elsewhere.example/x", b"code=k7m2pq"))
    assert headers(right)["location"] == "/elsewhere.example/x"


def test_wrong_codes_wait_longer_each_time_and_a_right_one_starts_again():
    now = [0.0]
    backoff = Backoff(free_tries=3, longest=8.0, clock=lambda: now[0])
    for _ in range(3):
        assert backoff.wait("a") == 0.0
        backoff.missed("a")
    waits = []
    for _ in range(5):
        waits.append(backoff.wait("a"))
        now[0] += waits[-1]
        assert backoff.wait("a") == 0.0
        backoff.missed("a")
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0]  # doubling, up to the longest
    assert backoff.wait("b") == 0.0  # another source is not slowed
    backoff.passed("a")
    assert backoff.wait("a") == 0.0


def test_the_middleware_slows_one_address_and_says_how_long():
    now = [100.0]
    app = AccessCodes(inner, CODES, Backoff(free_tries=2, clock=lambda: now[0]))
    for _ in range(2):
        assert status(call(app, http(query=b"code=wrong"))) == 401
    slowed = call(app, http(query=b"code=k7m2pq"))  # even the right code waits its turn
    assert status(slowed) == 429 and headers(slowed)["retry-after"] == "1"
    assert "wait 1 second, then try again" in body(slowed)
    assert status(call(app, http(query=b"code=k7m2pq", client="10.0.0.8"))) == 303
    now[0] += 1.0
    assert status(call(app, http(query=b"code=k7m2pq"))) == 303
    assert status(call(app, http(query=b"code=wrong"))) == 401  # counting from zero again
