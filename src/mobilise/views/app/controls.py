"""The app's controls: preset and mission, constraint sliders, reform blocks, runs.

Every control changes :class:`Choices`, the one record of what is on screen. Sliders
report a value when released (or a key is pressed), never while dragged, so a drag
is one comparison. Each reform is one keyed block in a fixed place: its switch and
its strength never part company when other reforms are switched on or off.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as rv
import solara
from reacton.core import Ref

from mobilise.schema.ensemble import Ensemble
from mobilise.schema.missions import MISSIONS
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import Scenario
from mobilise.views.app.choices import Choices
from mobilise.views.app.figures import LAYOUTS
from mobilise.views.app.state import PageState
from mobilise.views.figure_style import pretty
from mobilise.views.workshop import MAX_REPLICATIONS, Settings, Slider
from mobilise.vocabulary import quarter_index, quarter_label

STRENGTH_STEP = 0.05
"""Resolution of a reform's strength slider."""


# --- widgets --------------------------------------------------------------------------


@solara.component
def ReleaseSlider(
    value: float,
    on_release: Callable[[float], None],
    *,
    low: float,
    high: float,
    step: float,
    name: str,
    label: str = "",
    disabled: bool = False,
) -> solara.Element[Any]:
    """A slider that reports its value when released or moved by a key, not while dragged.

    ``name`` becomes the ``data-field`` attribute (and the accessible label) that tests
    and screen readers find it by. The slider keeps its own position while the page
    catches up: a value coming back from the page that this slider itself reported
    (an echo, possibly late) never moves it back, so quick key presses are not lost;
    any other new value (a preset, a reset) moves it.
    """
    position, set_position = solara.use_state(value)
    # values sent up whose echo has not come back yet
    reported: Ref[list[float]] = solara.use_ref([])

    def follow_the_page() -> None:
        if value in reported.current:
            del reported.current[: reported.current.index(value) + 1]
        else:
            reported.current.clear()
            set_position(value)

    solara.use_effect(follow_the_page, [value])
    slider = rv.Slider(
        v_model=position,
        on_v_model=set_position,
        min=low,
        max=high,
        step=step,
        thumb_label=True,
        hide_details=True,
        dense=True,
        disabled=disabled,
        label=label,
        attributes={"data-field": name, "aria-label": name},
        class_="mt-0 pt-0",
    )

    def released(_widget: Any, _event: str, data: Any) -> None:
        if data is None:
            return
        latest = reported.current[-1] if reported.current else value
        if float(data) != latest:
            reported.current.append(float(data))
            on_release(float(data))

    # ipyvue calls the handler with (widget, event, data); reacton types it with one argument
    rv.use_event(slider, "change", released)  # type: ignore[arg-type]
    return slider


def _number(value: float) -> str:
    return f"{value:g}"


@solara.component
def Panel(title: str, summary: str, children: list[Any] | None = None) -> solara.Element[Any]:
    """One collapsible group of controls, its header saying what is set inside."""
    return rv.ExpansionPanel(
        children=[
            rv.ExpansionPanelHeader(
                children=[
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=f"<b>{html.escape(title)}</b><br>"
                        f'<small style="color:#555">{html.escape(summary)}</small>',
                    )
                ],
                class_="py-1",
                attributes={"data-panel": title},
            ),
            rv.ExpansionPanelContent(
                children=children or [], eager=True, attributes={"data-panel-content": title}
            ),
        ]
    )


# --- panels ---------------------------------------------------------------------------


@solara.component
def ScenarioControls(
    choices: solara.Reactive[Choices], presets: dict[str, Scenario], problems: dict[str, str]
) -> None:
    """Preset and mission: a preset brings its own mission and all its constraints."""

    def choose_preset(name: str) -> None:
        if name in presets:
            choices.set(choices.value.with_preset(name, presets[name]))
        else:  # a preset file that does not load: say so, keep the settings
            choices.set(dataclasses.replace(choices.value, preset=name))

    missions = list(MISSIONS)
    preset = presets.get(choices.value.preset)
    own = preset.mission_spec.name if preset is not None else ""
    if own and own not in missions:
        missions = [own, *missions]
    if preset is not None and preset.several:  # run together: show one of them at a time
        missions = list(preset.mission_names)
    solara.Select(
        "Scenario preset",
        values=list(presets) + [p for p in problems if p not in presets],
        value=choices.value.preset,
        on_value=choose_preset,
    )
    solara.Select(
        "Mission" + (" (shown; all run together)" if preset is not None and preset.several else ""),
        values=missions,
        value=choices.value.mission,
        on_value=lambda m: choices.set(dataclasses.replace(choices.value, mission=m)),
    )


@solara.component
def ConstraintSlider(
    slider: Slider, value: float, preset_value: float | None, choices: solara.Reactive[Choices]
) -> None:
    """One constraint: label, value and unit, preset value and reset, slider, source."""
    moved = preset_value is not None and value != preset_value

    def set_value(new: float) -> None:
        new = round(new) if slider.integer else float(new)
        constraints = {**choices.value.constraints, slider.field: new}
        choices.set(dataclasses.replace(choices.value, constraints=constraints))

    preset_text = (
        f' <small style="color:{"#b35900" if moved else "#666666"}">preset '
        f"{_number(preset_value)}</small>"
        if preset_value is not None
        else ""
    )
    with rv.Html(tag="div", attributes={"data-constraint": slider.field}, class_="constraint"):
        with solara.Row(gap="4px", style={"align-items": "baseline", "flex-wrap": "nowrap"}):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"{html.escape(slider.label)}: "
                f'<b data-value="{slider.field}">{_number(value)}</b> '
                f"<small>{html.escape(slider.unit)}</small>{preset_text}"
                f'<br><small class="source">source: {html.escape(slider.source)}</small>',
                style={"font-size": "0.88em", "line-height": "1.25", "flex": "1 1 auto"},
            )
            if preset_value is not None:
                solara.Button(
                    "reset",
                    text=True,
                    x_small=True,
                    disabled=not moved,
                    on_click=lambda: set_value(preset_value),
                    attributes={"data-reset": slider.field},
                )
        ReleaseSlider(
            value, set_value, low=slider.low, high=slider.high, step=slider.step, name=slider.field
        )


@solara.component
def ConstraintSliders(
    choices: solara.Reactive[Choices], sliders: list[Slider], preset: Scenario | None
) -> None:
    """A slider for every structural constraint, from the schema, with the preset's value."""
    own = preset.constraints.model_dump() if preset is not None else {}

    if own:
        solara.Button(
            "reset all to preset",
            text=True,
            small=True,
            disabled=own == choices.value.constraints,
            on_click=lambda: choices.set(dataclasses.replace(choices.value, constraints=own)),
        )
    for slider in sliders:
        ConstraintSlider(
            slider,
            choices.value.constraints.get(slider.field, own.get(slider.field, slider.low)),
            own.get(slider.field),
            choices,
        ).key(slider.field)


FROM_THE_START = "from the start"
"""The first choice of a reform's start: the run's first quarter."""


@solara.component
def ReformBlock(
    name: str,
    on: bool,
    strength: float,
    choices: solara.Reactive[Choices],
    quarters: tuple[str, ...] = (),
) -> None:
    """One reform: its switch, and while it is on, its strength and its start beside it.

    The block is keyed by the reform and always in its catalogue place, so a strength
    slider can only ever belong to the switch next to it. The start is the run's first
    quarter or any later one of ``quarters`` (the run's). Hover for what the reform
    does, what it relaxes and where it comes from.
    """
    reform = REFORMS[name]

    def set_start(value: str | None) -> None:
        quarter = "" if value in (None, FROM_THE_START) else str(value)
        choices.set(choices.value.started(name, quarter))

    def toggle(value: bool) -> None:
        choices.set(choices.value.switched(name, value))

    def set_strength(value: float) -> None:
        strengths = {**choices.value.strengths, name: float(value)}
        choices.set(dataclasses.replace(choices.value, strengths=strengths))

    tooltip = f"{reform.description}. Relaxes: {reform.relaxes}. Source: {reform.source}"
    with rv.Html(tag="div", attributes={"data-reform": name, "title": tooltip}, class_="reform"):
        rv.Switch(
            label=pretty(name),
            v_model=on,
            on_v_model=toggle,
            hide_details=True,
            dense=True,
            class_="mt-0",
            attributes={"data-switch": name},
        )
        if on:
            solara.HTML(
                tag="b",
                unsafe_innerHTML=f"{strength:.2f}",
                attributes={"data-strength": name},
                style={"font-size": "0.85em"},
            )
            ReleaseSlider(
                strength,
                set_strength,
                low=0.0,
                high=1.0,
                step=STRENGTH_STEP,
                name=f"strength of {name}",
            )
            start = choices.value.starts.get(name) or FROM_THE_START
            later = list(quarters[1:])
            solara.Select(
                label=f"{pretty(name).capitalize()} starts",
                value=start,
                values=[FROM_THE_START, *later]
                if start in (FROM_THE_START, *later)
                else [FROM_THE_START, start, *later],
                on_value=set_start,
                dense=True,
            )


@solara.component
def ReformSwitches(choices: solara.Reactive[Choices], quarters: tuple[str, ...] = ()) -> None:
    """Every reform in catalogue order, each a keyed block; ``quarters``: the run's."""
    for name in REFORMS:
        ReformBlock(
            name, name in choices.value.on, choices.value.strengths[name], choices, quarters
        ).key(name)


def run_quarter_labels(scenario: Scenario | None) -> tuple[str, ...]:
    """Every quarter of a run of ``scenario``, the first first (none without a scenario)."""
    if scenario is None:
        return ()
    first = quarter_index(scenario.start)
    return tuple(quarter_label(first + q) for q in range(scenario.quarters))


def reforms_summary(choices: Choices) -> str:
    """The reforms switched on, as a closed panel's header says them."""
    return (
        ", ".join(
            pretty(r) + (f" (from {choices.starts[r]})" if choices.starts.get(r) else "")
            for r in choices.on
        )
        or "none switched on"
    )


def worlds_text(ensemble: Ensemble | None) -> str:
    """The plausible worlds a comparison runs, as the Runs panel says it (HTML)."""
    if ensemble is None:
        return (
            'Plausible worlds: <b data-value="members">0</b>: the preset as written, so '
            "results show chance between runs only"
        )
    return (
        f'Plausible worlds: <b data-value="members">{len(ensemble)}</b> from '
        f"{html.escape(ensemble.path.name)} (each run with the seeds below; the facilitator "
        "sets how many)"
    )


@solara.component
def RunControls(
    choices: solara.Reactive[Choices],
    layout: solara.Reactive[str],
    predict_first: bool,
    on_predict_first: Callable[[bool], None],
    ensemble: Ensemble | None = None,
) -> None:
    """Plausible worlds, replications, seed, layout and predict-first."""
    replications = choices.value.replications
    solara.HTML(tag="div", unsafe_innerHTML=worlds_text(ensemble), style={"font-size": "0.9em"})
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f'Replications (seeds per world): <b data-value="replications">'
        f"{replications}</b>",
        style={"font-size": "0.9em"},
    )
    ReleaseSlider(
        replications,
        lambda v: choices.set(dataclasses.replace(choices.value, replications=int(v))),
        low=1,
        high=MAX_REPLICATIONS,
        step=1,
        name="replications",
    )
    solara.InputText(
        "Seed (a whole number, 0 or more)",
        value=choices.value.seed_text,
        on_value=lambda t: choices.set(dataclasses.replace(choices.value, seed_text=t)),
        continuous_update=False,
    )
    solara.ToggleButtonsSingle(value=layout, values=list(LAYOUTS), dense=True)
    solara.Checkbox(
        label="Predict first: guess before results are shown",
        value=predict_first,
        on_value=on_predict_first,
    )


@solara.component
def Controls(
    page: PageState,
    presets: dict[str, Scenario],
    problems: dict[str, str],
    sliders: list[Slider],
    settings: Settings | None,
    ensemble: Ensemble | None = None,
) -> None:
    """The controls in collapsible panels; a closed panel's controls are not built at all.

    Each header says what is set inside, so a closed panel still tells the room.
    """
    opened = solara.use_reactive([0, 3])
    choices = page.choices.value
    preset = presets.get(choices.preset)
    moved = settings.moved(preset) if settings is not None and preset is not None else {}
    panels: list[tuple[str, str, Callable[[], Any]]] = [
        (
            "Scenario and mission",
            f"{choices.preset} · {choices.mission}",
            lambda: ScenarioControls(page.choices, presets, problems),
        ),
        (
            "Structural constraints",
            f"{len(moved)} moved from the preset" if moved else "as in the preset",
            lambda: ConstraintSliders(page.choices, sliders, preset),
        ),
        (
            "Runs",
            (f"{len(ensemble)} worlds × " if ensemble is not None else "")
            + f"{choices.replications} seeds, seed {choices.seed_text}"
            + (", predict first" if page.predict_first.value else ""),
            lambda: RunControls(
                page.choices,
                page.layout,
                page.predict_first.value,
                page.set_predict_first,
                ensemble,
            ),
        ),
        (
            "Enabling reforms",
            reforms_summary(choices),
            lambda: ReformSwitches(page.choices, run_quarter_labels(preset)),
        ),
    ]
    with rv.ExpansionPanels(
        multiple=True, v_model=opened.value, on_v_model=opened.set, accordion=False, flat=True
    ):
        for i, (title, summary, build) in enumerate(panels):
            children = [build()] if i in opened.value else []
            Panel(title, summary, children=children).key(title)
