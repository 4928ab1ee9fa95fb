"""The workshop app in a real browser: a real server on 127.0.0.1, Debian's Chromium.

Each number the page shows is checked against the same comparison computed here
with the library (``experiment.in_memory`` + ``runs.run_chunk`` + ``paired_effects``)
from the settings read back off the page's controls. One server serves the module;
its outbound traffic goes to a catcher that must hear nothing.

Set MOBILISE_REQUIRE_BROWSER=1 (CI does) to fail, not skip, when Chromium is missing.
"""

import re
import socket
import threading
import time

import pandas as pd
import pytest

from mobilise.analysis.effects import effect_drivers, paired_effects
from mobilise.model.model import MissionModel
from mobilise.running.batch import member_table
from mobilise.running.design import Uncertainty, comparison, replication_seeds
from mobilise.running.runs import RESULT_COLUMNS, run_chunk
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import load_scenario
from mobilise.views.headline import milestone_in_words, of_ten
from mobilise.views.workshop import WORKSHOP_MEMBERS
from mobilise.vocabulary import quarter_index

from ...chromium import ARGS, CHROMIUM, require_chromium
from ...conftest import ROOT, SCENARIOS

sync_api = require_chromium()

from ...browser import (  # noqa: E402  (needs playwright, checked above)
    FIELDS,
    WORLDS_EFFECT,
    assert_numbers_belong_to_the_settings,
    choose,
    download,
    library,
    log_rows,
    open_panel,
    printed_code,
    read_settings,
    saved_groups,
    session_link,
    settle,
    slider_value,
    start_app,
    start_group,
    start_label,
    stop_app,
    switch,
    thumb,
    wait_until,
)


class Catcher:
    """A proxy that records every connection: any call the server makes to another host."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.heard: list[bytes] = []
        threading.Thread(target=self._listen, daemon=True).start()

    @property
    def url(self) -> str:
        """Where to send the traffic it catches."""
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def _listen(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    self.heard.append(connection.recv(200))
                except OSError:
                    self.heard.append(b"?")


@pytest.fixture(scope="module")
def catcher():
    catch = Catcher()
    yield catch
    catch.socket.close()


@pytest.fixture(scope="module")
def server(catcher, tmp_path_factory):
    sessions = tmp_path_factory.mktemp("sessions")
    env = {  # every outbound request would go through the catcher; none may
        "HTTP_PROXY": catcher.url,
        "HTTPS_PROXY": catcher.url,
        "http_proxy": catcher.url,
        "https_proxy": catcher.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    process, url, output = start_app(["--sessions", str(sessions)], env=env, drop_telemetry=True)
    yield {"url": url, "sessions": sessions, "output": output}
    stop_app(process)


@pytest.fixture(scope="module")
def seed_only_server(tmp_path_factory):
    """A second server, run as a facilitator who chose --ensemble none: seed noise only."""
    sessions = tmp_path_factory.mktemp("seed_only")
    process, url, output = start_app(["--sessions", str(sessions), "--ensemble", "none"])
    yield {"url": url, "sessions": sessions, "output": output}
    stop_app(process)


@pytest.fixture
def seed_only_page(browser, seed_only_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.goto(seed_only_server["url"])
    settle(page)
    yield page
    context.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def requests_seen():
    return []


@pytest.fixture
def page(browser, server, requests_seen):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests_seen.append(r.url))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(server["url"])
    settle(page)
    yield page
    context.close()
    assert not errors, errors


# --- the page as a whole --------------------------------------------------------------


def test_first_page_offline_numbers_from_the_library_and_one_name_per_arm(page, server):
    assert page.title() == TITLE  # failed before the fix: "No title" (Solara's router's own)
    chart = page.locator(".key-chart svg")
    assert chart.count() == 1 and chart.get_attribute("viewBox")  # vector: sharp when scaled
    legend = chart.inner_html()
    assert "government push alone" in legend and ">baseline<" not in legend
    # fits 1366 x 768: the headline and the key chart above the fold, every panel's header too
    assert chart.bounding_box()["y"] + chart.bounding_box()["height"] <= 768
    for title in ("Scenario and mission", "Structural constraints", "Runs", "Enabling reforms"):
        box = page.locator(f"[data-panel='{title}']").bounding_box()
        assert box["y"] + box["height"] <= 768, title
    assert_numbers_belong_to_the_settings(page)
    page.locator("[data-panel='Who mobilises']").click()  # drawn when asked for
    engagement = page.locator(".chart svg")
    engagement.wait_for(timeout=30_000)
    assert "government push alone" in engagement.inner_html()
    # one page load, one comparison, one row
    assert len(log_rows(page)) == 1
    open_panel(page, "Runs")
    page.get_by_text("overlaid", exact=True).click()  # a layout toggle is not a comparison
    time.sleep(0.5)
    assert len(log_rows(page)) == 1
    runs = pd.read_csv(download(page, "Runs on screen (CSV)"))
    assert set(RESULT_COLUMNS) <= set(runs.columns) and set(runs["arm"]) == {"baseline"}


TITLE = "mobilise: mission mobilisation workshop"


KEEP = "(e, mark) => { if (mark) e.__kept = true; return e.__kept === true; }"
"""Marks a DOM element (or says whether it still carries the mark): rebuilt ones do not."""


def test_a_switch_updates_the_result_in_place_and_without_motion(page):
    open_panel(page, "Who mobilises")
    page.locator(".chart svg").wait_for(timeout=30_000)
    kept = [page.get_by_text("Runs on screen (CSV)"), page.locator(".v-expansion-panels").last]
    assert all(element.evaluate(KEEP, True) for element in kept)
    switch(page, "mission_councils")
    settle(page)
    # the same buttons and panels, brought up to date, not torn down and built again
    assert all(element.evaluate(KEEP, False) for element in kept)
    assert_numbers_belong_to_the_settings(page)
    engagement = page.locator(".chart svg")  # the open panel stayed open, with the new result
    engagement.wait_for(timeout=30_000)
    assert "with reforms" in engagement.inner_html()
    runs = pd.read_csv(download(page, "Runs on screen (CSV)"))
    assert set(runs["arm"]) == {"baseline", "with reforms"}
    # ten pages share the room's cores: nothing animates
    button = page.get_by_text("Runs on screen (CSV)")
    assert button.evaluate("e => getComputedStyle(e.closest('.v-btn')).transitionDuration") == "0s"
    header = page.locator("[data-panel='Who mobilises']")
    assert header.evaluate("e => getComputedStyle(e).transitionDuration") == "0s"


def test_a_reform_started_later_gives_the_librarys_numbers_for_that_start(page):
    """A start date per reform: the page's numbers are the library's for that start.

    The headline and the effect are the library's comparison with the reform starting
    then (read back off the controls), and differ from the same reform from the start.
    """
    open_panel(page, "Enabling reforms")
    switch(page, "mission_councils")
    settle(page)
    at_once = assert_numbers_belong_to_the_settings(page)
    effect_at_once = page.locator("p.effect").inner_text()
    choose(page, start_label("mission_councils"), "2027Q1")
    settle(page)
    later = assert_numbers_belong_to_the_settings(page)
    assert later["starts"] == {"mission_councils": "2027Q1"} and not at_once["starts"]
    assert page.locator("p.effect").inner_text() != effect_at_once
    summary = page.locator("[data-panel='Enabling reforms']").inner_text()
    assert "mission councils (from 2027Q1)" in summary
    # the run's first quarter ("from the start") and then each later quarter in turn
    options = page.locator("[data-reform=mission_councils] .v-select").filter(
        has_text=start_label("mission_councils")
    )
    options.locator(".v-select__slot").click()
    listed = page.locator(".menuable__content__active .v-list-item").all_inner_texts()
    page.keyboard.press("Escape")
    assert listed[:3] == ["from the start", "2025Q2", "2025Q3"]
    assert [quarter_index(q) for q in listed[1:]] == list(range(8101, 8100 + len(listed)))


def test_a_projector_gets_a_large_sharp_chart(browser, server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(server["url"])
    settle(page)
    chart = page.locator(".key-chart svg")
    box = chart.bounding_box()
    assert box["width"] >= 1300 and box["y"] + box["height"] <= 1080
    assert chart.evaluate("e => e.tagName") == "svg"  # drawn by the browser at this size
    context.close()


def test_bug1_a_preset_sets_every_slider_to_its_own_values(page):
    open_panel(page, "Structural constraints")
    choose(page, "Scenario preset", "uk_early_1980s")
    settle(page)
    early = load_scenario(SCENARIOS / "uk_early_1980s.yaml")
    settings = read_settings(page)
    assert settings["preset"] == "uk_early_1980s"
    assert settings["constraints"] == early.constraints.model_dump()
    switch(page, "social_partnership")
    settle(page)
    assert_numbers_belong_to_the_settings(page)
    assert log_rows(page)["constraint_union_density"].iloc[-1] == 0.5


def test_bug2_superseded_comparisons_never_reach_the_page_or_the_log(page):
    open_panel(page, "Runs")
    before = len(log_rows(page))
    replications = thumb(page, "replications")
    replications.focus()
    replications.press("End")
    replications.press("Home")
    settle(page, quiet=2.0)
    assert read_settings(page)["replications"] == 1
    assert_numbers_belong_to_the_settings(page)
    rows = log_rows(page)
    assert len(rows) == before + 1 and rows["replications"].iloc[-1] == 1

    # one drag of a slider is one comparison and one row, for the value where it stopped
    open_panel(page, "Structural constraints")
    union = thumb(page, "union_density")
    box = union.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(x + 8 * step, y)
        time.sleep(0.04)
    page.mouse.up()
    settle(page, quiet=2.0)
    settings = assert_numbers_belong_to_the_settings(page)
    assert settings["constraints"]["union_density"] > 0.22
    rows = log_rows(page)
    assert len(rows) == before + 2
    assert rows["constraint_union_density"].iloc[-1] == settings["constraints"]["union_density"]


def test_bug3_each_reforms_switch_and_strength_stay_together(page):
    for reform in ("social_partnership", "civil_service_capabilities", "mission_councils"):
        switch(page, reform)
    switch(page, "social_partnership")
    settle(page)
    order = page.locator("[data-reform]").evaluate_all("els => els.map(e => e.dataset.reform)")
    assert order == list(REFORMS)  # fixed places, catalogue order
    strength = thumb(page, "strength of civil_service_capabilities")
    strength.focus()
    strength.press("Home")
    for _ in range(3):
        strength.press("ArrowRight")
    settle(page, quiet=1.5)
    settings = read_settings(page)
    assert settings["reforms"] == {"mission_councils": 1.0, "civil_service_capabilities": 0.15}
    assert page.locator("[data-strength=civil_service_capabilities]").inner_text() == "0.15"
    assert page.locator("[data-reform=patient_capital] [role=slider]").count() == 0  # off
    assert page.locator("[data-reform=social_partnership] [role=slider]").count() == 0
    switch(page, "social_partnership")  # back on: its own strength, kept while it was off
    settle(page)
    assert slider_value(page, "strength of social_partnership") == 1.0
    switch(page, "social_partnership")
    settle(page)
    assert_numbers_belong_to_the_settings(page)


def test_bug4_sliders_hold_every_preset_value_exactly(page):
    uk = load_scenario(SCENARIOS / "uk_2024.yaml").constraints.model_dump()
    assert read_settings(page)["constraints"] == uk  # 0.577, 0.625, 0.87 (which has a slider)
    first = log_rows(page).iloc[0]
    assert {f: first[f"constraint_{f}"] for f in FIELDS} == uk  # the page loaded with them
    open_panel(page, "Structural constraints")
    overseas = thumb(page, "overseas_share")
    overseas.focus()
    overseas.press("ArrowRight")
    settle(page)
    assert slider_value(page, "overseas_share") == 0.578
    assert (
        "1 moved from the preset"
        in page.locator("[data-panel='Structural constraints']").inner_text()
    )
    page.locator("[data-reset=overseas_share]").click()
    settle(page)
    assert read_settings(page)["constraints"] == uk
    assert_numbers_belong_to_the_settings(page)


def test_bug5_play_animates_the_network_and_shows_the_models_state(page):
    switch(page, "mission_councils")
    settle(page)
    settings = read_settings(page)
    page.locator("[data-panel='One run, step by step']").click()
    picture = page.locator(".network svg")
    picture.wait_for(timeout=30_000)
    page.get_by_role("button", name="Play", exact=True).click()
    seen, started = [], time.time()
    while time.time() - started < 4:
        quarter = picture.get_attribute("data-quarter")
        if not seen or seen[-1] != quarter:
            seen.append(quarter)
        time.sleep(0.05)
    page.get_by_role("button", name="Pause", exact=True).click()
    time.sleep(1.0)
    assert len(seen) >= 4, seen  # the picture moved while playing, not only on Step
    quarter = picture.get_attribute("data-quarter")
    scenario, _ = library({**settings, "replications": 1})
    model = MissionModel(
        scenario, seed=replication_seeds(settings["seed"], 1)[0], reforms=settings["reforms"]
    )
    for _ in range(quarter_index(quarter) - quarter_index(scenario.start) + 1):
        model.step()
    nodes = picture.locator("[data-node]").evaluate_all(
        "els => els.map(e => [Number(e.dataset.node), Number(e.dataset.engagement)])"
    )
    assert len(nodes) > 50
    for node, engagement in nodes:
        assert engagement == pytest.approx(model.population.engagement[node], abs=1e-6)


def test_bug6_an_impossible_scenario_mission_pair_is_refused(page):
    before = len(log_rows(page))
    choose(page, "Mission", "vaccine_taskforce")
    settle(page, want="problem")
    problem = page.locator(".problem").inner_text()
    assert "key milestone (“all adults offered”) was due in 2021Q3" in problem
    assert "before the uk_2024 scenario starts (2025Q1)" in problem
    assert page.locator("h2.headline").count() == 0 and page.locator(".key-chart").count() == 0
    assert len(log_rows(page)) == before


def test_bug7_a_bad_seed_is_a_sentence_and_the_old_headline_goes(page):
    open_panel(page, "Runs")
    seed = page.get_by_label("Seed (a whole number, 0 or more)")
    seed.fill("-3")
    seed.press("Enter")
    settle(page, want="problem")
    problem = page.locator(".problem").inner_text()
    assert problem.strip() == "The seed must be a whole number, 0 or more; found -3."
    assert page.locator("h2.headline").count() == 0
    seed.fill("12")
    seed.press("Enter")
    settle(page)
    assert read_settings(page)["seed"] == 12
    assert_numbers_belong_to_the_settings(page)


# --- the workshop flow ----------------------------------------------------------------


def test_a_group_predicts_first_saves_and_comes_back_by_url(page, server):
    start_group(page, "Table 7")
    wait_until(lambda: "Table 7" in saved_groups(server["sessions"]))
    open_panel(page, "Runs")
    page.get_by_text("Predict first: guess before results are shown").click()
    switch(page, "pooled_budgets")
    settle(page, want="guess")
    assert page.locator("h2.headline").count() == 0  # hidden until the guess is in
    guess = thumb(page, "guess with reforms")
    guess.focus()
    guess.press("End")
    page.get_by_text("Reveal the results").click()
    settle(page)
    settings = assert_numbers_belong_to_the_settings(page)
    rows = log_rows(page)
    assert rows["group"].iloc[-1] == "Table 7"
    runs_per_arm = settings["replications"] * max(1, settings["members"])
    assert rows["guess_met_runs_with_reforms"].iloc[-1] == runs_per_arm
    assert rows["guess"].iloc[-1] == "made"
    assert pd.isna(rows["guess_met_runs_baseline"].iloc[-1])  # that slider was not touched
    headline = page.locator("h2.headline").inner_text()

    # a reload (or the link) restores settings, result and log, and adds no row
    page.goto(session_link(page, server["url"]))
    settle(page)
    assert page.locator("h2.headline").inner_text() == headline
    assert read_settings(page) == settings
    assert len(log_rows(page)) == len(rows)

    # the facilitator sees the group, its package, its effect and its guess
    code = printed_code(server["output"](), "facilitator")
    page.goto(f"{server['url']}facilitator?code={code}")
    row = page.locator("table.groups tr").filter(has_text="Table 7")
    row.wait_for(timeout=20_000)
    text = row.inner_text()
    assert "pooled budgets (1)" in text and "pooled_budgets" not in text
    assert "percentage points" in text and "with reforms" in text
    table = pd.read_csv(download(page, "All groups (CSV)")).set_index("group")
    assert table.loc["Table 7", "met_runs_with_reforms"] == rows["met_runs_with_reforms"].iloc[-1]
    assert table.loc["Table 7", "effect"] == pytest.approx(rows["effect"].iloc[-1])
    assert page.locator(".groups-chart svg").count() == 1


def test_predict_first_without_a_guess_records_no_guess(page):
    """Failed before the fix: the sliders' starting value was logged as the group's guess."""
    open_panel(page, "Runs")
    page.get_by_text("Predict first: guess before results are shown").click()
    switch(page, "civil_society_covenant")
    settle(page, want="guess")
    assert "no guess yet" in page.locator("[data-guess]").first.inner_text()
    page.get_by_text("Reveal the results").click()
    settle(page)
    assert_numbers_belong_to_the_settings(page)
    row = log_rows(page).iloc[-1]
    assert row["guess"] == "no guess"
    assert pd.isna(row["guess_met_runs_baseline"]) and pd.isna(row["guess_met_runs_with_reforms"])


def test_a_caution_says_in_plain_words_why_the_runs_cannot_tell(seed_only_page):
    """Failed before the fix: "(0 to 0 points) includes zero" when no run met the milestone."""
    page = seed_only_page
    switch(page, "mission_councils")
    settle(page)
    settings = assert_numbers_belong_to_the_settings(page)
    _, runs = library(settings)
    met = runs.groupby("arm")["milestone_met"].sum()
    assert (met["baseline"], met["with reforms"]) == (0, 0)  # the case in question
    n = settings["replications"]
    caution = page.locator("p.caution").inner_text()
    assert caution.startswith(f"Neither arm met the milestone in any of its {n} runs")
    assert "(0 to 0 points)" not in caution and "includes zero" not in caution
    assert f"With only {n} runs per arm, one run more or less moves the share" in caution
    assert settings["members"] == 0 and "Seed noise only" in page.locator("p.effect").inner_text()


def test_by_default_the_headline_is_the_cli_comparison_across_plausible_worlds(page):
    """The page runs the preset's ensemble: 20 worlds x the page's seeds, as compare does.

    Every number of the headline is the one the library's ``comparison`` (the design
    ``mobilise compare --members 20`` runs) gives for the same settings: runs that met
    the milestone, the mean effect and its range over worlds and seeds, P(effect > 0) in
    words, the milestone's chance, and the input that drives the spread.
    """
    switch(page, "mission_councils")
    settle(page)
    settings = read_settings(page)
    assert settings["members"] == WORKSHOP_MEMBERS
    assert "from uk_2024.csv" in page.locator("[data-panel-content='Runs']").inner_text()
    worlds = Uncertainty(ensemble=None, members=WORKSHOP_MEMBERS)  # the preset's own
    design = comparison(SCENARIOS / "uk_2024.yaml", {"mission_councils": 1.0},
                        replications=settings["replications"], seed=settings["seed"],
                        uncertainty=worlds)  # fmt: skip
    runs = pd.DataFrame(run_chunk(design.runs()).rows)
    effect = paired_effects(runs, outcome="milestone_metric", bootstrap=0)
    row = effect[effect["arm"] == "mission_councils"].iloc[0]
    n = WORKSHOP_MEMBERS * settings["replications"]
    met = runs.groupby("arm")["milestone_met"].sum()
    text = page.locator("h2.headline").inner_text()
    assert f"met in {met['baseline']} of {n} runs with government push alone, " \
           f"{met['mission_councils']} of {n} runs with reforms" in text  # fmt: skip
    said = page.locator("p.effect").inner_text()
    shown = [float(v) for v in WORLDS_EFFECT.search(said).groups()]
    assert shown == pytest.approx([100 * row[c] for c in ("mean_diff", "low", "high")], abs=0.051)
    assert f" {of_ten(row['p_positive'])} plausible worlds" in said
    assert said.startswith("We can't tell yet") == (0.2 < row["p_positive"] < 0.8)
    chances = page.locator("p.chances").inner_text()
    assert chances == milestone_in_words(row["p_met_baseline"], row["p_met_arm"])
    drivers = effect_drivers(runs, member_table(design), outcome="milestone_metric")
    top = drivers[drivers["arm"] == "mission_councils"].sort_values("rank").iloc[0]
    assert f"({top['input']})" in page.locator("p.settle").inner_text()


def test_the_printable_brief_downloads_self_contained_and_prints(page, browser, tmp_path):
    switch(page, "multi_year_funding")
    settle(page)
    headline = page.locator("h2.headline").inner_text()
    text = download(page, "Printable brief (HTML)").read_text()
    assert headline in text
    assert str(ROOT) not in text  # no server path (failed before: the preset file's)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    assert "<script" not in text and "<link" not in text
    path = tmp_path / "brief.html"
    path.write_text(text)
    reader = browser.new_page()
    fetched = []
    reader.on("request", lambda r: fetched.append(r.url))
    reader.goto(path.as_uri())
    pdf = tmp_path / "brief.pdf"
    reader.pdf(path=str(pdf), format="A4")
    reader.close()
    assert fetched == [path.as_uri()]
    assert pdf.read_bytes().startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) >= 2


def test_participants_have_their_own_state(browser, server):
    one = browser.new_context().new_page()
    two = browser.new_context().new_page()
    for tab in (one, two):
        tab.goto(server["url"])
        settle(tab)
    switch(one, "pooled_budgets")
    settle(one)
    assert "runs with reforms" in one.locator("h2.headline").inner_text()
    assert "runs with reforms" not in two.locator("h2.headline").inner_text()
    assert read_settings(two)["reforms"] == {}


def test_nothing_but_the_app_was_asked_for(server, catcher, requests_seen):
    """Last in the module: the browser fetched only from the app, the server from no one."""
    assert requests_seen
    outside = [u for u in requests_seen if not u.startswith(server["url"]) and not u.startswith(
        ("data:", "blob:"))]  # fmt: skip
    assert not outside, outside[:5]
    assert catcher.heard == []
    assert "SameSite" not in server["output"]() and "samesite" not in server["output"]()
