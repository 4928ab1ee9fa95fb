"""The annotations are checked: ``mypy --strict`` (configured in pyproject.toml) passes on src/."""

import subprocess
import sys

from .conftest import ROOT


def test_mypy_strict_passes_on_the_package():
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr
    assert "Success: no issues found" in done.stdout
