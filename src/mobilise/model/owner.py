"""The mission owners of R runs: signal, credibility, a lagged noisy view, a portfolio.

The Government *actor type* (departments, local authorities) mobilises like every
other type; the mission owner is above them, and its credibility sets the mission
signal ``S(t) = clarity * credibility * salience``. Its budget is spent through a
portfolio of initiatives: how effective they are (reviews close the weak and scale the
strong, INVI lesson 5) and at which actor types they aim (steering moves them toward
the type that binds progress, as the owner sees it: INVI lesson 4). Its civil service
learns by doing (capability grows with every review, INVI lesson 6), and elections
judge what it delivered against its roadmap. Every quantity is an array with one
entry (or row) per run, so one update serves a run alone and a block of runs.

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

PURPOSES = ("portfolio", "observation", "shocks", "reviews", "steering", "monitoring")
"""The mission owner's random streams, one per purpose."""

STREAM_PATHS: list[Path] = [("mission owner", purpose) for purpose in PURPOSES]


class MissionOwners:
    """The mission owner of each of R runs (``scenarios[r]`` with ``seeds[r]``)."""

    def __init__(
        self, scenarios: Sequence[Scenario], seeds: Sequence[Seed], types: Sequence[str]
    ) -> None:
        specs = [s.government for s in scenarios]
        self.runs = len(specs)
        quarters = max(s.quarters for s in scenarios)
        missions = [s.mission_spec for s in scenarios]
        self.salience = np.array([m.salience for m in missions])
        self.credibility = np.array([g.initial_credibility for g in specs])
        self.election_interval = np.array([g.election_interval for g in specs], dtype=np.intp)
        self.reshuffles = np.zeros(self.runs, dtype=np.intp)
        # before the start, progress stood at P(0): what the owner sees until the lag has passed
        start = np.array([m.initial_progress for m in missions])
        self.history = np.repeat(start[:, None], quarters + 1, axis=1)
        self.contributions = np.zeros((self.runs, quarters + 1, len(types)))
        self.observed = start.copy()
        # initiatives aim at actor types as the mission weighs them; steering moves them
        self.weights = np.stack([m.weight_vector(types) for m in missions])
        self.aim = self.weights.copy()
        self.exponent = np.array([(m.sigma - 1.0) / m.sigma - 1.0 for m in missions])
        self.learned = np.ones(self.runs)  # capability grown by learning, as a multiple
        streams = [[generator(seed, *path) for path in STREAM_PATHS] for seed in seeds]
        # standard normals, scaled by each quarter's noise: normal(0, sd) draws, to the bit
        self.observation_draws = np.stack([s[1].standard_normal(quarters) for s in streams])
        self.monitoring_draws = np.stack([s[5].standard_normal(quarters) for s in streams])
        self.published = start.copy()
        self.shock_draws = np.stack([s[2].random(quarters) for s in streams])
        self._portfolios(specs, [s[0] for s in streams], [s[3] for s in streams], quarters)
        most_reviews = self.review_draws.shape[1]
        self.steering_draws = np.stack(
            [s[4].standard_normal((most_reviews, len(types))) for s in streams]
        )
        self.reparametrise(scenarios)

    def reparametrise(self, scenarios: Sequence[Scenario]) -> None:
        """Each run's owner with parameters from ``scenarios`` (a reform changes strength).

        What the owner has learnt (credibility, history, allocations, the capability its
        civil service has grown) stays as it is.
        """
        specs = [s.government for s in scenarios]

        def of(values: Sequence[float]) -> Array:
            return np.array(values, dtype=float)

        self.clarity = of([g.clarity for g in specs])
        self.base_capability = of([g.capability for g in specs])
        self.credibility_speed = of([g.credibility_speed for g in specs])
        self.reallocation = of([g.reallocation for g in specs])
        self.growth = of([g.capability_growth for g in specs])
        self.reshuffle_rate = of([g.reshuffle_rate for g in specs])
        self.reshuffle_keep = of([1.0 - g.reshuffle_penalty for g in specs])
        self.election_penalty = of([g.election_penalty for g in specs])
        self.judged = np.array([g.elections_judge_delivery for g in specs], dtype=bool)
        self.lag = np.array([s.constraints.feedback_lag_quarters for s in scenarios], dtype=np.intp)
        self.noise_sd = of([g.observation_noise for g in specs])
        monitoring = of([g.monitoring for g in specs])
        # what the owner learns from: its own monitoring, sooner and sharper than publication
        self.own_lag = np.array([round(lag * (1.0 - m)) for lag, m in zip(self.lag, monitoring,
                                                                          strict=True)],
                                dtype=np.intp)  # fmt: skip
        self.own_sd = self.noise_sd * (1.0 - monitoring)
        self.review_interval = np.array([g.review_interval for g in specs], dtype=np.intp)
        self.reviewing = np.array([g.portfolio_review for g in specs], dtype=bool)
        self.steering = np.array([g.steering for g in specs], dtype=bool)
        self._capability()

    def _capability(self) -> None:
        """What the civil service's capability now speeds and sharpens."""
        self.capability = self.base_capability * self.learned
        self.speed = np.minimum(1.0, self.credibility_speed * self.capability)
        self.review_share = np.minimum(1.0, self.reallocation * self.capability)
        self.review_sd = 10.0 * self.own_sd / self.capability

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
        # every review a run could hold (a reform may turn reviews on, or shorten the lag,
        # mid-run): the first ones are the draws of fewer reviews, to the bit
        most_reviews = max(quarters // g.review_interval for g in gov)
        self.review_draws = np.zeros((self.runs, most_reviews, width))
        self.reviews_done = np.zeros(self.runs, dtype=np.intp)
        for r, (g, rng) in enumerate(zip(gov, portfolio, strict=True)):
            n, spread = g.initiatives, g.initiative_spread
            # mean one in expectation, not per run: how good a portfolio is, is uncertain
            self.effectiveness[r, :n] = rng.lognormal(-(spread**2) / 2, spread, n)
            self.allocation[r, :n] = 1.0 / n
            due = quarters // g.review_interval
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

    def observe(self, progress: Array, step: int, contributions: Array) -> Array:
        """Record progress and contributions at ``step``; return progress as published.

        Published figures come ``lag`` quarters late, with noise: delivery is judged on
        them (by the owner's credibility, by trust, at elections). The owner learns from
        its own monitoring (:attr:`observed`): as late and noisy, unless monitoring
        shortens the lag and sharpens the view (INVI lesson 4).
        """
        self.history[:, step] = progress
        self.contributions[:, step] = contributions
        runs = np.arange(self.runs)
        seen = self.history[runs, np.maximum(step - self.lag, 0)]
        noise = 0.0 + self.noise_sd * self.observation_draws[:, step - 1]
        self.published = np.clip(seen + noise, 0.0, 1.0)
        own = self.history[runs, np.maximum(step - self.own_lag, 0)]
        own_noise = 0.0 + self.own_sd * self.monitoring_draws[:, step - 1]
        self.observed = np.clip(own + own_noise, 0.0, 1.0)
        return self.published

    def update(self, step: int, delivery: Array) -> None:
        """Move credibility toward (clarity + delivery) / 2, apply shocks, review portfolios.

        ``delivery`` is observed progress relative to the roadmap. Shocks are
        reshuffles (at random) and elections (every ``election_interval``), which cut
        credibility by the share of the roadmap not delivered (or by the whole penalty,
        where elections do not judge delivery).
        """
        goal = 0.5 * self.clarity + 0.5 * delivery
        credibility = move_toward(self.credibility, goal, self.speed)
        shocked = self.shock_draws[:, step - 1] < self.reshuffle_rate
        self.reshuffles += shocked
        credibility = np.where(shocked, credibility * self.reshuffle_keep, credibility)
        undelivered = np.where(self.judged, 1.0 - np.clip(delivery, 0.0, 1.0), 1.0)
        election = step % self.election_interval == 0
        cut = 1.0 - self.election_penalty * undelivered
        self.credibility = np.where(election, credibility * cut, credibility)
        due = self.reviewing & (step % self.review_interval == 0) & (step > self.own_lag)
        if due.any():
            runs = np.flatnonzero(due)
            self._review(runs)
            self._steer(runs, step)
            self.reviews_done[runs] += 1
            # learning by doing: each review takes capability part of the way to twice its start
            self.learned[runs] += self.growth[runs] * (2.0 - self.learned[runs])
            self._capability()

    def _review(self, runs: Index) -> None:
        """Stage gates: shift budget from the weakest-looking initiative to the strongest."""
        draws = self.review_draws[runs, self.reviews_done[runs]]
        seen = self.effectiveness[runs] * np.exp(self.review_sd[runs, None] * draws)
        live = self.allocation[runs] > 0
        weakest = np.argmin(np.where(live, seen, np.inf), axis=1)
        strongest = np.argmax(np.where(self.valid[runs], seen, -np.inf), axis=1)
        share = np.where(weakest != strongest, self.review_share[runs], 0.0)
        moved = self.allocation[runs, weakest] * share
        self.allocation[runs, weakest] -= moved
        self.allocation[runs, strongest] += moved

    def _steer(self, runs: Index, step: int) -> None:
        """Move initiatives toward the type that binds progress, as the owner sees it.

        The owner sees each type's contribution relative to need as it was when its
        monitoring last saw it, with lognormal noise as its reviews see initiatives; the type that
        binds is the one where a unit more adds most to the CES aggregate (its weight
        times its ratio to the power ``rho - 1``: for complements, the type that gives
        least). A share ``reallocation * capability`` of the aim moves to it.
        """
        runs = runs[self.steering[runs]]
        if not len(runs):
            return
        seen = self.contributions[runs, np.maximum(step - self.own_lag[runs], 0)]
        draws = self.steering_draws[runs, self.reviews_done[runs]]
        seen = seen * np.exp(self.review_sd[runs, None] * draws)
        weights = self.weights[runs]
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            worth = np.where(weights > 0, weights * seen ** self.exponent[runs, None], -np.inf)
        binding = np.argmax(worth, axis=1)
        share = self.review_share[runs, None]
        target = np.zeros_like(weights)
        target[np.arange(len(runs)), binding] = 1.0
        self.aim[runs] = (1.0 - share) * self.aim[runs] + share * target
