"""The batch progress line: counts, rate and ETA; quiet when disabled."""

import io
import re

from mobilise.running.progress_bar import Progress


def test_line_counts_done_and_failed_and_fills_the_bar():
    progress = Progress(8, stream=io.StringIO())
    progress.update(2, 1)
    line = progress.line()
    assert "2/8 runs, 1 failed" in line
    assert re.search(r"\[(#{6})(\.{18})\]", line)  # 2 of 8 -> a quarter of 24 cells
    progress.update(6, 0)
    assert "[" + "#" * 24 + "]" in progress.line() and "8/8 runs" in progress.line()


def test_not_a_terminal_prints_whole_lines_and_the_final_state_once():
    stream = io.StringIO()
    progress = Progress(3, stream=stream)
    progress.update(3, 0)  # done: drawn at once
    progress.close()  # already drawn: not repeated
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "3/3 runs" in lines[0] and "\r" not in stream.getvalue()


def test_disabled_prints_nothing():
    stream = io.StringIO()
    progress = Progress(2, stream=stream, enabled=False)
    progress.update(2, 0)
    progress.close()
    assert stream.getvalue() == ""


def test_eta_is_unknown_before_any_run_finishes():
    assert "ETA     ?" in Progress(5, stream=io.StringIO()).line()
