"""The app's outcome side: the comparison's queue and result, predict-first, downloads, one run.

:func:`Results` asks the worker pool for the comparison of the settings on screen and
shows the answer only if it still belongs to them (:class:`mobilise.views.app.state.Shown`
carries their key). A result that reached the screen gets one row in the log, and a
named group's session is saved.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import reacton.ipyvuetify as rv
import solara
from reacton.core import Ref

from mobilise.schema.ensemble import Ensemble
from mobilise.schema.levers import BASELINE
from mobilise.schema.scenario import Scenario
from mobilise.views.app.config import AppConfig
from mobilise.views.app.controls import Panel, ReleaseSlider
from mobilise.views.app.figures import (
    compare_and_draw,
    draw,
)
from mobilise.views.app.pool import Place
from mobilise.views.app.server import pool, session_store
from mobilise.views.app.sessions import Session
from mobilise.views.app.state import PageState, Shown
from mobilise.views.app.step import StepThrough
from mobilise.views.brief import comparison_brief, render
from mobilise.views.figure_style import BASELINE_LABEL
from mobilise.views.headline import headline, log_entry
from mobilise.views.workshop import WITH_REFORMS, Request, Settings

QUEUE_CHECK = 0.25
"""Seconds between looks at a waiting job's place in the queue."""

HEADLINE_STYLE = {
    "color": "#0b4f8a",
    "font-size": "1.3em",
    "margin": "0.2em 0",
    "line-height": "1.3",
}


@solara.component
def Headline(shown: Shown) -> None:
    """The result in words: milestone, k of n runs per arm, the effect, and a caution."""
    line = headline(shown.drawn.comparison, shown.scenario.mission_spec, shown.scenario)
    solara.HTML(
        tag="h2",
        unsafe_innerHTML=html.escape(line.sentence()),
        style=HEADLINE_STYLE,
        classes=["headline"],
    )
    for part in ("chances", "effect", "settle"):
        if text := getattr(line, part):
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(text), classes=[part],
                        style={"margin": "0.1em 0"})  # fmt: skip
    if line.caution:
        solara.HTML(
            tag="p",
            unsafe_innerHTML=html.escape(line.caution),
            classes=["caution"],
            style={"margin": "0.1em 0", "color": "#8a4b00", "font-size": "0.92em"},
        )


def _set_guess(guesses: solara.Reactive[dict[str, int]], arm: str, value: float) -> None:
    guesses.set({**guesses.value, arm: int(value)})


@solara.component
def Prediction(shown: Shown, on_reveal: Callable[[dict[str, int]], None]) -> None:
    """Predict first: the group's guess of k of n runs per arm, before results show.

    A slider counts as a guess only once it is moved: an arm left alone is logged as
    "no guess", never as the slider's starting place.
    """
    n = shown.drawn.comparison.runs_per_arm()
    key = shown.scenario.mission_spec.key_milestone
    arms = [BASELINE, WITH_REFORMS] if shown.settings.reforms else [BASELINE]
    guesses: solara.Reactive[dict[str, int]] = solara.use_reactive({})
    solara.HTML(
        tag="h2",
        unsafe_innerHTML=html.escape(
            f"Results are ready. First, your guess: in how many of the {n} runs will the "
            f"milestone “{key.label}” (due {key.quarter}) be met?"
        ),
        style={**HEADLINE_STYLE, "color": "#333333"},
    )
    for arm in arms:
        label = BASELINE_LABEL if arm == BASELINE else arm
        guess = guesses.value.get(arm)
        said = f"{guess}</b> of {n}" if guess is not None else "no guess yet</b> (move the slider)"
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"{html.escape(label)}: <b data-guess='{arm}'>{said}",
        )
        ReleaseSlider(
            n // 2 if guess is None else guess,
            partial(_set_guess, guesses, arm),
            low=0,
            high=n,
            step=1,
            name=f"guess {arm}",
        )
    solara.Button("Reveal the results", color="primary", on_click=lambda: on_reveal(guesses.value))


@solara.component
def Chart(figures: dict[str, str], name: str, classes: str) -> None:
    """One drawn figure, or a word that it is on its way."""
    if name in figures:
        solara.HTML(tag="div", unsafe_innerHTML=figures[name], classes=[classes])
    else:
        solara.Text("Drawing the chart…", style={"color": "#666666"})


RESULT_DOWNLOADS = (
    ("runs.csv", "Runs on screen (CSV)", "application/octet-stream"),
    ("timeseries.csv", "Time series (CSV)", "application/octet-stream"),
    ("brief.html", "Printable brief (HTML)", "text/html"),
)
"""The files of the result on screen: name, button label, type."""

DOWNLOAD_ICON = "mdi-cloud-download-outline"


def _result_file(shown: Shown | None, name: str, group: str, preset_file: Path | None) -> bytes:
    """One of :data:`RESULT_DOWNLOADS` for the result on screen (empty when there is none)."""
    if shown is None:
        return b""
    comparison = shown.drawn.comparison
    if name == "runs.csv":
        return comparison.runs.to_csv(index=False, float_format="%.10g").encode()
    if name == "timeseries.csv":
        return comparison.timeseries.to_csv(index=False, float_format="%.10g").encode()
    brief = comparison_brief(
        shown.settings,
        shown.scenario,
        comparison,
        preset_file=preset_file,
        group=group,
        fan_svg=shown.drawn.figures.get("overlaid"),
    )
    return render(brief).encode()


def _log_csv(log: list[dict[str, Any]]) -> bytes:
    return pd.DataFrame(log).to_csv(index=False).encode()


@solara.component
def Downloads(
    shown: Shown | None, log: list[dict[str, Any]], group: str, preset_file: Path | None
) -> None:
    """The workshop log, the runs on screen (batch format) and the printable brief.

    The buttons stay in place (greyed out while no result is on screen) and each one's
    data is the same object until what it downloads changes: a new object would make
    Solara's download widget start over (a thread and a render each), ten pages at once.
    """
    log_csv = solara.use_memo(lambda: partial(_log_csv, log), [log])
    files = solara.use_memo(
        lambda: {
            n: partial(_result_file, shown, n, group, preset_file) for n, *_ in RESULT_DOWNLOADS
        },
        [(shown.key, shown.serial) if shown is not None else None, group, preset_file],
    )
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(log_csv, "workshop_log.csv", label="Workshop log (CSV)")
        for name, label, mime_type in RESULT_DOWNLOADS:
            button = solara.Button(label, icon_name=DOWNLOAD_ICON, disabled=shown is None)
            solara.FileDownload(files[name], name, mime_type=mime_type, children=[button])


@solara.component
def Results(
    page: PageState,
    settings: Settings | None,
    scenario: Scenario | None,
    problem: str,
    config: AppConfig,
    ensemble: Ensemble | None = None,
) -> None:
    """The comparison of the settings on screen: queue, problem, guess, or the result.

    ``ensemble``: the plausible worlds the settings' comparison runs (none: as written).
    """
    key = settings.key() if settings is not None and scenario is not None else ""
    # open panels below the key chart (their indices); closed ones cost nothing
    more: solara.Reactive[list[int]] = solara.use_reactive([])
    # figures drawn after the first, by (key, serial, name)
    drawn_later: Ref[dict[tuple[str, int, str], str]] = solara.use_ref({})

    def follow() -> Iterator[Place | Shown]:
        if settings is None or scenario is None:
            return
        started = time.perf_counter()
        work = pool(config)
        saved = page.restored.value
        first = (page.layout.value,)  # the key chart first; the other figures come after
        if saved is not None and saved.key == key:  # a restored result: draw it, do not rerun
            ticket, serial = work.submit(page.owner, draw, (saved.comparison, first)), 0
        else:
            request = Request(
                scenario,
                dict(settings.reforms),
                settings.replications,
                settings.seed,
                settings.timing(),
                settings.mission,
                ensemble,
            )
            ticket = work.submit(page.owner, compare_and_draw, (request, first))
            serial = None
        last = None
        while not ticket.wait(0.0 if last is None else QUEUE_CHECK):  # its place at once
            place = work.place(ticket)
            if place != last:
                last = place
                yield place
        drawn = ticket.result()  # raises what the worker raised
        if drawn is not None:  # None: superseded by newer settings, never shown
            number = page.next_serial() if serial is None else 0
            seconds = time.perf_counter() - started
            yield Shown(key, number, settings, scenario, drawn, seconds)

    task = solara.lab.use_task(follow, dependencies=[key], raise_error=False)
    latest = task.latest
    shown = latest if isinstance(latest, Shown) and latest.key == key else None
    place = latest if isinstance(latest, Place) and task.pending else None
    hidden = shown is not None and page.hides(shown)
    visible = None if hidden else shown

    wanted = [page.layout.value] + (["engagement"] if 0 in more.value else [])
    shown_id = (shown.key, shown.serial) if shown is not None else ("", -1)
    figures = dict(shown.drawn.figures) if shown is not None else {}
    figures.update({n: svg for (k, i, n), svg in drawn_later.current.items() if (k, i) == shown_id})
    missing = tuple(name for name in wanted if name not in figures)

    def draw_missing() -> None:
        if shown is None or not missing:
            return
        ticket = pool(config).submit(
            f"{page.owner}/figures", draw, (shown.drawn.comparison, missing), later=True
        )
        while not ticket.wait(QUEUE_CHECK):
            pass
        drawn = ticket.result()
        if drawn is not None:
            kept = {k: v for k, v in drawn_later.current.items() if k[:2] == shown_id}
            kept.update({(*shown_id, name): svg for name, svg in drawn.figures.items()})
            drawn_later.current = kept

    later = solara.lab.use_task(draw_missing, dependencies=[*shown_id, missing], raise_error=False)
    if later.finished:  # (reading it also redraws the page when they arrive)
        figures.update({n: v for (k, i, n), v in drawn_later.current.items() if (k, i) == shown_id})

    group = page.group.value

    def record() -> None:
        if visible is not None:
            page.last_seen = visible
        if visible is None or visible.serial in page.logged:
            return
        page.logged.add(visible.serial)
        row = log_entry(
            visible.settings,
            visible.drawn.comparison,
            visible.scenario.mission_spec,
            group=group.name if group is not None else "",
            guess=page.guesses.value.get(visible.serial),  # None: predict first was off
        )
        page.log.set([*page.log.value, row])
        if group is not None:  # the group's log.csv only grows, row by row, every tab's
            session_store(config.sessions).append_later(group.folder, row)

    solara.use_effect(record, [visible.serial if visible is not None else -1])

    def save() -> None:
        if group is None or settings is None:
            return
        seen = visible or page.last_seen  # a result waiting for a guess is not yet seen
        session_store(config.sessions).save_later(
            Session(
                group=group.name,
                settings=settings,
                layout=page.layout.value,
                predict_first=page.predict_first.value,
                comparison=seen.drawn.comparison if seen is not None else None,
                shown_settings=seen.settings if seen is not None else None,
                key=group.key,
                saved_by=page.owner,
                folder=group.folder,
            )
        )
        page.elsewhere.set(None)  # this tab's settings are now the group's

    # saved on every change, also while a comparison runs: a reload finds the settings
    solara.use_effect(
        save,
        [group, page.layout.value, page.predict_first.value, key,
         visible.serial if visible is not None else -1],
    )  # fmt: skip

    def reveal(guess: dict[str, int]) -> None:
        if shown is not None:
            page.guesses.set({**page.guesses.value, shown.serial: guess})
            page.revealed.set(shown.serial)

    state = (
        "problem" if problem else "error" if task.error else "guess" if hidden
        else "ready" if visible is not None else "running"
    )  # fmt: skip
    # Every part has its own key, so a part that comes or goes (the queue's message, the
    # guess, the headline) leaves the others' widgets in place: a switch in a full room
    # updates the page rather than tearing it down and building it again.
    rv.Html(
        tag="div",
        class_="status",
        attributes={
            "data-state": state,
            "data-serial": str(shown.serial if shown else ""),
            "data-seconds": f"{shown.seconds:.3f}" if shown else "",
        },
    ).key("status")
    if problem:
        solara.Error(problem, classes=["problem"]).key("message")
    elif task.error:
        solara.Error(f"This comparison could not be run: {task.exception}").key("message")
    elif shown is None:
        solara.Info(
            place.sentence() if place is not None else "Running the comparison…",
            classes=["queue"],
        ).key("message")
    if hidden and shown is not None:
        Prediction(shown, reveal).key(f"guess-{shown.serial}")
    if visible is not None:
        Headline(visible).key("headline")
        Chart(figures, page.layout.value, "key-chart").key("key-chart")
    preset_file = (
        config.preset_files().get(visible.settings.preset) if visible is not None else None
    )
    Downloads(visible, page.log.value, group.name if group else "", preset_file).key("downloads")
    if not problem and not task.error:  # open panels stay open while the next result runs
        with rv.ExpansionPanels(
            multiple=True, flat=True, v_model=more.value, on_v_model=more.set
        ).key("more"):
            Panel(
                "Who mobilises",
                "Engaged share of each actor type over time, both arms",
                children=[Chart(figures if visible else {}, "engagement", "chart")]
                if 0 in more.value
                else [],
            )
            Panel(
                "One run, step by step",
                "Step, Play and Reset walk through run 1 on a sample of the network",
                children=[Walk(visible)] if 1 in more.value else [],
            )


@solara.component
def Walk(visible: Shown | None) -> None:
    """One run step by step, once the result it belongs to is on screen."""
    if visible is None:
        solara.Text("Waiting for the comparison…", style={"color": "#666666"})
    else:
        StepThrough(visible)
