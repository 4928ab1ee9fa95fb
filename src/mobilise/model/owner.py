"""The mission owners of R runs: signal, credibility, a lagged noisy view, a portfolio.

The Government *actor type* (departments, local authorities) mobilises like every
other type; the mission owner is above them, and its credibility sets the mission
signal ``S(t) = clarity * credibility * salience``. Every quantity is an array with
one entry (or row) per run, so one update serves a run alone and a block of runs.

Each run draws from its own streams, one per purpose, so turning reviews on does not
shift reshuffles (common random numbers). A stream's draws for the whole horizon are
drawn when the owners are built, in the order a quarter-by-quarter draw would take them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from mobilise.model.dynamics import move_toward
from mobilise.model.streams import Path, Seed, generator
from mobilise.schema.scenario import Scenario
from mobilise.schema.sections import Government

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

PURPOSES = ("portfolio", "observation", "shocks", "reviews")
"""The mission owner's random streams, one per purpose."""

STREAM_PATHS: list[Path] = [("mission owner", purpose) for purpose in PURPOSES]


class MissionOwners:
    """The mission owner of each of R runs (``scenarios[r]`` with ``seeds[r]``)."""

    def __init__(self, scenarios: Sequence[Scenario], seeds: Sequence[Seed]) -> None:
        specs = [s.government for s in scenarios]
        self.runs = len(specs)
        quarters = max(s.quarters for s in scenarios)

        def of(values: Sequence[float]) -> Array:
            return np.array(values, dtype=float)

        self.clarity = of([g.clarity for g in specs])
        self.salience = of([s.mission_spec.salience for s in scenarios])
        self.credibility = of([g.initial_credibility for g in specs])
        self.speed = of([min(1.0, g.credibility_speed * g.capability) for g in specs])
        self.reshuffle_rate = of([g.reshuffle_rate for g in specs])
        self.reshuffle_keep = of([1.0 - g.reshuffle_penalty for g in specs])
        self.election_interval = np.array([g.election_interval for g in specs], dtype=np.intp)
        self.election_keep = of([1.0 - g.election_penalty for g in specs])
        self.lag = np.array([s.constraints.feedback_lag_quarters for s in scenarios], dtype=np.intp)
        self.reshuffles = np.zeros(self.runs, dtype=np.intp)
        # before the start, progress stood at P(0): what the owner sees until the lag has passed
        start = of([s.mission_spec.initial_progress for s in scenarios])
        self.history = np.repeat(start[:, None], quarters + 1, axis=1)
        self.observed = start.copy()
        streams = [[generator(seed, *path) for path in STREAM_PATHS] for seed in seeds]
        self.observation_noise = np.stack(
            [obs.normal(0.0, g.observation_noise, quarters)
             for (_, obs, _, _), g in zip(streams, specs, strict=True)]
        )  # fmt: skip
        self.shock_draws = np.stack([shocks.random(quarters) for _, _, shocks, _ in streams])
        self._portfolios(specs, [s[0] for s in streams], [s[3] for s in streams], quarters)

    def _portfolios(
        self,
        gov: Sequence[Government],
        portfolio: Sequence[np.random.Generator],
        reviews: Sequence[np.random.Generator],
        quarters: int,
    ) -> None:
        """Each run's initiatives (padded to the most of any run) and its review draws."""
        counts = np.array([g.initiatives for g in gov], dtype=np.intp)
        width = int(counts.max())
        self.valid = np.arange(width)[None, :] < counts[:, None]  # padding is never chosen
        self.effectiveness = np.zeros((self.runs, width))
        self.allocation = np.zeros((self.runs, width))
        self.review_interval = np.array([g.review_interval for g in gov], dtype=np.intp)
        self.reviewing = np.array([g.portfolio_review for g in gov], dtype=bool)
        self.review_share = np.array([min(1.0, g.reallocation * g.capability) for g in gov])
        self.review_sd = np.array([10.0 * g.observation_noise / g.capability for g in gov])
        steps = np.arange(1, quarters + 1)
        most_reviews = max(
            int(np.sum((steps % g.review_interval == 0) & (steps > lag)))
            for g, lag in zip(gov, self.lag, strict=True)
        )
        self.review_draws = np.zeros((self.runs, most_reviews, width))
        self.reviews_done = np.zeros(self.runs, dtype=np.intp)
        for r, (g, rng) in enumerate(zip(gov, portfolio, strict=True)):
            n, spread = g.initiatives, g.initiative_spread
            # mean one in expectation, not per run: how good a portfolio is, is uncertain
            self.effectiveness[r, :n] = rng.lognormal(-(spread**2) / 2, spread, n)
            self.allocation[r, :n] = 1.0 / n
            if g.portfolio_review:
                due = int(np.sum((steps % g.review_interval == 0) & (steps > self.lag[r])))
                self.review_draws[r, :due, :n] = reviews[r].standard_normal((due, n))

    @property
    def signal(self) -> Array:
        """The mission signal ``S(t)`` of each run."""
        result: Array = self.clarity * self.credibility * self.salience
        return result

    @property
    def portfolio_efficiency(self) -> Array:
        """Effectiveness of money as allocated now (1 = an average initiative), per run.

        Summed initiative by initiative, left to right: padding adds ``+0.0`` at the
        end, so a run's value does not depend on the other runs beside it.
        """
        total = np.zeros(self.runs)
        for i in range(self.allocation.shape[1]):
            total += self.allocation[:, i] * self.effectiveness[:, i]
        return total

    def observe(self, progress: Array, step: int) -> Array:
        """Record true progress at ``step``; return what each owner sees: lagged and noisy."""
        self.history[:, step] = progress
        seen = self.history[np.arange(self.runs), np.maximum(step - self.lag, 0)]
        self.observed = np.clip(seen + self.observation_noise[:, step - 1], 0.0, 1.0)
        return self.observed

    def update(self, step: int, delivery: Array) -> None:
        """Move credibility toward (clarity + delivery) / 2, apply shocks, review portfolios.

        ``delivery`` is observed progress relative to the roadmap. Shocks are
        reshuffles (at random) and elections (every ``election_interval``).
        """
        goal = 0.5 * self.clarity + 0.5 * delivery
        credibility = move_toward(self.credibility, goal, self.speed)
        shocked = self.shock_draws[:, step - 1] < self.reshuffle_rate
        self.reshuffles += shocked
        credibility = np.where(shocked, credibility * self.reshuffle_keep, credibility)
        election = step % self.election_interval == 0
        self.credibility = np.where(election, credibility * self.election_keep, credibility)
        due = self.reviewing & (step % self.review_interval == 0) & (step > self.lag)
        if due.any():
            self._review(np.flatnonzero(due))

    def _review(self, runs: Index) -> None:
        """Stage gates: shift budget from the weakest-looking initiative to the strongest."""
        draws = self.review_draws[runs, self.reviews_done[runs]]
        self.reviews_done[runs] += 1
        seen = self.effectiveness[runs] * np.exp(self.review_sd[runs, None] * draws)
        live = self.allocation[runs] > 0
        weakest = np.argmin(np.where(live, seen, np.inf), axis=1)
        strongest = np.argmax(np.where(self.valid[runs], seen, -np.inf), axis=1)
        share = np.where(weakest != strongest, self.review_share[runs], 0.0)
        moved = self.allocation[runs, weakest] * share
        self.allocation[runs, weakest] -= moved
        self.allocation[runs, strongest] += moved
