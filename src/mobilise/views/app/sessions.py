"""Named workshop sessions on disk: a group's settings, the result on screen, and its log.

One folder per group under the sessions folder (``mobilise app --sessions DIR``)::

    DIR/<folder>/session.json    group name, rejoin code, settings, layout, predict-first
    DIR/<folder>/runs.csv        the comparison on screen, batch format
    DIR/<folder>/timeseries.csv  its time series, batch format
    DIR/<folder>/log.csv         one row per comparison that reached a screen of the group

A group's name is its own: any letters of any script, and two names are the same group
only when they are equal once put in Unicode's canonical form (NFC), case-folded and
with runs of white space made one (:func:`name_key`). ``TABLE 3!!`` and ``Table 3`` are
two groups; ``table  3`` is ``Table 3``. The folder is the name's words and a short hash
of its key (:func:`folder_name`), so it is readable, unique, and safe on any disk.

A group's session opens with its rejoin code (its ``key``): a link carries it, and a
group that lost the link types it. Wrong codes are slowed, per group.

Every write goes through one writer thread, in order, and replaces a file atomically,
so a reload, a second tab or the facilitator's page never reads half a file. The log
only grows: each row is appended on the writer thread (a tab never writes the log from
its own copy), so two tabs of one group keep every row either of them added.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import math
import os
import re
import tempfile
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from mobilise.running.export import now
from mobilise.views.app.codes import Backoff, same_code, wait_sentence
from mobilise.views.workshop import Comparison, Settings, make_settings
from mobilise.vocabulary import ScenarioError

SESSION_FILE = "session.json"
LOG_FILE = "log.csv"
MAX_NAME = 60
"""The longest group name, in characters (a name is a label on a screen, not a text)."""


# --- names ----------------------------------------------------------------------------


def group_name(typed: str) -> str:
    """A group's name as typed, trimmed, runs of white space made one; or one sentence why not."""
    name = " ".join(unicodedata.normalize("NFC", typed).split())
    if not any(c.isalnum() for c in name):
        raise ScenarioError("A group name needs at least one letter or digit.")
    if len(name) > MAX_NAME:
        raise ScenarioError(
            f"A group name has at most {MAX_NAME} characters; this has {len(name)}."
        )
    return name


def name_key(name: str) -> str:
    """What makes two names one group: canonical Unicode (NFC), case-folded, spaces made one."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def folder_name(name: str) -> str:
    """A group's folder: 'Группа 1' -> 'группа-1-<8 hex>' (its words, then its key's hash)."""
    key = name_key(name)
    words = "-".join(re.findall(r"\w+", key))[:40].strip("-_") or "group"
    return f"{words}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def session_link(folder: str, key: str) -> str:
    """The page's link to a group's session: '/?session=<folder>&key=<rejoin code>'."""
    return "/?" + urlencode({"session": folder, "key": key})


def _plain_folder(folder: str) -> bool:
    """Whether ``folder`` (from a link) names a folder directly under the sessions folder."""
    return bool(folder) and folder not in (".", "..") and Path(folder).name == folder and (
        "\\" not in folder and "\x00" not in folder
    )  # fmt: skip


# --- a session ------------------------------------------------------------------------


@dataclass
class Session:
    """What a group has on screen and has done: enough to restore the page exactly.

    ``comparison`` is the last result that reached the screen and ``shown_settings``
    the settings that made it; ``settings`` are the controls as left (they differ while
    a newer comparison was still running, or hidden for a guess). ``key`` is the group's
    rejoin code; ``saved_by`` names the tab that saved last (tabs tell each other apart).
    """

    group: str
    settings: Settings
    layout: str = "side by side"
    predict_first: bool = False
    comparison: Comparison | None = None
    shown_settings: Settings | None = None
    log: list[dict[str, Any]] = field(default_factory=list)
    key: str = ""
    saved_by: str = ""
    folder: str = ""
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)

    def __post_init__(self) -> None:
        if not self.folder:
            self.folder = folder_name(self.group)

    def link(self) -> str:
        """The page's link to this session, its key included."""
        return session_link(self.folder, self.key)


class SessionStore:
    """Saved sessions under one folder; reading never raises for one bad folder."""

    def __init__(self, root: Path, backoff: Backoff | None = None) -> None:
        self.root = Path(root)
        self.backoff = backoff or Backoff()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sessions")
        self._written: dict[str, Comparison] = {}  # folder -> the comparison written last

    # writing (on the writer thread) ------------------------------------------------------

    def claim(self, session: Session) -> Session | None:
        """Save a new group's session, or None if its name is taken (the check is atomic)."""
        return self._writer.submit(self._claim, session).result()

    def save_later(self, session: Session) -> None:
        """Save the session (not its log) in the background, in order: the page never waits."""
        self._writer.submit(self.save, session).add_done_callback(_report_failure)

    def append_later(self, folder: str, row: dict[str, Any]) -> None:
        """Append one row to a group's log in the background, after every earlier write."""
        self._writer.submit(self.append, folder, row).add_done_callback(_report_failure)

    def flush(self) -> None:
        """Wait for every write asked for so far."""
        self._writer.submit(lambda: None).result()

    def _claim(self, session: Session) -> Session | None:
        if (self.root / session.folder / SESSION_FILE).exists():
            return None
        self.save(session)
        for row in session.log:
            self.append(session.folder, row)
        return session

    def save(self, session: Session) -> None:
        """Write the session's files (not the log), each replaced atomically."""
        folder = self.root / session.folder
        folder.mkdir(parents=True, exist_ok=True)
        session.updated = now()
        comparison = session.comparison
        if comparison is not None and self._written.get(session.folder) is not comparison:
            _write(folder / "runs.csv", comparison.runs.to_csv(index=False))
            _write(folder / "timeseries.csv", comparison.timeseries.to_csv(index=False))
            if not comparison.members.empty:  # the worlds, for what would settle it
                _write(folder / "members.csv", comparison.members.to_csv(index=False))
            else:
                (folder / "members.csv").unlink(missing_ok=True)
            self._written[session.folder] = comparison
        record = {
            "group": session.group,
            "key": session.key,
            "settings": session.settings.model_dump(),
            "layout": session.layout,
            "predict_first": session.predict_first,
            "shown_settings": (
                session.shown_settings.model_dump()
                if comparison is not None and session.shown_settings is not None
                else None
            ),
            "saved_by": session.saved_by,
            "created": session.created,
            "updated": session.updated,
        }
        _write(folder / SESSION_FILE, json.dumps(record, indent=2, ensure_ascii=False) + "\n")

    def append(self, folder: str, row: dict[str, Any]) -> None:
        """Append ``row`` to ``folder``'s log.csv: earlier rows are kept, text for text.

        A row with a column the file lacks widens the header (earlier rows get an empty
        cell there); the file is replaced atomically, so readers see it before or after.
        """
        path = self.root / folder / LOG_FILE
        header, rows = _read_csv_text(path)
        cells = {str(k): _cell(v) for k, v in row.items()}
        header += [k for k in cells if k not in header]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, cells])
        _write(path, out.getvalue())

    # reading -----------------------------------------------------------------------------

    def load(self, folder: str) -> Session | None:
        """The session saved in ``folder`` (a link's ``session=``), or None if there is none."""
        if not _plain_folder(folder):
            return None
        path = self.root / folder / SESSION_FILE
        if not path.exists():
            return None
        try:
            record = json.loads(path.read_text())
            settings = make_settings(**record["settings"])
            comparison, shown = None, None
            if record.get("shown_settings") and (path.parent / "runs.csv").exists():
                shown = make_settings(**record["shown_settings"])
                comparison = Comparison(
                    runs=_read_runs(path.parent / "runs.csv"),
                    timeseries=pd.read_csv(path.parent / "timeseries.csv"),
                    reforms=dict(shown.reforms),
                    members=(
                        pd.read_csv(path.parent / "members.csv")
                        if (path.parent / "members.csv").exists()
                        else pd.DataFrame()
                    ),
                )
            log = _read_log(path.parent / LOG_FILE)
            return Session(
                group=str(record["group"]),
                settings=settings,
                layout=record.get("layout", "side by side"),
                predict_first=bool(record.get("predict_first", False)),
                comparison=comparison,
                shown_settings=shown,
                log=log,
                key=str(record.get("key", "")),
                saved_by=str(record.get("saved_by", "")),
                folder=folder,
                created=record.get("created", ""),
                updated=record.get("updated", ""),
            )
        except (OSError, ValueError, KeyError, TypeError, pd.errors.ParserError) as exc:
            reason = str(exc).replace(str(self.root.resolve()), "…").replace(str(self.root), "…")
            raise ScenarioError(
                f"The saved session in folder {folder!r} cannot be read ({reason})."
            ) from None

    def find(self, name: str) -> Session | None:
        """The session of the group called ``name`` (by :func:`name_key`), or None."""
        session = self.load(folder_name(name))
        return (
            session if session is not None and name_key(session.group) == name_key(name) else None
        )

    def rejoin(self, folder: str, code: str) -> Session:
        """The session in ``folder`` if ``code`` is its rejoin code; else one sentence why not.

        Wrong codes for one group are slowed (:class:`~mobilise.views.app.codes.Backoff`).
        A session saved before rejoin codes existed opens without one.
        """
        wait = self.backoff.wait(folder)
        if wait > 0:
            raise ScenarioError(wait_sentence(wait, "rejoin codes"))
        session = self.load(folder)
        if session is None:
            raise ScenarioError("There is no saved group at this link.")
        if session.key and not same_code(code, session.key):
            self.backoff.missed(folder)
            raise ScenarioError(
                "That rejoin code is not right: ask the group (it is on their screen) "
                "or the facilitator."
            )
        self.backoff.passed(folder)
        return session

    def folders(self) -> list[str]:
        """Every saved group's folder, alphabetically."""
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob(f"*/{SESSION_FILE}"))

    def all(self) -> tuple[list[Session], list[str]]:
        """Every saved session that reads, and one line for each that does not."""
        sessions, problems = [], []
        for folder in self.folders():
            try:
                session = self.load(folder)
            except ScenarioError as exc:
                problems.append(str(exc))
                continue
            if session is not None:
                sessions.append(session)
        return sessions, problems

    def stamp(self, folder: str | None = None) -> tuple[tuple[str, int, int], ...]:
        """What changed on disk: each session's (folder, session file's and log's mtime)."""
        stamps = []
        for name in [folder] if folder is not None else self.folders():
            times = []
            for file in (SESSION_FILE, LOG_FILE):
                try:
                    times.append((self.root / name / file).stat().st_mtime_ns)
                except OSError:
                    times.append(0)
            stamps.append((name, times[0], times[1]))
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


def _read_csv_text(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and rows, as the text it holds (no number is re-formatted)."""
    if not path.exists():
        return [], []
    with path.open(newline="") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _cell(value: Any) -> str:
    """A log value as CSV text: missing (None, NaN) is an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


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
