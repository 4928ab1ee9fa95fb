"""Make the README's workshop screenshots again: a room of three groups and the facilitator.

Run from the repository root (after any change to the model or the app)::

    uv run --extra test python docs/screenshots.py

It starts ``mobilise app`` on a free port with an empty sessions folder, plays three
groups in Debian's Chromium at 1366x768 (a workshop laptop), and writes

* ``docs/figures/app.png``: a group's page, as it opens above the fold;
* ``docs/figures/app_constraints.png``: the structural constraints panel, open;
* ``docs/figures/facilitator.png``: the facilitator view of the three groups.

The groups' choices are fixed here, so the pictures change only when the model does.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' helpers: one way to start and drive the app

from tests.browser import open_panel, printed_code, settle, start_app, stop_app  # noqa: E402
from tests.chromium import ARGS, CHROMIUM  # noqa: E402

FIGURES = ROOT / "docs" / "figures"
VIEWPORT = {"width": 1366, "height": 768}

GROUPS = [
    # name, preset, reforms switched on, replications, slider moves (key steps), guess
    ("Table 1: health", "uk_2024", ["mission_councils", "social_partnership"], 20, {}, None),
    ("Table 2: 1980s", "uk_early_1980s", ["mission_councils", "social_partnership"], 20, {},
     {"baseline": 10, "with reforms": 16}),
    ("Table 3: finance", "uk_2024", ["patient_capital", "pooled_budgets"], 20,
     {"overseas_share": -100}, None),
]  # fmt: skip
"""Three groups: the same package under today's and the early 1980s' structures (the
second predicts first: its guess of runs meeting the milestone goes into the log), and
another package with a lower overseas share of UK shares (100 steps of 0.001 down)."""


def play_group(page: Page, url: str, group: tuple) -> None:
    """One group names itself and makes its choices, each comparison settling in turn."""
    name, preset, reforms, replications, moves, guess = group
    page.goto(url)
    settle(page)
    page.get_by_label("Your group's name").fill(name)
    page.get_by_text("Start or rejoin").click()
    page.locator(".group-name").wait_for()
    if preset != "uk_2024":
        page.locator(".v-select").filter(has_text="Scenario preset").locator(
            ".v-select__slot"
        ).click()
        page.locator(".menuable__content__active .v-list-item").filter(
            has=page.get_by_text(preset, exact=True)
        ).click()
        settle(page)
    open_panel(page, "Runs")
    slider = page.locator("[role=slider][data-field=replications]")
    slider.focus()
    slider.press("Home")
    for _ in range(replications - 1):
        slider.press("ArrowRight")
    settle(page)
    if moves:
        open_panel(page, "Structural constraints")
        for field, steps in moves.items():
            thumb = page.locator(f"[role=slider][data-field={field}]")
            thumb.focus()
            for _ in range(abs(steps)):
                thumb.press("ArrowRight" if steps > 0 else "ArrowLeft")
            settle(page)
    for i, reform in enumerate(reforms):
        last = i == len(reforms) - 1
        if last and guess:
            open_panel(page, "Runs")
            page.get_by_text("Predict first: guess before results are shown").click()
        page.locator(f"[data-reform={reform}] .v-label").click()
        if last and guess:
            settle(page, want="guess")
            for arm, runs in guess.items():
                slider = page.locator(f"[role=slider][data-field='guess {arm}']")
                slider.focus()
                slider.press("Home")
                for _ in range(runs):
                    slider.press("ArrowRight")
            time.sleep(0.5)
            page.get_by_text("Reveal the results").click()
        settle(page)


def main() -> None:
    """Play the room and write the screenshots."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as sessions, sync_playwright() as p:
        server, url, output = start_app(["--sessions", sessions])
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            pages = []
            for group in GROUPS:
                page = browser.new_context(viewport=VIEWPORT).new_page()
                play_group(page, url, group)
                pages.append(page)
            first = pages[0]
            for title in ("Runs", "Structural constraints"):  # close what play_group opened
                header = first.locator(f"[data-panel='{title}']")
                if "active" in (header.get_attribute("class") or ""):
                    header.click()
            first.evaluate("window.scrollTo(0, 0)")
            time.sleep(1.0)
            first.screenshot(path=FIGURES / "app.png")
            third = pages[2]
            for title in ("Runs", "Enabling reforms"):
                header = third.locator(f"[data-panel='{title}']")
                if "active" in (header.get_attribute("class") or ""):
                    header.click()
            open_panel(third, "Structural constraints")
            third.locator(".controls").evaluate("e => e.scrollTo(0, 0)")
            time.sleep(1.0)
            third.screenshot(path=FIGURES / "app_constraints.png")
            facilitator = browser.new_context(viewport=VIEWPORT).new_page()
            facilitator.goto(f"{url}facilitator?code={printed_code(output(), 'facilitator')}")
            facilitator.locator(".groups-chart svg").wait_for(timeout=60_000)
            time.sleep(1.0)
            facilitator.screenshot(path=FIGURES / "facilitator.png", full_page=True)
            browser.close()
        finally:
            stop_app(server)
    for name in ("app.png", "app_constraints.png", "facilitator.png"):
        print(f"wrote {FIGURES / name}")


if __name__ == "__main__":
    main()
