"""What the controls show: one record of the settings on screen, as typed.

Every control of the page changes :class:`Choices`; :meth:`Choices.settings` turns it
into validated :class:`mobilise.views.workshop.Settings` (or one plain sentence). It
holds no widget, so the tab's state and the controls both build on it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import Scenario
from mobilise.views.workshop import Settings, make_settings, parse_seed


@dataclass(frozen=True)
class Choices:
    """What the controls show: settings as typed (the seed is text until it parses)."""

    preset: str
    mission: str
    constraints: dict[str, float]
    on: tuple[str, ...]
    strengths: dict[str, float]
    replications: int
    seed_text: str
    starts: dict[str, str] = dataclasses.field(default_factory=dict)  # "" or none: the start
    members: int = 0  # plausible worlds (set by the facilitator's ``mobilise app --members``)

    def settings(self) -> Settings:
        """Validated settings, or a ScenarioError with one plain sentence."""
        return make_settings(
            preset=self.preset,
            mission=self.mission,
            constraints=self.constraints,
            reforms={r: self.strengths[r] for r in self.on},
            starts={r: self.starts[r] for r in self.on if self.starts.get(r)},
            replications=self.replications,
            seed=parse_seed(self.seed_text),
            members=self.members,
        )

    @classmethod
    def of(cls, settings: Settings) -> Choices:
        """The controls that show ``settings``."""
        strengths = {r: settings.reforms.get(r, 1.0) for r in REFORMS}
        return cls(
            preset=settings.preset,
            mission=settings.mission,
            constraints=dict(settings.constraints),
            on=tuple(settings.reforms),
            strengths=strengths,
            replications=settings.replications,
            seed_text=str(settings.seed),
            starts=dict(settings.starts),
            members=settings.members,
        )

    def with_preset(self, name: str, preset: Scenario) -> Choices:
        """A new preset sets the mission and every constraint to the preset's own values."""
        return dataclasses.replace(
            self,
            preset=name,
            mission=preset.mission_spec.name,
            constraints=preset.constraints.model_dump(),
        )

    def started(self, reform: str, quarter: str) -> Choices:
        """The reform set to start in ``quarter`` ('' for the run's first quarter)."""
        starts = {**self.starts, reform: quarter}
        return dataclasses.replace(self, starts={r: q for r, q in starts.items() if q})

    def switched(self, reform: str, on: bool) -> Choices:
        """The reform switched on or off (catalogue order kept)."""
        wanted = (set(self.on) | {reform}) if on else (set(self.on) - {reform})
        return dataclasses.replace(self, on=tuple(r for r in REFORMS if r in wanted))
