"""Hatch build hook: a wheel records the git commit it was built from.

An installed wheel has no checkout to ask, and asking git from site-packages could answer
with the commit of whatever project the virtual environment sits in. So the build writes
``build.json`` (``{"git_commit": ...}``, ``+dirty`` if the checkout was modified) into the
sdist's root and the wheel's ``mobilise/_shipped/``; a wheel built from an sdist copies the
sdist's record. ``mobilise.running.export.git_commit`` reads it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

RECORD = "build.json"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def commit_of(root: Path) -> str | None:
    """The checkout's commit (``+dirty`` if modified), else an sdist's record, else None."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit:
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
        return commit + ("+dirty" if dirty else "")
    record = root / RECORD
    return json.loads(record.read_text()).get("git_commit") if record.is_file() else None


class CustomBuildHook(BuildHookInterface):
    """Adds the build record to the sdist and the (non-editable) wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Write the record and include it where this target keeps it."""
        if version == "editable":  # a checkout: git answers directly
            return
        folder = Path(tempfile.mkdtemp(prefix="mobilise-build-"))
        record = folder / RECORD
        record.write_text(json.dumps({"git_commit": commit_of(Path(self.root))}) + "\n")
        target = RECORD if self.target_name == "sdist" else f"mobilise/_shipped/{RECORD}"
        build_data["force_include"][str(record)] = target
