"""The code base stays ruff-clean (lint and format), tests included."""

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.parametrize(
    "args", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"]
)
def test_ruff_clean(args):
    ruff = shutil.which("ruff") or pytest.skip("ruff is not installed")
    done = subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_package_imports_without_side_effects():
    code = "import logging, mobilise, mobilise.cli; assert not logging.getLogger().handlers"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_readme_quickstart_has_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quickstart", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert "mobilise compare" in commands[0]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
