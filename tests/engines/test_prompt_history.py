"""What the prompts remember and how answers are taken (issue 22, points 11-14).

Messages-only stand-ins: each reads the history, the rules and the page from the prompt
text, as a model would, and the assertions are on what the prompts said and what the page
received.
"""

from __future__ import annotations

from typing import Any

from agent import RunStatus
from agent.testing import Prompt, PromptLLM
from tests.providers.policies import APPLY_GOAL, APPLY_SCHEMA, apply_policy

HISTORY = "What you did before (oldest first)"
USERNAME, PASSWORD = "chris", "p@ssw0rd!"  # fixtures_sites/login/routes.py


def test_history_says_what_was_typed_where_with_secrets_as_placeholders(agent_for, server):
    seen: list[str] = []

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "verify":
            return {"user_goal_achieved": "welcome" in prompt.page.lower()}
        history = prompt.section(HISTORY)
        if history is None:
            user = prompt.find(tag="input", name="username")
            secret = prompt.find(tag="input", type="password")
            assert user and secret, prompt.page
            return {
                "actions": [
                    {"action_type": "INPUT_TEXT", "id": user.id, "text": "{{USERNAME}}"},
                    {"action_type": "INPUT_TEXT", "id": secret.id, "text": "{{PASSWORD}}"},
                ]
            }
        seen.append(history)
        if "welcome" in prompt.page.lower():
            return {"actions": [{"action_type": "COMPLETE", "reason": "signed in"}]}
        button = prompt.find(tag="button", text="sign in")
        return {"actions": [{"action_type": "CLICK", "id": button.id}]}

    agent = agent_for(PromptLLM(policy))
    run = agent.run_task(
        "Sign in as {{USERNAME}} with password {{PASSWORD}}",
        server.url("/login/"),
        engine="skyvern-1.0",
        max_steps=4,
        secrets={"USERNAME": USERNAME, "PASSWORD": PASSWORD},
    )
    assert run.status == RunStatus.completed, run.failure_reason
    login = server.submissions_to("/login/session")[-1]
    assert (login.form["username"], login.form["password"]) == (USERNAME, PASSWORD)
    first = seen[0]
    assert "INPUT_TEXT #" in first and "'Username' text=\"{{USERNAME}}\" → ok" in first, first
    assert "'Password' text=\"{{PASSWORD}}\" → ok" in first, first
    assert "CLICK #" in seen[-1] and "'Sign in'" in seen[-1], seen[-1]
    assert not any(PASSWORD in text or f"'{USERNAME}'" in text for text in seen)


def test_older_history_lines_are_counted_not_silently_dropped(agent_for, server):
    said: list[str] = []

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "verify":
            return {"user_goal_achieved": True}
        history = prompt.section(HISTORY)
        if history is not None:
            said.append(history)
            return {"actions": [{"action_type": "COMPLETE", "reason": "typed them all"}]}
        user = prompt.find(tag="input", name="username")
        return {
            "actions": [
                {"action_type": "INPUT_TEXT", "id": user.id, "text": f"name {n}"} for n in range(15)
            ]
        }

    run = agent_for(PromptLLM(policy)).run_task(
        "Type fifteen names", server.url("/login/"), engine="skyvern-1.0", max_steps=3
    )
    assert run.status == RunStatus.completed, run.failure_reason
    [history] = said
    assert history.splitlines()[0] == "… 3 earlier actions not shown", history
    assert 'text="name 14"' in history and 'text="name 2"' not in history


def test_a_download_is_in_the_history_with_its_name_and_size(agent_for, server):
    said: list[str] = []

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose != "plan":
            return {"user_goal_achieved": True}
        history = prompt.section(HISTORY)
        if history is not None:
            said.append(history)
            return {"actions": [{"action_type": "COMPLETE", "reason": "downloaded"}]}
        return {"actions": [{"action_type": "CLICK", "id": prompt.find(text="Download").id}]}

    run = agent_for(PromptLLM(policy)).run_task(
        "Download the first invoice", server.url("/invoices/"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    [info] = run.downloaded_files
    assert f"downloaded {info.filename} (" in said[0] and " bytes)" in said[0], said[0]


def test_the_actor_sees_the_data_the_goal_must_capture(agent_for, server):
    schemas: list[Any] = []

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "plan":
            schemas.append(prompt.schema)
        return apply_policy(prompt)

    run = agent_for(PromptLLM(policy)).run_task(
        APPLY_GOAL, server.url("/lever/apply"), APPLY_SCHEMA, engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert schemas and all(s == APPLY_SCHEMA for s in schemas)


def _with_nulls(answer: Any, purpose: str) -> Any:
    """The answer as many models write it: null for what they leave out, numbers for ids."""
    if not isinstance(answer, dict):
        return answer
    nulls = {
        "plan": ("page_summary",),
        "plan_v2": (
            "thoughts",
            "should_terminate",
            "termination_reason",
            "data_extraction_schema",
            "loop_goal",
        ),
        "validate_v2": ("thoughts", "should_terminate", "termination_reason"),
        "summarize_v2": ("description",),
        "verify": ("thoughts",),
    }.get(purpose, ())
    written = {**answer, **{key: None for key in nulls if not answer.get(key)}, "mood": "fine"}
    if purpose == "plan":
        written["actions"] = [
            {**a, "reasoning": None, **({"id": int(a["id"])} if "id" in a else {})}
            for a in answer["actions"]
        ]
    return written


def test_answers_with_nulls_numbers_and_extra_keys_complete_a_v2_run(agent_for, server):
    llm = PromptLLM(lambda prompt: _with_nulls(apply_policy(prompt), prompt.purpose))
    run = agent_for(llm).run_task(
        APPLY_GOAL, server.url("/lever/apply"), APPLY_SCHEMA, engine="skyvern-2.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"application_success": True}
    assert not any(p.is_reask for p in llm.prompts)  # taken as written, never asked again
    sent = server.wait_for_submission("/lever/apply")
    assert sent.form["name"] == "Chris P Bacon"


def test_a_suspected_captcha_is_a_hint_in_the_task_naming_its_action(agent_for, server):
    def policy(prompt: Prompt) -> Any:
        hints = prompt.section("Browser") or ""
        if "CAPTCHA" in hints and "SOLVE_CAPTCHA" in hints:
            return {"actions": [{"action_type": "SOLVE_CAPTCHA", "reason": "the check blocks it"}]}
        return {"actions": [{"action_type": "TERMINATE", "reason": "no hint"}]}

    llm = PromptLLM(policy)
    run = agent_for(llm).run_task(
        "Send the message hello", server.url("/widgets/captcha.html"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.terminated and "CAPTCHA" in (run.failure_reason or "")
    system, task = llm.prompts_for("plan")[0].messages[:2]
    assert "seems to show a CAPTCHA" in str(task["content"])
    assert "seems to show a CAPTCHA" not in system["content"]  # the static part stays static


def test_many_presses_of_one_key_are_counted_in_the_history_line():
    from agent.browser.acting.page_actions import KeypressAction
    from engines.plan_prompt import describe_action

    presses = KeypressAction(keys=["ArrowRight"] * 40 + ["Enter"])
    assert 'keys=["ArrowRight x 40", "Enter"]' in describe_action(presses, None)


def test_the_fixture_echo_page_shows_every_value_of_a_repeated_field(server):
    import urllib.request

    body = b"topics=science&topics=travel&name=Ada"
    request = urllib.request.Request(server.url("/any/form"), data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request) as answer:
        page = answer.read().decode()
    assert "topics: science, travel" in page and "name: Ada" in page
