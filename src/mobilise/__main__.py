"""``python -m mobilise``: the ``mobilise`` program."""

from mobilise.cli import run

run()
