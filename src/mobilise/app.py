"""The workshop app: sliders and reform switches, government push alone vs with reforms.

Run it with ``mobilise app``. It lays out what :mod:`mobilise.workshop` computes and
holds no model logic. Each browser tab has its own state; a named group's session is
saved to disk (:mod:`mobilise.app_sessions`) and comes back by URL or by name.
Comparisons run in worker processes shared by the whole room (:mod:`mobilise.app_pool`).

The numbers on screen belong to the settings on screen: every result carries the key
of the settings that made it and is shown only while those are the settings; a newer
request replaces an older one in the queue, and a superseded result is dropped before
it reaches the page or the log.
"""

from __future__ import annotations

import functools
import html
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import reacton.ipyvuetify as rv
import solara

from mobilise.app_config import AppConfig
from mobilise.app_controls import (
    Choices,
    ConstraintSliders,
    Panel,
    ReformSwitches,
    RunControls,
    ScenarioControls,
)
from mobilise.app_pool import Place, WorkPool, shared_pool
from mobilise.app_results import Charts, Downloads, Headline, Prediction, Shown, StepThrough
from mobilise.app_sessions import Session, SessionStore, slug
from mobilise.plots_workshop import compare_and_draw, draw, warm_up
from mobilise.scenario import Scenario, ScenarioError, load_scenario
from mobilise.workshop import (
    Comparison,
    Request,
    Settings,
    Slider,
    constraint_sliders,
    log_entry,
    preset_settings,
    workshop_scenario,
)

DEFAULT_REPLICATIONS = 6
DEFAULT_SEED = 1

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
.reform-block { display: flex; align-items: center; gap: 4px; min-height: 34px; }
.reform-block > :first-child { flex: 0 0 215px; }
.reform-switch .v-label { font-size: 0.9em; }
"""


# --- what the server shares -----------------------------------------------------------


@dataclass(frozen=True)
class Presets:
    """The preset scenarios that load, one line for each that does not, and the sliders."""

    scenarios: dict[str, Scenario]
    problems: dict[str, str]
    sliders: list[Slider]


@functools.lru_cache(maxsize=8)
def _presets(files: tuple[tuple[str, Path, float], ...]) -> Presets:
    scenarios, problems = {}, {}
    for name, path, _ in files:
        try:
            scenarios[name] = load_scenario(path)
        except ScenarioError as exc:
            problems[name] = str(exc)
    return Presets(scenarios, problems, constraint_sliders(tuple(scenarios.values())))


def load_presets(config: AppConfig) -> Presets:
    """The presets, read once per version of their files."""
    files = tuple((n, p, p.stat().st_mtime) for n, p in config.preset_files().items())
    return _presets(files)


@functools.lru_cache(maxsize=4)
def session_store(root: Path) -> SessionStore:
    """The server's one store for a sessions folder (its writes are serialised)."""
    return SessionStore(root)


def pool(config: AppConfig) -> WorkPool:
    """The server's worker pool."""
    return shared_pool(config.workers, warm_up)


# --- a page's state -------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """A saved result and the settings that made it, waiting for its figures."""

    key: str
    settings: Settings
    comparison: Comparison


@dataclass
class Start:
    """How a page opens: defaults, or a saved session named in the URL."""

    choices: Choices
    group: str = ""
    layout: str = "side by side"
    predict_first: bool = False
    log: list[dict] = field(default_factory=list)
    restored: Restored | None = None
    notice: str = ""


def _opening(config: AppConfig, presets: dict[str, Scenario], search: str | None) -> Start:
    name = config.first_preset()
    if name in presets:
        base = preset_settings(
            name, presets[name], replications=DEFAULT_REPLICATIONS, seed=DEFAULT_SEED
        )
        start = Start(Choices.of(base))
    else:  # the first preset is broken: open on it so the page says why
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
    return _start_of(session)


def _start_of(session: Session) -> Start:
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


# --- the pages ------------------------------------------------------------------------


@solara.component
def Layout(children: list | None = None) -> None:
    """A slim bar with the two pages, then the page: no tall app bar above the charts."""
    solara.Style(CSS)
    solara.Title("mobilise: mission mobilisation workshop")
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
    loaded = load_presets(config)
    presets, problems, sliders = loaded.scenarios, loaded.problems, loaded.sliders
    store = session_store(config.sessions)
    router = solara.use_router()
    owner = solara.use_memo(lambda: uuid.uuid4().hex, [])
    serials = solara.use_memo(lambda: itertools.count(1), [])
    start = solara.use_memo(lambda: _opening(config, presets, router.search), [])

    choices = solara.use_reactive(start.choices)
    group = solara.use_reactive(start.group)
    layout = solara.use_reactive(start.layout)
    predict_first = solara.use_reactive(start.predict_first)
    log = solara.use_reactive(start.log)
    restored = solara.use_reactive(start.restored)
    revealed = solara.use_reactive(0)
    guesses = solara.use_reactive({})
    notice = solara.use_reactive(start.notice)
    open_panels = solara.use_reactive([0, 3])
    step_open = solara.use_reactive(None)  # the step-through builds a model only when opened
    logged = solara.use_ref({0})  # serial 0 is a restored result: it was logged before

    def derive() -> tuple[Settings | None, Scenario | None, str]:
        try:
            settings = choices.value.settings()
            if settings.preset not in presets:
                message = problems.get(settings.preset, f"No preset {settings.preset!r}.")
                return None, None, message
            return settings, workshop_scenario(presets[settings.preset], settings), ""
        except ScenarioError as exc:
            return None, None, str(exc)

    settings, scenario, problem = solara.use_memo(derive, [choices.value])
    key = settings.key() if settings is not None and scenario is not None else ""

    def follow() -> Iterator[Place | Shown]:
        if settings is None or scenario is None:
            return
        work = pool(config)
        saved = restored.value
        if saved is not None and saved.key == key:
            ticket = work.submit(owner, draw, saved.comparison)
            serial = 0
        else:
            request = Request(
                scenario, dict(settings.reforms), settings.replications, settings.seed
            )
            ticket = work.submit(owner, compare_and_draw, request)
            serial = next(serials)
        last = None
        while not ticket.wait(0.2):
            place = work.place(ticket)
            if place != last:
                last = place
                yield place
        drawn = ticket.result()  # raises what the worker raised
        if drawn is not None:  # None: superseded by newer settings
            yield Shown(key, serial, settings, scenario, drawn)

    task = solara.lab.use_task(follow, dependencies=[key], raise_error=False)
    latest = task.latest
    shown = latest if isinstance(latest, Shown) and latest.key == key else None
    place = latest if isinstance(latest, Place) and task.pending else None
    hidden = predict_first.value and shown is not None and shown.serial not in (0, revealed.value)
    visible = None if hidden else shown

    def session_now() -> Session | None:
        if not group.value or settings is None:
            return None
        on_screen = visible if visible is not None else None
        return Session(
            group=group.value,
            settings=settings,
            layout=layout.value,
            predict_first=predict_first.value,
            comparison=on_screen.drawn.comparison if on_screen else None,
            shown_settings=on_screen.settings if on_screen else None,
            log=list(log.value),
        )

    def record_visible() -> None:
        if visible is None or visible.serial in logged.current:
            return
        logged.current.add(visible.serial)
        row = log_entry(
            visible.settings,
            visible.drawn.comparison,
            visible.scenario.mission_spec,
            group=group.value,
            guess=guesses.value.get(visible.serial),
        )
        log.set([*log.value, row])

    solara.use_effect(record_visible, [visible.serial if visible is not None else -1])

    def save() -> None:
        session = session_now()
        if session is not None:
            store.save_later(session)

    solara.use_effect(
        save,
        [
            group.value,
            layout.value,
            predict_first.value,
            len(log.value),
            visible.serial if visible is not None else -1,
        ],
    )

    def open_group(name: str) -> None:
        try:
            wanted = slug(name)
            session = store.load(wanted)
        except ScenarioError as exc:
            notice.set(str(exc))
            return
        notice.set("")
        if session is not None:
            opened = _start_of(session)
            choices.set(opened.choices)
            layout.set(opened.layout)
            predict_first.set(opened.predict_first)
            log.set(opened.log)
            restored.set(opened.restored)
            group.set(session.group)
        else:
            group.set(name.strip())
        router.push(f"/?session={wanted}")

    def set_predict_first(on: bool) -> None:
        if on and shown is not None:
            revealed.set(shown.serial)  # what is on screen stays; the next result waits
        predict_first.set(on)

    def reveal(guess: dict[str, int]) -> None:
        if shown is not None:
            guesses.set({**guesses.value, shown.serial: guess})
            revealed.set(shown.serial)

    preset = presets.get(choices.value.preset)
    moved = settings.moved(preset) if settings is not None and preset is not None else {}
    with solara.Row(classes=["app-main"], gap="16px"):
        with solara.Column(classes=["controls"], gap="4px"):
            GroupBar(group.value, store.groups(), open_group, notice.value)
            with rv.ExpansionPanels(
                multiple=True,
                v_model=open_panels.value,
                on_v_model=open_panels.set,
                accordion=False,
                flat=True,
            ):
                Panel(
                    "Scenario and mission",
                    f"{choices.value.preset} · {choices.value.mission}",
                    children=[ScenarioControls(choices, presets, problems)],
                )
                Panel(
                    "Structural constraints",
                    f"{len(moved)} moved from the preset" if moved else "as in the preset",
                    children=[ConstraintSliders(choices, sliders, preset)],
                )
                Panel(
                    "Runs",
                    f"{choices.value.replications} runs per arm, seed {choices.value.seed_text}",
                    children=[RunControls(choices, layout, predict_first.value, set_predict_first)],
                )
                Panel(
                    "Enabling reforms",
                    ", ".join(r.replace("_", " ") for r in choices.value.on) or "none switched on",
                    children=[ReformSwitches(choices)],
                )
        with solara.Column(classes=["results"], gap="4px"):
            state = (
                "problem" if problem else "error" if task.error else "guess" if hidden
                else "ready" if visible is not None else "running"
            )  # fmt: skip
            rv.Html(
                tag="div",
                class_="status",
                attributes={"data-state": state, "data-serial": str(shown.serial if shown else "")},
            )
            if problem:
                solara.Error(problem, classes=["problem"])
            elif task.error:
                solara.Error(f"This comparison could not be run: {task.exception}")
            elif shown is None:
                solara.Info(
                    place.sentence() if place is not None else "Running the comparison…",
                    classes=["queue"],
                )
            solara.ProgressLinear(task.pending and not problem)
            if hidden and shown is not None:
                Prediction(shown, reveal).key(f"guess-{shown.serial}")
            if visible is not None:
                Headline(visible)
                Charts(visible, layout.value)
            preset_file = (
                config.preset_files().get(visible.settings.preset) if visible is not None else None
            )
            Downloads(visible, log.value, group.value, preset_file)
            if visible is not None:
                with rv.ExpansionPanels(
                    flat=True, v_model=step_open.value, on_v_model=step_open.set
                ):
                    Panel(
                        "One run, step by step",
                        "Step, Play and Reset walk through run 1 on a sample of the network",
                        children=[StepThrough(visible)] if step_open.value == 0 else [],
                    )


@solara.component
def GroupBar(
    group: str, saved: dict[str, str], on_open: Callable[[str], None], notice: str
) -> None:
    """Name the group to save its work; rejoin a saved group by name or link."""
    name = solara.use_reactive(group)
    if group:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Group: <b class='group-name'>{html.escape(group)}</b> · saved · "
            f"<a href='/?session={slug(group)}'>link to this session</a>",
            style={"font-size": "0.9em"},
        )
    else:
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.InputText("Your group's name", value=name, continuous_update=True)
            solara.Button("Start or rejoin", small=True, on_click=lambda: on_open(name.value),
                          disabled=not name.value.strip())  # fmt: skip
        if saved:
            links = ", ".join(
                f"<a href='/?session={s}'>{html.escape(g)}</a>" for s, g in saved.items()
            )
            solara.HTML(tag="small", unsafe_innerHTML=f"Saved groups: {links}")
    if notice:
        solara.Warning(notice)


from mobilise.app_facilitator import Facilitator  # noqa: E402  (after Layout, which it shares)

routes = [
    solara.Route(path="/", component=Workshop, layout=Layout),
    solara.Route(path="facilitator", component=Facilitator),
]
