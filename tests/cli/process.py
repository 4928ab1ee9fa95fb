"""The ``mobilise`` command in a real process, as a user runs it."""

import os
import subprocess
import sys

from ..conftest import ROOT, SCENARIOS

UK = str(SCENARIOS / "uk_2024.yaml")


def mobilise(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mobilise.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=120,
    )
