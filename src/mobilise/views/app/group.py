"""A tab's group: naming it, rejoining it with its code, and keeping its tabs in step.

A new name claims a session (:meth:`SessionStore.claim`, atomic); a name already taken
asks "rejoin or choose another?", and rejoining needs the group's rejoin code, shown on
the group's own screen (and on the facilitator's page). Every tab of a named group looks
at the group's files each second: the log on screen is the group's whole log, and when
another tab saved different settings, this tab says so and offers them.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path

import solara

from mobilise.views.app.codes import new_code
from mobilise.views.app.server import session_store
from mobilise.views.app.sessions import Session, folder_name, group_name
from mobilise.views.app.state import Group, PageState, Pending, Start, start_of
from mobilise.views.workshop import Settings
from mobilise.vocabulary import ScenarioError

IN_STEP_SECONDS = 1.0
"""How often a named tab looks for its group's saves from other tabs."""

SMALL = {"font-size": "0.9em"}


@solara.component
def GroupBar(page: PageState, settings: Settings | None, sessions: Path) -> None:
    """Name the group to save its work; rejoin a saved group with its code."""
    store = session_store(sessions)
    router = solara.use_router()
    name = solara.use_reactive("")
    code = solara.use_reactive("")

    def show(start: Start) -> None:
        page.open(start)
        page.notice.set("")
        code.set("")
        if start.group is not None:
            router.push(start.group.link())

    def start_or_rejoin() -> None:
        try:
            typed = group_name(name.value)
            taken = store.find(typed)
        except ScenarioError as exc:
            page.notice.set(str(exc))
            return
        page.notice.set("")
        if taken is not None:
            page.pending.set(Pending(taken.folder, taken.group))
            return
        seen = page.last_seen
        base = settings or (seen.settings if seen is not None else None)
        if base is None:
            page.notice.set("Choose settings that run (see the message on the right) first.")
            return
        claimed = store.claim(
            Session(
                group=typed,
                settings=base,
                layout=page.layout.value,
                predict_first=page.predict_first.value,
                comparison=seen.drawn.comparison if seen is not None else None,
                shown_settings=seen.settings if seen is not None else None,
                log=list(page.log.value),
                key=new_code(),
                saved_by=page.owner,
            )
        )
        if claimed is None:  # another tab took the name a moment ago
            page.pending.set(Pending(folder_name(typed), typed))
            return
        group = Group(claimed.group, claimed.folder, claimed.key)
        page.group.set(group)
        router.push(group.link())

    def rejoin() -> None:
        pending = page.pending.value
        if pending is None:
            return
        try:
            session = store.rejoin(pending.folder, code.value)
        except ScenarioError as exc:
            page.notice.set(str(exc))
            return
        show(start_of(session))

    def choose_another() -> None:
        page.pending.set(None)
        page.notice.set("")
        name.set("")
        router.push("/")

    pending = page.pending.value
    group = page.group.value
    if group is not None:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Group: <b class='group-name'>{html.escape(group.name)}</b>"
            f" · rejoin code <b class='rejoin-code'>{html.escape(group.key)}</b> · "
            f"<a class='session-link' href='{html.escape(group.link())}'>link to this session</a>",
            style=SMALL,
        )
        InStep(page, group.folder, sessions)
    elif pending is not None:
        with solara.Column(gap="2px", classes=["name-taken"]):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"“{html.escape(pending.group)}” is already a group here: "
                "<b>rejoin or choose another?</b> To rejoin, type the group's rejoin code "
                "(on the group's screen; the facilitator has it too).",
                style=SMALL,
            )
            with solara.Row(gap="4px", style={"align-items": "center"}):
                solara.InputText("Rejoin code", value=code, continuous_update=True)
                solara.Button(
                    "Rejoin", small=True, on_click=rejoin, disabled=not code.value.strip()
                )
                solara.Button("Choose another name", small=True, text=True,
                              on_click=choose_another)  # fmt: skip
    else:
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.InputText("Your group's name", value=name, continuous_update=True)
            solara.Button("Start or rejoin", small=True, on_click=start_or_rejoin,
                          disabled=not name.value.strip())  # fmt: skip
    if page.notice.value:
        solara.Warning(page.notice.value)
    elsewhere = page.elsewhere.value
    if elsewhere is not None:
        with solara.Column(gap="2px", classes=["other-tab"]):
            solara.Info(
                f"Another tab of this group changed its settings ({elsewhere.updated[11:19]} "
                "UTC). This tab still shows its own."
            )
            solara.Button("Show the latest", small=True, on_click=lambda: show(start_of(elsewhere)))


@solara.component
def InStep(page: PageState, folder: str, sessions: Path) -> None:
    """Follow the group's files: its whole log here, and word of another tab's settings."""
    store = session_store(sessions)

    def watch(cancel: threading.Event) -> None:
        last = store.stamp(folder)
        while not cancel.wait(IN_STEP_SECONDS):
            now = store.stamp(folder)
            if now == last:
                continue
            (_, saved_before, logged_before), (_, saved, logged) = last[0], now[0]
            last = now
            try:
                session = store.load(folder)
            except ScenarioError:
                continue
            if session is None:
                continue
            if logged != logged_before:
                page.log.set(session.log)  # every tab's rows, in the order they were added
            if saved != saved_before and session.saved_by != page.owner and _differs(session, page):
                page.elsewhere.set(session)

    solara.use_thread(watch, dependencies=[folder])


def _differs(session: Session, page: PageState) -> bool:
    """Whether a saved session shows something other than this tab."""
    try:
        mine = page.choices.value.settings().key()
    except ScenarioError:
        return True
    return (session.settings.key(), session.layout, session.predict_first) != (
        mine,
        page.layout.value,
        page.predict_first.value,
    )
