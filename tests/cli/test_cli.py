"""The command group: every command's bad input is one line and exit 2, with no traceback."""

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
        (["run", "missing.yaml"], "missing.yaml: cannot read file"),
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
