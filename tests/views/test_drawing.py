"""A report's figures drawn in forked processes are the same files as drawn one by one."""

import threading
from functools import partial

import pytest
from matplotlib.figure import Figure

from mobilise.views.drawing import save_drawings


def bars(heights: list[int]) -> Figure:
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().bar(range(len(heights)), heights)
    return fig


def drawings(folder):
    return [(partial(bars, [i, i + 1, 2 * i]), folder / f"bars_{i}") for i in range(5)]


def test_figures_drawn_at_once_are_the_files_drawn_one_by_one(tmp_path):
    alone = save_drawings(drawings(tmp_path / "one"), workers=1)
    together = save_drawings(drawings(tmp_path / "two"), workers=2)
    assert [p.relative_to(tmp_path / "one") for p in alone] == [
        p.relative_to(tmp_path / "two") for p in together
    ]
    assert [p.name for p in alone] == [f"bars_{i}.{s}" for i in range(5) for s in ("png", "svg")]
    pngs = [(a, b) for a, b in zip(alone, together, strict=True) if a.suffix == ".png"]
    assert all(a.read_bytes() == b.read_bytes() for a, b in pngs)


def test_a_failing_figure_stops_the_report_with_its_own_error(tmp_path):
    def broken() -> Figure:
        raise ValueError("no data for this figure")

    with pytest.raises(ValueError, match="no data for this figure"):
        save_drawings([*drawings(tmp_path), (broken, tmp_path / "broken")], workers=2)


def test_with_another_thread_running_figures_are_drawn_here(tmp_path):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        paths = save_drawings(drawings(tmp_path), workers=2)
    finally:
        stop.set()
        other.join()
    assert len(paths) == 10 and all(p.stat().st_size > 0 for p in paths)
