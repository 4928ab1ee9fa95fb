"""The workshop app: sliders and reform switches, government push alone vs with reforms.

Run it with ``mobilise app``. It lays out what :mod:`mobilise.views.workshop` and
:mod:`mobilise.views.headline` compute and holds no model logic. The pages are this module
(routes, layout, the workshop page), :mod:`~mobilise.views.app.group` and
:mod:`~mobilise.views.app.controls` (left),
:mod:`~mobilise.views.app.results` and :mod:`~mobilise.views.app.step` (right) and
:mod:`~mobilise.views.app.facilitator`; a tab's state is :mod:`~mobilise.views.app.state`; what the
server shares is :mod:`~mobilise.views.app.server`: presets, saved sessions
(:mod:`~mobilise.views.app.sessions`) and the worker pool (:mod:`~mobilise.views.app.pool`).

The numbers on screen belong to the settings on screen: every result carries the key
of the settings that made it and is shown only while those are the settings; a newer
request replaces an older one in the queue, and a superseded result is dropped before
it reaches the page or the log.
"""

from __future__ import annotations

import uuid
from typing import Any

import solara

from mobilise.schema.scenario import Scenario
from mobilise.views.app.config import TITLE, AppConfig
from mobilise.views.app.controls import Controls
from mobilise.views.app.facilitator import FACILITATOR_TITLE, Facilitator
from mobilise.views.app.group import GroupBar
from mobilise.views.app.results import Results
from mobilise.views.app.server import load_presets
from mobilise.views.app.state import opening, use_page_state
from mobilise.views.workshop import Settings, members_of, workshop_scenario
from mobilise.vocabulary import ScenarioError

CSS = """
.mobilise-bar { display: flex; gap: 1.2em; align-items: center; padding: 4px 16px;
                background: #0b4f8a; color: white; font-size: 0.95em; }
.mobilise-bar a { color: white; }
.app-main { align-items: flex-start !important; flex-wrap: nowrap !important; }
.controls { flex: 0 0 370px; width: 370px; max-height: calc(100vh - 40px); overflow-y: auto;
            position: sticky; top: 0; }
.results { flex: 1 1 auto; min-width: 0; }
.key-chart svg { display: block; width: 100%; max-height: calc(100vh - 260px); }
.chart svg { display: block; width: 100%; max-height: 70vh; }
.network svg { display: block; width: 100%; max-height: 60vh; }
.v-expansion-panel-content__wrap { padding: 0 12px 8px; }
.v-expansion-panel-header { min-height: 40px !important; }
.v-input--switch { margin-top: 0; padding-top: 0; }
.reform { display: flex; align-items: center; gap: 6px; min-height: 32px; }
.reform > .v-input--switch { flex: 0 0 200px; }
.reform > .v-input--switch .v-label { font-size: 0.9em; }
.reform > b { flex: 0 0 30px; }
.constraint { margin-bottom: 6px; }
.constraint .source { color: #666666; font-size: 0.8em; }
*, *::before, *::after { transition: none !important; animation: none !important; }
.v-ripple__container { display: none !important; }
"""


# --- the pages ------------------------------------------------------------------------


@solara.component
def Layout(children: list[Any] | None = None) -> None:
    """A slim bar with the two pages, then the page: no tall app bar above the charts."""
    solara.Style(CSS)
    with solara.Column(gap="0px", style={"padding": "0"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML='<b>mobilise</b> <a href="/">Workshop</a> '
            '<a href="/facilitator">Facilitator view</a>',
            classes=["mobilise-bar"],
        )
        solara.Column(children=children or [], style={"padding": "6px 12px"})


@solara.component
def Workshop() -> None:
    """The workshop page: controls on the left, the comparison on the right."""
    config = solara.use_memo(AppConfig.from_environment, [])
    presets = load_presets(config)
    router = solara.use_router()
    owner = solara.use_memo(lambda: uuid.uuid4().hex, [])
    start = solara.use_memo(lambda: opening(config, presets.scenarios, router.search), [])
    page = use_page_state(start, owner)

    def derive() -> tuple[Settings | None, Scenario | None, str]:
        try:
            settings = page.choices.value.settings()
            if settings.preset not in presets.scenarios:
                message = presets.problems.get(settings.preset, f"No preset {settings.preset!r}.")
                return None, None, message
            scenario = workshop_scenario(presets.scenarios[settings.preset], settings)
            return settings, scenario, ""
        except ScenarioError as exc:
            return None, None, str(exc)

    settings, scenario, problem = solara.use_memo(derive, [page.choices.value])
    ensemble = members_of(presets.ensembles.get(settings.preset), settings) if settings else None

    with solara.Row(classes=["app-main"], gap="16px"):
        with solara.Column(classes=["controls"], gap="4px"):
            GroupBar(page, settings, config.sessions)
            Controls(page, presets.scenarios, presets.problems, presets.sliders, settings, ensemble)
        with solara.Column(classes=["results"], gap="4px"):
            Results(page, settings, scenario, problem, config, ensemble)


# a route's label is the tab's title (Solara's router sets it, deepest title first)
routes = [
    solara.Route(path="/", component=Workshop, layout=Layout, label=TITLE),
    solara.Route(path="facilitator", component=Facilitator, label=FACILITATOR_TITLE),
]
