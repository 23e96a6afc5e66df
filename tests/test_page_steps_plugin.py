"""The plugin's ``ai`` fixture on pytest-playwright's ``page``, tried on a user project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_pytest_plugin import PLUGINS

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = """
import re
import pytest
from agent.browser.lifecycle.launch import find_chromium

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": find_chromium()}

def policy(prompt):
    # Answer from the prompt alone, as a model would.
    if prompt.purpose == "page_act":
        field = prompt.find(tag="input")
        button = prompt.find(tag="button", text="order")
        return {"actions": [
            {"action_type": "INPUT_TEXT", "id": field.id, "text": "Ada"},
            {"action_type": "CLICK", "id": button.id},
        ]}
    if prompt.purpose == "page_check":
        return {"holds": "Order placed for Ada" in prompt.page,
                "evidence": re.search(r"Order placed for \\w+|Your order", prompt.page).group(0)}
    raise AssertionError(prompt.purpose)

@pytest.fixture
def agent_policy():
    return policy
"""

TEST = """
from playwright.sync_api import expect

def test_order(ai, page, agent_site):
    page.goto(agent_site.url("/"))
    ai.act("order as Ada")
    expect(page.locator("#message")).to_have_text("Order placed for Ada")
    ai.check("the page confirms the order for Ada")
    assert [call.kind for call in ai.history] == ["act", "check"]

def test_a_failed_check_says_what_the_page_showed(ai, page, agent_site):
    page.goto(agent_site.url("/"))
    ai.check("the order was placed")
"""


@pytest.mark.parametrize("provider", ["openai", "direct"])
def test_the_ai_fixture_drives_pytest_playwrights_page(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    site = pytester.mkdir("site")
    shutil.copy(ROOT / "fixtures_sites" / "onpage" / "index.html", site / "index.html")
    pytester.makeini("[pytest]\nagent_pages = site\n")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_order=TEST)
    result = pytester.runpytest_subprocess(*PLUGINS, f"--agent-provider={provider}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: check failed*the page showed: Your order*"])
