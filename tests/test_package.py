"""The package as a pip user gets it: a wheel built here, installed with plain pip.

One fresh virtual environment (``python -m venv``, then ``pip install dist/*.whl``, from
PyPI), no extras, and every command run from an empty folder, outside the repository.
What it runs must give the same bytes as the checkout gives for the same comparison.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mobilise.cli import main
from mobilise.running.export import git_commit
from mobilise.schema.shipped import FOLDERS, catalogue

from .conftest import ROOT, SCENARIOS

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
COMPARISON = ["--reform", "mission_councils", "--reform", "social_partnership"]
COMPARISON += ["--members", "2", "--replications", "2", "--workers", "1", "--quiet"]


def _clean_environment() -> dict[str, str]:
    """The environment of this process, less what points at the checkout or its venv."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT"}
    return {k: v for k, v in os.environ.items() if k not in drop} | {"PYTHONWARNINGS": "ignore"}


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env=_clean_environment(), timeout=timeout
    )


class Installed:
    """A wheel of this checkout, installed into a fresh venv, and an empty folder to run in."""

    def __init__(self, root: Path) -> None:
        uv = shutil.which("uv")
        assert uv, "uv builds the wheel (CI installs it: python3 -m pip install uv)"
        dist = root / "dist"
        built = _run([uv, "build", "--out-dir", str(dist)], ROOT)  # an sdist, and a wheel from it
        assert built.returncode == 0, built.stderr
        (self.wheel,) = dist.glob(f"mobilise-{VERSION}-py3-none-any.whl")
        self.venv = root / "venv"
        made = _run([sys.executable, "-m", "venv", str(self.venv)], root)
        assert made.returncode == 0, made.stderr
        self.bin = self.venv / "bin"
        pip = _run([str(self.bin / "pip"), "install", "--quiet", str(self.wheel)], root, 1200)
        assert pip.returncode == 0, pip.stderr[-3000:]
        self.empty = root / "empty"
        self.empty.mkdir()

    def mobilise(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The installed ``mobilise`` program, run in the empty folder."""
        return _run([str(self.bin / "mobilise"), *args], self.empty)

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        """The venv's Python running ``code`` in the empty folder."""
        return _run([str(self.bin / "python"), "-c", code], self.empty)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return Installed(tmp_path_factory.mktemp("wheel"))


def test_a_comparison_by_name_from_an_empty_folder_gives_the_checkouts_bytes(installed, tmp_path):
    done = installed.mobilise("compare", "uk_2024", *COMPARISON, "--out", "out")
    assert done.returncode == 0, done.stderr
    assert "compare: 16/16 runs done, 0 failed" in done.stdout  # 2 members x 2 seeds x 4 arms
    out = installed.empty / "out"
    main(["compare", str(SCENARIOS / "uk_2024.yaml"), *COMPARISON, "--out", str(tmp_path)])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["mobilise"] == VERSION
    assert manifest["git_commit"] == git_commit()  # the wheel's record: this checkout's commit
    assert "site-packages/mobilise/_shipped/scenarios/uk_2024.yaml" in str(manifest["scenarios"])
    assert manifest["ensemble"]["path"].endswith("_shipped/scenarios/ensembles/uk_2024.csv")
    for name in ("runs.csv", "timeseries.csv", "effects.csv"):
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), (
            name,
            manifest["dependencies"],
        )
    assert sorted(p.name for p in (out / "figures").glob("forest*.png")) == [
        "forest.png",
        "forest_horizon.png",
    ]


def test_the_wheel_ships_every_scenario_experiment_and_data_file(installed):
    root = installed.python(
        "from mobilise.schema.shipped import shipped_root; print(shipped_root())"
    )
    assert root.returncode == 0, root.stderr
    shipped = Path(root.stdout.strip())
    assert shipped.name == "_shipped" and "site-packages" in shipped.parts
    for folder in (*FOLDERS.values(), "data"):
        here = sorted(p.relative_to(ROOT) for p in (ROOT / folder).rglob("*") if p.is_file())
        there = sorted(p.relative_to(shipped) for p in (shipped / folder).rglob("*") if p.is_file())
        assert here == there
        for path in here:
            assert (shipped / path).read_bytes() == (ROOT / path).read_bytes(), path
    package = shipped.parent
    assert (package / "py.typed").exists()
    licence = list(package.parent.glob(f"mobilise-{VERSION}.dist-info/licenses/LICENSE"))
    assert licence and licence[0].read_text() == (ROOT / "LICENSE").read_text()


@pytest.mark.parametrize("what", ["scenarios", "experiments"])
def test_list_finds_the_shipped_names_outside_the_repository(installed, what):
    done = _run([str(installed.bin / "python"), "-m", "mobilise", "list", what], installed.empty)
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert names == list(catalogue("scenario" if what == "scenarios" else "experiment"))
    assert "INVALID" not in done.stdout


def test_the_library_loads_by_name_and_a_pattern_versus_a_shipped_file(installed):
    code = (
        "import mobilise; s = mobilise.load_scenario('uk_2024'); "
        "print(s.name, s == mobilise.load_scenario('scenarios/uk_2024.yaml'))"
    )
    done = installed.python(code)
    assert done.returncode == 0 and done.stdout.split() == ["uk_2024", "True"], done.stderr
    # uk_early_1980s's pattern P3 is measured against versus.scenario: uk_2024.yaml, beside it
    checked = installed.mobilise("check", "uk_early_1980s", "--seeds", "2")
    assert checked.returncode in (0, 1), checked.stderr
    assert "P3 structure decides how far" in checked.stdout and "measured" in checked.stdout


def test_an_unknown_name_is_one_line_with_the_closest(installed):
    done = installed.mobilise("run", "uk_2042")
    assert done.returncode == 2
    assert done.stderr.startswith("uk_2042: no such file here; unknown shipped scenario 'uk_2042'")
    assert "did you mean 'uk_2024'?" in done.stderr and done.stderr.count("\n") == 1


def _parquet_experiment(folder: Path) -> str:
    path = folder / "parquet.yaml"
    path.write_text(
        "name: parquet\nscenarios: [minimal_threshold]\nreplications: 2\n"
        "arms: {single: [pooled_budgets]}\nrecord: {format: parquet}\n"
    )
    return str(path)


@pytest.mark.parametrize(
    ("extra", "args", "what"),
    [
        ("app", ["app"], "mobilise app"),
        ("sensitivity", ["sensitivity", "uk_sensitivity"], "mobilise sensitivity"),
        ("sensitivity", ["discover", "batch", "--method", "tree"], "mobilise discover"),
        (
            "robust",
            ["robust", "nhs_robust_packages", "--method", "evolutionary"],
            "mobilise robust",
        ),
        (
            "dask",
            ["compare", "uk_2024", "--reform", "pooled_budgets", "--scheduler", "tcp://[::1]:1"],
            "--scheduler",
        ),
        ("parquet", ["batch", "PARQUET", "--out", "pq"], "parquet.yaml: record.format parquet"),
        ("calibrate", ["calibrate", "uk_2024", "--ensemble"], "mobilise calibrate --ensemble"),
    ],
)
def test_a_missing_extra_is_one_line_naming_it(installed, extra, args, what):
    if "batch" in args and "--method" in args:  # discover reads a finished batch
        made = installed.mobilise("compare", "minimal_threshold", "--reform", "pooled_budgets",
                                  "--replications", "2", "--out", "batch", "--quiet")  # fmt: skip
        assert made.returncode == 0, made.stderr
    args = [_parquet_experiment(installed.empty) if a == "PARQUET" else a for a in args]
    done = installed.mobilise(*args)
    assert done.returncode == 2, done.stderr
    line = f"needs the '{extra}' extra: pip install 'mobilise[{extra}]'\n"
    assert done.stderr.endswith(line) and done.stderr.count("\n") == 1, done.stderr
    assert what in done.stderr
    assert not (installed.empty / "runs").exists()  # failed before any output
    assert not (installed.empty / "pq" / "parts").exists()


@pytest.mark.skipif(shutil.which("python3.11") is None, reason="no Python 3.11 on this machine")
def test_an_older_python_is_told_in_one_line(installed):
    site = next(installed.venv.glob("lib/python3.*/site-packages"))
    older = {**_clean_environment(), "PYTHONPATH": str(site)}
    program = subprocess.run(
        ["python3.11", "-m", "mobilise", "list", "scenarios"],
        capture_output=True,
        text=True,
        env=older,
        cwd=installed.empty,
    )
    assert program.returncode == 2
    assert program.stderr.startswith("mobilise needs Python 3.12 or newer; this is Python 3.11")
    assert program.stderr.count("\n") == 1
    library = subprocess.run(
        ["python3.11", "-c", "import mobilise"], capture_output=True, text=True, env=older
    )
    assert library.returncode == 1
    last = library.stderr.rstrip().splitlines()[-1]
    assert last.startswith("ImportError: mobilise needs Python 3.12 or newer; this is Python 3.11")


def test_the_citation_and_the_changelog_name_this_version():
    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "software"
    assert citation["version"] == VERSION and citation["authors"]
    assert citation["license"] == project["license"]["text"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, flags=re.M)
    assert releases[0] == ("Unreleased", "")  # Keep a Changelog: newest first
    assert (VERSION, releases[1][1]) in releases and releases[1][1]
