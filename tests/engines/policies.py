"""Model policies for engine tests: each chooses from the observation it is given."""

from __future__ import annotations

import re
from typing import Any

from agent.llm import LLMRequest


def find(
    request: LLMRequest, *, tag: str | None = None, text: str | None = None, **attributes: str
) -> Any:
    """The first interactable element matching tag, text (substring) and attributes."""
    assert request.observation is not None, f"{request.purpose} carries no observation"
    for element in request.observation.elements:
        if not element.interactable or (tag and element.tag != tag):
            continue
        if text and text.lower() not in element.text.lower():
            continue
        if all(element.attributes.get(k) == v for k, v in attributes.items()):
            return element
    return None


def page_text(request: LLMRequest, budget: int = 6000) -> str:
    assert request.observation is not None
    return request.observation.render(token_budget=budget)


PRODUCT = re.compile(r"## (.+)\n(\w+) · €(\d+\.\d\d)")


def product_policy(request: LLMRequest) -> Any:
    """Read the first page of products into {"products": [{name, brand, price}]}."""
    if request.purpose == "plan":
        return {"actions": [{"action_type": "EXTRACT", "reasoning": "the list is here"}]}
    if request.purpose == "extract":
        return {
            "products": [
                {"name": n, "brand": b, "price": float(p)}
                for n, b, p in PRODUCT.findall(page_text(request))
            ]
        }
    raise AssertionError(f"unexpected purpose {request.purpose}")


def login_policy(username: str, password: str) -> Any:
    def policy(request: LLMRequest) -> Any:
        if request.purpose == "plan":
            if "welcome back" in page_text(request).lower():
                return {"actions": [{"action_type": "COMPLETE", "reason": "logged in"}]}
            if "invalid username or password" in page_text(request).lower():
                return {
                    "actions": [
                        {"action_type": "TERMINATE", "reason": "The site rejected the credentials."}
                    ]
                }
            user = find(request, tag="input", name="username")
            secret = find(request, tag="input", type="password")
            button = find(request, tag="button")
            return {
                "actions": [
                    {"action_type": "INPUT_TEXT", "id": user.id, "text": username},
                    {"action_type": "INPUT_TEXT", "id": secret.id, "text": password},
                    {"action_type": "CLICK", "id": button.id},
                ]
            }
        if request.purpose == "error_codes":
            return {
                "errors": [
                    {"error_code": "LOGIN_FAILED", "reasoning": "the site said invalid password"},
                    {"error_code": "INVENTED_CODE", "reasoning": "not in the mapping"},
                ]
            }
        if request.purpose == "verify":
            return {"user_goal_achieved": "welcome back" in page_text(request).lower()}
        raise AssertionError(f"unexpected purpose {request.purpose}")

    return policy
