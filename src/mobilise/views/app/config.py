"""How ``mobilise app`` tells the app page its options: environment variables, named once.

Solara imports the app module by name, so the command line cannot hand it objects;
it exports these variables before the server starts and the page reads them back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mobilise.schema.ensemble import NONE
from mobilise.views.workshop import WORKSHOP_MEMBERS

SCENARIO_ENV = "MOBILISE_APP_SCENARIO"
SESSIONS_ENV = "MOBILISE_APP_SESSIONS"
WORKERS_ENV = "MOBILISE_APP_WORKERS"
SCENARIOS_ENV = "MOBILISE_APP_SCENARIOS"
FACILITATOR_TOKEN_ENV = "MOBILISE_APP_FACILITATOR_TOKEN"
ENSEMBLE_ENV = "MOBILISE_APP_ENSEMBLE"
MEMBERS_ENV = "MOBILISE_APP_MEMBERS"

TITLE = "mobilise: mission mobilisation workshop"
"""The browser tab's title (the command line also hands it to Solara's first page)."""

DEFAULT_SESSIONS = Path("sessions")


@dataclass(frozen=True)
class AppConfig:
    """Where presets and saved sessions live, how many worker processes run comparisons.

    ``facilitator_token`` is the cookie value the facilitator's code sets (see
    :mod:`mobilise.views.app.access`); the facilitator's page shows itself only to it.
    Empty (the app run by ``solara run``, without the command's codes): to no one.
    ``ensemble`` overrides the presets' own ensembles (a file, or ``none``); ``members``
    is how many of an ensemble's plausible worlds a comparison runs.
    """

    scenarios: Path = Path("scenarios")
    scenario_file: Path | None = None
    sessions: Path = DEFAULT_SESSIONS
    workers: int = 2
    facilitator_token: str = ""
    ensemble: str | None = None
    members: int = WORKSHOP_MEMBERS

    @property
    def worlds(self) -> int:
        """The members a new page's settings ask for (0 with ``--ensemble none``)."""
        return 0 if self.ensemble is not None and self.ensemble.lower() == NONE else self.members

    @classmethod
    def from_environment(cls) -> AppConfig:
        """The options ``mobilise app`` exported (defaults when run by ``solara run``)."""
        extra = os.environ.get(SCENARIO_ENV)
        return cls(
            scenarios=Path(os.environ.get(SCENARIOS_ENV, "scenarios")),
            scenario_file=Path(extra) if extra else None,
            sessions=Path(os.environ.get(SESSIONS_ENV, str(DEFAULT_SESSIONS))),
            workers=int(os.environ.get(WORKERS_ENV, "0")) or max(1, os.cpu_count() or 1),
            facilitator_token=os.environ.get(FACILITATOR_TOKEN_ENV, ""),
            ensemble=os.environ.get(ENSEMBLE_ENV) or None,
            members=int(os.environ.get(MEMBERS_ENV, "0")) or WORKSHOP_MEMBERS,
        )

    def environment(self) -> dict[str, str]:
        """The variables that carry this configuration to the app page."""
        variables = {
            SCENARIOS_ENV: str(self.scenarios.resolve()),
            SESSIONS_ENV: str(self.sessions.resolve()),
            WORKERS_ENV: str(self.workers),
            MEMBERS_ENV: str(self.members),
        }
        if self.ensemble is not None:
            named = self.ensemble.lower() == NONE
            variables[ENSEMBLE_ENV] = NONE if named else str(Path(self.ensemble).resolve())
        if self.scenario_file is not None:
            variables[SCENARIO_ENV] = str(self.scenario_file.resolve())
        if self.facilitator_token:
            variables[FACILITATOR_TOKEN_ENV] = self.facilitator_token
        return variables

    def preset_files(self) -> dict[str, Path]:
        """Presets by name: the scenarios folder's files, and first the one given, if any."""
        files = {p.stem: p for p in sorted(self.scenarios.glob("*.yaml"))}
        if self.scenario_file is not None:
            files = {self.scenario_file.stem: self.scenario_file, **files}
        return files

    def first_preset(self) -> str:
        """The preset a new page opens with: the one given, else uk_2024, else the first."""
        files = self.preset_files()
        if self.scenario_file is None and "uk_2024" in files:
            return "uk_2024"
        return next(iter(files))
