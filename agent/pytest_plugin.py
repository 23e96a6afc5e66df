"""pytest fixtures for testing your own automations the way this library's suite does.

Installed with the package (a ``pytest11`` entry point), so the fixtures are there in any
project that has ``local-browser-agent`` installed:

- ``agent_site``: your pages (the folder named by the ``agent_pages`` ini option, default
  ``pages/``) served on 127.0.0.1; ``agent_site.url("/signup/")``, and every form post in
  ``agent_site.submissions``. With pytest-base-url's ``--base-url``, that server is used
  instead and nothing is started.
- ``agent_policy``: **yours to override**: a function ``policy(prompt)`` answering as the
  model would from what it is sent: ``prompt`` is an :class:`agent.llm.prompt_reading.Prompt`
  (``.purpose``, ``.messages``, ``.text``, ``.page``, ``.find(...)``, ``.goal``, ...), as
  for ``agent.testing.stand_ins.PromptLLM``.
- ``fake_openai`` / ``fake_ollama``: :mod:`agent.fake_providers` servers answering from
  ``agent_policy`` over HTTP, with recorded calls and injectable faults.
- ``agent``: an :class:`~agent.Agent` on a fresh ``data_dir`` whose model is your policy,
  reached over the OpenAI protocol (``agent_provider = openai``, the default), the Ollama
  one (``ollama``) or in-process (``direct``); set it with the ``agent_provider`` ini
  option or ``--agent-provider``.

- ``ai``: AI steps on pytest-playwright's ``page`` fixture, with the ``agent`` fixture's
  model (your ``agent_policy``, so the tests stay offline): ``ai.act("log in as member")``,
  ``ai.extract(...)``, ``ai.observe(...)``, ``ai.check(...)``, then ordinary
  ``expect(page...)`` assertions (:meth:`agent.Agent.on`, docs/page-steps.md). Needs
  pytest-playwright.

With pytest-playwright installed, its ``--headed`` shows the agent's browser and
``--browser-channel`` (``chrome``, ``msedge``, ``chromium``) picks which browser it drives.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PROVIDERS = ("openai", "ollama", "direct")
_CHANNELS = {
    "chromium": ("chromium", "chromium-browser"),
    "chrome": ("google-chrome", "google-chrome-stable"),
    "chrome-beta": ("google-chrome-beta",),
    "msedge": ("microsoft-edge", "microsoft-edge-stable"),
    "msedge-beta": ("microsoft-edge-beta",),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agent", "local browser agent")
    group.addoption(
        "--agent-provider",
        choices=PROVIDERS,
        default=None,
        help="how the `agent` fixture reaches agent_policy: openai, ollama (over HTTP) or direct",
    )
    parser.addini("agent_pages", "folder of pages the agent_site fixture serves", default="pages")
    parser.addini("agent_provider", "default for --agent-provider", default="openai")


class RemoteSite:
    """Pages already served elsewhere (pytest-base-url's ``--base-url``)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def url(self, path: str = "/") -> str:
        return self.base_url + ("" if path.startswith("/") else "/") + path


@pytest.fixture(scope="session")
def agent_pages_dir(pytestconfig: pytest.Config) -> Path:
    """The folder ``agent_site`` serves (the ``agent_pages`` ini option, from the rootdir)."""
    return (pytestconfig.rootpath / str(pytestconfig.getini("agent_pages"))).resolve()


@pytest.fixture(scope="session")
def agent_site(pytestconfig: pytest.Config, agent_pages_dir: Path) -> Iterator[Any]:
    """Your pages on 127.0.0.1 (a ``FixtureServer``), or the ``--base-url`` server if given."""
    base_url = pytestconfig.getoption("base_url", None) or _ini(pytestconfig, "base_url")
    if base_url:
        yield RemoteSite(str(base_url))
        return
    if not agent_pages_dir.is_dir():
        raise pytest.UsageError(
            f"agent_site serves {agent_pages_dir}, which is not a folder: create it, or set "
            "`agent_pages = <folder>` in your pytest ini, or pass --base-url"
        )
    from fixtures_sites.server import FixtureServer

    with FixtureServer(agent_pages_dir, max_lifetime=6 * 3600) as server:
        yield server


@pytest.fixture
def agent_policy() -> Any:
    """Override me: ``return policy`` where ``policy(prompt)`` answers as the model."""
    raise pytest.UsageError(
        "the agent fixtures need a model policy: define an `agent_policy` fixture in your "
        "conftest.py returning a function `policy(prompt) -> dict` (see docs/testing.md)"
    )


@pytest.fixture
def fake_openai(agent_policy: Any) -> Iterator[Any]:
    """An OpenAI-compatible server on 127.0.0.1 answering from ``agent_policy``."""
    from agent.fake_providers import FakeOpenAI

    with FakeOpenAI(agent_policy) as server:
        yield server


@pytest.fixture
def fake_ollama(agent_policy: Any) -> Iterator[Any]:
    """An Ollama-compatible server on 127.0.0.1 answering from ``agent_policy``."""
    from agent.fake_providers import FakeOllama

    with FakeOllama(agent_policy) as server:
        yield server


@pytest.fixture
def agent(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config, tmp_path: Path, agent_policy: Any
) -> Iterator[Any]:
    """An ``Agent`` whose model is ``agent_policy``, on a fresh ``data_dir``, closed after."""
    from agent import Agent

    provider = pytestconfig.getoption("agent_provider") or pytestconfig.getini("agent_provider")
    if provider not in PROVIDERS:
        raise pytest.UsageError(f"agent_provider = {provider!r}: choose one of {PROVIDERS}")
    if provider == "direct":
        wiring: dict[str, Any] = {"llm": _direct_double(agent_policy)}
    else:
        server = request.getfixturevalue("fake_openai" if provider == "openai" else "fake_ollama")
        wiring = server.agent_kwargs()
    with Agent(
        **wiring,
        data_dir=tmp_path / "agent-data",
        headless=not pytestconfig.getoption("headed", False),
        browser_path=_browser_for_channel(pytestconfig.getoption("browser_channel", None)),
        record_video=False,
        progress=False,
    ) as instance:
        yield instance


@pytest.fixture
def ai(request: pytest.FixtureRequest, agent: Any) -> Any:
    """``agent.on(page)`` for pytest-playwright's ``page``: AI steps inside your own test."""
    try:
        page = request.getfixturevalue("page")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(
            "the `ai` fixture drives pytest-playwright's `page` fixture: "
            "pip install pytest-playwright (or define a `page` fixture of your own)"
        ) from None
    return agent.on(page)


def _ini(config: pytest.Config, name: str) -> Any:
    try:
        return config.getini(name)
    except ValueError:  # no plugin registered that ini name
        return None


def _direct_double(policy: Any) -> Any:
    """The in-process stand-in: ``PromptLLM``, which hands the policy only what was sent."""
    from agent.testing.stand_ins import PromptLLM

    return PromptLLM(policy)


def _browser_for_channel(channel: str | None) -> str | None:
    if not channel:
        return None
    names = _CHANNELS.get(channel)
    if names is None:
        raise pytest.UsageError(
            f"--browser-channel {channel}: the agent drives Chromium-family browsers "
            f"({', '.join(_CHANNELS)})"
        )
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise pytest.UsageError(
        f"--browser-channel {channel}: none of {', '.join(names)} is on PATH; install it "
        "or drop the option to use the Chromium the agent finds"
    )
