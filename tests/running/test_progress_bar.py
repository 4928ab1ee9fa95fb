"""The batch progress line: counts, rate and ETA; quiet when disabled."""

import io
import re
import time

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


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a console does."""

    def isatty(self):
        """Yes."""
        return True


def test_on_a_terminal_the_line_is_redrawn_in_place_and_ended_once():
    stream = Terminal()
    progress = Progress(4, stream=stream)
    progress.update(1, 0)
    time.sleep(0.25)  # past the 0.2 s between redraws
    progress.update(2, 1)
    progress.close()
    text = stream.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1
    drawn = [d for d in text.rstrip("\n").split("\r") if d]
    assert drawn[0].startswith("[........................] 0/4 runs, 0 failed")
    assert drawn[-1].startswith("[##################......] 3/4 runs, 1 failed,")
    assert re.search(r"runs/s, ETA +\d+s$", drawn[-1])
