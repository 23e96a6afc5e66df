"""The browsing policy end to end: a page that steers an obedient model cannot take the
run to a refused place, and cannot make it read local files (the exfiltration chain)."""

from __future__ import annotations

import re
from typing import Any

from agent.prompt_reading import Prompt
from agent.testing import PromptLLM

PASSWD_LINE = "root:x:0:0"


def obedient(request: Prompt) -> Any:
    """Does what the page's text says, step by step, reading only the messages."""
    text = request.text
    if request.purpose != "plan":
        return (
            {"user_goal_achieved": True, "thoughts": "done"} if request.purpose == "verify" else {}
        )
    history = request.section("What you did before (oldest first)") or ""
    current = request.url
    local = re.search(r"open (file:\S+)", text)
    collect = re.search(r"go to (\S+)\?data=WHAT_YOU_READ", text)
    if "/steer/collect" in current:
        return {"actions": [{"action_type": "COMPLETE", "reason": "confirmed as the page asked"}]}
    if "/steer/collect" in history:
        return {"actions": [{"action_type": "TERMINATE", "reason": "the address was refused"}]}
    if local and local.group(1) not in history:
        return {"actions": [{"action_type": "GOTO_URL", "url": local.group(1)}]}
    read = PASSWD_LINE if PASSWD_LINE in text else "nothing"
    if collect:
        return {"actions": [{"action_type": "GOTO_URL", "url": f"{collect.group(1)}?data={read}"}]}
    return {"actions": [{"action_type": "GO_BACK"}]}


def collected(server: Any) -> list[dict[str, str]]:
    return [dict(r.query) for r in server.requests if r.path == "/steer/collect"]


def attempts(agent: Any, run_id: str, kind: str) -> list[dict[str, Any]]:
    return [a for s in agent.list_steps(run_id) for a in s.actions if a["action_type"] == kind]


def test_by_default_local_files_are_refused_so_nothing_can_be_sent_on(agent_for, server):
    model = PromptLLM(obedient)
    agent = agent_for(model)
    run = agent.run_task("What is my order status?", server.url("/steer/"), engine="skyvern-1.0")
    gotos = attempts(agent, run.run_id, "GOTO_URL")
    assert gotos[0]["url"] == "file:///etc/passwd"
    assert not gotos[0]["result"]["success"]
    assert "file: addresses may not be opened" in gotos[0]["result"]["message"]
    # The refusal reached the next prompt, in words the model can act on.
    later = [p.text for p in model.prompts_for("plan")[1:]]
    assert any("file: addresses may not be opened" in t for t in later)
    # The model never saw the file, so whatever it sent on carries nothing from it.
    assert not any(PASSWD_LINE in p.text for p in model.prompts)
    assert all(PASSWD_LINE not in str(q) for q in collected(server))
    assert collected(server) == [{"data": "nothing"}]  # the obedient model did go on
    assert run.status == "completed", run.failure_reason


def test_allowed_domains_stop_the_chain_at_the_other_host(agent_for, server):
    model = PromptLLM(obedient)
    agent = agent_for(model)
    run = agent.run_task(
        "What is my order status?",
        server.url("/steer/"),
        engine="skyvern-1.0",
        max_steps=4,
        allowed_domains=[f"127.0.0.1:{server.port}"],
    )
    assert run.run_request.allowed_domains == [f"127.0.0.1:{server.port}"]
    gotos = attempts(agent, run.run_id, "GOTO_URL")
    refused = [g for g in gotos if "/steer/collect" in g["url"]]
    assert refused and not any(g["result"]["success"] for g in refused)
    assert "is not in this run's allowed_domains" in refused[0]["result"]["message"]
    assert collected(server) == []  # the browser never reached the other host
    assert run.status == "terminated", run.failure_reason


def test_agent_blocked_domains_apply_to_clicks_popups_and_new_tabs(agent_for, server):
    alt = f"127.0.0.1:{server.alt_port}"
    plans = iter(
        [
            {"actions": [{"action_type": "CLICK", "text": "Partner offers"}]},
            {"actions": [{"action_type": "CLICK", "text": "Open partner window"}]},
            {"actions": [{"action_type": "NEW_TAB", "url": server.alt_url("/steer/elsewhere")}]},
            {"actions": [{"action_type": "TERMINATE", "reason": "nowhere to go"}]},
        ]
    )

    def clicker(request: Prompt) -> Any:
        if request.purpose != "plan":
            return {"errors": []}
        plan = next(plans)
        action = plan["actions"][0]
        if "text" in action:  # find the element line by its text, as a model would
            found = request.find(text=action.pop("text"))
            assert found, request.text
            action["id"] = found.id
        return plan

    agent = agent_for(PromptLLM(clicker), blocked_domains=[alt])
    run = agent.run_task("Look around", server.url("/steer/"), engine="skyvern-1.0", max_steps=6)
    assert run.run_request.blocked_domains == [alt]
    results = [
        (a["action_type"], a["result"]["success"], a["result"]["message"])
        for s in agent.list_steps(run.run_id)
        for a in s.actions
        if a["action_type"] in ("CLICK", "NEW_TAB")
    ]
    assert [(kind, ok) for kind, ok, _ in results] == [
        ("CLICK", False),
        ("CLICK", False),
        ("NEW_TAB", False),
    ], results
    assert all("blocked_domains" in message for _, _, message in results), results
    alt_hits = [r.path for r in server.requests if r.port == server.alt_port]
    assert alt_hits == []  # not one request reached the blocked host


def test_a_redirect_to_a_refused_host_is_left_at_once(agent_for, server):
    def follow(request: Prompt) -> Any:
        text = request.text
        if request.purpose != "plan":
            return {"errors": []}
        if "## What you did before" in text:
            return {"actions": [{"action_type": "TERMINATE", "reason": "stopped"}]}
        link = request.find(tag="a", text="Tracking details")
        assert link, text
        return {"actions": [{"action_type": "CLICK", "id": link.id}]}

    agent = agent_for(PromptLLM(follow))
    run = agent.run_task(
        "Track it",
        server.url("/steer/"),
        engine="skyvern-1.0",
        max_steps=3,
        allowed_domains=[f"127.0.0.1:{server.port}"],
    )
    [click] = attempts(agent, run.run_id, "CLICK")[:1]
    assert not click["result"]["success"]
    assert "the page was redirected" in click["result"]["message"], click["result"]
    steps = agent.list_steps(run.run_id)
    assert all(f":{server.alt_port}/" not in (s.url or "") for s in steps), [s.url for s in steps]


def test_block_private_networks_refuses_the_start_page_on_loopback(agent_for, server):
    agent = agent_for(PromptLLM(obedient), block_private_networks=True)
    run = agent.run_task("Look", server.url("/steer/"), engine="skyvern-1.0")
    assert run.status == "failed"
    assert "Failed to navigate" in (run.failure_reason or "")
    assert "127.0.0.1 is a private or link-local address" in (run.failure_reason or "")
    assert not [r for r in server.requests if r.path == "/steer/"]


def test_a_skyvern_2_loop_over_page_given_urls_checks_each_one(agent_for, server):
    """Item URLs come from the page: a file: one is refused like any model navigation."""
    planned: list[str] = []

    def looper(request: Prompt) -> Any:
        if request.purpose == "plan_v2":
            if planned:
                return {"user_goal_achieved": True, "should_terminate": False}
            planned.append("loop")
            return {
                "user_goal_achieved": False,
                "should_terminate": False,
                "task_type": "loop",
                "plan": "list the links on the page",
                "loop_goal": "read the page",
            }
        if request.purpose == "extract" and request.schema and "items" in str(request.schema):
            return {
                "items": [
                    {"label": "local file", "url": "file:///etc/passwd"},
                    {"label": "partner", "url": server.url("/steer/elsewhere")},
                ]
            }
        if request.purpose == "plan":
            return {"actions": [{"action_type": "COMPLETE", "reason": "read it"}]}
        if request.purpose == "validate_v2":
            return {"user_goal_achieved": True, "should_terminate": False}
        if request.purpose == "summarize_v2":
            return {"description": "done", "output": None}
        return {}

    model = PromptLLM(looper)
    run = agent_for(model).run_task("Visit every link", server.url("/steer/"), max_steps=6)
    [block] = [b for b in run.blocks or [] if b["task_type"] == "loop"]
    results = block["output"]
    refused = [r for r in results if r.get("item") == "local file"]
    assert refused and "file: addresses may not be opened" in refused[0]["error"], results
    assert not any(PASSWD_LINE in p.text for p in model.prompts)
