"""A rule-based stand-in for a model, for the demo and for tests of simple form tasks.

It reads ``key: value`` details from the goal ("name: Chris P Bacon. email: ..."),
fills the matching fields of the observed page, presses the submit button, and judges
success by the words a confirmation page uses. It answers every purpose, so both
engines can run end to end with no model. It reads only the prompt text, as a model
would: use it as ``PromptLLM(offline_policy)``.
"""

from __future__ import annotations

from typing import Any

from agent.llm.prompt_reading import Prompt
from agent.workflows.goal_details import details_from_prompt

SUCCESS_WORDS = ("thank", "submitted", "received", "success", "welcome", "confirmed")
SUBMIT_WORDS = ("submit", "apply", "send", "sign in", "log in", "login", "continue", "next")
TEXT_TYPES = {"", "text", "email", "tel", "url", "search", "number", "password", "date"}


def _succeeded(prompt: Prompt) -> bool:
    page = prompt.page.lower()
    return any(word in page for word in SUCCESS_WORDS)


def _plan(prompt: Prompt) -> dict[str, Any]:
    if _succeeded(prompt):
        return {
            "user_goal_achieved": True,
            "actions": [{"action_type": "COMPLETE", "reason": "confirmation shown"}],
        }
    details = details_from_prompt(prompt.goal)
    actions: list[dict[str, Any]] = []
    submit = None
    for element in prompt.elements:
        kind = element.attrs.get("type", "")
        label = " ".join(
            [
                element.text,
                element.attrs.get("name", ""),
                element.attrs.get("placeholder", ""),
                element.attrs.get("aria-label", ""),
            ]
        ).lower()
        if element.tag in ("input", "textarea") and kind in TEXT_TYPES:
            for key, value in details.items():
                if key in label and element.attrs.get("value", "") != value:
                    actions.append(
                        {
                            "action_type": "INPUT_TEXT",
                            "id": element.id,
                            "text": value,
                            "reasoning": f"the goal gives {key}",
                        }
                    )
                    break
        elif (
            submit is None
            and (element.tag == "button" or kind == "submit")
            and any(word in label for word in SUBMIT_WORDS)
        ):
            submit = element
    if submit is not None:
        actions.append({"action_type": "CLICK", "id": submit.id, "reasoning": "send the form"})
    return {"actions": actions}


def _fill_schema(schema: Any, prompt: Prompt, success: bool) -> dict[str, Any]:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not properties:
        return {"success": success}
    details = details_from_prompt(prompt.goal)
    data: dict[str, Any] = {}
    for name, spec in properties.items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind == "boolean":
            data[name] = success
        elif kind == "string":
            data[name] = next((v for k, v in details.items() if k in name.lower()), None)
        else:
            data[name] = None
    return data


def offline_policy(prompt: Prompt) -> dict[str, Any]:
    """Answer any purpose by rule, from the prompt's text alone; see the module docstring."""
    purpose = prompt.purpose
    if purpose == "plan":
        return _plan(prompt)
    if purpose in ("verify", "validate_v2"):
        done = _succeeded(prompt)
        answer: dict[str, Any] = {"user_goal_achieved": done, "thoughts": "looked for confirmation"}
        if done and prompt.schema is not None:  # the prompt asks for the output with a "yes"
            answer["output"] = _fill_schema(prompt.schema, prompt, done)
        return answer
    if purpose == "extract":
        return _fill_schema(prompt.schema, prompt, _succeeded(prompt))
    if purpose == "summarize_v2":
        data = _fill_schema(prompt.schema, prompt, _succeeded(prompt))
        return {"description": "filled the form and saw the confirmation", "output": data}
    if purpose == "plan_v2":
        return {
            "user_goal_achieved": _succeeded(prompt),
            "should_terminate": False,
            "termination_reason": "",
            "task_type": "navigate",
            "plan": prompt.goal,
        }
    if purpose == "error_codes":
        return {"errors": []}
    return {}
