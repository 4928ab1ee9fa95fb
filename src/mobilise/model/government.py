"""The mission owner: signal, credibility, a lagged noisy view of the metric, a portfolio.

The Government *actor type* (departments, local authorities) mobilises like
every other type; this object is the mission owner above them, whose
credibility sets the mission signal ``S(t) = clarity * credibility * salience``.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from mobilise.model.dynamics import move_toward
from mobilise.model.streams import Path, Seed, generator
from mobilise.schema.scenario import Scenario

PURPOSES = ("portfolio", "observation", "shocks", "reviews")
"""The mission owner's random streams, one per purpose."""

STREAM_PATHS: list[Path] = [("mission owner", purpose) for purpose in PURPOSES]


class MissionOwner:
    """Credibility, observation and portfolio state of the government's mission owner."""

    def __init__(self, scenario: Scenario, seed: Seed) -> None:
        # One stream per purpose, so turning reviews on does not shift reshuffles.
        portfolio, observation, shocks, reviews = (generator(seed, *p) for p in STREAM_PATHS)
        self.observation_rng, self.shock_rng, self.review_rng = observation, shocks, reviews
        self.spec = scenario.government
        self.salience = scenario.mission_spec.salience
        self.lag = scenario.constraints.feedback_lag_quarters
        self.credibility = self.spec.initial_credibility
        start = scenario.mission_spec.initial_progress  # before the start, P stood at P(0)
        self.history: deque[float] = deque([start] * (self.lag + 1), maxlen=self.lag + 1)
        self.observed_progress = start
        spread = self.spec.initiative_spread
        # Mean one in expectation, not per run: how good a portfolio is, is uncertain.
        self.effectiveness = portfolio.lognormal(-(spread**2) / 2, spread, self.spec.initiatives)
        self.allocation = np.full(self.spec.initiatives, 1.0 / self.spec.initiatives)
        self.reshuffles = 0

    @property
    def signal(self) -> float:
        """The mission signal ``S(t)``."""
        return self.spec.clarity * self.credibility * self.salience

    @property
    def portfolio_efficiency(self) -> float:
        """Effectiveness of money as allocated now (1 = an average initiative)."""
        return float(self.allocation @ self.effectiveness)

    def observe(self, progress: float) -> float:
        """Record true progress; return what the owner sees: lagged and noisy."""
        self.history.append(progress)
        noise = self.observation_rng.normal(0.0, self.spec.observation_noise)
        self.observed_progress = float(np.clip(self.history[0] + noise, 0.0, 1.0))
        return self.observed_progress

    def update(self, step: int, delivery: float) -> None:
        """Move credibility toward (clarity + delivery) / 2, apply shocks, review the portfolio.

        ``delivery`` in [0, 1] is observed progress relative to the roadmap. Shocks
        are reshuffles (at random) and elections (every ``election_interval``).
        """
        spec = self.spec
        speed = min(1.0, spec.credibility_speed * spec.capability)
        goal = 0.5 * spec.clarity + 0.5 * delivery
        self.credibility = float(move_toward(self.credibility, goal, speed))
        if self.shock_rng.random() < spec.reshuffle_rate:
            self.reshuffles += 1
            self.credibility *= 1.0 - spec.reshuffle_penalty
        if step % spec.election_interval == 0:
            self.credibility *= 1.0 - spec.election_penalty
        if spec.portfolio_review and step % spec.review_interval == 0 and step > self.lag:
            self._review()

    def _review(self) -> None:
        """Stage gate: shift budget from the weakest-looking initiative to the strongest."""
        noise_sd = 10.0 * self.spec.observation_noise / self.spec.capability
        seen = self.effectiveness * np.exp(
            self.review_rng.normal(0.0, noise_sd, len(self.effectiveness))
        )
        live = self.allocation > 0
        weakest = np.flatnonzero(live)[np.argmin(seen[live])]
        strongest = int(np.argmax(seen))
        if weakest == strongest:
            return
        share = min(1.0, self.spec.reallocation * self.spec.capability)
        moved = self.allocation[weakest] * share
        self.allocation[weakest] -= moved
        self.allocation[strongest] += moved
