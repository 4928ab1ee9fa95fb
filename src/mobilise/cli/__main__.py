"""``python -m mobilise.cli``."""

from mobilise.cli import main

main()
