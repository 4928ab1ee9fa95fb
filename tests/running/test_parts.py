"""Parts on disk: Parquet parts keep every bit in compact types and merge to the same bytes."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mobilise.running import parts
from mobilise.running.batch import run_batch
from mobilise.running.design import load_experiment
from mobilise.running.executors import ProcessPoolExecutor, SequentialExecutor
from mobilise.running.runs import run_chunk

from ..batch_runners import fail_on_replication_one
from .test_batch import small_experiment


def parquet_design(tmp_path, replications=4, agents=True):
    path = small_experiment(tmp_path, replications=replications)
    record = f"record: {{every: 1, format: parquet, agents: {str(agents).lower()}}}\n"
    path.write_text(path.read_text() + record)
    return load_experiment(path)


def run(design, out, executor, **kwargs):
    try:
        return run_batch(design, out, executor, progress=False, **kwargs)
    finally:
        executor.close()


def test_parquet_series_hold_every_bit_of_the_runs_in_compact_types(tmp_path):
    design = parquet_design(tmp_path, agents=False)
    run(design, tmp_path / "out", SequentialExecutor())
    table = pq.read_table(tmp_path / "out" / "timeseries.parquet")
    types = dict(zip(table.schema.names, table.schema.types, strict=True))
    for name in ("run_id", "point", "replication", "step"):
        assert types[name] == pa.int32(), name
    assert types["mission"] == pa.string() and types["quarter"] == pa.string()
    assert types["metric"] == pa.float64()
    expected = pd.concat(run_chunk(design.runs(4)).timeseries, ignore_index=True)
    written = table.to_pandas()
    for name in parts.SMALL_INTEGERS:
        if name in expected:
            expected[name] = expected[name].astype("int32")
    pd.testing.assert_frame_equal(written, expected, check_exact=True)  # no %.10g rounding


def test_parquet_files_are_the_same_bytes_whatever_the_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(parts, "ROWS_PER_GROUP", 7)  # many row groups, cut across parts
    design = parquet_design(tmp_path, replications=5)
    run(design, tmp_path / "one", SequentialExecutor())
    run(design, tmp_path / "two", ProcessPoolExecutor(2), chunk_size=3)
    for name in ("timeseries.parquet", "agents.parquet"):
        one, two = tmp_path / "one" / name, tmp_path / "two" / name
        assert one.read_bytes() == two.read_bytes(), name
        metadata = pq.ParquetFile(one).metadata
        sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
        assert set(sizes[:-1]) == {7} and 0 < sizes[-1] <= 7
    assert len(list((tmp_path / "two" / "parts").glob("timeseries-*.parquet"))) > 1


def test_a_resumed_parquet_batch_merges_rerun_runs_back_into_order(tmp_path):
    design = parquet_design(tmp_path, agents=False)
    out = tmp_path / "out"
    run(design, out, SequentialExecutor(), runner=fail_on_replication_one)
    run(design, out, SequentialExecutor(), resume=True)  # re-runs ids inside earlier parts
    run(design, tmp_path / "clean", SequentialExecutor())
    name = "timeseries.parquet"
    assert (out / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()
    assert pq.read_table(out / name)["run_id"].to_pylist() == sorted(
        pq.read_table(out / name)["run_id"].to_pylist()
    )


def test_csv_parts_of_an_earlier_batch_merge_into_parquet(tmp_path):
    design = parquet_design(tmp_path, agents=False)
    specs = design.runs(2)
    folder = tmp_path / "out" / parts.PARTS
    folder.mkdir(parents=True)
    half = len(specs) // 2
    parts.write_chunk(folder, run_chunk(specs[:half]), "csv")
    parts.write_chunk(folder, run_chunk(specs[half:]), "parquet")
    parts.combine(tmp_path / "out", "parquet", {s.run_id for s in specs})
    merged = pd.read_parquet(tmp_path / "out" / "timeseries.parquet")
    assert merged["run_id"].tolist() == sorted(merged["run_id"].tolist())
    assert set(merged["run_id"]) == {s.run_id for s in specs}
    csv_half = pd.read_csv(
        folder / f"timeseries-{parts.chunk_key([s.run_id for s in specs[:half]])}.csv"
    )
    first = merged[merged["run_id"].isin(csv_half["run_id"])].reset_index(drop=True)
    pd.testing.assert_series_equal(first["metric"], csv_half["metric"], check_exact=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_chunk_marks_itself_done_only_when_its_runs_part_is_written(tmp_path, fmt):
    design = parquet_design(tmp_path, agents=False)
    specs = design.runs(1)
    parts.write_chunk(tmp_path, run_chunk(specs), fmt)
    assert parts.finished_ids(tmp_path) == {s.run_id for s in specs}
    assert (tmp_path / f"timeseries-{parts.chunk_key([s.run_id for s in specs])}.{fmt}").exists()
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_series_part_whose_chunk_was_interrupted_is_not_merged(tmp_path, fmt):
    design = parquet_design(tmp_path, agents=False)
    specs = design.runs(2)  # eight runs
    ids = {s.run_id for s in specs}
    interrupted = tmp_path / "interrupted" / parts.PARTS
    interrupted.mkdir(parents=True)
    parts.write_chunk(interrupted, run_chunk(specs[2:6]), fmt)
    (
        interrupted / f"runs-{parts.chunk_key([s.run_id for s in specs[2:6]])}.csv"
    ).unlink()  # killed between its writes
    for chunk in (specs[0:4], specs[4:8]):  # resumed: the same runs, chunked otherwise
        parts.write_chunk(interrupted, run_chunk(chunk), fmt)
    clean = tmp_path / "clean" / parts.PARTS
    clean.mkdir(parents=True)
    parts.write_chunk(clean, run_chunk(specs), fmt)
    for folder in (interrupted, clean):
        parts.combine(folder.parent, fmt, ids)
    name = f"timeseries.{fmt}"
    assert (interrupted.parent / name).read_bytes() == (clean.parent / name).read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_runs_finished_twice_in_chunks_of_other_shapes_merge_once(tmp_path, fmt):
    # two processes resuming one folder at once chunk the missing runs differently
    design = parquet_design(tmp_path, agents=False)
    specs = design.runs(2)  # eight runs
    ids = {s.run_id for s in specs}
    twice = tmp_path / "twice" / parts.PARTS
    twice.mkdir(parents=True)
    for chunk in (specs[0:4], specs[4:8], specs[0:3], specs[3:6], specs[6:8], specs[2:6]):
        parts.write_chunk(twice, run_chunk(chunk), fmt)
    clean = tmp_path / "clean" / parts.PARTS
    clean.mkdir(parents=True)
    parts.write_chunk(clean, run_chunk(specs), fmt)
    for folder in (twice, clean):
        parts.combine(folder.parent, fmt, ids)
    for name in ("runs.csv", f"timeseries.{fmt}"):
        assert (twice.parent / name).read_bytes() == (clean.parent / name).read_bytes(), name
