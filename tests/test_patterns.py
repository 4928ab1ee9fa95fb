"""Patterns the shipped UK scenario should reproduce (DESIGN, pattern-oriented modelling).

These use a modest number of replications; the batch experiments report them
with intervals. A change in calibration that breaks a pattern fails here.
"""

import numpy as np
import pytest

from mobilise import run, summarise

SEEDS = range(20)


def _met_share(scenario, **kwargs):
    return np.mean(
        [summarise(run(scenario, seed=s, **kwargs), scenario)["milestone_met"] for s in SEEDS]
    )


def test_without_a_signal_volunteering_stays_at_the_survey_rate(uk):
    quiet = uk.updated("government.clarity", 0.0)
    shares = [run(quiet, seed=s)["engaged_volunteer"].iloc[-1] for s in range(5)]
    assert np.mean(shares) == pytest.approx(uk.constraints.volunteering_rate, abs=0.03)


def test_government_push_alone_delivers_a_technological_mission(vaccine):
    assert _met_share(vaccine) >= 0.6


def test_government_push_alone_rarely_delivers_a_socioeconomic_mission(uk):
    assert _met_share(uk) <= 0.3


def test_outcomes_vary_across_replications(uk):
    finals = [run(uk, seed=s)["progress"].iloc[17] for s in SEEDS]
    assert np.std(finals) > 0.01
