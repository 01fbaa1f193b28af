"""How the command ends: exit 3 for an internal error, quiet on a closed pipe, prompt on SIGTERM
(issue 9, defect 11), and the host warning of --allow-host (defect 6)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.helpers import cli_env, ordersync, start

from ordersync_app.cli import main as cli
from ordersync_app.domain.errors import BugError


@pytest.mark.parametrize("error", [BugError("an invariant broke"), KeyError("boom")])
def test_an_internal_error_exits_3_as_the_readme_says(home, monkeypatch, capsys, error) -> None:
    def broken(_args: object) -> int:
        raise error

    monkeypatch.setattr(cli, "cmd_connectors", broken)
    assert cli.main(["connectors"]) == 3
    assert "internal error" in capsys.readouterr().err


@pytest.mark.parametrize("args", [("connectors",), ("stats",), ("connectors", "--json")])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has already left: every write fails with EPIPE
    try:
        result = subprocess.run([sys.executable, "-m", "ordersync_app", *args], env=cli_env(home), stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr


def test_an_idle_worker_stops_promptly_on_sigterm(tmp_path: Path) -> None:
    home = tmp_path / "home"
    worker = start(home, "worker", "--refresh", "3600")
    assert worker.stdout is not None
    assert "scheduled" in worker.stdout.readline()  # the worker is up and idle (nothing enabled)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=60)  # generous: the point is that it ends at all
    assert worker.returncode == 0, err
    assert "stopped cleanly" in out


def test_a_host_outside_the_vendor_is_allowed_only_explicitly_and_shown(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_env(home) | {"ORDERSYNC_SECRET_ACCESS_TOKEN": "pat-na1-0000-1111"}
    refused = ordersync(home, "account", "add", "crm", "--connector", "hubspot", "--base-url",
                        "https://hubspot.example.net", env=env)
    assert refused.returncode == 2 and "--allow-host" in refused.stderr
    allowed = ordersync(home, "account", "add", "crm", "--connector", "hubspot", "--base-url",
                        "https://hubspot.example.net", "--allow-host", env=env)
    assert allowed.returncode == 0, allowed.stderr
    assert "warning:" in allowed.stderr and "hubspot.example.net" in allowed.stderr
