"""Runners for batch tests: real model runs, one of them made to fail on purpose.

Module-level so worker processes can unpickle them.
"""

from mobilise.running.runs import run_one


def fail_on_replication_one(spec):
    """Run the spec for real, except replication 1, which raises."""
    if spec.replication == 1:
        raise RuntimeError(f"planted failure in run {spec.run_id}")
    return run_one(spec)


ISHIGAMI_PATHS = (
    "populations.business.threshold.shift",
    "populations.union.threshold.shift",
    "populations.charity.threshold.shift",
)


def ishigami(spec):
    """The Ishigami function of the spec's three sampled values, as a run's outcome.

    It replaces the model, not the machinery: sampling, batch, files and analysis
    are the ones ``mobilise sensitivity`` uses.
    """
    import math

    import pandas as pd

    from mobilise.running.runs import RESULT_COLUMNS, identity

    # sampled on [0, 2 pi] (thresholds are not negative), Ishigami's inputs on [-pi, pi]
    x1, x2, x3 = (spec.sweep[p] - math.pi for p in ISHIGAMI_PATHS)
    value = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    row = identity(spec)
    row.update(dict.fromkeys(RESULT_COLUMNS, 0.0))
    row.update({"final_metric": value, "milestone_metric": value, "milestone_met": value > 3.5})
    return row, pd.DataFrame({"run_id": []}), None
