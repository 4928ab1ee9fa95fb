"""``python -m mobilise.cli``."""

from mobilise.cli import run

run()
