"""The views' templates: escaped by default, strict about missing names, shipped in the package."""

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from mobilise.views.templating import environment, render_template


def test_text_is_escaped_and_only_marked_markup_is_kept(tmp_path):
    template = environment().from_string("<p>{{ name }}</p>{{ figure }}")
    text = template.render(name="<script>alert('x')</script> & co", figure=Markup("<svg></svg>"))
    assert text == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</p><svg></svg>"


def test_a_missing_name_fails_rather_than_printing_nothing():
    with pytest.raises(UndefinedError):
        environment().from_string("{{ nowhere }}").render()


def test_the_package_ships_its_templates():
    assert {"brief.html.j2", "access.html.j2"} <= set(environment().list_templates())
    with pytest.raises(UndefinedError):  # the brief's template names what it needs
        render_template("brief.html.j2", {})
