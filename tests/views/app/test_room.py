"""The app for a room: a queue people can see, sessions that outlive the server, an access code.

Real servers (``mobilise app``) and Debian's Chromium, like ``test_app.py``.
"""

import time
import urllib.error
import urllib.request

import pytest

from mobilise.cli.workshop import lan_addresses

from ...chromium import ARGS, CHROMIUM, require_chromium

sync_api = require_chromium()

from ...browser import (  # noqa: E402  (needs playwright, checked above)
    assert_numbers_belong_to_the_settings,
    log_rows,
    open_panel,
    settle,
    start_app,
    stop_app,
    switch,
)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser, url):
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(url)
    return page


def test_a_queued_group_sees_its_place_and_sessions_outlive_the_server(browser, tmp_path):
    sessions = tmp_path / "sessions"
    server, url, _ = start_app(["--sessions", str(sessions), "--workers", "1"])
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

        waiting.get_by_label("Your group's name").fill("Table 3")
        waiting.get_by_text("Start or rejoin").click()
        waiting.locator(".group-name").wait_for()
        headline = waiting.locator("h2.headline").inner_text()
        rows = len(log_rows(waiting))
        saved = sessions / "table-3" / "log.csv"
        deadline = time.time() + 10
        while time.time() < deadline and not saved.exists():
            time.sleep(0.1)
    finally:
        stop_app(server)

    server, url, _ = start_app(["--sessions", str(sessions)])
    try:
        by_link = new_page(browser, f"{url}?session=table-3")
        settle(by_link)
        assert by_link.locator("h2.headline").inner_text() == headline
        assert len(log_rows(by_link)) == rows  # restoring is not a comparison
        assert_numbers_belong_to_the_settings(by_link)

        by_name = new_page(browser, url)
        settle(by_name)
        assert "Table 3" in by_name.get_by_text("Saved groups").inner_text()
        by_name.get_by_label("Your group's name").fill("table 3")
        by_name.get_by_text("Start or rejoin").click()
        by_name.locator(".group-name").wait_for()
        settle(by_name)
        assert by_name.locator("h2.headline").inner_text() == headline
    finally:
        stop_app(server)


def test_on_the_network_the_app_names_its_address_and_asks_for_the_code(browser, tmp_path):
    server, url, output = start_app(
        ["--sessions", str(tmp_path), "--access-code", "k7m2pq"], host="0.0.0.0"
    )
    try:
        text = output()
        assert "warning: listening on 0.0.0.0" in text and "with the access code" in text
        assert any(f"open http://{a}:" in text for a in lan_addresses()), text
        assert "open http://127.0.0.1" not in text
        assert "access code k7m2pq" in text
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError) as refused:
            direct.open(url, timeout=10)
        assert refused.value.code == 401
        page = new_page(browser, url)
        page.get_by_label("Access code").fill("wrong")
        page.get_by_role("button", name="Enter").click()
        page.get_by_text("That code is not right").wait_for()
        page.get_by_label("Access code").fill("k7m2pq")
        page.get_by_role("button", name="Enter").click()
        settle(page)
        assert_numbers_belong_to_the_settings(page)
    finally:
        stop_app(server)
