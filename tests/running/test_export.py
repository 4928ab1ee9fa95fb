"""Provenance and writers: version, git commit, dependency versions, hashes, output files."""

import errno
import hashlib
import json
import platform
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mobilise
from mobilise.running.export import (
    DEPENDENCIES,
    atomic,
    environment,
    git_commit,
    new_run_dir,
    writable_file,
    writable_folder,
    write_frame,
    write_json,
)
from mobilise.schema.scenario import file_hash, load_scenario
from mobilise.vocabulary import OutputError

from ..conftest import ROOT, SCENARIOS


def git(*args):
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_environment_names_the_version_declared_in_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    env = environment()
    assert env["mobilise"] == declared == mobilise.__version__


def test_environment_names_each_dependency_and_its_installed_version():
    deps = environment()["dependencies"]
    assert list(deps) == list(DEPENDENCIES)
    assert deps["numpy"] == np.__version__
    assert deps["pandas"] == pd.__version__
    for name, version in deps.items():
        assert version == metadata.version(name)


def test_environment_names_python_and_platform():
    env = environment()
    assert env["python"] == platform.python_version()
    assert env["platform"] == platform.platform()
    json.dumps(env)  # goes into a manifest as it is


def test_the_commit_is_this_checkouts_head_marked_dirty_when_tracked_files_changed():
    head = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    assert git_commit() == head + ("+dirty" if dirty else "")
    assert environment()["git_commit"] == git_commit()
    assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", git_commit())


def test_outside_a_checkout_there_is_no_commit(tmp_path):
    assert git_commit(tmp_path) is None


def test_a_scenarios_hashes_identify_its_bytes_and_its_content(tmp_path):
    path = SCENARIOS / "minimal_threshold.yaml"
    assert file_hash(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    copy = tmp_path / "copy.yaml"
    copy.write_text("# a comment changes the file, not the scenario\n" + path.read_text())
    assert file_hash(copy) != file_hash(path)
    assert load_scenario(copy).content_hash() == load_scenario(path).content_hash()
    changed = load_scenario(path).updated("influence.peer", 0.5)
    assert changed.content_hash() != load_scenario(path).content_hash()


def test_run_dirs_are_fresh_and_never_reused(tmp_path):
    first, second = new_run_dir(tmp_path, "uk"), new_run_dir(tmp_path, "uk")
    assert first != second and first.is_dir() and second.is_dir()
    assert re.fullmatch(r"uk-\d{8}-\d{6}(-\d+)?", first.name)
    assert first.parent == second.parent == tmp_path


def test_write_json_is_pretty_with_a_trailing_newline_and_paths_as_text(tmp_path):
    path = tmp_path / "m.json"
    write_json(path, {"b": 1, "where": Path("/x/y"), "nested": {"a": [1, 2]}})
    text = path.read_text()
    assert text.endswith("}\n") and "\n  " in text
    assert json.loads(text) == {"b": 1, "where": "/x/y", "nested": {"a": [1, 2]}}


FRAME = pd.DataFrame({"step": [0, 1], "quarter": ["2024Q4", "2025Q1"], "metric": [0.1, 1 / 3]})


def test_write_frame_csv_keeps_ten_significant_digits(tmp_path):
    path = tmp_path / "f.csv"
    write_frame(path, FRAME)
    back = pd.read_csv(path)
    assert back["metric"].tolist() == [0.1, 0.3333333333]
    assert back["quarter"].tolist() == ["2024Q4", "2025Q1"]
    assert "index" not in path.read_text() and path.read_text().startswith("step,quarter")


def test_write_frame_parquet_round_trips_exactly(tmp_path):
    path = tmp_path / "f.parquet"
    write_frame(path, FRAME)
    pd.testing.assert_frame_equal(pd.read_parquet(path), FRAME, check_exact=True)


def test_an_output_folder_is_made_and_shown_writable_before_any_work(tmp_path):
    assert writable_folder(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert (tmp_path / "a" / "b").is_dir() and not list((tmp_path / "a" / "b").iterdir())
    (tmp_path / "file").write_text("x")
    for out, expected in [
        (tmp_path / "file", "is a file; expected a folder"),
        (tmp_path / "file" / "sub", f"is under {tmp_path / 'file'}, a file"),
        (Path("/proc/mobilise"), "cannot write here (No such file or directory)"),
    ]:
        with pytest.raises(OutputError) as info:
            writable_folder(out)
        assert str(info.value).startswith(f"{out}: {expected}")
    with pytest.raises(OutputError, match="is a folder; expected a file"):
        writable_file(tmp_path)
    assert writable_file(tmp_path / "new" / "x.yaml") == tmp_path / "new" / "x.yaml"


def test_atomic_writes_whole_files_or_none_and_names_the_file_a_fault_hit(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old")
    with atomic(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and not list(tmp_path.glob("*.tmp"))
    with pytest.raises(RuntimeError), atomic(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError
    assert target.read_text() == "new" and not list(tmp_path.glob("*.tmp"))
    with pytest.raises(OSError) as info, atomic(target) as tmp:  # a real ENOSPC: /dev/full
        tmp.symlink_to("/dev/full")
        with open(tmp, "w") as handle:
            handle.write("x" * 10_000)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert target.read_text() == "new" and not list(tmp_path.glob("*.tmp"))
