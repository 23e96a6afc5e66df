"""Model stand-ins for engine tests: each reads only the prompt it is sent, as a model would."""

from __future__ import annotations

import re
from typing import Any

from agent.testing import Prompt

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
