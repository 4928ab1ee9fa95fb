"""The house style of the figures: palette, scales and labels, number formats, saving."""

import math

import pytest

from mobilise.schema.missions import MISSIONS
from mobilise.views.figure_style import (
    ARM_COLOURS,
    BASELINE_LABEL,
    OKABE_ITO,
    arm_label,
    decimals_for,
    format_value,
    inline_svg,
    metric_scale,
    save,
)
from mobilise.views.plots import fan_chart

from .test_plots import FACTORS, factorial_arms, synthetic_frames


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_frames(factorial_arms(FACTORS))


def test_palette_is_okabe_ito():
    assert set(ARM_COLOURS) <= set(OKABE_ITO.values())
    assert len(set(ARM_COLOURS)) == len(ARM_COLOURS)


def test_save_writes_png_and_svg(tmp_path, synthetic):
    _, ts = synthetic
    paths = save(fan_chart(ts, "nhs"), tmp_path / "sub" / "fan")
    assert [p.name for p in paths] == ["fan.png", "fan.svg"]
    png, svg = paths
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    assert "<svg" in svg.read_text()


def test_saved_figures_are_the_same_bytes_twice_with_their_text_as_text(tmp_path, synthetic):
    _, ts = synthetic
    first = save(fan_chart(ts, "nhs"), tmp_path / "one" / "fan")
    second = save(fan_chart(ts, "nhs"), tmp_path / "two" / "fan")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    svg = first[1].read_text()
    assert "<dc:date>" not in svg
    assert "<text" in svg  # text, not glyph outlines


def test_a_share_is_shown_in_percent_and_its_differences_in_points():
    scale = metric_scale("nhs")
    assert MISSIONS["nhs"].unit == "share"
    assert (scale.factor, scale.level_unit, scale.diff_unit) == (100.0, "%", "percentage points")
    growth = metric_scale("growth")
    assert growth.factor == 1.0 and growth.level_unit == MISSIONS["growth"].unit


def test_the_baseline_has_one_name_everywhere():
    assert arm_label("baseline") == BASELINE_LABEL == "government push alone"
    assert arm_label("control", baseline="control") == BASELINE_LABEL
    assert arm_label("mission_councils") == "mission councils"


@pytest.mark.parametrize(
    ("values", "decimals"), [([0.1234, 0.5], 3), ([12.3, 45.6], 1), ([1234.0, 5678.0], 0)]
)
def test_about_three_significant_digits_of_the_largest_value(values, decimals):
    assert decimals_for(values) == decimals


def test_values_are_signed_and_non_finite_values_are_na():
    assert format_value(0.25, 2) == "+0.25"
    assert format_value(-1234.0, 0) == "-1,234"
    assert format_value(0.25, 2, sign=False) == "0.25"
    assert format_value(math.nan, 2) == "n/a"


def test_inline_svg_is_self_contained_and_the_same_bytes_twice(synthetic):
    _, ts = synthetic
    figure = fan_chart(ts, "nhs")
    first, second = inline_svg(figure, title="fan"), inline_svg(figure, title="fan")
    assert first == second
    assert first.startswith('<svg width="100%" role="img" aria-label="fan"')
    assert "<metadata>" not in first and "http://" not in first.split(">", 1)[1].replace(
        "http://www.w3.org", ""
    )
