"""The systemd unit and the container file only use commands, options and variables that really exist."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ordersync_app.cli.main import build_parser

ROOT = Path(__file__).parents[2]
SERVER = ROOT / "packaging" / "server"
UNIT = SERVER / "ordersync-worker.service"
CONTAINERFILE = SERVER / "Containerfile"
SOURCE = "\n".join(p.read_text("utf-8") for p in (ROOT / "src" / "ordersync_app").rglob("*.py"))


def _unit_entries() -> list[tuple[str, str, str]]:
    """(section, key, value) of every assignment (systemd allows a key more than once)."""
    section, out = "", []
    for raw in UNIT.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.append((section, key.strip(), value.strip()))
    return out


def _worker_help() -> str:
    result = subprocess.run([sys.executable, "-m", "ordersync_app", "worker", "--help"], capture_output=True,
                            text=True, timeout=60, check=True)
    return result.stdout


def _check_command(argv: list[str], help_text: str) -> None:
    assert argv[0] == "worker"
    for option in (a.split("=", 1)[0] for a in argv if a.startswith("--")):
        assert option in help_text, f"ordersync worker has no option {option}"
    args = build_parser().parse_args(argv)  # values are valid too (choices, HOST:PORT given)
    assert args.func.__name__ == "cmd_worker"


def _env_names(text: str) -> set[str]:
    return set(re.findall(r"\bORDERSYNC_[A-Z_]+\b", text))


def test_the_systemd_unit_runs_a_real_worker_command_hardened() -> None:
    entries = _unit_entries()
    service = {k: v for s, k, v in entries if s == "Service"}
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/bin/ordersync")
    _check_command(argv[1:], _worker_help())
    assert service["Restart"] == "on-failure"
    assert service["ProtectSystem"] == "strict"
    assert service.get("DynamicUser") == "yes" or service.get("User") not in (None, "root")
    assert service["NoNewPrivileges"] == "yes"
    home = [v for s, k, v in entries if k == "Environment" and v.startswith("ORDERSYNC_HOME=")]
    assert home == [f"ORDERSYNC_HOME=/var/lib/{service['StateDirectory']}"]  # the one writable place
    credential = service["LoadCredential"].split(":")[0]
    assert f"ORDERSYNC_KEYRING_PASSPHRASE_FILE=%d/{credential}" in [v for _, k, v in entries if k == "Environment"]
    assert _env_names(UNIT.read_text("utf-8")) <= _env_names(SOURCE)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """``systemd-analyze verify`` on a copy that runs this checkout's ``ordersync`` as the current user."""
    ordersync = Path(sys.executable).parent / "ordersync"
    text = UNIT.read_text("utf-8").replace("/opt/ordersync/bin/ordersync", str(ordersync))
    text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.MULTILINE)
    copy = tmp_path / "ordersync-worker.service"
    copy.write_text(text, "utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60,
                            check=False)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if str(copy) in line
                or "Unknown" in line or "ignoring" in line.lower()]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text("utf-8"))
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_containerfile_runs_a_real_worker_as_non_root_with_a_healthcheck() -> None:
    steps = _instructions()
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    final = steps[last_from:]
    base = final[0][1]
    assert re.search(r"python:3\.1[1-9]-slim$", base), base
    entrypoint = json.loads(next(rest for word, rest in final if word == "ENTRYPOINT"))
    command = json.loads(next(rest for word, rest in final if word == "CMD"))
    assert entrypoint == ["ordersync"]
    _check_command(command, _worker_help())
    user = next(rest for word, rest in final if word == "USER")
    assert user.split(":")[0] not in ("root", "0")
    port = command[command.index("--listen") + 1].rsplit(":", 1)[1]
    assert f"EXPOSE {port}" in {f"{w} {r}" for w, r in final}
    health = next(rest for word, rest in final if word == "HEALTHCHECK")
    probe = json.loads(health.split("CMD", 1)[1].strip())
    assert f"http://127.0.0.1:{port}/healthz" in probe[-1]
    compile(probe[-1], "<healthcheck>", "exec")  # the probe is valid Python
    install = next(rest for word, rest in final if word == "RUN" and "pip install" in rest)
    assert "[postgres]" in install
    assert "postgres = [" in (ROOT / "pyproject.toml").read_text("utf-8")  # the extra exists
    assert _env_names(CONTAINERFILE.read_text("utf-8")) <= _env_names(SOURCE)


def test_the_server_guide_is_linked_and_names_the_files() -> None:
    guide = (ROOT / "docs" / "server.md").read_text("utf-8")
    assert "docs/server.md" in (ROOT / "README.md").read_text("utf-8")
    for name in ("packaging/server/ordersync-worker.service", "packaging/server/Containerfile", "/healthz",
                 "ORDERSYNC_KEYRING_PASSPHRASE_FILE", "--log-format json", "ORDERSYNC_DATABASE_URL"):
        assert name in guide, name
    assert _env_names(guide) <= _env_names(SOURCE)
