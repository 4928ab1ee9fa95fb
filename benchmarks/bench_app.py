"""Benchmark the workshop app for a full room: 10 browser contexts at once on one server.

Run from the repository root::

    uv run --extra test python benchmarks/bench_app.py [--groups 10] [--repeats 3]

It starts ``mobilise app`` (workers: all cores) and Debian's Chromium, then measures

1. the floor, in the same run: a one-line Solara page (no app at all) opened by
   ``--groups`` contexts at once: what the framework and this machine cost anyway;
2. the reference, in the same run: one group alone, time from opening the page to its
   first result, and from switching a reform on to the new result (median of
   ``--repeats``);
3. the room: ``--groups`` browser contexts open the page at the same moment; each
   one's time to its first result; then all switch a reform on at the same moment;
   each one's time to its new result.

0. one comparison as a worker runs it (no browser, no server): the preset's
   ensemble (``--members`` worlds, 20 by default, × 3 seeds, both arms: the page's
   default) against the reference measured in the same run, the preset as written (6
   seeds, the page's default without an ensemble), medians of
   ``--repeats``: what running across plausible worlds costs a group.

A result counts when the page says it is ready (``.status[data-state=ready]``): the
headline and charts of the settings on screen are drawn. Each is also given as the
server saw it ("(server)": from the request reaching the page's session to the drawn
result coming back from the worker pool: queue plus work), so the cost of the ten
browsers, which share the same two cores here as a real room's laptops would not, can be
told from the server's. Medians and maxima are printed with the room/alone ratios; the
targets (first result within 10 s and a reform switch within 3 s for every group, as
the page saw it) get PASS/MISS. A miss never changes the exit status (this is a
benchmark, not a test).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tables import header, seconds, table, verdict

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    # each group's page is in the foreground on its own laptop: no background throttling
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
FIRST_RESULT_TARGET = 10.0
SWITCH_TARGET = 3.0
READY = "document.querySelector('.status')?.dataset.state === 'ready'"
NEW_RESULT = (
    "old => { const s = document.querySelector('.status');"
    " return s && s.dataset.state === 'ready' && s.dataset.serial !== old; }"
)


BARE_PAGE = """import solara


@solara.component
def Page():
    solara.HTML(tag="div", unsafe_innerHTML="ready", attributes={"id": "ready"})
"""


def one_comparison(members: int, repeats: int) -> dict[str, list[float]]:
    """Seconds for one comparison (a reform vs push alone), across worlds and as written."""
    from mobilise.schema.scenario import load_scenario
    from mobilise.views.workshop import compare, preset_ensemble

    path = ROOT / "scenarios" / "uk_2024.yaml"
    preset = load_scenario(path)
    ensemble = preset_ensemble(path, preset)
    assert ensemble is not None
    worlds = ensemble.first(members)
    reforms = {"mission_councils": 1.0}
    compare(preset, reforms, replications=6, seed=1)  # warm: imports and first-run costs
    times: dict[str, list[float]] = {"as written, 6 seeds": [], f"{members} worlds x 3 seeds": []}
    for repeat in range(repeats):
        for name, chosen, seeds in zip(times, (None, worlds), (6, 3), strict=True):
            started = time.perf_counter()
            compare(preset, reforms, replications=seeds, seed=repeat, ensemble=chosen)
            times[name].append(time.perf_counter() - started)
    return times


def start_server(
    sessions: Path, bare: bool = False, extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """``mobilise app``, or (``bare``) Solara serving a one-line page; its URL once up."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if bare:
        (sessions / "bare.py").write_text(BARE_PAGE)
        command = [sys.executable, "-m", "solara", "run", str(sessions / "bare.py"),
                   "--production", "--no-open", "--no-check-version"]  # fmt: skip
    else:
        command = [sys.executable, "-m", "mobilise.cli", "app", "--sessions", str(sessions),
                   *extra]  # fmt: skip
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"},
    )
    url = f"http://127.0.0.1:{port}/"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(300):
        try:
            direct.open(url + "readyz", timeout=2)
            return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the app did not start")


async def server_seconds(page) -> float:
    """The server's own time for the result on screen: request to drawn result."""
    return float(await page.locator(".status").get_attribute("data-seconds"))


async def open_page(browser, url: str) -> tuple[object, float, float]:
    """A new context opens the app; seconds until its first result (page, server)."""
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    started = time.perf_counter()
    await page.goto(url)
    await page.wait_for_function(READY, polling=50, timeout=180_000)
    return page, time.perf_counter() - started, await server_seconds(page)


async def switch_reform(page, reform: str) -> tuple[float, float]:
    """Switch a reform on; seconds until the page shows the new result (page, server)."""
    old = await page.locator(".status").get_attribute("data-serial")
    started = time.perf_counter()
    if not await page.locator(f"[data-reform={reform}]").count():
        await page.locator("[data-panel='Enabling reforms']").click()
        await page.locator(f"[data-reform={reform}]").wait_for()
        started = time.perf_counter()
    await page.locator(f"[data-reform={reform}] .v-label").click()
    await page.wait_for_function(NEW_RESULT, arg=old, polling=50, timeout=180_000)
    return time.perf_counter() - started, await server_seconds(page)


async def floor(url: str, groups: int) -> list[float]:
    """Seconds for ``groups`` contexts opening a one-line Solara page at once."""
    from playwright.async_api import async_playwright

    async def one(browser) -> float:
        page = await (await browser.new_context()).new_page()
        started = time.perf_counter()
        await page.goto(url)
        await page.wait_for_selector("#ready", timeout=180_000)
        return time.perf_counter() - started

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        times = await asyncio.gather(*(one(browser) for _ in range(groups)))
        await browser.close()
    return list(times)


async def measure(url: str, groups: int, repeats: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

        def note(name: str, page_and_server: tuple[float, float]) -> None:
            times.setdefault(name, []).append(page_and_server[0])
            times.setdefault(f"{name} (server)", []).append(page_and_server[1])

        for _ in range(repeats):  # the reference: one group alone
            page, *first = await open_page(browser, url)
            note("alone: first result", first)
            note("alone: reform switch", await switch_reform(page, "pooled_budgets"))
            await page.context.close()
        opened = await asyncio.gather(*(open_page(browser, url) for _ in range(groups)))
        for _, *first in opened:
            note("room: first result", first)
        switched = await asyncio.gather(*(switch_reform(p, "mission_councils") for p, *_ in opened))
        for result in switched:
            note("room: reform switch", result)
        await browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--members", type=int, default=20, help="worlds a comparison runs")
    parser.add_argument("--comparison-only", action="store_true", help="measure 0 alone")
    options = parser.parse_args()
    header("One comparison, as a worker runs it (uk_2024, mission councils vs push alone)")
    single = one_comparison(options.members, max(5, options.repeats))
    rows = [[k, str(len(v)), seconds(statistics.median(v)), seconds(max(v))]
            for k, v in single.items()]  # fmt: skip
    table(["measure", "n", "median", "max"], rows, left=1)
    written, across = (statistics.median(v) for v in single.values())
    print(f"  across worlds / as written = {across / written:.1f}x (medians, same run)\n")
    if options.comparison_only:
        return
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium")
        return
    header(
        f"Workshop app: {options.groups} groups at once on {os.cpu_count()} cores "
        "(server, workers and browser share them)"
    )
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder), bare=True)
        try:
            bare = asyncio.run(floor(url, options.groups))
        finally:
            server.terminate()
            server.wait(timeout=30)
        server, url = start_server(Path(folder), extra=("--members", str(options.members)))
        try:
            times = {"floor: bare Solara page, room": bare}
            times.update(asyncio.run(measure(url, options.groups, options.repeats)))
        finally:
            server.terminate()
            server.wait(timeout=30)
    rows = [
        [name, str(len(values)), seconds(statistics.median(values)), seconds(max(values))]
        for name, values in times.items()
    ]
    table(["measure", "n", "median", "max"], rows, left=1)
    print()
    room_first = statistics.median(times["room: first result"])
    print(
        f"  room first result / bare Solara page in the same room = "
        f"{room_first / statistics.median(bare):.1f}x (medians)"
    )
    for kind, target in (("first result", FIRST_RESULT_TARGET), ("reform switch", SWITCH_TARGET)):
        alone = statistics.median(times[f"alone: {kind}"])
        room = times[f"room: {kind}"]
        server = times[f"room: {kind} (server)"]
        print(
            f"  {kind}: room median / alone median = {statistics.median(room) / alone:.1f}x; "
            f"slowest group {max(room):.2f} s, of which server {max(server):.2f} s "
            f"(target {target:g} s): {verdict(max(room) <= target)}"
        )
    load = os.getloadavg()[0]
    print(f"  load average at the end: {load:.1f} on {os.cpu_count()} cores (others' work too)")


if __name__ == "__main__":
    main()
