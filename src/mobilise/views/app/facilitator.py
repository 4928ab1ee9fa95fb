"""The facilitator's page (``/facilitator``): every saved group side by side, as CSV too.

It reads the sessions folder, so it sees every group of this server and of earlier
runs of it, and it refreshes itself when a group saves. It is the facilitator's only:
the server asks for the facilitator's code before it serves the page (see
:mod:`mobilise.views.app.access`), and the page itself shows nothing to a connection
without the facilitator's cookie (a tab of the room that changed its route in place).
Each group's row links into its session with its rejoin code, for a group that lost it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import solara
from solara.lab.utils.cookies import cookies as connection_cookies

from mobilise.views.app.codes import holds
from mobilise.views.app.config import AppConfig
from mobilise.views.app.figures import groups_chart
from mobilise.views.app.groups import (
    describe_effect,
    describe_guess,
    describe_moves,
    describe_reforms,
    groups_table,
)
from mobilise.views.app.server import load_presets, session_store
from mobilise.views.app.sessions import Session
from mobilise.views.figure_style import BASELINE_LABEL, inline_svg
from mobilise.views.templating import render_template
from mobilise.views.workshop import WITH_REFORMS, Slider

REFRESH_SECONDS = 3.0
"""How often the page looks for groups' new saves."""

FACILITATOR_TITLE = "mobilise: facilitator view"

HEADINGS = (
    "group", "scenario · mission", "reforms (strength)", "sliders moved from the preset",
    f"milestone met: {BASELINE_LABEL}", f"milestone met: {WITH_REFORMS}",
    "effect on the key metric when due [95% interval]", "latest guess (runs met)",
    "session",
)  # fmt: skip

STYLE = (
    "table.groups { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }"
    "table.groups th, table.groups td { border: 1px solid #bbb; padding: 3px 6px;"
    " vertical-align: top; text-align: left; } table.groups th { background: #eee; }"
    ".groups-chart svg { width: 100%; max-height: 80vh; }"
)


@solara.component
def Facilitator() -> None:
    """All groups' choices and results side by side, their outcomes on one chart."""
    config = solara.use_memo(AppConfig.from_environment, [])
    if not holds(connection_cookies.value, config.facilitator_token):
        solara.HTML(tag="h2", unsafe_innerHTML="Facilitator view")
        solara.Warning(
            "This page is the facilitator's: open it anew (reload) and type the facilitator "
            "code that `mobilise app` printed when it started."
        )
        return
    Room(config)


@solara.component
def Room(config: AppConfig) -> None:
    """The room's groups, read again whenever one saves."""
    store = session_store(config.sessions)
    stamp, set_stamp = solara.use_state(store.stamp())

    def watch(cancel: threading.Event) -> None:
        while not cancel.wait(REFRESH_SECONDS):
            now = store.stamp()
            if now != stamp:
                set_stamp(now)

    solara.use_thread(watch, dependencies=[stamp])
    loaded = load_presets(config)
    presets, sliders = loaded.scenarios, loaded.sliders

    def gather() -> tuple[Any, ...]:
        sessions, problems = store.all()
        table = groups_table(sessions, presets) if sessions else None
        series = {s.group: s.comparison.timeseries for s in sessions if s.comparison is not None}
        chart = inline_svg(groups_chart(series), "the groups' outcomes") if series else ""
        return sessions, table, chart, problems

    sessions, table, chart, problems = solara.use_memo(gather, [stamp])
    solara.HTML(tag="h2", unsafe_innerHTML="Facilitator view: every group side by side")
    solara.Text(
        f"{0 if table is None else len(table)} groups saved; "
        f"updated {time.strftime('%H:%M:%S')}, refreshes by itself.",
        style={"color": "#555555", "font-size": "0.9em"},
    )
    for problem in problems:
        solara.Warning(problem)
    if table is None:
        solara.Info(
            "No group has saved a session yet: groups name themselves on the workshop page."
        )
        return
    rows = table.astype(object).where(table.notna(), None).to_dict("records")
    page = render_template(
        "groups.html.j2",
        {"headings": HEADINGS, "groups": [
            _group(session, row, sliders) for session, row in zip(sessions, rows, strict=True)
        ]},
    )  # fmt: skip
    solara.HTML(tag="div", unsafe_innerHTML=page)
    solara.Style(STYLE)
    solara.FileDownload(
        lambda: table.to_csv(index=False).encode(), "groups.csv", label="All groups (CSV)"
    )
    if chart:
        solara.HTML(tag="div", unsafe_innerHTML=chart, classes=["groups-chart"])


def _group(session: Session, row: dict[str, Any], sliders: list[Slider]) -> dict[str, Any]:
    """One group's row of the table, in words, with the link into its session."""
    n = row.get("runs_per_arm")

    def met(column: str) -> str:
        value = row.get(column)
        return f"{int(value)} of {int(n)}" if value is not None and n else "–"

    return {
        "cells": [
            row["group"],
            f"{row.get('scenario')} · {row.get('mission')}",
            describe_reforms(row),
            describe_moves(row, sliders),
            met("met_runs_baseline"),
            met("met_runs_with_reforms"),
            describe_effect(row),
            describe_guess(row),
        ],
        "link": session.link(),
        "key": session.key or "(none)",
    }
