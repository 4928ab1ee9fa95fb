"""Writers for run outputs and the manifest that says what made them."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

DEPENDENCIES = (
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pydantic",
    "pyyaml",
    "networkx",
    "matplotlib",
    "click",
    "pyabc",
)


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_commit(where: Path | None = None) -> str | None:
    """The commit of the checkout holding mobilise (``+dirty`` if modified), or None."""
    where = where or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if dirty else "")


def environment() -> dict[str, Any]:
    """Mobilise version, git commit, Python and dependency versions."""
    versions: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "mobilise": metadata.version("mobilise"),
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dependencies": versions,
    }


def new_run_dir(root: Path, name: str) -> Path:
    """A fresh folder under ``root`` named after ``name`` and the time; never reused."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = root / f"{name}-{stamp}"
    candidate, n = base, 1
    while True:
        try:
            candidate.mkdir(parents=True, exist_ok=False)
            return candidate
        except FileExistsError:
            n += 1
            candidate = base.with_name(f"{base.name}-{n}")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Pretty JSON with a trailing newline."""
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def write_frame(path: Path, frame: pd.DataFrame) -> None:
    """CSV with floats to 10 significant digits (compact, stable bytes), or exact Parquet."""
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, float_format="%.10g")
