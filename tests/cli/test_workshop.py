"""``mobilise app``: refusals before the server starts, and what it prints when it does."""

import os
import subprocess
import sys

import pytest

from ..conftest import ROOT
from .process import mobilise


def test_app_port_in_use_is_one_line_and_exit_2():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = mobilise("app", "--port", str(port))
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_app_rejects_a_bad_scenario_before_starting(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    done = mobilise("app", "--scenario", str(bad))
    assert done.returncode == 2
    assert done.stderr.startswith(str(bad))


def test_app_on_all_interfaces_warns(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mobilise.cli", "app", "--host", "0.0.0.0", "--port", str(port)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"},
    )
    try:
        first = server.stderr.readline()
        assert "anyone who can reach this machine" in first
        from mobilise.cli.workshop import lan_addresses

        shown = server.stdout.readline()
        assert "127.0.0.1" not in shown  # the address others type, not this machine's loopback
        assert any(f"open http://{a}:{port}/" in shown for a in lan_addresses()), shown
        assert "access code" in server.stdout.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_app_refuses_an_empty_access_code_in_one_line(capsys):
    from mobilise.cli import main

    with pytest.raises(SystemExit) as info:
        main(["app", "--host", "0.0.0.0", "--access-code", " "])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "access code cannot be empty" in err


def test_app_refuses_a_facilitator_code_that_is_the_access_code(capsys):
    from mobilise.cli import main

    with pytest.raises(SystemExit) as info:
        main(["app", "--port", "1", "--access-code", "K7m2pq", "--facilitator-code", "k7m2pq "])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "must differ from the access code" in err


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--ensemble", "none", "--members", "5"], "--members counts an ensemble's members"),
        (["--ensemble", "missing.csv"], "--ensemble missing.csv"),
        (["--members", "0"], "'--members'"),
        (["--members", "101"], "'--members'"),
    ],
)
def test_app_refuses_bad_plausible_worlds_in_one_line(options, expected, capsys):
    from mobilise.cli import main

    with pytest.raises(SystemExit) as info:
        main(["app", "--port", "1", *options])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err


def test_app_options_reach_the_page_as_its_configuration(monkeypatch):
    """--ensemble and --members travel to the page (environment) and come back intact."""
    from mobilise.views.app.config import AppConfig

    for ensemble, members, worlds in ((None, 8, 8), ("none", 20, 0)):
        config = AppConfig(ensemble=ensemble, members=members)
        for name, value in config.environment().items():
            monkeypatch.setenv(name, value)
        if ensemble is None:
            monkeypatch.delenv("MOBILISE_APP_ENSEMBLE", raising=False)
        read = AppConfig.from_environment()
        assert (read.ensemble, read.members, read.worlds) == (ensemble, members, worlds)
