"""Workflows: publish a completed run, replay it without the model, heal a changed page."""

from __future__ import annotations

import pytest

from agent import Agent, InvalidRequestError, RunNotFoundError, RunStatus
from agent.browser.seeing.locators import find
from agent.records.observation import Element, Observation, Viewport
from agent.testing import offline_llm
from agent.workflows.params import parameterize, resolve
from engines.replay import _rebase, same_page
from fixtures_sites.server import FixtureServer

SEED_PROMPT = (
    "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
)
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}


@pytest.fixture(scope="module")
def llm():
    return offline_llm()


@pytest.fixture(scope="module")
def agent(llm, tmp_path_factory):
    with Agent(
        llm=llm, data_dir=tmp_path_factory.mktemp("workflows"), record_video=False, progress=False
    ) as agent:
        yield agent


@pytest.fixture(scope="module")
def seed_run(agent, server: FixtureServer):
    """The seed job application, published on completion (``publish_workflow=True``)."""
    run = agent.run_task(
        SEED_PROMPT,
        server.url("/lever/apply"),
        engine="skyvern-1.0",
        max_steps=5,
        publish_workflow=True,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    return run


def fallbacks(agent: Agent, run_id: str) -> list[bool]:
    return [a["replay"]["fallback"] for s in agent.list_steps(run_id) for a in s.actions]


def test_published_run_replays_for_a_second_applicant_without_the_model(
    agent, llm, seed_run, server
):
    workflow = agent.get_workflow(seed_run.workflow_id)
    assert workflow["workflow_id"].startswith("wpid_")
    assert workflow["goal"] == (
        "Apply for a job on behalf of this person: name: {{name}}. email: {{email}}"
    )
    assert workflow["parameters"] == [
        {"key": "name", "default": "Chris P Bacon", "description": "typed into Full name"},
        {"key": "email", "default": "chris@pbacon.com", "description": "typed into Email"},
    ]
    assert [(a["action_type"], a.get("text")) for a in workflow["actions"]] == [
        ("INPUT_TEXT", "{{name}}"),
        ("INPUT_TEXT", "{{email}}"),
        ("CLICK", None),
    ]
    first = workflow["actions"][0]
    assert first["url"] == server.url("/lever/apply")
    assert first["locators"][0]["name"] == "Full name"
    assert first["locators"][0]["attributes"]["name"] == "name"
    assert workflow["end"] == {"url": server.url("/lever/apply"), "title": "Application submitted"}
    assert workflow["workflow_id"] in [w["workflow_id"] for w in agent.list_workflows()]

    calls = len(llm.calls)
    replay = agent.run_workflow(workflow["workflow_id"], ADA)
    assert replay.status == RunStatus.completed, replay.failure_reason
    assert len(llm.calls) == calls and replay.llm_calls == 0
    assert replay.workflow_id == workflow["workflow_id"] and replay.run_id != seed_run.run_id
    assert replay.run_request.prompt.endswith("name: Ada Lovelace. email: ada@example.com")
    sent = server.wait_for_submission("/lever/apply")
    assert (sent.form["name"], sent.form["email"]) == ("Ada Lovelace", "ada@example.com")
    assert fallbacks(agent, replay.run_id) == [False, False, False]
    assert agent.list_steps(replay.run_id)[-1].is_last


def test_replay_extracts_fresh_data_when_the_workflow_has_a_schema(agent, llm, seed_run):
    workflow = agent.get_workflow(seed_run.workflow_id)
    workflow["workflow_id"] = "wpid_with_schema"
    workflow["data_extraction_schema"] = {
        "type": "object",
        "properties": {
            "application_success": {"type": "boolean"},
            "applicant_name": {"type": "string"},
        },
    }
    agent.store.save_workflow("wpid_with_schema", workflow)
    calls = len(llm.calls)
    replay = agent.run_workflow("wpid_with_schema", ADA)
    assert replay.status == RunStatus.completed, replay.failure_reason
    assert [c.purpose for c in llm.calls[calls:]] == ["extract"]
    assert replay.output == {"application_success": True, "applicant_name": "Ada Lovelace"}


def test_changed_page_falls_back_for_the_changed_step_only_then_replays_clean(
    agent, llm, seed_run, server
):
    workflow = agent.publish_workflow(seed_run.run_id)
    v2 = server.url("/lever/apply-v2")
    calls = len(llm.calls)
    replay = agent.run_workflow(workflow["workflow_id"], ADA, url=v2)
    assert replay.status == RunStatus.completed, replay.failure_reason
    repairs = llm.calls[calls:]
    assert [c.purpose for c in repairs] == ["plan"] and '"Full name"' in repairs[0].prompt
    assert fallbacks(agent, replay.run_id) == [True, False, False]  # only the name changed
    sent = server.wait_for_submission("/lever/apply-v2")
    assert (sent.form["candidate_name"], sent.form["contact_email"]) == (ADA["name"], ADA["email"])

    healed = agent.get_workflow(workflow["workflow_id"])
    assert healed["version"] == 2 and healed["history"][-1]["actions"] == [0]
    assert healed["actions"][0]["locators"][0]["name"] == "Your full name"
    assert healed["actions"][0]["url"] == workflow["url"]  # stored against the workflow's URL

    calls = len(llm.calls)
    again = agent.run_workflow(workflow["workflow_id"], {"name": "Grace Hopper"}, url=v2)
    assert again.status == RunStatus.completed, again.failure_reason
    assert len(llm.calls) == calls and fallbacks(agent, again.run_id) == [False] * 3
    assert server.wait_for_submission("/lever/apply-v2").form["candidate_name"] == "Grace Hopper"
    original = agent.run_workflow(workflow["workflow_id"], ADA)  # the old locator is kept too
    assert original.status == RunStatus.completed and len(llm.calls) == calls


def test_page_changed_beyond_repair_fails_with_a_clear_reason(agent, llm, seed_run, server):
    workflow = agent.get_workflow(seed_run.workflow_id)
    calls = len(llm.calls)
    replay = agent.run_workflow(workflow["workflow_id"], ADA, url=server.url("/lever/"))
    assert replay.status == RunStatus.failed
    reason = replay.failure_reason or ""
    assert reason.startswith(
        "Replay failed at action 1 of 3 (type 'Ada Lovelace' into the field "
        '"Full name"): no element matches'
    ), reason
    assert "beyond repair" in reason
    assert [c.purpose for c in llm.calls[calls:]] == ["plan", "plan"]
    assert agent.get_workflow(workflow["workflow_id"])["version"] == workflow["version"]
    with pytest.raises(InvalidRequestError, match="only a completed run"):
        agent.publish_workflow(replay.run_id)


def test_parameters_are_checked_and_workflows_deleted(agent, seed_run):
    workflow = agent.publish_workflow(seed_run.run_id)
    with pytest.raises(InvalidRequestError, match="unknown parameter 'phone'"):
        agent.run_workflow(workflow["workflow_id"], {"phone": "555"})
    agent.delete_workflow(workflow["workflow_id"])
    with pytest.raises(RunNotFoundError):
        agent.get_workflow(workflow["workflow_id"])


def test_passwords_become_secret_parameters_without_a_default():
    goal, params, actions = parameterize(
        "Log in. username: demo. password: hunter22",
        [
            {"action_type": "INPUT_TEXT", "text": "demo", "locators": [{"name": "Username"}]},
            {"action_type": "INPUT_TEXT", "text": "•" * 8, "locators": [{"name": "Password"}]},
        ],
    )
    assert goal == "Log in. username: {{username}}. password: {{password}}"
    assert [a["text"] for a in actions] == ["{{username}}", "{{password}}"]
    assert params[1] == {
        "key": "password",
        "secret": True,
        "description": "secret typed into Password",
    }
    with pytest.raises(InvalidRequestError, match="'password' is required"):
        resolve(params, {})
    assert resolve(params, {"password": "x"}) == {"username": "demo", "password": "x"}


def _page(*elements: dict) -> Observation:
    return Observation(
        url="http://x.test/form",
        viewport=Viewport(width=800, height=600),
        elements=[Element(id=str(n), **e) for n, e in enumerate(elements)],
    )


async def test_locators_need_one_element_and_agreeing_strategies():
    name = {"tag": "input", "role": "textbox", "name": "Full name", "attributes": {"name": "name"}}
    moved = _page(
        {"tag": "input", "text": "Email", "attributes": {"name": "email"}},
        {"tag": "input", "text": "Full name", "attributes": {"name": "fullname"}},
    )
    found = await find(None, moved, [name])  # type: ignore[arg-type] - no DOM query needed
    assert (found.element.id, found.matched_by) == ("1", ["name"])
    swapped = _page(
        {"tag": "input", "text": "Full name", "attributes": {"name": "email"}},
        {"tag": "input", "text": "Email", "attributes": {"name": "name"}},
    )
    assert "point to different elements" in (await find(None, swapped, [name])).problem
    twins = _page(
        {"tag": "button", "text": "Next", "attributes": {"type": "button"}},
        {"tag": "button", "text": "Next", "attributes": {"type": "submit"}},
    )
    submit = {"tag": "button", "name": "Next", "attributes": {"type": "submit"}}
    assert (await find(None, twins, [submit])).element.id == "1"  # type breaks the tie
    assert (await find(None, twins, [{**submit, "attributes": {}}])).problem == (
        '2 elements match the <button> "Next"'
    )
    old_first = await find(None, moved, [{"tag": "input", "name": "Phone"}, name])
    assert (old_first.element.id, old_first.variant) == ("1", 1)


def test_start_url_override_maps_recorded_urls():
    assert _rebase("http://a.test/apply", "http://a.test/apply", "http://b.test/v2") == (
        "http://b.test/v2"
    )
    assert _rebase("http://a.test/done?x=1", "http://a.test/apply", "http://b.test/v2") == (
        "http://b.test/done?x=1"
    )
    assert _rebase("http://other.test/", "http://a.test/apply", "http://b.test/v2") == (
        "http://other.test/"
    )
    assert same_page("http://a.test/p/?q=1#f", "http://a.test/p")
