"""Short codes people type (the room's, the facilitator's, a group's), and slowing wrong ones.

A code is six characters from an alphabet without look-alikes, read out or written on
a board. People type codes on phones, which capitalise: codes compare case-insensitively
(and spaces around them do not count). Someone who keeps typing wrong codes is made to
wait, longer each time, so a code cannot be found by trying them all.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""Lower-case letters and digits without 0/o, 1/l/i: nothing to misread."""


COOKIE = "mobilise_access"
"""The cookie a right code sets (its value: a token of the code's role, see :class:`Codes`)."""

ROOM, FACILITATOR = "room", "facilitator"
"""What a cookie opens: the room's pages, or those and the facilitator's page."""


@dataclass(frozen=True)
class Codes:
    """The codes of one server, and the cookie values they set (new for every start).

    ``room`` is None when the room's pages are open to anyone who can reach them (the
    app on one laptop). A cookie is a random token, not a hash of the code: it says
    nothing about the code and cannot be made without it.
    """

    facilitator: str
    room: str | None = None
    tokens: dict[str, str] = field(
        default_factory=lambda: {
            ROOM: secrets.token_urlsafe(32),
            FACILITATOR: secrets.token_urlsafe(32),
        }
    )

    def role_of_code(self, given: str) -> str | None:
        """What a typed code opens (the facilitator's first), or None."""
        if same_code(given, self.facilitator):
            return FACILITATOR
        if self.room is not None and same_code(given, self.room):
            return ROOM
        return None

    def role_of_cookie(self, value: str) -> str | None:
        """What a cookie value opens, or None."""
        for role, token in self.tokens.items():
            if hmac.compare_digest(value.encode(), token.encode()):
                return role
        return None

    def opens(self, role: str | None, needed: str) -> bool:
        """Whether a cookie of ``role`` opens a request that needs ``needed``."""
        if needed == FACILITATOR:
            return role == FACILITATOR
        return self.room is None or role in (ROOM, FACILITATOR)


def holds(cookies: Mapping[str, str] | None, token: str) -> bool:
    """Whether a connection's cookies hold ``token`` (never, when the token is empty)."""
    given = (cookies or {}).get(COOKIE, "")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def new_code() -> str:
    """A short code to read out or write on a board: six characters, no look-alikes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(6))


def same_code(given: str, code: str) -> bool:
    """Whether ``given`` is ``code``, whatever its case and the spaces around it."""
    return hmac.compare_digest(given.strip().casefold().encode(), code.strip().casefold().encode())


class Backoff:
    """Slows repeated wrong codes from one source (an address, a group).

    The first :attr:`free_tries` misses cost nothing; after them, the next try must wait
    1 s, then 2 s, 4 s … up to :attr:`longest` seconds after the last miss. A try made
    during the wait is refused unchecked (and does not lengthen it); a right code clears
    the count. Thread-safe: pages of one server share it.
    """

    def __init__(
        self,
        free_tries: int = 3,
        longest: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_tries = free_tries
        self.longest = longest
        self.clock = clock
        self._misses: dict[str, tuple[int, float]] = {}  # source -> (misses, time of the last)
        self._lock = threading.Lock()

    def wait(self, source: str) -> float:
        """Seconds ``source`` must still wait before its next try (0: try now)."""
        with self._lock:
            misses, last = self._misses.get(source, (0, 0.0))
        if misses < self.free_tries:
            return 0.0
        delay = min(self.longest, 2.0 ** (misses - self.free_tries))
        return max(0.0, last + delay - self.clock())

    def missed(self, source: str) -> None:
        """Count a wrong code from ``source`` (and forget sources quiet for an hour)."""
        now = self.clock()
        with self._lock:
            misses, _ = self._misses.get(source, (0, 0.0))
            self._misses[source] = (misses + 1, now)
            for stale in [s for s, (_, t) in self._misses.items() if now - t > 3600]:
                del self._misses[stale]

    def passed(self, source: str) -> None:
        """A right code from ``source``: its count starts again."""
        with self._lock:
            self._misses.pop(source, None)


def wait_sentence(seconds: float, what: str = "codes") -> str:
    """The wait in words: 'Too many wrong codes: wait 4 seconds, then try again.'."""
    whole = max(1, math.ceil(seconds))
    return f"Too many wrong {what}: wait {whole} second{'s' if whole != 1 else ''}, then try again."
