"""``make test`` installs the servers the suite needs where it can, and says the command
where it cannot (the decision, tested without touching the system)."""

from __future__ import annotations

from pathlib import Path

import pytest

import agent.browser.lifecycle.setup as browser_setup
from agent.browser.lifecycle.setup import Setup, apt_prefix, ensure_servers, postgres_bin

MAKEFILE = Path(__file__).resolve().parents[1] / "Makefile"


def test_apt_runs_as_root_through_passwordless_sudo_or_not_at_all():
    assert apt_prefix(0, lambda: False) == []
    assert apt_prefix(1000, lambda: True) == ["sudo", "-n"]
    assert apt_prefix(1000, lambda: False) is None


def test_make_test_installs_the_servers_before_running():
    text = MAKEFILE.read_text()
    assert "test: test-deps" in text
    assert "agent.browser.lifecycle.setup --log $(SETUP_LOG) --servers" in text


def _pretend(monkeypatch, *, here: bool, euid: int, sudo: bool) -> list[list[str]]:
    ran: list[list[str]] = []
    monkeypatch.setattr(
        browser_setup, "missing_servers", lambda: [] if here or ran else ["redis-server"]
    )
    monkeypatch.setattr(browser_setup.os, "geteuid", lambda: euid)
    monkeypatch.setattr(browser_setup, "_passwordless_sudo", lambda: sudo)
    monkeypatch.setattr(browser_setup.shutil, "which", lambda name: f"/usr/bin/{name}")

    def run(self: Setup, cmd: list[str]) -> bool:
        ran.append(cmd)
        return True

    monkeypatch.setattr(Setup, "run", run)
    return ran


def test_without_root_the_exact_command_is_said_and_nothing_runs(monkeypatch, tmp_path, capsys):
    ran = _pretend(monkeypatch, here=False, euid=1000, sudo=False)
    assert ensure_servers(Setup(tmp_path / "setup.log")) is False
    assert ran == []
    out = capsys.readouterr().out
    assert "sudo apt-get install -y redis-server" in out and "skipped" in out


@pytest.mark.parametrize(("euid", "sudo", "prefix"), [(0, False, []), (1000, True, ["sudo", "-n"])])
def test_with_root_or_sudo_apt_installs_quietly_into_the_log(
    monkeypatch, tmp_path, capsys, euid, sudo, prefix
):
    ran = _pretend(monkeypatch, here=False, euid=euid, sudo=sudo)
    assert ensure_servers(Setup(tmp_path / "setup.log")) is True
    assert ran[0] == [*prefix, "apt-get", "update", "-qq"]
    assert ran[1][: len(prefix)] == prefix and ran[1][-4:] == [
        "install",
        "-y",
        "-qq",
        "redis-server",
    ]
    assert "installed now" in capsys.readouterr().out


def test_the_installed_postgres_is_found_whatever_its_version():
    found = postgres_bin()
    if found is None:
        pytest.skip("no PostgreSQL on this machine")
    assert (found / "initdb").exists() and (found / "postgres").exists()
