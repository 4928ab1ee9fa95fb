"""A calibration's figures show its tables: each input, each target, each pair of targets."""

import numpy as np
import pandas as pd
import pytest

from mobilise.views.plots_calibration import conflicts, predictive, prior_posterior


def test_prior_posterior_places_each_input_in_its_range():
    posterior = pd.DataFrame(
        {
            "input": ["a", "b", "c"],
            "low": [0.0, 10.0, 0.0],
            "high": [1.0, 20.0, 2.0],
            "status": ["inferred", "drawn", "prior"],
            "q05": [0.2, 11.0, 0.1],
            "q50": [0.3, 15.0, 1.0],
            "q95": [0.4, 19.0, 1.9],
            "narrowing": [0.6, 0.1, 0.0],
        }
    )
    fig = prior_posterior(posterior)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["c [0, 2]", "b [10, 20]", "a [0, 1]"]  # inferred first, from the top
    spans = [sorted(line.get_xdata()) for line in ax.get_lines() if len(line.get_xdata()) == 2]
    assert spans[-1] == pytest.approx([0.2, 0.4])  # a's 5-95% in its range's units
    assert spans[1] == pytest.approx([0.1, 0.9])


def test_predictive_shows_misses_in_units_of_error_and_the_share_meeting():
    table = pd.DataFrame(
        {
            "target": ["x", "y"],
            "use": ["calibrate", "validate"],
            "observed": [0.5, 100.0],
            "error": [0.1, 10.0],
            "model_q05": [0.45, 60.0],
            "model_median": [0.5, 80.0],
            "model_q95": [0.6, 90.0],
            "members_meeting": [0.9, 0.05],
        }
    )
    fig = predictive(table)
    ax = fig.axes[0]
    spans = [sorted(line.get_xdata()) for line in ax.get_lines() if len(line.get_xdata()) == 2]
    assert [-4.0, -1.0] in [pytest.approx(s) for s in spans]  # y: 60-90 against 100 +/- 10
    assert [t.get_text() for t in ax.texts] == ["met by 5%", "met by 90%"]
    assert "y (held out)" in [t.get_text() for t in ax.get_yticklabels()]


def test_conflicts_is_a_symmetric_matrix_of_the_pairs():
    table = pd.DataFrame(
        {
            "target_a": ["x", "x", "y"],
            "target_b": ["y", "z", "z"],
            "early": [-0.5, 0.2, 0.1],
            "members": [0.0, 0.0, 0.0],
        }
    )
    fig = conflicts(table)
    matrix = np.asarray(fig.axes[0].get_images()[0].get_array())
    assert matrix[0, 1] == matrix[1, 0] == -0.5 and matrix[1, 2] == 0.1
    assert np.allclose(np.diag(matrix), 1.0)
