"""The views' HTML templates: jinja2, autoescaped, shipped inside the package.

Every page that is not a Solara page (the printable brief, the access-code form) is a
template in ``mobilise/views/templates/`` filled from a context dict. Autoescaping is
on for every template, so a group name or a scenario field is text, never markup;
markup made here (an inline SVG figure) is marked safe where it is made.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@functools.cache
def environment() -> Environment:
    """The one template environment (made on first use, not at import)."""
    return Environment(
        loader=PackageLoader("mobilise.views", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a context that lacks a name fails, not prints ''
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, context: dict[str, Any]) -> str:
    """The template ``name`` filled from ``context``."""
    return environment().get_template(name).render(context)
