"""Writers for run outputs and the manifest that says what made them."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from mobilise.schema.shipped import shipped_root
from mobilise.vocabulary import OutputError

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
    """The commit mobilise was built from: an installed wheel's record, else the checkout's.

    A checkout's commit has ``+dirty`` if files were modified; None if neither is known.
    """
    record = shipped_root() / "build.json"  # written into the wheel by hatch_build.py
    if where is None and record.is_file():
        commit: str | None = json.loads(record.read_text()).get("git_commit")
        return commit
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


def writable_folder(out: Path, named: Path | None = None) -> Path:
    """``out`` made (with its parents) and shown writable, or :class:`OutputError` in one line.

    Checked before any work, so a run never ends unable to write what it made. The
    message names ``named`` (a file to be written in ``out``) if given.
    """
    shown = named or out
    for place in (out, *out.parents):
        if place.exists() and not place.is_dir():
            where = "is a file" if place == shown else f"is under {place}, a file"
            raise OutputError(f"{shown}: {where}; expected a folder to write into")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write here ({exc.strerror})") from None
    return out


def writable_file(path: Path) -> Path:
    """``path`` can be written as a file (its folder made), or :class:`OutputError` in one line."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; expected a file to write")
    writable_folder(path.parent, named=path)
    return path


@contextlib.contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it if the block succeeds, else removed.

    A reader never sees half a file, a kill leaves the old file whole, and a fault (a
    full disk) leaves no stray temporary file. The temporary name holds this process's
    id, so two processes writing the same file (two batches on one ``--out``) never
    write into each other's.
    """
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename in (None, str(tmp), tmp):
            # a failed write names no file: name the one being written
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Pretty JSON with a trailing newline, written whole or not at all."""
    with atomic(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")


def write_frame(path: Path, frame: pd.DataFrame) -> None:
    """CSV with floats to 10 significant digits (compact, stable bytes), or exact Parquet."""
    with atomic(path) as tmp:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False, float_format="%.10g")
