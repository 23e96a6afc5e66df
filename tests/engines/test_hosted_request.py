"""The whole hosted TaskRunRequest, end to end: each field does what it says, on fixture sites.

Every stand-in model here is a PromptLLM: it reads only the messages it is sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from agent import Agent, InvalidRequestError, RunStatus
from agent.testing import PromptLLM, offline_llm
from tests.engines.hosted_support import (
    EXTERNAL_UA,
    chromium_with_debugging_port,
    find,
    free_port,
    jpeg_size,
    members_policy,
    sign_in_policy,
)

DATA = Path(__file__).parent.parent / "data"
HOOK_KEY = "fixture-webhook-signing-key-3b9d"  # fixtures_sites/webhook_receiver/routes.py


def never_called(request):
    raise AssertionError(f"the Agent's own model was called ({request.purpose})")


def hosted_dump(name: str, server, **values: str) -> dict:
    """A request dumped from the hosted SDK, with this machine's ports and ids put in."""
    text = (DATA / name).read_text()
    text = text.replace("127.0.0.1:65001", urlsplit(server.url("/")).netloc)
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


def test_a_request_dumped_from_the_hosted_sdk_with_every_field_runs_unchanged(
    agent_for, server, tmp_path
):
    model = PromptLLM(sign_in_policy)
    agent = agent_for(PromptLLM(never_called), webhook_key=HOOK_KEY)
    profile = agent.create_browser_profile("demo account")
    (tmp_path / "resume.txt").write_text("Demo's resume")
    file_id = agent.upload_file(tmp_path / "resume.txt")
    with chromium_with_debugging_port(tmp_path / "chrome") as (chromium, port):
        data = hosted_dump(
            "hosted_task_run_request.json",
            server,
            **{
                "65002": str(port),
                "bp_100": profile.browser_profile_id,
                "file_100": file_id,
                "placeholder-model": model.model_name,
            },
        )
        run = agent.run_task(**data)
        assert chromium.poll() is None, "the user's browser keeps running after the run"

    assert run.status == "completed", run.failure_reason
    assert run.output == {"greeting": "Welcome back, demo!"}
    echoed = run.run_request.model_dump(mode="json")
    assert {k: echoed[k] for k in data} == data | {"cdp_connect_headers": {"x-api-key": "***"}}
    assert "cdp-key-123" not in run.model_dump_json()
    # the page was driven by the Chromium behind browser_address, with the extra headers
    pages = [r for r in server.requests if r.path.startswith("/login")]
    assert pages and all(r.headers.get("user-agent") == EXTERNAL_UA for r in pages)
    assert all(r.headers.get("x-hosted-test") == "all-fields" for r in pages)
    # the sign-in was saved into the profile
    state = agent.profiles.state(profile.browser_profile_id)
    assert any(c["name"] == "acme_session" for c in state["cookies"])
    # include_action_history_in_verification: the check sees the typing of the first step
    verify = model.prompts_for("verify")
    assert verify and "INPUT_TEXT" in verify[-1].text
    assert run.browser_profile_id == profile.browser_profile_id
    assert run.max_screenshot_scrolls == 2
    assert server.state["webhook_receiver"]["received"], "the webhook was delivered"


def test_a_request_dumped_with_exclude_none_runs_unchanged(agent_for, server):
    model = PromptLLM(sign_in_policy)
    agent = agent_for(PromptLLM(never_called))
    data = hosted_dump(
        "hosted_task_run_request_exclude_none.json",
        server,
        **{"placeholder-model": model.model_name},
    )
    run = agent.run_task(**data)
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.run_request.model_dump(mode="json", exclude_none=True) == data


def test_extra_headers_and_user_agent_are_sent_by_the_browser(agent_for, server):
    agent = agent_for(PromptLLM(sign_in_policy))
    run = agent.run_task(
        "Sign in as demo with password correct-horse-battery",
        server.url("/login/"),
        engine="skyvern-1.0",
        extra_http_headers={"X-Tenant": "acme-42"},
        user_agent="AgentTest/2.0",
    )
    assert run.status == RunStatus.completed, run.failure_reason
    sent = [r for r in server.requests if r.path.startswith("/login")]
    assert {r.method for r in sent} == {"GET", "POST"}  # the form post carries them too
    assert all(r.headers.get("x-tenant") == "acme-42" for r in sent)
    assert all(r.headers.get("user-agent") == "AgentTest/2.0" for r in sent)


def test_nothing_listening_at_browser_address_fails_the_run_clearly(agent_for, server):
    agent = agent_for(PromptLLM(sign_in_policy))
    run = agent.run_task(
        "Sign in",
        server.url("/login/"),
        engine="skyvern-1.0",
        browser_address=f"http://127.0.0.1:{free_port()}",
    )
    assert run.status == RunStatus.failed
    assert "could not connect to the browser at http://127.0.0.1:" in run.failure_reason
    assert "--remote-debugging-port" in run.failure_reason


def test_profiles_are_saved_from_runs_loaded_later_and_ignored_by_a_fresh_browser(
    agent_for, server
):
    agent = agent_for(
        PromptLLM(lambda r: (sign_in_policy if "Sign in as" in r.goal else members_policy)(r))
    )
    members = server.url("/login/members")
    signed_in = agent.run_task(
        "Sign in as demo with password correct-horse-battery",
        server.url("/login/"),
        engine="skyvern-1.0",
    )
    assert signed_in.status == RunStatus.completed, signed_in.failure_reason
    profile = agent.create_browser_profile("demo", run_id=signed_in.run_id)
    assert [p.browser_profile_id for p in agent.list_browser_profiles()] == [
        profile.browser_profile_id
    ]

    again = agent.run_task(
        "Open my members area",
        members,
        engine="skyvern-1.0",
        browser_profile_id=profile.browser_profile_id,
    )
    assert again.status == RunStatus.completed, again.failure_reason  # no sign-in needed
    fresh = agent.run_task(
        "Open my members area", members, engine="skyvern-1.0", start_fresh_browser=True
    )
    assert fresh.status == RunStatus.terminated and fresh.failure_reason == "not signed in"
    with pytest.raises(InvalidRequestError, match="no saved browser state"):
        agent.create_browser_profile("nothing", run_id=fresh.run_id)  # fresh writes nothing

    # an empty profile fills up from the run that uses it
    empty = agent.create_browser_profile("second")
    agent.run_task(
        "Sign in as demo with password correct-horse-battery",
        server.url("/login/"),
        engine="skyvern-1.0",
        browser_profile_id=empty.browser_profile_id,
    )
    later = agent.run_task(
        "Open my members area",
        members,
        engine="skyvern-1.0",
        browser_profile_id=empty.browser_profile_id,
    )
    assert later.status == RunStatus.completed, later.failure_reason

    agent.delete_browser_profile(profile.browser_profile_id)
    assert [p.name for p in agent.list_browser_profiles()] == ["second"]
    with pytest.raises(InvalidRequestError, match="No browser profile"):
        agent.run_task("x", members, browser_profile_id=profile.browser_profile_id)


def _complete_at_once(request):
    if request.purpose == "verify":
        return {"user_goal_achieved": True}
    return {"actions": [{"action_type": "COMPLETE", "reason": "here"}]}


def _screenshot_height(agent: Agent, run_id: str) -> int:
    step = agent.list_steps(run_id)[0]
    path = Path(urlsplit(step.artifacts["screenshot"]).path)
    return jpeg_size(path.read_bytes())[1]


def test_max_screenshot_scrolls_takes_the_page_down_that_many_screens(agent_for, server):
    agent = agent_for(PromptLLM(_complete_at_once))
    url = server.url("/hard_cases/long.html")
    tall = agent.run_task("Look", url, engine="skyvern-1.0", max_screenshot_scrolls=2)
    plain = agent.run_task("Look", url, engine="skyvern-1.0")
    assert tall.status == plain.status == RunStatus.completed
    assert _screenshot_height(agent, plain.run_id) == 800  # the viewport
    assert _screenshot_height(agent, tall.run_id) == 800 * 3  # the first screen and two more


def test_file_ids_are_the_files_a_run_may_upload(agent_for, server, tmp_path):
    resume = tmp_path / "cv-ada.txt"
    resume.write_text("Ada Lovelace, analyst")

    def apply(request):
        text = request.text
        if request.purpose == "verify":
            return {"user_goal_achieved": "Application received" in text}
        if "Application received" in text:
            return {"actions": [{"action_type": "COMPLETE", "reason": "thanked"}]}
        if "Application incomplete" in text:
            return {"actions": [{"action_type": "TERMINATE", "reason": "rejected: " + text[-300:]}]}
        return {
            "actions": [
                {"action_type": "INPUT_TEXT", "id": find(request, name="name").id, "text": "Ada"},
                {
                    "action_type": "INPUT_TEXT",
                    "id": find(request, name="email").id,
                    "text": "ada@example.com",
                },
                {
                    "action_type": "SELECT_OPTION",
                    "id": find(request, name="position").id,
                    "option": {"label": "Data Engineer"},
                },
                {
                    "action_type": "UPLOAD_FILE",
                    "id": find(request, name="resume").id,
                    "file_url": "cv-ada.txt",
                },
                {"action_type": "CLICK", "id": find(request, name="terms").id},
                {"action_type": "CLICK", "id": find(request, tag="button", text="Submit").id},
            ]
        }

    agent = agent_for(PromptLLM(apply))
    file_id = agent.upload_file(resume)
    run = agent.run_task(
        "Apply as Ada", server.url("/jobs/apply.html"), engine="skyvern-1.0", file_ids=[file_id]
    )
    assert run.status == RunStatus.completed, run.failure_reason
    sent = server.submissions[-1]
    assert sent.files["resume"].filename == "cv-ada.txt"
    assert sent.files["resume"].content == b"Ada Lovelace, analyst"

    without = agent.run_task(
        "Apply as Ada", server.url("/jobs/apply.html"), engine="skyvern-1.0", max_steps=1
    )
    assert without.status != RunStatus.completed  # no file_ids: the upload is refused
    with pytest.raises(InvalidRequestError, match="upload_file"):
        agent.run_task("Apply", server.url("/jobs/apply.html"), file_ids=["file_404"])


def test_run_with_code_replays_the_published_workflow_of_the_same_task(agent_for, server):
    llm = offline_llm()
    agent = agent_for(llm)
    prompt = (
        "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
    )
    url = server.url("/lever/apply")
    first = agent.run_task(prompt, url, engine="skyvern-1.0", max_steps=5, publish_workflow=True)
    assert first.status == RunStatus.completed, first.failure_reason
    plans = len(llm.calls_for("plan"))

    replay = agent.run_task(prompt, url, engine="skyvern-1.0", run_with="code")
    assert replay.status == RunStatus.completed, replay.failure_reason
    assert replay.workflow_id == first.workflow_id
    assert len(llm.calls_for("plan")) == plans  # replayed, no planning
    assert replay.run_request.run_with == "code"

    other = agent.run_task(
        prompt.replace("Chris P Bacon", "Ada"),
        url,
        engine="skyvern-1.0",
        max_steps=5,
        run_with="code",
    )
    assert other.workflow_id is None  # no workflow for this task: the agent ran it
    assert len(llm.calls_for("plan")) > plans


def test_engines_other_than_the_two_get_an_error_naming_them(agent_for):
    agent = agent_for(PromptLLM(never_called))
    for engine in ("skyvern-3.0", "openai-cua", "anthropic-cua"):
        with pytest.raises(InvalidRequestError, match=r"use one of skyvern-1\.0, skyvern-2\.0"):
            agent.run_task("x", "https://example.com", engine=engine)


def _busy_then_done(prompt):
    """A hover, then typing until 14 typings show in the history, then COMPLETE."""
    if prompt.purpose == "verify":
        return {"user_goal_achieved": True}
    done = prompt.text.count("INPUT_TEXT #")
    if "HOVER #" not in prompt.text:
        return {"actions": [{"action_type": "HOVER", "id": find(prompt, name="username").id}]}
    if done < 14:
        field = find(prompt, name="username").id
        return {
            "actions": [
                {"action_type": "INPUT_TEXT", "id": field, "text": f"name {done + n}"}
                for n in range(7)
            ]
        }
    return {"actions": [{"action_type": "COMPLETE", "reason": "typed enough"}]}


@pytest.mark.parametrize("with_history", [True, False])
def test_include_action_history_in_verification_gives_the_check_every_action(
    agent_for, server, with_history
):
    llm = PromptLLM(_busy_then_done)
    run = agent_for(llm).run_task(
        "Type names",
        server.url("/login/"),
        engine="skyvern-1.0",
        include_action_history_in_verification=with_history,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    check = llm.prompts_for("verify")[-1].section("Actions taken (oldest first)") or ""
    lines = [line for line in check.splitlines() if line.startswith("- ")]
    assert len(lines) > 12 if with_history else len(lines) == 12  # 12: the recent window
    assert ("step 0: HOVER" in check) is with_history  # the first action, beyond the window


def test_the_model_field_carries_litellm_options_to_every_call(agent_for, server):
    stand_in = PromptLLM(never_called)
    answer = '{"actions": [{"action_type": "COMPLETE"}], "user_goal_achieved": true}'
    run = agent_for(PromptLLM(never_called)).run_task(
        "Look",
        server.url("/login/"),
        engine="skyvern-1.0",
        # litellm's own mock_response option answers in place of the provider
        model={"model_name": stand_in.model_name, "mock_response": answer},
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.llm_calls == 2 and stand_in.calls == []  # plan and verify, both from litellm
    assert run.run_request.model_options == {"mock_response": answer}


def test_cdp_connect_headers_go_on_the_handshake_only(agent_for, server, tmp_path):
    from tests.engines.hosted_support import RecordingRelay

    agent = agent_for(PromptLLM(sign_in_policy))
    with chromium_with_debugging_port(tmp_path / "chrome") as (_, port):
        relay = RecordingRelay(port)
        try:
            run = agent.run_task(
                "Sign in as demo with password correct-horse-battery",
                server.url("/login/"),
                engine="skyvern-1.0",
                browser_address=f"http://127.0.0.1:{relay.port}",
                cdp_connect_headers={"X-Api-Key": "cdp-secret-42"},
            )
        finally:
            relay.close()
    assert run.status == RunStatus.completed, run.failure_reason
    handshakes = [data.decode("latin-1").lower() for data in relay.received]
    assert handshakes and all("x-api-key: cdp-secret-42" in h for h in handshakes)
    assert any("upgrade: websocket" in h for h in handshakes)
    assert not any("x-api-key" in r.headers for r in server.requests)  # never to the site
    assert run.run_request.model_dump(mode="json")["cdp_connect_headers"] == {"X-Api-Key": "***"}
