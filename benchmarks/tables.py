"""Plain-text output shared by the benchmark scripts: tables, durations, verdicts."""

from __future__ import annotations

from collections.abc import Sequence


def verdict(ok: bool) -> str:
    """Label a target PASS or MISS."""
    return "PASS" if ok else "MISS"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 0) -> None:
    """Print a plain-text table: the first ``left`` columns left-aligned, the rest right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  " + "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(headers).rstrip())
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row).rstrip())


def seconds(value: float) -> str:
    """Format a duration in seconds or milliseconds."""
    return f"{value * 1e3:.1f} ms" if value < 1.0 else f"{value:.2f} s"


def header(text: str) -> None:
    """Print a section title."""
    print(f"\n{text}\n{'=' * len(text)}")
