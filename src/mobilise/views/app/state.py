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
from mobilise.views.app.config import AppConfig
from mobilise.views.app.figures import Drawn
from mobilise.views.app.server import session_store
from mobilise.views.app.sessions import Session
from mobilise.views.workshop import Comparison, Settings, preset_settings
from mobilise.vocabulary import ScenarioError

DEFAULT_REPLICATIONS = 6
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


@dataclass
class Start:
    """How a tab opens."""

    choices: Choices
    group: str = ""
    layout: str = "side by side"
    predict_first: bool = False
    log: list[dict[str, Any]] = field(default_factory=list)
    restored: Restored | None = None
    notice: str = ""


@dataclass(eq=False)
class PageState:
    """One tab's reactive state; equal only to itself, so passing it never re-renders."""

    choices: solara.Reactive[Choices]
    group: solara.Reactive[str]
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


def use_page_state(start: Start, owner: str) -> PageState:
    """The tab's state, created on its first render (a Solara hook)."""
    initial: tuple[Any, ...] = (
        start.choices, start.group, start.layout, start.predict_first, start.log,
        start.restored, 0, {}, start.notice,
    )  # fmt: skip
    # hooks: called on every render, always in this order
    choices, group, layout, predict_first, log, restored, revealed, guesses, notice = [
        solara.use_reactive(value) for value in initial
    ]
    state: PageState = solara.use_memo(
        lambda: PageState(
            choices, group, layout, predict_first, log, restored, revealed, guesses, notice, owner
        ),
        [],
    )
    return state


def opening(config: AppConfig, presets: dict[str, Scenario], search: str | None) -> Start:
    """Defaults (the first preset), or the session named by ``?session=`` in the URL."""
    name = config.first_preset()
    if name in presets:
        base = preset_settings(
            name, presets[name], replications=DEFAULT_REPLICATIONS, seed=DEFAULT_SEED
        )
        start = Start(Choices.of(base))
    else:  # the first preset does not load: open on it, so the page says why
        start = Start(Choices(name, "", {}, (), {}, DEFAULT_REPLICATIONS, str(DEFAULT_SEED)))
    wanted = parse_qs(search or "").get("session", [""])[0]
    if not wanted:
        return start
    try:
        session = session_store(config.sessions).load(wanted)
    except ScenarioError as exc:
        return Start(start.choices, notice=str(exc))
    if session is None:
        return Start(start.choices, notice=f"There is no saved session called {wanted!r} yet.")
    return start_of(session)


def start_of(session: Session) -> Start:
    """A saved session as a tab's start: its controls, log and the result it showed."""
    restored = None
    if session.comparison is not None and session.shown_settings is not None:
        restored = Restored(
            session.shown_settings.key(), session.shown_settings, session.comparison
        )
    return Start(
        Choices.of(session.settings),
        group=session.group,
        layout=session.layout,
        predict_first=session.predict_first,
        log=list(session.log),
        restored=restored,
    )
