"""Debian's Chromium for the browser tests: where it is, how it starts, and the guard.

Set MOBILISE_REQUIRE_BROWSER=1 (CI does) to fail, not skip, when Chromium is missing.
"""

import os
from pathlib import Path
from types import ModuleType

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def require_chromium() -> ModuleType:
    """Playwright's sync API, or skip the calling module (fail under MOBILISE_REQUIRE_BROWSER)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("MOBILISE_REQUIRE_BROWSER"):
            raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium")
        pytest.skip("Debian's chromium is not installed", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")
