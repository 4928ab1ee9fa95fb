"""Browser tests' shared parts: a real ``mobilise app`` server, and reading its page.

Reading a page means reading its controls (what the participant sees) and checking the
numbers against the library run here on those settings.
"""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from playwright.sync_api import Error as BrowserError

from mobilise.analysis.effects import paired_effects
from mobilise.running.design import in_memory
from mobilise.running.runs import run_chunk
from mobilise.schema.constraints import Constraints
from mobilise.schema.ensemble import choose_ensemble
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.schema.schedule import Timing
from mobilise.views.headline import of_ten
from mobilise.views.workshop import parse_seed

from .conftest import ROOT, SCENARIOS

FIELDS = list(Constraints.model_fields)
HEADLINE = re.compile(
    r"met in (\d+) of (\d+) runs with government push alone(?:, (\d+) of (\d+) runs with reforms)?"
)
EFFECT = re.compile(
    r"([+-]?\d+\.\d|0\.0) percentage points \(95% interval ([+-]?\d+\.\d|0\.0) to "
    r"([+-]?\d+\.\d|0\.0)\)"
)
NUMBER = r"([+-]?\d+\.\d|0\.0)"
WORLDS_EFFECT = re.compile(
    rf"by {NUMBER} percentage points(?: on average)? \(between {NUMBER} and {NUMBER} "
    r"percentage points in 95 of 100 worlds and histories\)"
)
"""The effect across plausible worlds: mean, and the 95% range over worlds and seeds."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    options: list[str],
    *,
    env: dict[str, str] | None = None,
    drop_telemetry: bool = False,
    host: str = "127.0.0.1",
    timeout: float = 90,
) -> tuple[subprocess.Popen, str, Callable[[], str]]:
    """Start ``mobilise app`` on a free port; return the process, its URL and its output so far.

    ``drop_telemetry`` starts it without SOLARA_TELEMETRY_MIXPANEL_ENABLE in the
    environment: the command itself must keep Solara quiet.
    """
    port = free_port()
    environment = {**os.environ, **(env or {})}
    if drop_telemetry:
        environment.pop("SOLARA_TELEMETRY_MIXPANEL_ENABLE", None)
    command = [sys.executable, "-m", "mobilise.cli", "app", "--host", host, "--port", str(port)]
    server = subprocess.Popen(
        [*command, *options],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []

    def read() -> None:
        for line in server.stdout:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            break
        try:
            direct.open(url + "readyz", timeout=2)
        except urllib.error.HTTPError:
            pass  # it answers (an access code may guard it): it is up
        except OSError:
            time.sleep(0.3)
            continue
        return server, url, lambda: "".join(lines)
    server.kill()
    raise AssertionError("the app did not start: " + "".join(lines)[-3000:])


def stop_app(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


# --- reading the page -----------------------------------------------------------------


def state(page):
    return page.locator(".status").first.get_attribute("data-state")


def settle(page, want="ready", quiet=0.8, timeout=60):
    """Wait until the page's state is ``want`` and has not changed for ``quiet`` seconds."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        try:
            status = page.locator(".status").first
            now = (status.get_attribute("data-state"), status.get_attribute("data-serial"))
        except BrowserError:
            now = None
        if now != last:
            last, since = now, time.time()
        elif now and now[0] == want and time.time() - since >= quiet:
            return now[1]
        time.sleep(0.05)
    raise AssertionError(f"the page never settled on {want!r}: {last}")


def open_panel(page, title):
    header = page.locator(f"[data-panel='{title}']")
    if "v-expansion-panel-header--active" not in (header.get_attribute("class") or ""):
        header.click()
    page.locator(f"[data-panel-content='{title}']").wait_for(state="visible")


def thumb(page, field):
    return page.locator(f"[role=slider][data-field='{field}']")


def slider_value(page, field):
    return float(thumb(page, field).get_attribute("aria-valuenow"))


def read_settings(page):
    """The settings as the controls show them (opening the panels that hold them)."""
    for title in ("Scenario and mission", "Structural constraints", "Runs", "Enabling reforms"):
        open_panel(page, title)
    selects = page.locator("[data-panel-content='Scenario and mission'] .v-select__selection")
    constraints = {}
    for field in FIELDS:
        shown = float(page.locator(f"[data-value={field}]").inner_text())
        assert shown == slider_value(page, field), field  # label and slider agree
        constraints[field] = shown
    reforms = {
        name: slider_value(page, f"strength of {name}")
        for name in REFORMS
        if page.locator(f"input[data-switch={name}]").get_attribute("aria-checked") == "true"
    }
    starts = {name: start for name in reforms if (start := reform_start(page, name))}
    return {
        "preset": selects.nth(0).inner_text(),
        "mission": selects.nth(1).inner_text(),
        "constraints": constraints,
        "reforms": reforms,
        "starts": starts,
        "replications": int(page.locator("[data-value=replications]").inner_text()),
        "seed": parse_seed(page.get_by_label("Seed (a whole number, 0 or more)").input_value()),
        "members": int(page.locator("[data-value=members]").inner_text()),
    }


def library(settings):
    """The comparison for these settings, made here with the library alone.

    With ``members``, across the first that many of the preset's own ensemble (as
    ``mobilise compare`` loads it), every arm in every world with the same seeds.
    """
    preset_file = SCENARIOS / f"{settings['preset']}.yaml"
    preset = load_scenario(preset_file)
    data = preset.model_dump(by_alias=True)
    if settings["mission"] != preset.mission_spec.name:
        data["mission"] = settings["mission"]
    data["constraints"].update(settings["constraints"])
    scenario = Scenario.model_validate(data)
    arms = {"with reforms": settings["reforms"]} if settings["reforms"] else {}
    timing = {r: Timing(start=q) for r, q in settings.get("starts", {}).items()}
    members = settings.get("members", 0)
    ensemble = choose_ensemble(preset_file, scenario, None, members) if members else None
    design = in_memory(scenario, arms, replications=settings["replications"],
                       seed=settings["seed"], timing={"with reforms": timing},
                       ensemble=ensemble)  # fmt: skip
    runs = pd.DataFrame(run_chunk(design.runs()).rows)
    return scenario, runs


def assert_numbers_belong_to_the_settings(page):
    """The headline and effect on screen are the library's for the settings on screen."""
    settings = read_settings(page)
    scenario, runs = library(settings)
    text = page.locator("h2.headline").inner_text()
    key = scenario.mission_spec.key_milestone
    assert f"Milestone “{key.label}”, due {key.quarter}" in text
    match = HEADLINE.search(text)
    assert match, text
    met = runs.groupby("arm")["milestone_met"].sum()
    worlds = settings["members"]
    n = settings["replications"] * max(1, worlds)
    assert (int(match[1]), int(match[2])) == (int(met["baseline"]), n), (text, settings)
    if worlds:
        assert f"({worlds} plausible worlds × {settings['replications']} seed" in text
    if settings["reforms"]:
        assert (int(match[3]), int(match[4])) == (int(met["with reforms"]), n), (text, settings)
        effect = paired_effects(runs, outcome="milestone_metric", bootstrap=0).iloc[0]
        said = page.locator("p.effect").inner_text()
        columns = ("mean_diff", "low", "high") if worlds else ("mean_diff", "t_low", "t_high")
        shown = (WORLDS_EFFECT if worlds else EFFECT).search(said)
        assert shown, said
        if n > 1:
            for value, column in zip(shown.groups(), columns, strict=True):
                assert abs(float(value) - effect[column] * 100) <= 0.051, (column, value)
        if worlds:  # in how many worlds and histories: the library's P(effect > 0)
            assert f" {of_ten(effect['p_positive'])} plausible worlds" in said, said
    else:
        assert match[3] is None
    return settings


def download(page, label):
    with page.expect_download() as info:
        page.get_by_text(label).click()
    return Path(info.value.path())


def log_rows(page):
    path = download(page, "Workshop log (CSV)")
    return pd.read_csv(path) if path.stat().st_size > 1 else pd.DataFrame()


def choose(page, label, value):
    """Pick ``value`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select").filter(has_text=label).locator(".v-select__slot").click()
    page.locator(".menuable__content__active .v-list-item").filter(
        has=page.get_by_text(value, exact=True)
    ).click()


def switch(page, reform):
    page.locator(f"[data-reform={reform}] .v-input--switch .v-label").click()


def start_label(reform):
    """The label of a reform's start select ('Mission councils starts')."""
    return f"{reform.replace('_', ' ').capitalize()} starts"


def reform_start(page, reform):
    """The quarter a switched-on reform starts in, as its select shows it ('' at the start)."""
    select = page.locator(f"[data-reform={reform}] .v-select").filter(has_text=start_label(reform))
    shown = select.locator(".v-select__selection").inner_text().strip()
    return "" if shown == "from the start" else shown


# --- groups and codes -----------------------------------------------------------------


def printed_code(output: str, which: str) -> str:
    """The code ``mobilise app`` printed on its own line: 'access' or 'facilitator'."""
    found = re.search(rf"^mobilise app: {which} code (\S+)$", output, re.MULTILINE)
    assert found, f"no line 'mobilise app: {which} code …' in:\n{output}"
    return found[1]


def start_group(page, name):
    """Name the tab's group (a new one) and wait until the page says it is saved."""
    page.get_by_label("Your group's name").fill(name)
    page.get_by_text("Start or rejoin").click()
    page.locator(".group-name").wait_for()
    assert page.locator(".group-name").inner_text() == name


def session_link(page, url):
    """The tab's own link to its group's session, as an absolute URL."""
    href = page.get_by_role("link", name="link to this session").get_attribute("href")
    assert href and href.startswith("/?session="), href
    return url.rstrip("/") + href


def saved_groups(sessions: Path) -> dict[str, Path]:
    """Group name -> its folder, for every session saved under ``sessions``."""
    found = {}
    for path in sessions.glob("*/session.json"):
        found[json.loads(path.read_text())["group"]] = path.parent
    return found


def wait_until(condition, timeout=15.0, every=0.2):
    """Poll ``condition`` until it returns something true; return that."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting after {timeout} s")
