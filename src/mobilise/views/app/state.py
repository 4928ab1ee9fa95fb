"""What one browser tab holds, and how it opens: defaults, or a saved group's session.

A tab's state is a handful of Solara reactive variables, gathered in :class:`PageState`
and handed to the controls and the results. A result on screen is a :class:`Shown`: it
carries the key of the settings that made it, so the page can refuse to show it under
any other settings.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import solara

from mobilise.schema.scenario import Scenario
from mobilise.views.app.choices import Choices
from mobilise.views.app.codes import new_code
from mobilise.views.app.config import AppConfig
from mobilise.views.app.figures import Drawn
from mobilise.views.app.server import session_store
from mobilise.views.app.sessions import Session, session_link
from mobilise.views.workshop import Comparison, Settings, preset_settings
from mobilise.vocabulary import ScenarioError

DEFAULT_REPLICATIONS = 6
"""Seeds a new page runs, as written (no ensemble)."""

WORLD_REPLICATIONS = 3
"""Seeds per plausible world a new page runs with an ensemble: 20 worlds x 3 seeds is 60
runs per arm, about half a second of a worker on a quiet machine (benchmarks/bench_app.py)."""
DEFAULT_SEED = 1


@dataclass(frozen=True)
class Shown:
    """A finished comparison and the settings it belongs to.

    ``serial`` counts the comparisons of one tab: the log gets one row per serial
    that reaches the screen; a restored session's result is serial 0 (logged before).
    """

    key: str
    serial: int
    settings: Settings
    scenario: Scenario
    drawn: Drawn
    seconds: float = 0.0  # from the request to the drawn result: queue and worker, server side


@dataclass(frozen=True)
class Restored:
    """A saved result and the settings that made it, waiting for its figures."""

    key: str
    settings: Settings
    comparison: Comparison


@dataclass(frozen=True)
class Pending:
    """A group whose session a tab asked for, waiting for its rejoin code."""

    folder: str
    group: str


@dataclass(frozen=True)
class Group:
    """A tab's named group: its name, its folder, and its rejoin code (one value, set at once)."""

    name: str
    folder: str
    key: str

    def link(self) -> str:
        """The link to the group's session, its rejoin code included."""
        return session_link(self.folder, self.key)


@dataclass
class Start:
    """How a tab opens."""

    choices: Choices
    group: Group | None = None
    layout: str = "side by side"
    predict_first: bool = False
    log: list[dict[str, Any]] = field(default_factory=list)
    restored: Restored | None = None
    notice: str = ""
    pending: Pending | None = None


@dataclass(eq=False)
class PageState:
    """One tab's reactive state; equal only to itself, so passing it never re-renders."""

    choices: solara.Reactive[Choices]
    group: solara.Reactive[Group | None]
    pending: solara.Reactive[Pending | None]
    elsewhere: solara.Reactive[Session | None]  # a newer save of the group by another tab
    layout: solara.Reactive[str]
    predict_first: solara.Reactive[bool]
    log: solara.Reactive[list[dict[str, Any]]]
    restored: solara.Reactive[Restored | None]
    revealed: solara.Reactive[int]
    guesses: solara.Reactive[dict[str, Any]]
    notice: solara.Reactive[str]
    owner: str
    serials: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    issued: int = 0
    logged: set[int] = field(default_factory=lambda: {0})
    last_seen: Shown | None = None  # the last result that reached the screen (it is saved)

    def next_serial(self) -> int:
        """A number for a new comparison of this tab."""
        self.issued = next(self.serials)
        return self.issued

    def hides(self, shown: Shown) -> bool:
        """Whether ``shown`` waits for the group's guess (predict first)."""
        return bool(self.predict_first.value and shown.serial > self.revealed.value)

    def set_predict_first(self, on: bool) -> None:
        """Predict first on or off; results already issued stay visible."""
        if on:
            self.revealed.set(self.issued)
        self.predict_first.set(on)

    def open(self, start: Start) -> None:
        """Put a saved session (or a fresh start) on this tab."""
        self.choices.set(start.choices)
        self.layout.set(start.layout)
        self.predict_first.set(start.predict_first)
        self.log.set(start.log)
        self.restored.set(start.restored)
        self.group.set(start.group)
        self.pending.set(start.pending)
        self.elsewhere.set(None)


def use_page_state(start: Start, owner: str) -> PageState:
    """The tab's state, created on its first render (a Solara hook)."""
    # hooks: called on every render, always in this order
    choices = solara.use_reactive(start.choices)
    group = solara.use_reactive(start.group)
    pending = solara.use_reactive(start.pending)
    elsewhere: solara.Reactive[Session | None] = solara.use_reactive(None)
    layout = solara.use_reactive(start.layout)
    predict_first = solara.use_reactive(start.predict_first)
    log = solara.use_reactive(start.log)
    restored = solara.use_reactive(start.restored)
    revealed = solara.use_reactive(0)
    guesses: solara.Reactive[dict[str, Any]] = solara.use_reactive({})
    notice = solara.use_reactive(start.notice)
    state: PageState = solara.use_memo(
        lambda: PageState(
            choices, group, pending, elsewhere, layout, predict_first, log,
            restored, revealed, guesses, notice, owner,
        ),
        [],
    )  # fmt: skip
    return state


def opening(config: AppConfig, presets: dict[str, Scenario], search: str | None) -> Start:
    """Defaults (the first preset), or the session a link names (``?session=&key=``).

    A link without the session's key (or with a wrong one) does not open it: the page
    asks for the group's rejoin code instead.
    """
    name = config.first_preset()
    if name in presets:
        base = preset_settings(
            name,
            presets[name],
            replications=WORLD_REPLICATIONS if config.worlds else DEFAULT_REPLICATIONS,
            seed=DEFAULT_SEED,
            members=config.worlds,
        )
        start = Start(Choices.of(base))
    else:  # the first preset does not load: open on it, so the page says why
        start = Start(
            Choices(
                name, "", {}, (), {}, DEFAULT_REPLICATIONS, str(DEFAULT_SEED),
                members=config.worlds,
            )
        )  # fmt: skip
    query = parse_qs(search or "")
    wanted, key = query.get("session", [""])[0], query.get("key", [""])[0]
    if not wanted:
        return start
    store = session_store(config.sessions)
    session = None
    try:
        session = store.load(wanted)
        if session is None:
            return Start(start.choices, notice="There is no saved group at this link.")
        if not key and session.key:
            return Start(start.choices, pending=Pending(session.folder, session.group))
        session = store.rejoin(wanted, key)
    except ScenarioError as exc:
        pending = Pending(session.folder, session.group) if session is not None else None
        return Start(start.choices, notice=str(exc), pending=pending)
    return start_of(session)


def start_of(session: Session) -> Start:
    """A saved session as a tab's start: its controls, log and the result it showed.

    A session saved before rejoin codes existed gets one now (saved with the tab's
    first save).
    """
    restored = None
    if session.comparison is not None and session.shown_settings is not None:
        restored = Restored(
            session.shown_settings.key(), session.shown_settings, session.comparison
        )
    return Start(
        Choices.of(session.settings),
        group=Group(session.group, session.folder, session.key or new_code()),
        layout=session.layout,
        predict_first=session.predict_first,
        log=list(session.log),
        restored=restored,
    )
