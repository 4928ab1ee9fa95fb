"""A batch's parts on disk, and their merge into the batch's files.

Each finished chunk of runs is written at once to ``DIR/parts/`` by whoever ran it
(written to a temporary name, then renamed, so a kill never leaves half a file): its
time series (and agents) first, its ``runs`` part last, which marks the chunk done.
Time series are CSV parts (``%.10g``, the bytes ``to_csv`` writes) or, for
``record.format: parquet``, Parquet parts in compact types: exact float64 values, no
text formatting at all. The merge streams in run-id order, so the combined files are
the same bytes however the runs were spread over workers, machines or interruptions.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import os
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mobilise.running.csv_text import csv_text
from mobilise.running.export import atomic, write_frame
from mobilise.running.runs import ChunkResult

PARTS = "parts"
FAILURE_COLUMNS = ["run_id", "mission", "point", "arm", "replication", "seed", "error", "traceback"]
SERIES = ("timeseries", "agents")
"""The per-step files a batch writes, besides ``runs.csv`` and ``failures.csv``."""

SMALL_INTEGERS = ("run_id", "point", "replication", "step", "agent")
"""Columns stored as 32-bit integers in Parquet (counts and identifiers far below 2**31)."""

ROWS_PER_GROUP = 65_536
"""Rows per Parquet row group of a merged file: fixed, so its bytes do not depend on how
the runs were chunked."""


def chunk_key(run_ids: Sequence[int]) -> str:
    """A chunk's name in its parts: its first run id, then a checksum of all its ids.

    Names sort by first run id. Two processes resuming one folder at once may chunk the
    missing runs differently; parts of one name then always hold the same runs (runs are
    deterministic: the same bytes), so a series part and the ``runs`` part of its name
    never disagree.
    """
    ids = sorted(run_ids)
    return f"{ids[0]:09d}-{zlib.crc32(','.join(map(str, ids)).encode()):08x}"


def write_chunk(parts: Path, result: ChunkResult, fmt: str = "csv") -> None:
    """Write a finished chunk's parts: series first, in ``fmt``, then ``runs`` (CSV, last)."""
    key = chunk_key(result.run_ids)
    if result.rows:
        runs = pd.DataFrame(result.rows)
        series = {"timeseries": result.timeseries, "agents": result.agents}
        for name, frames in series.items():
            if frames:
                _atomic(parts / f"{name}-{key}.{fmt}", pd.concat(frames))
        _atomic(parts / f"runs-{key}.csv", runs)  # last: marks the chunk complete
    if result.failures:
        n = 0
        while (parts / f"failures-{key}-{n}.csv").exists():
            n += 1
        _atomic(parts / f"failures-{key}-{n}.csv", pd.DataFrame(result.failures))


def compact_table(frame: pd.DataFrame) -> Any:
    """``frame`` as an Arrow table in compact types: identifiers and steps as int32.

    Floats stay float64 (every bit of the run), labels strings (dictionary-encoded on
    disk); no pandas metadata, so the bytes depend on the values alone.
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)

    def compact(field: Any) -> Any:
        if field.name in SMALL_INTEGERS:
            return pa.field(field.name, pa.int32())
        if pa.types.is_large_string(field.type):  # labels are short: 32-bit offsets
            return pa.field(field.name, pa.string())
        return field

    schema = pa.schema([compact(f) for f in table.schema])
    return table.cast(schema).replace_schema_metadata(None)


def _atomic(path: Path, frame: pd.DataFrame) -> None:
    with atomic(path) as tmp:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.write_table(compact_table(frame), tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(csv_text(frame))  # what frame.to_csv writes, faster
                handle.flush()
                os.fsync(handle.fileno())


def finished_ids(parts: Path) -> set[int]:
    """Run ids whose chunk is complete on disk (its ``runs`` part is written)."""
    ids: set[int] = set()
    for path in parts.glob("runs-*.csv"):
        ids.update(pd.read_csv(path, usecols=["run_id"])["run_id"].tolist())
    return ids


def _runs_parts(parts: Path) -> dict[str, pd.DataFrame]:
    """Each finished chunk's ``runs`` part, by chunk key, in name order."""
    return {_chunk_key(p): pd.read_csv(p) for p in sorted(parts.glob("runs-*.csv"))}


def read_runs(parts: Path, ids: set[int]) -> pd.DataFrame:
    """The runs of ``ids`` on disk, in run-id order, each once.

    Two processes resuming one folder at once may both finish a run, in chunks of
    different names; a run is deterministic, so the first part (by name) that holds it
    is kept, as :func:`owners` keeps it for the time series.
    """
    return _unique_runs(_runs_parts(parts), ids)


def _unique_runs(chunks: dict[str, pd.DataFrame], ids: set[int]) -> pd.DataFrame:
    if not chunks:
        return pd.DataFrame()
    runs = pd.concat(chunks.values(), ignore_index=True).drop_duplicates("run_id", keep="first")
    return runs[runs["run_id"].isin(ids)].sort_values("run_id", ignore_index=True)


def owners(chunks: dict[str, pd.DataFrame], ids: set[int]) -> dict[str, set[int]]:
    """For each finished chunk (by its key), the runs of ``ids`` merged from its parts.

    A run finished twice (two processes on one folder) is taken from the first chunk,
    by name, that holds it, so its time series is merged once and matches its row.
    """
    owned: dict[str, set[int]] = {}
    taken: set[int] = set()
    for key, frame in chunks.items():
        here = set(frame["run_id"].tolist()) & ids
        owned[key] = here - taken
        taken |= here
    return owned


def combine(out: Path, fmt: str, ids: set[int]) -> list[Path]:
    """Merge the parts into ``runs``, ``timeseries`` (and ``agents``) and ``failures``."""
    parts = out / PARTS
    written = []
    chunks = _runs_parts(parts)  # read once: the runs, and which chunk each is taken from
    runs = _unique_runs(chunks, ids)
    runs_path = out / "runs.csv"
    write_frame(runs_path, runs)
    written.append(runs_path)
    owned = owners(chunks, ids)
    for name in SERIES:
        sources = {
            p: owned[_chunk_key(p)] for p in _series_parts(parts, name) if _chunk_key(p) in owned
        }
        if not sources:
            continue
        target = out / f"{name}.{fmt}"
        if fmt == "csv":
            _merge_sorted_csv(sources, target)
        else:
            _merge_parquet(sources, target)
        written.append(target)
    failure_frames = [pd.read_csv(p) for p in sorted(parts.glob("failures-*.csv"))]
    failures = (
        pd.concat(failure_frames, ignore_index=True)
        if failure_frames
        else pd.DataFrame(columns=FAILURE_COLUMNS)
    )
    finished = set(runs["run_id"]) if len(runs) else set()
    failures = failures[failures["run_id"].isin(ids) & ~failures["run_id"].isin(finished)]
    failures = failures.drop_duplicates("run_id", keep="last").sort_values("run_id")
    with atomic(out / "failures.csv") as tmp:
        failures.to_csv(tmp, index=False)
    written.append(out / "failures.csv")
    return written


def _series_parts(parts: Path, name: str) -> list[Path]:
    return sorted([*parts.glob(f"{name}-*.csv"), *parts.glob(f"{name}-*.parquet")])


def _chunk_key(part: Path) -> str:
    """The chunk a part belongs to.

    A series part is merged only if its chunk's ``runs`` part exists: a chunk interrupted
    between its two writes leaves a series part alone; its runs are run again, maybe in
    another chunk, and only that chunk's rows count.
    """
    return part.stem.split("-", 1)[1]


# --- Parquet ------------------------------------------------------------------------------


def _merge_parquet(sources: dict[Path, set[int]], target: Path) -> None:
    """Parts into one Parquet file in run-id order, in row groups of :data:`ROWS_PER_GROUP`.

    Parts whose run ids do not interleave are streamed one at a time; otherwise (a
    resumed batch re-ran some ids of a part's range) they are read together and sorted.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    def read(path: Path) -> Any:
        table = pq.read_table(path) if path.suffix == ".parquet" else _csv_table(path)
        wanted = pa.array(sorted(sources[path]), type=pa.int32())
        return table.filter(pc.is_in(table["run_id"], value_set=wanted))

    ordered = _apart_in_order(sources)
    tables: Iterator[Any] = (
        (read(p) for p in ordered)
        if ordered is not None
        else iter([pa.concat_tables([read(p) for p in sorted(sources)]).sort_by("run_id")])
    )  # sort_by is stable: each run's steps stay in order
    writer = None
    pending: list[Any] = []
    with atomic(target) as tmp:
        try:
            for table in tables:
                pending.append(table)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                pending = _write_full_groups(writer, pending)
            if writer is None:
                raise ValueError(f"{target}: no parts to merge")
            rest = pa.concat_tables(pending) if pending else None
            if rest is not None and rest.num_rows:
                writer.write_table(rest, row_group_size=ROWS_PER_GROUP)
        finally:
            if writer is not None:
                writer.close()


def _write_full_groups(writer: Any, pending: list[Any]) -> list[Any]:
    """Write every full row group of ``pending``; return what is left over."""
    import pyarrow as pa

    rows = sum(t.num_rows for t in pending)
    if rows < ROWS_PER_GROUP:
        return pending
    table = pa.concat_tables(pending)
    full = rows // ROWS_PER_GROUP * ROWS_PER_GROUP
    writer.write_table(table.slice(0, full), row_group_size=ROWS_PER_GROUP)
    return [table.slice(full)]


def _csv_table(path: Path) -> Any:
    """A CSV part (from a batch begun as CSV, or by an earlier version) as a compact table.

    A column of whole numbers (a structure that did not move: 0 every step) reads as
    integers; the run wrote floats, as its Parquet parts hold them.
    """
    frame = pd.read_csv(path)
    whole = [c for c in frame.columns
             if c not in SMALL_INTEGERS and pd.api.types.is_integer_dtype(frame[c])]  # fmt: skip
    return compact_table(frame.astype(dict.fromkeys(whole, "float64")))


def _apart_in_order(sources: dict[Path, set[int]]) -> list[Path] | None:
    """The parts in run-id order, or ``None`` if their run ids interleave.

    A batch run once does not interleave: every chunk is a range of ids.
    """
    ordered = sorted(zip(map(_part_range, sources), sources, strict=True), key=lambda x: x[0])
    if all(a[1] < b[0] for (a, _), (b, _) in itertools.pairwise(ordered)):
        return [path for _, path in ordered]
    return None


def _part_range(path: Path) -> tuple[int, int]:
    """The first and last run id of a part."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        column = pq.read_table(path, columns=["run_id"])["run_id"]
        if not len(column):
            return (-1, -1)
        return int(column[0].as_py()), int(column[len(column) - 1].as_py())
    return _id_range(path)


# --- CSV ----------------------------------------------------------------------------------


def _merge_sorted_csv(sources: dict[Path, set[int]], target: Path) -> None:
    """Merge part files, each sorted by run id, into ``target``: streams, never loads them all.

    Parts whose run ids do not interleave (a batch run once: every chunk is a range
    of ids) are copied line by line in order; otherwise a k-way merge of their rows.
    """
    ordered = _apart_in_order(sources)
    if ordered is not None:
        _concatenate_csv(ordered, target, sources)
    else:
        _heap_merge_csv(sources, target)


def _id_range(path: Path) -> tuple[int, int]:
    """The first and last run id of a part (its first field on its second and last lines)."""
    with open(path, "rb") as handle:
        handle.readline()
        first = handle.readline()
        handle.seek(max(0, os.path.getsize(path) - 65536))
        last = handle.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    if not first:
        return (-1, -1)
    return int(first.split(b",", 1)[0]), int(last.split(b",", 1)[0])


def _concatenate_csv(ordered: list[Path], target: Path, ids: dict[Path, set[int]]) -> None:
    """Parts in order, one header, only each part's own runs (rows copied as written)."""
    with atomic(target) as tmp, open(tmp, "wb") as out:
        for n, path in enumerate(ordered):
            own = ids[path]
            with open(path, "rb") as handle:
                header = handle.readline()
                if n == 0:
                    out.write(header)
                for line in handle:
                    if int(line[: line.index(b",")]) in own:
                        out.write(line)


def _heap_merge_csv(sources: dict[Path, set[int]], target: Path) -> None:
    """K-way merge of part files, each sorted by run id: streams, never loads them all."""
    paths = sorted(sources)
    handles = [open(p, newline="") for p in paths]  # noqa: SIM115 - closed below
    try:
        readers = [csv.reader(h) for h in handles]
        headers = [next(r) for r in readers]  # every part has the same header
        header = headers[0]

        def keyed(reader: Iterator[list[str]], own: set[int]) -> Iterator[tuple[int, list[str]]]:
            for row in reader:
                if int(row[0]) in own:
                    yield int(row[0]), row

        streams = [keyed(r, sources[p]) for r, p in zip(readers, paths, strict=True)]
        with atomic(target) as tmp, open(tmp, "w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            # heapq.merge is stable and each run lives in one part: steps stay in order
            for _, row in heapq.merge(*streams, key=lambda item: item[0]):
                writer.writerow(row)
    finally:
        for h in handles:
            h.close()
