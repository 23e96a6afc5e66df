"""Secrets: a login with secrets through the public API leaves the values nowhere.

The stand-in model reads only the messages it is sent. It obeys the goal it reads
("sign in as X with password Y") and so types exactly what the prompt shows it: the
placeholders. Every artifact of the run is then searched for the values.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from agent import Agent
from agent.integrations.secrets import Secrets, from_env, resolve_secrets
from agent.prompt_reading import Prompt
from agent.records.errors import InvalidRequestError
from agent.testing import PromptLLM
from fixtures_sites.webhook_receiver.routes import SIGNING_KEY

USERNAME, PASSWORD = "chris", "p@ssw0rd!"  # fixtures_sites/login/routes.py
GOAL = f"Sign in as {USERNAME} with password {PASSWORD}, then tell me my plan."
SCHEMA = {"type": "object", "properties": {"plan": {"type": "string"}}}


def login_stand_in(request: Prompt) -> Any:
    """Types what the goal in the prompt says (the placeholders), then reads the plan."""
    text = request.text
    if request.purpose == "plan":
        if "Welcome back" in request.page:
            return {"actions": [{"action_type": "EXTRACT", "reasoning": "the plan is shown"}]}
        who = re.search(r"Sign in as (\S+) with password (\S+?),", text)
        user = request.find(tag="input", name="username")
        secret = request.find(tag="input", name="password")
        button = request.find(tag="button", text="Sign in")
        assert who and user and secret and button, text
        return {
            "actions": [
                {"action_type": "INPUT_TEXT", "id": user.id, "text": who.group(1)},
                {"action_type": "INPUT_TEXT", "id": secret.id, "text": who.group(2)},
                {"action_type": "CLICK", "id": button.id},
            ]
        }
    if request.purpose == "extract":
        plan = re.search(r"Your plan: (\w+)", text)
        return {"plan": plan.group(1) if plan else None}
    if request.purpose == "verify":
        return {"user_goal_achieved": "Welcome back" in text, "thoughts": "signed in"}
    # skyvern-2.0: one navigate block, then the validator and the summary.
    if request.purpose == "plan_v2":
        done = '"plan": "Gold"' in text
        return {
            "user_goal_achieved": done,
            "should_terminate": False,
            "task_type": "navigate",
            "plan": "Sign in and read the plan shown on the members page",
        }
    if request.purpose == "validate_v2":
        return {"user_goal_achieved": '"plan": "Gold"' in text, "should_terminate": False}
    if request.purpose == "summarize_v2":
        plan = re.search(r'"plan": "(\w+)"', text)
        return {"description": "signed in", "output": {"plan": plan.group(1) if plan else None}}
    return {}


def forms_of(value: str) -> list[str]:
    return sorted({value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]})


def leaks(blob: bytes, values: list[str]) -> list[str]:
    return [form for value in values for form in forms_of(value) if form.encode() in blob]


@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_a_login_with_secrets_leaves_the_values_nowhere(engine, server, tmp_path, caplog, capfd):
    data_dir = tmp_path / "data"
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    stand_in = PromptLLM(login_stand_in)
    secrets = {"USERNAME": USERNAME, "PASSWORD": PASSWORD}
    try:
        with Agent(
            llm=stand_in,
            store=str(data_dir / "agent.db"),
            data_dir=data_dir,
            progress=True,
            record_video=False,
            webhook_key=SIGNING_KEY,
        ) as agent:
            run = agent.run_task(
                GOAL,
                server.url("/login/"),
                SCHEMA,
                engine=engine,
                max_steps=4,
                secrets=secrets,
                webhook_url=server.url("/hooks/ok"),
                publish_workflow=True,
            )
            assert run.status == "completed", run.failure_reason
            assert run.output == {"plan": "Gold"}
            # The site really got the values, typed at the right moment.
            login = server.submissions_to("/login/session")[-1]
            assert (login.form["username"], login.form["password"]) == (USERNAME, PASSWORD)
            # The request keeps the names, and the prompt its placeholders.
            assert run.run_request.secrets == ["PASSWORD", "USERNAME"]
            assert run.run_request.prompt == (
                "Sign in as {{USERNAME}} with password {{PASSWORD}}, then tell me my plan."
            )
            report = Path(agent.report(run.run_id))
            steps = agent.list_steps(run.run_id)
            cards = run._repr_html_() + "".join(s._repr_html_() for s in steps)
            typed = [a["text"] for s in steps for a in s.actions if a.get("text")]
            assert typed == ["{{USERNAME}}", "{{PASSWORD}}"]
            workflow = agent.get_workflow(run.workflow_id)
            assert workflow["secrets"] == ["PASSWORD", "USERNAME"]
            # A replay takes the values from its own secrets.
            submitted = len(server.submissions_to("/login/session"))
            replay = agent.run_workflow(run.workflow_id, secrets=secrets)
            assert replay.status == "completed", replay.failure_reason
            again = server.submissions_to("/login/session")[submitted:]
            assert [r.form["password"] for r in again] == [PASSWORD]
            with pytest.raises(InvalidRequestError, match="no value"):
                agent.run_workflow(run.workflow_id)  # the workflow names them; no values given
    finally:
        root.removeHandler(handler)
        handler.close()
    out, err = capfd.readouterr()
    assert "step" in err  # the progress lines were printed, and searched below
    hooks = [
        d["body"]
        for d in server.state["webhook_receiver"]["received"]
        if (d["payload"] or {}).get("run_id") == run.run_id
    ]
    assert len(hooks) == 1
    messages = json.dumps([c.messages for c in stand_in.prompts]).encode()
    assert "{{PASSWORD}}" in messages.decode() and "{{USERNAME}}" in messages.decode()

    values = [USERNAME, PASSWORD]
    found: dict[str, list[str]] = {}
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files) and report in files
    assert len(files) > 10
    for path in files:
        hit = leaks(path.read_bytes(), values)
        if hit:
            found[str(path.relative_to(data_dir))] = hit
    for name, blob in [
        ("debug log", log_file.read_bytes()),
        ("captured log", caplog.text.encode()),
        ("stdout+stderr", (out + err).encode()),
        ("model messages", messages),
        ("webhook", b"".join(hooks)),
        ("notebook cards", cards.encode()),
        ("workflow", json.dumps(workflow).encode()),
    ]:
        hit = leaks(blob, values)
        if hit:
            found[name] = hit
    assert found == {}
    assert log_file.stat().st_size > 1000  # DEBUG logging really ran


def test_secret_values_in_the_prompt_become_placeholders_and_sources_are_checked(monkeypatch):
    monkeypatch.setenv("PW_FOR_TEST", "from-the-env-1")
    secrets = resolve_secrets({"A": "plain-value"}, {"B": from_env("PW_FOR_TEST")})
    assert secrets.names == ["A", "B"] and "from-the-env" not in repr(secrets)
    assert secrets.redact("a=plain-value b=from-the-env-1") == "a={{A}} b={{B}}"
    assert secrets.fill("{{B}}!") == ("from-the-env-1!", True)
    assert secrets.fill("{{C}}") == ("{{C}}", False)
    for bad, message in [
        ({"bad name": "value"}, "not usable as a placeholder"),
        ({"X": "ab"}, "shorter than 3"),
        ({"X": 12345}, "must be a string"),
        ({"X": from_env("NOT_SET_ANYWHERE_42")}, "NOT_SET_ANYWHERE_42 is not set"),
    ]:
        with pytest.raises(InvalidRequestError, match=message):
            resolve_secrets(bad)
    assert not Secrets() and Secrets().redact("x") == "x"


def test_agent_secrets_from_the_environment_reach_every_run(server, tmp_path, monkeypatch):
    monkeypatch.setenv("AGENT_SECRET_PASSWORD", PASSWORD)
    monkeypatch.setenv("AGENT_SECRET_USERNAME", USERNAME)
    from agent.records.config import Settings

    with Agent(
        llm=PromptLLM(login_stand_in),
        data_dir=tmp_path,
        progress=False,
        record_video=False,
        settings=Settings.from_env(),
    ) as agent:
        run = agent.run_task(GOAL, server.url("/login/"), SCHEMA, engine="skyvern-1.0")
        assert run.status == "completed", run.failure_reason
        assert PASSWORD not in run.model_dump_json()
    assert server.submissions_to("/login/session")[-1].form["password"] == PASSWORD
