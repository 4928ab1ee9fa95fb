"""Named workshop sessions on disk: a group's settings, the result on screen, and its log.

One folder per group under the sessions folder (``mobilise app --sessions DIR``)::

    DIR/<slug>/session.json    group name, settings, layout, predict-first, times
    DIR/<slug>/runs.csv        the comparison on screen, batch format
    DIR/<slug>/timeseries.csv  its time series, batch format
    DIR/<slug>/log.csv         one row per comparison that reached the screen

Files are replaced atomically, so a reload, a second tab or the facilitator view
never reads half a file; a server restart finds every group where it left off.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mobilise.running.export import now
from mobilise.views.workshop import Comparison, Settings, make_settings
from mobilise.vocabulary import ScenarioError

SESSION_FILE = "session.json"


def slug(group: str) -> str:
    """A folder name for a group: 'Table 3 (north)' -> 'table-3-north'."""
    text = re.sub(r"[^a-z0-9]+", "-", group.strip().lower()).strip("-")[:60]
    if not text:
        raise ScenarioError("A group name needs at least one letter or digit.")
    return text


@dataclass
class Session:
    """What a group has on screen and has done: enough to restore the page exactly.

    ``comparison`` is the last result that reached the screen and ``shown_settings``
    the settings that made it; ``settings`` are the controls as left (they differ while
    a newer comparison was still running, or hidden for a guess).
    """

    group: str
    settings: Settings
    layout: str = "side by side"
    predict_first: bool = False
    comparison: Comparison | None = None
    shown_settings: Settings | None = None
    log: list[dict[str, Any]] = field(default_factory=list)
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)

    @property
    def slug(self) -> str:
        """The group's folder name."""
        return slug(self.group)


class SessionStore:
    """Saved sessions under one folder; reading never raises for one bad folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sessions")

    def save_later(self, session: Session) -> None:
        """Save in the background, in order: the page never waits for the disk."""
        self._writer.submit(self.save, session).add_done_callback(_report_failure)

    def save(self, session: Session) -> None:
        """Write the session's files, each replaced atomically."""
        folder = self.root / session.slug
        folder.mkdir(parents=True, exist_ok=True)
        session.updated = now()
        if session.comparison is not None:
            _write(folder / "runs.csv", session.comparison.runs.to_csv(index=False))
            _write(folder / "timeseries.csv", session.comparison.timeseries.to_csv(index=False))
        _write(folder / "log.csv", pd.DataFrame(session.log).to_csv(index=False))
        record = {
            "group": session.group,
            "settings": session.settings.model_dump(),
            "layout": session.layout,
            "predict_first": session.predict_first,
            "shown_settings": (
                session.shown_settings.model_dump()
                if session.comparison is not None and session.shown_settings is not None
                else None
            ),
            "created": session.created,
            "updated": session.updated,
        }
        _write(folder / SESSION_FILE, json.dumps(record, indent=2) + "\n")

    def load(self, name: str) -> Session | None:
        """The session saved for a group name or slug, or None if there is none."""
        folder = self.root / slug(name)
        path = folder / SESSION_FILE
        if not path.exists():
            return None
        try:
            record = json.loads(path.read_text())
            settings = make_settings(**record["settings"])
            comparison, shown = None, None
            if record.get("shown_settings") and (folder / "runs.csv").exists():
                shown = make_settings(**record["shown_settings"])
                comparison = Comparison(
                    runs=_read_runs(folder / "runs.csv"),
                    timeseries=pd.read_csv(folder / "timeseries.csv"),
                    reforms=dict(shown.reforms),
                )
            log_path = folder / "log.csv"
            log = _read_log(log_path)
        except (OSError, ValueError, KeyError, TypeError, pd.errors.ParserError) as exc:
            raise ScenarioError(f"{path}: cannot read this saved session ({exc})") from None
        return Session(
            group=record["group"],
            settings=settings,
            layout=record.get("layout", "side by side"),
            predict_first=bool(record.get("predict_first", False)),
            comparison=comparison,
            shown_settings=shown,
            log=log,
            created=record.get("created", ""),
            updated=record.get("updated", ""),
        )

    def slugs(self) -> list[str]:
        """Every saved group's folder name, alphabetically."""
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob(f"*/{SESSION_FILE}"))

    def groups(self) -> dict[str, str]:
        """Saved groups: slug -> group name as typed."""
        names = {}
        for name in self.slugs():
            try:
                names[name] = json.loads((self.root / name / SESSION_FILE).read_text())["group"]
            except (OSError, ValueError, KeyError):
                continue
        return names

    def all(self) -> tuple[list[Session], list[str]]:
        """Every saved session that reads, and one line for each that does not."""
        sessions, problems = [], []
        for name in self.slugs():
            try:
                session = self.load(name)
            except ScenarioError as exc:
                problems.append(str(exc))
                continue
            if session is not None:
                sessions.append(session)
        return sessions, problems

    def stamp(self) -> tuple[tuple[str, float], ...]:
        """What changed on disk: each session file and its modification time."""
        stamps = []
        for name in self.slugs():
            try:
                stamps.append((name, (self.root / name / SESSION_FILE).stat().st_mtime))
            except OSError:
                continue
        return tuple(stamps)


TEXT_COLUMNS = ("reforms", "milestone_quarter")
"""Columns of runs.csv where an empty cell is text ('' = no reforms, not met), not missing."""


def _read_runs(path: Path) -> pd.DataFrame:
    runs = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS})
    return runs.fillna({c: "" for c in TEXT_COLUMNS if c in runs})


def _report_failure(done: Future[Any]) -> None:
    """A save that failed (a full disk, a removed folder) goes to the server's log."""
    if done.exception() is not None:
        logging.getLogger(__name__).error("could not save a session: %s", done.exception())


def _read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists() or path.stat().st_size < 2:
        return []
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return []
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file renamed over it)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
