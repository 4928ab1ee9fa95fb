"""Runners for batch tests: real model runs, one of them made to fail on purpose.

Module-level so worker processes can unpickle them.
"""

from mobilise.runs import run_one


def fail_on_replication_one(spec):
    """Run the spec for real, except replication 1, which raises."""
    if spec.replication == 1:
        raise RuntimeError(f"planted failure in run {spec.run_id}")
    return run_one(spec)
