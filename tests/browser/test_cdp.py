"""Runs in a browser reached over CDP (``AGENT_BROWSER_CDP_URL``) instead of a launched one."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

from agent import Agent, RunStatus
from agent.browser.lifecycle.launch import CHROMIUM_ARGS, find_chromium
from agent.records.config import Settings
from tests.queue.policy import make_llm
from tests.services import free_port


@pytest.fixture
def remote_chromium(tmp_path) -> Iterator[str]:
    """A headless Chromium of its own, listening for CDP on a free 127.0.0.1 port."""
    port = free_port()
    flags = [f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1"]
    flags += [f"--user-data-dir={tmp_path / 'profile'}", *CHROMIUM_ARGS, "about:blank"]
    proc = subprocess.Popen(
        [find_chromium(), "--headless=new", *flags],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/json/version", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("Chromium did not open its CDP port") from None
            time.sleep(0.2)
    yield url
    proc.kill()
    proc.wait(10)


def _pages(url: str) -> list[str]:
    with urllib.request.urlopen(f"{url}/json/list", timeout=5) as answer:
        return [t["url"] for t in json.loads(answer.read()) if t["type"] == "page"]


def test_runs_drive_the_browser_at_the_cdp_url(tmp_path, server, remote_chromium):
    settings = Settings(browser_cdp_url=remote_chromium)
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:  # what the remote browser shows while the run goes
        while not done.wait(0.1):
            seen.update(_pages(remote_chromium))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with Agent(llm=make_llm(), settings=settings, data_dir=tmp_path, record_video=False) as agent:
        run = agent.run_task("List the products", server.url("/products/"), engine="skyvern-1.0")
        assert run.status == RunStatus.completed, run.failure_reason
        assert len(run.output["products"]) == 10
        assert agent.launched_browser is None  # nothing was launched here
    done.set()
    watcher.join(10)
    assert server.url("/products/") in seen  # the run's page was open in that browser
    assert _pages(remote_chromium) == ["about:blank"]  # it lives on; the run's tab is closed


def test_an_unreachable_cdp_url_fails_the_run_with_the_fix(tmp_path, server):
    dead = f"http://127.0.0.1:{free_port()}"
    settings = Settings(browser_cdp_url=dead)
    with Agent(llm=make_llm(), settings=settings, data_dir=tmp_path, record_video=False) as agent:
        run = agent.run_task("List the products", server.url("/products/"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert f"No browser answers over CDP at {dead}" in run.failure_reason
    assert "AGENT_BROWSER_CDP_URL" in run.failure_reason
