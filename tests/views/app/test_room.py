"""The app for a room: groups, codes, the facilitator, a queue people can see, restarts.

Real servers (``mobilise app``) and Debian's Chromium, like ``test_pages.py``. One server
serves most of the module: it listens on every interface (as in a room) behind an access
code, and the tests reach it on 127.0.0.1. Every number checked is the library's.
"""

import csv
import re
import time
import urllib.error
import urllib.request

import pytest

from mobilise.cli.workshop import lan_addresses
from mobilise.schema.reforms import REFORMS

from ...chromium import ARGS, CHROMIUM, require_chromium
from ...conftest import ROOT

sync_api = require_chromium()

from ...browser import (  # noqa: E402  (needs playwright, checked above)
    assert_numbers_belong_to_the_settings,
    library,
    log_rows,
    open_panel,
    printed_code,
    read_settings,
    saved_groups,
    session_link,
    settle,
    start_app,
    start_group,
    stop_app,
    switch,
    wait_until,
)

ROOM_CODE = "K7m2pq"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """One server for the room's tests: on every interface, behind the access code."""
    sessions = tmp_path_factory.mktemp("room")
    process, url, output = start_app(
        ["--sessions", str(sessions), "--access-code", ROOM_CODE, "--ensemble", "none"],
        host="0.0.0.0",
    )  # the room's queue and sessions, not its worlds: seed noise only keeps it quick
    yield {"url": url, "sessions": sessions, "output": output}
    stop_app(process)


def new_page(browser, url):
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(url)
    return page


def participant(browser, room, path=""):
    """A participant's tab: in with the room code (once, by link), then at ``path``."""
    page = new_page(browser, f"{room['url']}?code={ROOM_CODE}")
    if path:
        page.goto(room["url"] + path)
    settle(page)
    return page


def facilitator(browser, room):
    """The facilitator's tab on /facilitator, in with the facilitator code."""
    code = printed_code(room["output"](), "facilitator")
    page = new_page(browser, f"{room['url']}facilitator?code={code}")
    page.locator("h2").filter(has_text="Facilitator view").wait_for(timeout=20_000)
    return page


def facilitator_row(page, group):
    """The facilitator table's row of ``group`` (the page refreshes itself)."""
    first = page.locator("td:first-child").filter(has_text=re.compile(f"^{re.escape(group)}$"))
    row = page.locator("table.groups tbody tr").filter(has=first)
    row.wait_for(timeout=20_000)
    return row


def direct(url, cookie=None):
    """A plain request to the server (no proxy), answered or refused."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


# --- codes ----------------------------------------------------------------------------


def test_on_the_network_the_app_names_its_address_and_prints_two_codes(browser, room):
    text = room["output"]()
    assert "warning: listening on 0.0.0.0" in text and "with the access code" in text
    assert any(f"open http://{a}:" in text for a in lan_addresses()), text
    assert "open http://127.0.0.1" not in text
    assert printed_code(text, "access") == ROOM_CODE
    assert printed_code(text, "facilitator").lower() != ROOM_CODE.lower()
    assert direct(room["url"])[0] == 401
    page = new_page(browser, room["url"])
    page.get_by_label("Access code").fill("wrong")
    page.get_by_role("button", name="Enter").click()
    page.get_by_text("That code is not right").wait_for()
    page.get_by_label("Access code").fill(ROOM_CODE)
    page.get_by_role("button", name="Enter").click()
    settle(page)
    assert_numbers_belong_to_the_settings(page)


def test_a_code_typed_in_any_case_keeps_the_link_it_came_with(browser, room):
    """Failed before the fix: 'k7M2PQ' was refused, and the right code dropped ?session=."""
    page = new_page(browser, f"{room['url']}?session=nobody-here")
    page.get_by_label("Access code").fill(" k7M2PQ ")  # as a phone capitalises it
    page.get_by_role("button", name="Enter").click()
    settle(page)
    assert page.url == f"{room['url']}?session=nobody-here"  # the code itself is dropped
    assert "no saved group" in page.locator(".v-alert").first.inner_text()


def test_repeated_wrong_codes_are_slowed(browser, room):
    """Failed before the fix: the right code went through at once after any number of misses."""
    page = new_page(browser, room["url"])
    for attempt in ("aaaaaa", "bbbbbb", "cccccc"):
        page.get_by_label("Access code").fill(attempt)
        page.get_by_role("button", name="Enter").click()
        page.get_by_text("That code is not right").wait_for()
    started = time.time()
    page.get_by_label("Access code").fill(ROOM_CODE)  # even the right code waits its turn
    with page.expect_response(lambda r: "code=" in r.url) as answer:
        page.get_by_role("button", name="Enter").click()
    assert answer.value.status == 429
    wait = int(answer.value.headers["retry-after"])
    assert wait >= 1
    assert f"wait {wait} second" in page.locator("body").inner_text()
    time.sleep(max(0.0, wait - (time.time() - started)) + 0.2)
    page.get_by_label("Access code").fill(ROOM_CODE)
    page.get_by_role("button", name="Enter").click()
    settle(page)  # the right code after the wait: in, and the count starts again
    assert_numbers_belong_to_the_settings(page)


def test_the_facilitator_has_a_code_of_their_own(browser, room):
    """Failed before the fix: the room's code opened /facilitator."""
    page = participant(browser, room)
    page.goto(f"{room['url']}facilitator")
    page.get_by_text("facilitator code").first.wait_for()
    assert page.locator("table.groups").count() == 0
    page.get_by_label("Facilitator code").fill(ROOM_CODE)
    page.get_by_role("button", name="Enter").click()
    page.get_by_text("That code is not right").wait_for()
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    assert direct(f"{room['url']}facilitator", cookie)[0] == 401
    page.get_by_label("Facilitator code").fill(printed_code(room["output"](), "facilitator"))
    page.get_by_role("button", name="Enter").click()
    page.locator("h2").filter(has_text="Facilitator view").wait_for(timeout=20_000)
    assert page.url == f"{room['url']}facilitator"


# --- groups ---------------------------------------------------------------------------


def test_each_group_name_is_its_own_session(browser, room):
    """Failed before the fix: 'Команда 1' opened 'Группа 1', and '第三组' was refused."""
    page = participant(browser, room)
    names = ["Группа 1", "Команда 1", "第三组", "TABLE 3!!", "Table 3"]
    for name in names:
        page.goto(room["url"])
        settle(page)
        start_group(page, name)

    def all_saved():
        groups = saved_groups(room["sessions"])
        return groups if set(names) <= set(groups) else None

    groups = wait_until(all_saved)
    assert len({groups[n] for n in names}) == len(names)  # five folders
    # the same name by the documented rule (case and spaces aside) is taken: rejoin or not?
    page.goto(room["url"])
    settle(page)
    page.get_by_label("Your group's name").fill("  table   3 ")
    page.get_by_text("Start or rejoin").click()
    taken = page.locator(".name-taken")
    taken.wait_for()
    assert "“Table 3”" in taken.inner_text() and "rejoin or choose another?" in taken.inner_text()
    page.get_by_role("button", name="Choose another name").click()
    taken.wait_for(state="detached")
    assert page.locator(".group-name").count() == 0
    table = facilitator(browser, room)
    for name in names:
        assert facilitator_row(table, name).locator("td").first.inner_text() == name


def test_another_groups_session_opens_only_with_its_key(browser, room):
    """Failed before the fix: 'Saved groups' links (and ?session=) opened any group's session."""
    owner = participant(browser, room)
    start_group(owner, "Tisch 5")
    link = session_link(owner, room["url"])
    code = owner.locator(".rejoin-code").inner_text()
    other = participant(browser, room)
    assert other.locator("a[href*='session=']").count() == 0  # no list of others' sessions
    folder = link.split("session=")[1].split("&")[0]
    for visit in (f"?session={folder}", f"?session={folder}&key=wrong1"):
        other.goto(room["url"] + visit)
        settle(other)
        other.locator(".name-taken").wait_for()
        assert other.locator(".group-name").count() == 0  # not in
    other.get_by_label("Rejoin code").fill("nope12")
    other.get_by_role("button", name="Rejoin").click()
    other.get_by_text("That rejoin code is not right").wait_for()
    assert other.locator(".group-name").count() == 0
    other.get_by_label("Rejoin code").fill(code.upper())  # the group's own code: in
    other.get_by_role("button", name="Rejoin").click()
    other.locator(".group-name").wait_for()
    assert other.locator(".group-name").inner_text() == "Tisch 5"
    # the facilitator's table links to each group's session, key included
    table = facilitator(browser, room)
    href = facilitator_row(table, "Tisch 5").locator("a.open-group").get_attribute("href")
    assert room["url"].rstrip("/") + href == link


def test_two_tabs_of_one_group_keep_every_log_row_and_hear_of_each_other(browser, room):
    """Failed before the fix: the last tab to save overwrote log.csv, and neither was told."""
    first = participant(browser, room)
    start_group(first, "Tisch 2")
    second = participant(browser, room)
    second.goto(session_link(first, room["url"]))
    settle(second)
    assert second.locator(".group-name").inner_text() == "Tisch 2"
    switch(first, "pooled_budgets")
    settle(first)
    second.locator(".other-tab").wait_for(timeout=15_000)
    assert "Another tab of this group" in second.locator(".other-tab").inner_text()
    switch(second, "mission_councils")  # the second tab goes its own way
    settle(second)
    first.locator(".other-tab").wait_for(timeout=15_000)
    log = saved_groups(room["sessions"])["Tisch 2"] / "log.csv"

    def every_row():
        rows = log_rows_on_disk(log)
        return rows if len(rows) == 3 else None

    rows = wait_until(every_row)  # the first view, then one switch in each tab
    assert [float(r["strength_pooled_budgets"]) for r in rows] == [0, 1, 0]
    assert [float(r["strength_mission_councils"]) for r in rows] == [0, 0, 1]
    for row in rows:  # each row holds the library's numbers for its settings
        assert_row_is_the_librarys(row)
    assert wait_until(lambda: len(log_rows(first)) == 3)  # each tab's log is the group's
    first.get_by_role("button", name="Show the latest").click()
    settle(first)
    assert read_settings(first)["reforms"] == {"mission_councils": 1.0}
    assert_numbers_belong_to_the_settings(first)


def assert_row_is_the_librarys(row):
    """A log row's counts are the library's comparison of that row's settings."""
    reforms = {r: float(row[f"strength_{r}"]) for r in REFORMS if float(row[f"strength_{r}"])}
    constraints = {
        k.removeprefix("constraint_"): float(v)
        for k, v in row.items()
        if k.startswith("constraint_")
    }
    settings = {
        "preset": row["scenario"], "mission": row["mission"], "constraints": constraints,
        "reforms": reforms, "replications": int(row["replications"]), "seed": int(row["seed"]),
        "members": int(row["worlds"]),
    }  # fmt: skip
    _, runs = library(settings)
    met = runs.groupby("arm")["milestone_met"].sum()
    assert int(row["met_runs_baseline"]) == int(met["baseline"])
    if reforms:
        assert int(float(row["met_runs_with_reforms"])) == int(met["with reforms"])


def log_rows_on_disk(path):
    """The rows of a group's log.csv, as the file holds them."""
    if not path.exists():
        return []
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def test_a_change_made_during_a_comparison_survives_a_reload(browser, room):
    """Failed before the fix: a session was saved only when a result reached the screen."""
    page = participant(browser, room)
    start_group(page, "Reload table")
    open_panel(page, "Runs")
    replications = page.locator("[role=slider][data-field=replications]")
    replications.focus()
    replications.press("End")  # 2 x 50 runs: long enough to reload in the middle
    settle(page)
    switch(page, "patient_capital")
    page.locator(".status[data-state=running]").wait_for(state="attached")
    switch(page, "pooled_budgets")  # a second change while the comparison runs
    time.sleep(0.3)  # the page saves in the background, at once
    assert page.locator(".status").get_attribute("data-state") == "running"
    page.reload()
    settle(page)
    settings = read_settings(page)
    assert settings["reforms"] == {"patient_capital": 1.0, "pooled_budgets": 1.0}
    assert settings["replications"] == 50
    assert_numbers_belong_to_the_settings(page)


def test_pages_show_no_server_paths_and_human_reform_names(browser, room):
    """Failed before the fix: the facilitator page named the sessions folder.

    It also showed 'mission_councils=1', and a broken session's notice named its path.
    """
    page = participant(browser, room)
    start_group(page, "Names & paths")
    switch(page, "mission_councils")
    settle(page)
    broken = room["sessions"] / "broken-0000"
    broken.mkdir(exist_ok=True)
    (broken / "session.json").write_text("{not json")
    page.goto(f"{room['url']}?session=broken-0000&key=x")
    settle(page)
    table = facilitator(browser, room)
    row = facilitator_row(table, "Names & paths")
    assert "mission councils" in row.inner_text()
    table.get_by_text("broken-0000").first.wait_for(timeout=20_000)
    for shown in (page, table):
        content = shown.content()
        for path in (str(room["sessions"]), str(ROOT), "session.json"):
            assert path not in content, (shown.url, path)
        text = shown.locator("body").inner_text()
        assert not [name for name in REFORMS if name in text], shown.url


# --- a room under load, and a restart ---------------------------------------------------


def test_a_queued_group_sees_its_place_and_sessions_outlive_the_server(browser, tmp_path):
    sessions = tmp_path / "sessions"
    options = ["--sessions", str(sessions), "--workers", "1", "--ensemble", "none"]
    server, url, _ = start_app(options)
    try:
        # runs in blocks are quick: four groups' 2 x 50 paired runs keep the one worker busy
        busy = [new_page(browser, url) for _ in range(4)]
        waiting = new_page(browser, url)
        for page in (*busy, waiting):
            settle(page)
        for page in busy:
            open_panel(page, "Runs")
        for page in busy:  # 2 x 50 paired runs each
            replications = page.locator("[role=slider][data-field=replications]")
            replications.focus()
            replications.press("End")
        # the last group's job is queued behind the others': once its page is waiting, the
        # worker has three more to run (a first group's message may already be gone)
        busy[-1].locator(".status[data-state=running]").wait_for(state="attached", timeout=20_000)
        switch(waiting, "pooled_budgets")
        waiting.locator(".status[data-state=running]").wait_for(state="attached")
        places = []
        deadline = time.time() + 60
        while time.time() < deadline:
            if waiting.locator(".status").get_attribute("data-state") == "ready":
                break
            queue = waiting.locator(".queue")
            if queue.count() and (not places or places[-1] != queue.inner_text()):
                places.append(queue.inner_text())
            time.sleep(0.02)
        queued = [p for p in places if p.startswith("In the queue:")]
        assert queued and all("before yours, 1 running." in p for p in queued), places
        for page in (waiting, *busy):
            settle(page)
            assert_numbers_belong_to_the_settings(page)

        start_group(waiting, "Table 3")
        headline = waiting.locator("h2.headline").inner_text()
        link = session_link(waiting, url).removeprefix(url.rstrip("/"))
        code = waiting.locator(".rejoin-code").inner_text()
        rows = len(log_rows(waiting))
        wait_until(lambda: "Table 3" in saved_groups(sessions))
    finally:
        stop_app(server)

    server, url, _ = start_app(["--sessions", str(sessions), "--ensemble", "none"])
    try:
        by_link = new_page(browser, url.rstrip("/") + link)
        settle(by_link)
        assert by_link.locator("h2.headline").inner_text() == headline
        assert len(log_rows(by_link)) == rows  # restoring is not a comparison
        assert_numbers_belong_to_the_settings(by_link)

        by_name = new_page(browser, url)
        settle(by_name)
        by_name.get_by_label("Your group's name").fill("table 3")
        by_name.get_by_text("Start or rejoin").click()
        by_name.locator(".name-taken").wait_for()
        by_name.get_by_label("Rejoin code").fill(code)
        by_name.get_by_role("button", name="Rejoin").click()
        by_name.locator(".group-name").wait_for()
        settle(by_name)
        assert by_name.locator("h2.headline").inner_text() == headline
    finally:
        stop_app(server)
