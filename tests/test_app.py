"""The workshop app in a real browser: a real server on 127.0.0.1, Debian's Chromium.

Set MOBILISE_REQUIRE_BROWSER=1 (CI does) to fail, not skip, when Chromium is missing.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from mobilise.runs import RESULT_COLUMNS

from .conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("MOBILISE_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    command = [sys.executable, "-m", "mobilise.cli", "app", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the app did not start: " + server.stdout.read().decode()[-2000:])
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def headline(page):
    return page.locator("h2").filter(has_text="Milestone met").first.inner_text()


def comparison_count(page):
    text = page.get_by_text("Comparison ").first.inner_text()
    return int(text.split(":")[0].split()[-1])


def wait_for_comparison(page, after, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if comparison_count(page) > after:
                return
        except (sync_api.Error, ValueError, IndexError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"no new comparison after #{after}")


def settle(page, quiet=1.5, timeout=60):
    """Wait until no new comparison has arrived for ``quiet`` seconds; return the count."""
    deadline = time.time() + timeout
    last, since = -1, time.time()
    while time.time() < deadline:
        try:
            count = comparison_count(page)
        except (sync_api.Error, ValueError, IndexError):
            count = -1
        if count != last:
            last, since = count, time.time()
        elif count >= 0 and time.time() - since >= quiet:
            return count
        time.sleep(0.05)
    raise AssertionError("the app never settled")


def wait_for_headline(page, text, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if text in headline(page):
                return
        except sync_api.Error:
            pass
        time.sleep(0.05)
    raise AssertionError(f"headline never said {text!r}: {headline(page)!r}")


def test_workshop_in_a_real_browser(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    console_errors, failed = [], []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(app_url)
    page.get_by_text("Milestone met in").first.wait_for(timeout=90_000)
    assert len(page.inner_text("body")) > 500
    settle(page)
    assert "government push alone" in headline(page)
    assert "with these reforms" not in headline(page)

    # switch a reform on: the headline now compares
    page.get_by_text("mission councils", exact=True).click()
    wait_for_headline(page, "with these reforms")
    with_reforms = settle(page)

    # move a constraint slider with the keyboard; time slider -> redrawn chart
    sliders = page.locator(".v-slider__thumb-container")
    union = sliders.nth(_slider_index(page, "Union density"))
    union.focus()
    started = time.perf_counter()
    union.press("ArrowRight")
    wait_for_comparison(page, with_reforms)
    latency = time.perf_counter() - started
    computed = page.get_by_text("Comparison ").first.inner_text()
    print(f"\nslider change -> redrawn chart: {latency:.2f} s (server side: {computed})")

    # downloads parse, the runs in the batch format
    with page.expect_download() as download:
        page.get_by_text("Workshop log (CSV)").click()
    log = pd.read_csv(download.value.path())
    assert len(log) >= 3
    assert {"time", "met_share_baseline", "strength_mission_councils"} <= set(log.columns)
    with page.expect_download() as download:
        page.get_by_text("Runs on screen (CSV)").click()
    runs = pd.read_csv(download.value.path())
    assert set(RESULT_COLUMNS) <= set(runs.columns)
    assert set(runs["arm"]) == {"baseline", "with reforms"}

    page.get_by_text("Who mobilises").first.scroll_into_view_if_needed()
    top = os.environ.get("MOBILISE_SCREENSHOT")
    if top:
        page.screenshot(path=top.replace(".png", "-top.png"))

    # step through one run
    page.get_by_role("button", name="Step").click()
    page.get_by_text("quarter 2025Q1").first.wait_for(timeout=20_000)

    shot = tmp_path / "app.png"
    page.screenshot(path=str(shot), full_page=True)
    target = os.environ.get("MOBILISE_SCREENSHOT")
    if target:
        page.screenshot(path=target, full_page=True)
    assert shot.stat().st_size > 50_000
    assert not failed, failed
    assert not console_errors, console_errors


def test_participants_have_their_own_state(app_url, browser):
    one = browser.new_context().new_page()
    two = browser.new_context().new_page()
    for page in (one, two):
        page.goto(app_url)
        page.get_by_text("Milestone met in").first.wait_for(timeout=90_000)
        settle(page)
    one.get_by_text("pooled budgets", exact=True).click()
    wait_for_headline(one, "with these reforms")
    time.sleep(1.0)
    assert "government push alone" in headline(two) and "with these reforms" not in headline(two)


def _slider_index(page, label):
    labels = page.locator(".v-slider").evaluate_all(
        "els => els.map(e => (e.closest('.v-input') || e).innerText)"
    )
    for i, text in enumerate(labels):
        if label in text:
            return i
    raise AssertionError(f"no slider labelled {label!r} among {labels}")
