"""Model stand-ins for engine tests: each reads only the prompt it is sent, as a model would."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from agent.testing import Prompt
from agent.workflows.goal_details import details_from_prompt

Policy = Callable[[Prompt], Any]

PRODUCT = re.compile(r"## (.+)\n(\w+) · €(\d+\.\d\d)")


def product_policy(prompt: Prompt) -> Any:
    """Read the first page of products into {"products": [{name, brand, price}]}."""
    if prompt.purpose == "plan":
        return {"actions": [{"action_type": "EXTRACT", "reasoning": "the list is here"}]}
    if prompt.purpose == "extract":
        return {
            "products": [
                {"name": n, "brand": b, "price": float(p)}
                for n, b, p in PRODUCT.findall(prompt.page)
            ]
        }
    raise AssertionError(f"unexpected purpose {prompt.purpose}")


def fill_login(prompt: Prompt, username: str, password: str) -> dict[str, Any]:
    """The plan answer that fills the login form the prompt shows and sends it."""
    user = prompt.find(tag="input", name="username")
    secret = prompt.find(tag="input", type="password")
    button = prompt.find(tag="button")
    assert user and secret and button, f"no login form in the prompt:\n{prompt.page}"
    return {
        "actions": [
            {"action_type": "INPUT_TEXT", "id": user.id, "text": username},
            {"action_type": "INPUT_TEXT", "id": secret.id, "text": password},
            {"action_type": "CLICK", "id": button.id},
        ]
    }


def login_policy(username: str, password: str) -> Any:
    """Log in with the given credentials; give up when the site says they are wrong."""

    def policy(prompt: Prompt) -> Any:
        page = prompt.page.lower()
        if prompt.purpose == "plan":
            if "welcome back" in page:
                return {"actions": [{"action_type": "COMPLETE", "reason": "logged in"}]}
            if "invalid username or password" in page:
                return {
                    "actions": [
                        {"action_type": "TERMINATE", "reason": "The site rejected the credentials."}
                    ]
                }
            return fill_login(prompt, username, password)
        if prompt.purpose == "error_codes":
            return {
                "errors": [
                    {"error_code": "LOGIN_FAILED", "reasoning": "the site said invalid password"},
                    {"error_code": "INVENTED_CODE", "reasoning": "not in the mapping"},
                ]
            }
        if prompt.purpose == "verify":
            return {"user_goal_achieved": "welcome back" in page}
        raise AssertionError(f"unexpected purpose {prompt.purpose}")

    return policy


REGISTER_GOAL = "Register for the conference: name: Ada Lovelace. email: ada@example.org"
REGISTER_SCHEMA = {
    "type": "object",
    "required": ["confirmation_number"],
    "properties": {"confirmation_number": {"type": ["string", "null"]}},
}
NUMBER = re.compile(r"RG-\d{5}-[A-Z]")


def confirmations() -> list[str]:
    """The confirmation numbers the registration site handed out, oldest first."""
    return sys.modules["_fixture_routes_register"].CONFIRMATIONS


def registration_policy(*, naive_planner: bool = False) -> Any:
    """Fill and send the form; judge success only by a confirmation for the goal's person.

    ``naive_planner`` makes the step planner call any "thank you" or "complete" page done,
    as a hasty model might: the engine's check must still catch it.
    """

    def really_done(prompt: Prompt) -> bool:
        page = prompt.page
        name = details_from_prompt(REGISTER_GOAL)["name"]
        return "confirmation number" in page.lower() and name in page

    def output(prompt: Prompt) -> dict[str, Any]:
        found = NUMBER.search(prompt.page)
        return {"confirmation_number": found.group(0) if found else None}

    def looks_done(prompt: Prompt) -> bool:
        page = prompt.page.lower()
        return really_done(prompt) or (
            naive_planner and ("thank you" in page or "registration complete" in page)
        )

    def policy(prompt: Prompt) -> Any:
        purpose = prompt.purpose
        if purpose == "plan":
            if looks_done(prompt):
                return {"actions": [{"action_type": "COMPLETE", "reason": "it says so"}]}
            details = details_from_prompt(prompt.goal or REGISTER_GOAL)
            name, email = prompt.find(tag="input", name="name"), prompt.find(name="email")
            button = prompt.find(tag="button", text="register")
            assert name and email and button, f"no form in the prompt:\n{prompt.page}"
            return {
                "actions": [
                    {"action_type": "INPUT_TEXT", "id": name.id, "text": details["name"]},
                    {"action_type": "INPUT_TEXT", "id": email.id, "text": details["email"]},
                    {"action_type": "CLICK", "id": button.id},
                ]
            }
        if purpose in ("verify", "validate_v2"):
            done = really_done(prompt)
            answer: dict[str, Any] = {"user_goal_achieved": done, "thoughts": "read the page"}
            if done and prompt.schema:
                answer["output"] = output(prompt)
            return answer
        if purpose == "extract":
            return output(prompt)
        if purpose == "plan_v2":
            return {
                "user_goal_achieved": really_done(prompt),
                "task_type": "navigate",
                "plan": REGISTER_GOAL,
            }
        if purpose == "summarize_v2":
            return {"description": "registered", "output": output(prompt)}
        if purpose == "error_codes":
            return {"errors": []}
        raise AssertionError(f"unexpected purpose {purpose}")

    return policy


def totp_sign_in(password: str) -> Policy:
    """Sign in as ada (``fixtures_sites/totp_login``) typing ``password`` (the real one or a
    ``{{NAME}}`` placeholder), then type the code through its placeholder."""

    def policy(prompt: Prompt) -> Any:
        text = prompt.page.lower()
        if prompt.purpose == "verify":
            return {"user_goal_achieved": "2fa verified" in text}
        assert prompt.purpose == "plan"
        if "2fa verified" in text:
            return {"actions": [{"action_type": "COMPLETE"}]}
        code_field = prompt.find(tag="input", name="code")
        if code_field is not None:
            assert "{{TOTP_CODE}}" in prompt.text, "the engine must offer the code placeholder"
            return {
                "actions": [
                    {"action_type": "INPUT_TEXT", "id": code_field.id, "text": "{{TOTP_CODE}}"},
                    {"action_type": "CLICK", "id": prompt.find(tag="button").id},
                ]
            }
        user, secret = prompt.find(name="username"), prompt.find(type="password")
        return {
            "actions": [
                {"action_type": "INPUT_TEXT", "id": user.id, "text": "ada"},
                {"action_type": "INPUT_TEXT", "id": secret.id, "text": password},
                {"action_type": "CLICK", "id": prompt.find(tag="button").id},
            ]
        }

    return policy


totp_policy = totp_sign_in("correct-horse-battery")


def planner_too(actor: Policy, done: Callable[[Prompt], bool]) -> Policy:
    """``actor`` answers the step purposes; the 2.0 planner and validator read the page.

    The planner sends one navigate block with the whole goal; when its prompt asks for the
    block's first actions, it gives what the step policy would do on the same page.
    """

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "plan_v2":
            answer: dict[str, Any] = {
                "user_goal_achieved": done(prompt),
                "task_type": "navigate",
                "plan": prompt.goal,
            }
            if '"actions"' in prompt.text and not done(prompt):
                answer["actions"] = actor(Prompt("plan", prompt.messages))["actions"]
            return answer
        if prompt.purpose == "validate_v2":
            verdict = actor(Prompt("verify", prompt.messages))
            return verdict if isinstance(verdict, dict) else {"user_goal_achieved": done(prompt)}
        if prompt.purpose == "summarize_v2":
            return {"description": "done", "output": None}
        return actor(prompt)

    return policy
