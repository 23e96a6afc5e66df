"""A headed browser on a machine with no display: a clear error with the fix, not Playwright's."""

from __future__ import annotations

import pytest

from agent import Agent, RunStatus
from agent.browser.lifecycle.launch import check_display
from agent.records.errors import ConfigError
from agent.testing import PromptLLM
from fixtures_sites.server import FixtureServer


def _no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


def test_check_display_names_the_missing_display_and_the_fixes(monkeypatch):
    _no_display(monkeypatch)
    check_display(True)  # headless needs no display
    with pytest.raises(ConfigError) as caught:
        check_display(False)
    message = str(caught.value)
    assert "DISPLAY and WAYLAND_DISPLAY are unset" in message
    assert "xvfb-run" in message and "headless=True" in message
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    check_display(False)


@pytest.mark.timeout(120)
def test_a_headed_run_without_a_display_fails_saying_so(
    monkeypatch, tmp_path, server: FixtureServer
):
    _no_display(monkeypatch)

    def policy(prompt):
        raise AssertionError("no model call: the browser cannot start")

    agent = Agent(
        llm=PromptLLM(policy), data_dir=tmp_path, progress=False, record_video=False, headless=False
    )
    try:
        run = agent.run_task("Look", server.url("/faults/steady.html"), engine="skyvern-1.0")
    finally:
        agent.close()
    assert run.status == RunStatus.failed
    assert "needs a display" in run.failure_reason, run.failure_reason
    assert "xvfb-run" in run.failure_reason
    assert "Target page, context or browser has been closed" not in run.failure_reason
