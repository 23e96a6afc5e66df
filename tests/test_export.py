"""Runs of fixture tasks exported as Playwright scripts, and the scripts run as plain Python."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import Agent, RunStatus
from agent.browser.lifecycle.launch import find_chromium
from agent.cli.demo import PROMPT as APPLY_PROMPT
from agent.cli.demo import SCHEMA as APPLY_SCHEMA
from agent.prompt_reading import Prompt
from agent.testing import PromptLLM
from agent.testing.offline_policy import offline_policy
from tests.engines.jobboard_policy import SALARIES_SCHEMA, jobboard_policy
from tests.engines.policies import totp_sign_in
from tests.test_page_steps import shop_policy

ROOT = Path(__file__).resolve().parents[1]
TOTP_SECRET = "AUQVWE5R4QBTKMGWSFBWQKGCJVTFPRDP"  # fixtures_sites/totp_login/routes.py
PASSWORD = "correct-horse-battery"
ALLOWED_IMPORTS = {
    "__future__",
    "os",
    "pathlib",
    "base64",
    "hashlib",
    "hmac",
    "struct",
    "time",
    "playwright.sync_api",
}


@pytest.fixture
def agent_for(tmp_path: Path) -> Iterator[Callable[..., Agent]]:
    agents: list[Agent] = []

    def make(policy: Callable[[Prompt], Any]) -> Agent:
        agent = Agent(
            llm=PromptLLM(policy),
            data_dir=tmp_path / "data",
            record_video=False,
            progress=False,
            store="sqlite",  # what the CLI reads
        )
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.close()


def run_script(text: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "flow.py"
    path.write_text(text)
    environment = {**os.environ, "CHROMIUM_PATH": find_chromium(), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=90,
    )


def imports_of(text: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def plain(agent: Agent, run_id: str) -> str:
    text = agent.export_script(run_id)
    assert imports_of(text) <= ALLOWED_IMPORTS, imports_of(text)  # nothing from the library
    return text


def download_policy(prompt: Prompt) -> Any:
    if prompt.purpose == "plan":
        if prompt.section("What you did before (oldest first)") or ".pdf" in prompt.text:
            return {"actions": [{"action_type": "COMPLETE"}]}
        return {"actions": [{"action_type": "CLICK", "id": prompt.find(text="Download").id}]}
    return {"user_goal_achieved": True}


def order_policy(prompt: Prompt) -> Any:
    """The order page as a task: type the name, place the order, see it placed."""
    placed = "order placed for" in prompt.page.lower()
    if prompt.purpose == "verify":
        return {"user_goal_achieved": placed}
    if prompt.purpose == "plan" and placed:
        return {"actions": [{"action_type": "COMPLETE"}]}
    if prompt.purpose == "plan":
        return {
            "actions": [
                {"action_type": "INPUT_TEXT", "id": prompt.find(tag="input").id, "text": "Ada"},
                {"action_type": "CLICK", "id": prompt.find(tag="button", text="order").id},
            ]
        }
    return shop_policy(prompt)


def test_a_form_run_exports_and_replays(agent_for, server, tmp_path):
    agent = agent_for(offline_policy)
    run = agent.run_task(
        APPLY_PROMPT, server.url("/lever/apply"), APPLY_SCHEMA, engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    text = plain(agent, run.run_id)
    assert "CHRIS_P_BACON" not in text and '"Chris P Bacon"' in text  # a parameter at the top
    assert "# step 0: Apply for a job" in text
    server.submissions.clear()
    done = run_script(text, tmp_path)
    assert done.returncode == 0, done.stderr
    assert server.submissions[-1].form["name"] == "Chris P Bacon"


def test_a_totp_login_exports_with_its_secrets_read_from_the_environment(
    agent_for, server, tmp_path
):
    agent = agent_for(totp_sign_in("{{PASSWORD}}"))
    agent.add_totp_secret("ada@example.com", TOTP_SECRET)
    run = agent.run_task(
        "Sign in as ada with password {{PASSWORD}}",
        server.url("/totp_login/"),
        engine="skyvern-1.0",
        totp_identifier="ada@example.com",
        max_steps=5,
        secrets={"PASSWORD": PASSWORD},
    )
    assert run.status == RunStatus.completed, run.failure_reason
    text = plain(agent, run.run_id)
    assert PASSWORD not in text and TOTP_SECRET not in text
    assert 'os.environ["PASSWORD"]' in text and "totp_code()" in text
    healing = agent.export_script(run.run_id, heal=True)
    compile(healing, "flow_heal.py", "exec")
    assert '"PASSWORD": PASSWORD, "TOTP_CODE": totp_code' in healing and PASSWORD not in healing
    before = len(server.state["totp_login"]["verified"])
    done = run_script(text, tmp_path, PASSWORD=PASSWORD, TOTP_SECRET=TOTP_SECRET)
    assert done.returncode == 0, done.stderr
    assert len(server.state["totp_login"]["verified"]) == before + 1  # the server took the code


def test_a_download_exports_with_the_file_saved(agent_for, server, tmp_path):
    agent = agent_for(download_policy)
    run = agent.run_task(
        "Download the first invoice", server.url("/invoices/"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed and run.downloaded_files, run.failure_reason
    text = plain(agent, run.run_id)
    assert "page.expect_download()" in text
    done = run_script(text, tmp_path, DOWNLOAD_DIR=str(tmp_path / "got"))
    assert done.returncode == 0, done.stderr
    [saved] = list((tmp_path / "got").iterdir())
    assert saved.name == run.downloaded_files[0].filename and saved.read_bytes().startswith(b"%PDF")


def test_a_skyvern_2_loop_exports_with_a_comment_per_block(agent_for, server, tmp_path):
    agent = agent_for(jobboard_policy("engineer", "salaries", links=False))
    run = agent.run_task(
        "Get the title and salary of each job on this results page",
        server.url("/jobboard/search?q=engineer"),
        SALARIES_SCHEMA,
        max_steps=8,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    text = plain(agent, run.run_id)
    assert text.count("# step") >= 3 and "loop block" in text
    server.requests.clear()
    done = run_script(text, tmp_path)
    assert done.returncode == 0, done.stderr
    visited = [r.path for r in server.requests if r.path.startswith("/jobboard/job/")]
    assert len(visited) == 3  # each item's page, as the run visited them


def test_a_healing_script_asks_the_model_once_when_a_label_changed(agent_for, server, tmp_path):
    from agent.fake_providers import FakeOpenAI

    agent = agent_for(order_policy)
    run = agent.run_task("Order tea as Ada", server.url("/onpage/"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed, run.failure_reason
    healing = agent.export_script(run.run_id, heal=True)
    assert "from agent import Agent" in healing and "heal(lambda: page.locator(" in healing
    changed = server.url("/onpage/?label=Confirm+order")
    with FakeOpenAI(order_policy) as model:
        wiring = model.agent_kwargs()
        env = {
            "AGENT_LLM": wiring["llm"],
            "AGENT_LLM_BASE_URL": wiring["llm_base_url"],
            "OPENAI_API_KEY": wiring["llm_options"]["api_key"],
            "AGENT_DATA_DIR": str(tmp_path / "heal-data"),
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "LITELLM_OFFLINE_MODE": "true",
        }
        same = run_script(healing, tmp_path, **env)
        assert same.returncode == 0, same.stderr
        assert model.model_calls() == []  # an unchanged page needs no model
        healed = run_script(healing, tmp_path, START_URL=changed, STEP_TIMEOUT_MS="1500", **env)
        assert healed.returncode == 0, healed.stderr
        assert [c.purpose for c in model.model_calls()] == ["page_act"]  # exactly one call
    assert "healing: click the button" in healed.stdout
    broken = run_script(
        plain(agent, run.run_id), tmp_path, START_URL=changed, STEP_TIMEOUT_MS="1500"
    )
    assert broken.returncode != 0 and "Place order" in broken.stderr  # plain: the step fails loudly


def test_the_cli_prints_the_script(agent_for, server, tmp_path, capsys):
    from agent.cli import EXIT_USAGE, main

    agent = agent_for(offline_policy)
    run = agent.run_task(
        APPLY_PROMPT, server.url("/lever/apply"), APPLY_SCHEMA, engine="skyvern-1.0"
    )
    expected = agent.export_script(run.run_id, heal=True)
    agent.close()
    data = ["--data-dir", str(tmp_path / "data")]
    assert main([*data, "export", run.run_id, "--heal"]) == 0
    assert capsys.readouterr().out == expected
    assert main([*data, "export", "tsk_0"]) == EXIT_USAGE
    assert "tsk_0" in capsys.readouterr().err
