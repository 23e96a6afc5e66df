"""The pytest plugin, tried on a tiny user project with ``pytester``.

Plugin autoloading is off in the inner sessions and the plugins are named with ``-p``,
so the result does not depend on what this venv has installed: ours and pytest-playwright
(which brings ``--base-url`` when pytest-base-url is absent), as a user would have them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PLUGINS = [
    "-p",
    "agent.pytest_plugin",
    "-p",
    "pytest_playwright.pytest_playwright",
    "-p",
    "no:cacheprovider",
]

SIGNUP_PAGE = """<!doctype html><html><head><title>Join the club</title></head><body>
<h1>Join the club</h1>
<form method="post" action="/signup/">
  <label>Your name <input name="member"></label>
  <button type="submit">Join</button>
</form></body></html>
"""

CONFTEST = """
import pytest

def policy(prompt):
    # Answer from the prompt alone, as a model would.
    received = "received" in prompt.page.lower()
    if prompt.purpose == "plan":
        if received:
            return {"actions": [{"action_type": "COMPLETE", "reason": "the page says so"}]}
        field = prompt.find(tag="input", name="member")
        button = prompt.find(tag="button", text="join")
        return {"actions": [
            {"action_type": "INPUT_TEXT", "id": field.id, "text": "Ada"},
            {"action_type": "CLICK", "id": button.id},
        ]}
    if prompt.purpose == "verify":
        return {"user_goal_achieved": received, "thoughts": "read the page"}
    raise AssertionError(prompt.purpose)

@pytest.fixture
def agent_policy():
    return policy
"""

TEST_SIGNUP = """
def test_signup(agent, agent_site, request):
    run = agent.run_task("Join the club as Ada", agent_site.url("/signup/"), engine="skyvern-1.0")
    assert run.status.value == "completed", run.failure_reason
    assert agent_site.submissions[-1].form == {"member": "Ada"}
    if request.config.getoption("agent_provider") == "openai":  # the calls went over HTTP
        fake = request.getfixturevalue("fake_openai")
        assert fake.model_calls()[0].purpose == "plan"
        assert fake.reported_tokens() == (run.input_token_count, run.output_token_count)
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))  # this checkout
    pages = pytester.mkdir("site")
    (pages / "signup").mkdir()
    (pages / "signup" / "index.html").write_text(SIGNUP_PAGE)
    pytester.makeini("[pytest]\nagent_pages = site\n")
    return pytester


TEST_WITH_OLLAMA = """
from agent import Agent

def test_signup_through_fake_ollama(agent_site, fake_ollama, tmp_path):
    with Agent(**fake_ollama.agent_kwargs(), data_dir=tmp_path, record_video=False) as agent:
        run = agent.run_task("Join the club as Ada", agent_site.url("/signup/"), engine="skyvern-1.0")
    assert run.status.value == "completed", run.failure_reason
    assert fake_ollama.model_calls()[0].path == "/api/chat"
"""


@pytest.mark.parametrize("provider", ["openai", "direct"])
def test_a_user_project_tests_its_page(project, provider):
    project.makeconftest(CONFTEST)
    project.makepyfile(test_signup=TEST_SIGNUP, test_ollama=TEST_WITH_OLLAMA)
    result = project.runpytest_subprocess(*PLUGINS, f"--agent-provider={provider}")
    result.assert_outcomes(passed=2)


def test_playwright_options_are_honoured_and_a_missing_policy_is_explained(project, server):
    project.makepyfile(
        test_options=f"""
import pytest

@pytest.fixture
def agent_policy():
    return lambda prompt: {{}}

def test_options(agent, agent_site):
    assert agent.headless is False  # --headed
    assert "chromium" in agent.browser_path  # --browser-channel
    assert agent_site.url("/x") == "{server.base_url}/x"  # --base-url: nothing started
""",
        test_nopolicy="def test_without_a_policy(agent):\n    pass\n",
    )
    result = project.runpytest(
        *PLUGINS, "--headed", "--browser-channel=chromium", f"--base-url={server.base_url}"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*define an `agent_policy` fixture in your conftest.py*"])


def test_the_entry_point_is_declared():
    tomllib = pytest.importorskip("tomllib")

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    entry_points = pyproject["project"]["entry-points"]["pytest11"]
    assert entry_points == {"local_browser_agent": "agent.pytest_plugin"}
