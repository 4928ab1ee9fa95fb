"""csv_text writes the bytes DataFrame.to_csv writes, fast path and fallback alike."""

import numpy as np
import pandas as pd
import pytest

from mobilise.running.csv_text import csv_text


def reference(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, float_format="%.10g")


def test_numbers_and_plain_labels_match_pandas() -> None:
    frame = pd.DataFrame(
        {
            "run_id": np.arange(6, dtype=np.int64),
            "arm": pd.array(["baseline", "a", "b", "c", "d", "e"], dtype="string"),
            "value": [1.0, np.nan, np.inf, -0.0, 1e-300, 123456789012.5],
        }
    )
    assert csv_text(frame) == reference(frame)


@pytest.mark.parametrize("cell", ["a,b", 'say "x"', "two\nlines", ""])
def test_cells_that_need_quotes_fall_back_to_pandas(cell: str) -> None:
    frame = pd.DataFrame({"label": ["plain", cell], "value": [0.1, 0.2]})
    assert csv_text(frame) == reference(frame)


def test_other_dtypes_and_empty_frames_fall_back_to_pandas() -> None:
    mixed = pd.DataFrame({"flag": [True, False], "small": np.array([1, 2], dtype=np.int8)})
    assert csv_text(mixed) == reference(mixed)
    empty = pd.DataFrame({"a": pd.Series([], dtype=float)})
    assert csv_text(empty) == reference(empty)


def test_repeated_labels_and_unhashable_or_mixed_cells_match_pandas() -> None:
    repeated = pd.DataFrame({"arm": ["baseline", "reform"] * 50, "value": np.arange(100.0)})
    assert csv_text(repeated) == reference(repeated)
    for cells in (["a", ["list", "cell"]], ["a", 1], ["a", None]):
        frame = pd.DataFrame({"label": pd.Series(cells, dtype=object), "value": [0.1, 0.2]})
        assert csv_text(frame) == reference(frame)
