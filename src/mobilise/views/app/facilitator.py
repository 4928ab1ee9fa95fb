"""The facilitator's page (``/facilitator``): every saved group side by side, as CSV too.

It reads the sessions folder, so it sees every group of this server and of earlier
runs of it, and it refreshes itself when a group saves.
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any

import solara

from mobilise.views.app.config import AppConfig
from mobilise.views.app.figures import groups_chart
from mobilise.views.app.groups import GUESS_PREFIX, describe_effect, describe_moves, groups_table
from mobilise.views.app.server import load_presets, session_store
from mobilise.views.figure_style import BASELINE_LABEL, arm_label, inline_svg
from mobilise.views.workshop import WITH_REFORMS, Slider

REFRESH_SECONDS = 3.0
"""How often the page looks for groups' new saves."""


@solara.component
def Facilitator() -> None:
    """All groups' choices and results side by side, their outcomes on one chart."""
    config = solara.use_memo(AppConfig.from_environment, [])
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
        return table, chart, problems

    table, chart, problems = solara.use_memo(gather, [stamp])
    solara.HTML(tag="h2", unsafe_innerHTML="Facilitator view: every group side by side")
    solara.Text(
        f"{0 if table is None else len(table)} groups saved in {config.sessions}; "
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
    head = [
        "group", "scenario · mission", "reforms (strength)", "sliders moved from the preset",
        f"milestone met: {BASELINE_LABEL}", f"milestone met: {WITH_REFORMS}",
        "effect on the key metric when due [95% interval]", "latest guess (runs met)",
    ]  # fmt: skip
    body = [_cells(row, sliders) for row in rows]
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in body
    )
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    solara.HTML(
        tag="div",
        unsafe_innerHTML="<table class='groups'><thead><tr>" + header + "</tr></thead><tbody>"
        + cells + "</tbody></table>",
    )  # fmt: skip
    solara.Style(
        "table.groups { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }"
        "table.groups th, table.groups td { border: 1px solid #bbb; padding: 3px 6px;"
        " vertical-align: top; text-align: left; } table.groups th { background: #eee; }"
        ".groups-chart svg { width: 100%; max-height: 80vh; }"
    )
    solara.FileDownload(
        lambda: table.to_csv(index=False).encode(), "groups.csv", label="All groups (CSV)"
    )
    if chart:
        solara.HTML(tag="div", unsafe_innerHTML=chart, classes=["groups-chart"])


def _cells(row: dict[str, Any], sliders: list[Slider]) -> list[str]:
    """One group's row of the table, in words."""
    n = row.get("runs_per_arm")

    def met(column: str) -> str:
        value = row.get(column)
        return f"{int(value)} of {int(n)}" if value is not None and n else "–"

    guesses = [
        f"{arm_label(k.removeprefix(GUESS_PREFIX).replace('_', ' '))}: {v:g}"
        for k, v in row.items()
        if str(k).startswith(GUESS_PREFIX) and v is not None
    ]
    return [
        row["group"],
        f"{row.get('scenario')} · {row.get('mission')}",
        row.get("reforms") or "none",
        describe_moves(row, sliders),
        met("met_runs_baseline"),
        met("met_runs_with_reforms"),
        describe_effect(row),
        "; ".join(guesses) or "–",
    ]
