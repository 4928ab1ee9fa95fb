"""The command group: every command's bad input is one line and exit 2, with no traceback."""

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from mobilise.cli import main

from .process import UK, mobilise


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", UK, "--reform", "bogus"], "unknown reform 'bogus'"),
        (["run", UK, "--reform", "pooled_budgets=2"], "must be in [0, 1]"),
        (["run", UK, "--reform", "pooled_budgets=lots"], "must be a number"),
        (["run", UK, "--seed", "-1"], "--seed"),
        (["run", UK, "--steps", "zero"], "--steps"),
        (["run", "missing.yaml"], "missing.yaml: no such file here; unknown shipped scenario"),
        (["run", "uk_2042"], "did you mean 'uk_2024'?"),
        (["batch", "reform_comparisn"], "did you mean 'reform_comparison'?"),
        (["list", "planets"], "planets"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert len(err.strip().splitlines()) == 1


def test_bad_input_in_a_real_process_has_no_traceback():
    done = mobilise("run", UK, "--reform", "bogus")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_the_program_exits_without_sweeping_memory_and_loses_nothing(tmp_path, capsys):
    # `mobilise` and `python -m mobilise.cli` are `run`: the command, then gc.freeze, so the
    # interpreter's exit skips its last traversal of everything loaded (README, Performance)
    assert entry_points(group="console_scripts")["mobilise"].value == "mobilise.cli:run"
    probe = (
        "import atexit, gc, runpy; before = gc.get_freeze_count(); "
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > before + 1e4)); "
        "runpy.run_module('mobilise.cli', run_name='__main__')"
    )
    out = tmp_path / "program"
    done = subprocess.run(
        [sys.executable, "-c", probe, "run", UK, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("frozen at exit: True")
    main(["run", UK, "--out", str(tmp_path / "here")])  # the same command in this process
    capsys.readouterr()
    for name in ("timeseries.csv", "summary.json"):  # every byte written before the exit
        assert (out / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
