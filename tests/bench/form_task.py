"""The benchmark's form task and the instant stand-in models that solve it by reading prompts.

The task is the 7-field volunteer sign-up form (``fixtures_sites/volunteer``). Each
stand-in reads only the text of the messages its agent sent, finds the form's fields by
their ``name=``/``id=`` in the element lines, and answers what a careful model would: fill
what is not yet filled, submit, and call the task done once the page says so. Nothing
here looks at a structured page; a prompt that hid a field would make the run fail.

- :func:`ours_policy` answers this library's purposes (``plan``, ``verify``, ``extract``,
  ``plan_v2``, ``validate_v2``, ``summarize_v2``) from the messages alone, as the policy
  of an ``agent.testing.PromptLLM``.
- :func:`browser_use_answer` answers browser-use's structured-output calls (its agent
  step and its judge) from the OpenAI-style request body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PATH = "/volunteer/"
VALUES = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.org",
    "phone": "555-0100",
    "city": "London",
    "role": "Front desk",
    "availability": "Weekends",
}
SELECTS = ("role", "availability")
CHECKBOX = "code_of_conduct"
GOAL = (
    "Sign up as a volunteer with these details: full name: Ada Lovelace. "
    "email: ada@example.org. phone: 555-0100. city: London. preferred role: Front desk. "
    "availability: Weekends. Agree to the code of conduct."
)
SCHEMA = {"type": "object", "properties": {"signup_confirmed": {"type": "boolean"}}}
DONE_TEXT = "thanks for signing up"
BROWSER_USE_MAX_ACTIONS = 5
"""browser-use's default ``max_actions_per_step``."""
EXPECTED_FORM = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.org",
    "phone": "555-0100",
    "city": "London",
    "role": "reception",
    "availability": "weekends",
    "code_of_conduct": "yes",
}
"""What the server must receive: the selects send their option values."""


@dataclass
class Field:
    """One form control found in a prompt's element lines."""

    index: int
    name: str
    line: str

    def holds(self, value: str) -> bool:
        return f'value="{value}"' in self.line or f"value={value}" in self.line

    @property
    def checked(self) -> bool:
        return "checked=true" in self.line


_OURS_LINE = re.compile(r"^\[(\d+)\]<(\w+)\s([^>]*)>", re.M)
_BU_LINE = re.compile(r"\[(\d+)\]<(\w+)\s([^>]*?)/?>", re.M)
_NAME = re.compile(r"\b(?:name|id)=\"?([\w\[\]]+)")
_WANTED = (*VALUES, CHECKBOX)


def _fields(text: str, pattern: re.Pattern[str]) -> tuple[dict[str, Field], int | None]:
    """The wanted fields by name, and the index of the submit button, from element lines."""
    fields: dict[str, Field] = {}
    submit = None
    for match in pattern.finditer(text):
        index, tag, attrs = int(match.group(1)), match.group(2), match.group(3)
        line = text[match.start() : text.find("\n", match.start())]
        if tag == "button" and "type=submit" in attrs:
            submit = index
            continue
        for name in _NAME.findall(attrs):
            if name in _WANTED and name not in fields:
                fields[name] = Field(index, name, line)
    return fields, submit


def _text(messages: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [p.get("text", "") for p in content if isinstance(p, dict)]
    return "\n".join(parts)


def _page_part(text: str, marker: str) -> str:
    """The part of the prompt that shows the page (after ``marker``), else all of it."""
    at = text.rfind(marker)
    return text[at:] if at >= 0 else text


# -- this library ------------------------------------------------------------------------------
def ours_policy(prompt: Any) -> dict[str, Any]:
    """Answer one of this library's calls from ``prompt.messages`` alone (a PromptLLM policy)."""
    text = _text(prompt.messages)
    page = _page_part(text, "## Elements on the page")
    done = DONE_TEXT in page.lower()
    purpose = prompt.purpose
    if purpose == "plan":
        if done:
            return {
                "page_summary": "the sign-up was accepted",
                "user_goal_achieved": True,
                "actions": [{"action_type": "COMPLETE", "reason": "the page thanks us"}],
                "output": {"signup_confirmed": True},
            }
        return {"page_summary": "the sign-up form", "actions": _ours_actions(page)}
    # The verify and validate prompts ask for the schema's output with a "yes" (one call, not two).
    output = {"output": {"signup_confirmed": True}} if done and prompt.schema else {}
    if purpose == "verify":
        return {"user_goal_achieved": done, "thoughts": "looked for the thank-you line", **output}
    if purpose == "extract":
        return {"signup_confirmed": done}
    if purpose == "plan_v2":
        answer: dict[str, Any] = {
            "user_goal_achieved": done,
            "should_terminate": False,
            "termination_reason": "",
            "task_type": "navigate",
            "plan": GOAL,
        }
        if '"actions"' in text and not done:  # its answer format offers the first actions
            answer["actions"] = _ours_actions(page)
        return answer
    if purpose == "validate_v2":
        return {"user_goal_achieved": done, "should_terminate": False, **output}
    if purpose == "summarize_v2":
        confirmed = DONE_TEXT in text.lower()
        return {"description": "signed up", "output": {"signup_confirmed": confirmed}}
    return {}


def ours_answer(body: dict[str, Any], _memory: set[str]) -> dict[str, Any]:
    """The stand-in server's answer to one of this library's chat requests (see ours_policy)."""
    from agent.prompt_reading import Prompt, purpose_of

    messages = body["messages"]
    return ours_policy(Prompt(purpose_of(_text(messages[:1])), messages))


def _ours_actions(page: str) -> list[dict[str, Any]]:
    fields, submit = _fields(page, _OURS_LINE)
    actions: list[dict[str, Any]] = []
    for name, value in VALUES.items():
        field = fields.get(name)
        if field is None or field.holds(value):
            continue
        if name in SELECTS:
            actions.append(
                {"action_type": "SELECT_OPTION", "id": str(field.index), "option": {"label": value}}
            )
        else:
            actions.append({"action_type": "INPUT_TEXT", "id": str(field.index), "text": value})
    box = fields.get(CHECKBOX)
    if box is not None and not box.checked:
        actions.append({"action_type": "CLICK", "id": str(box.index), "reasoning": "agree"})
    if submit is not None:
        actions.append({"action_type": "CLICK", "id": str(submit), "reasoning": "send the form"})
    return actions


# -- browser-use -------------------------------------------------------------------------------
def browser_use_answer(body: dict[str, Any], filled: set[str]) -> dict[str, Any]:
    """Answer one of browser-use's chat-completion requests (its step or its judge).

    ``filled`` remembers, per task, the fields already sent (its element lines do not
    show typed values), the way a model remembers its own earlier actions.
    """
    schema = body.get("response_format", {}).get("json_schema", {}).get("schema", {})
    text = _text(body.get("messages", []))
    if "verdict" in schema.get("properties", {}):
        ok = DONE_TEXT in _page_part(text, "<final_result>").lower()
        return {
            "reasoning": "the final result quotes the thank-you line" if ok else "no confirmation",
            "verdict": ok,
            "failure_reason": "" if ok else "no confirmation seen",
            "impossible_task": False,
            "reached_captcha": False,
        }
    page = _page_part(text, "<browser_state>")
    step = {
        "thinking": "fill the form from the task's details, then submit",
        "evaluation_previous_goal": "ok",
        "memory": "",
        "next_goal": "",
        "current_plan_item": None,
        "plan_update": None,
    }
    if DONE_TEXT in page.lower():
        line = next(x for x in page.splitlines() if DONE_TEXT in x.lower())
        done = {"text": line.strip(), "success": True, "files_to_display": []}
        return {**step, "action": [{"done": done}]}
    fields, submit = _fields(page, _BU_LINE)
    pending: list[tuple[str, dict[str, Any]]] = []
    for name, value in VALUES.items():
        field = fields.get(name)
        if field is None or name in filled:
            continue
        if name in SELECTS:
            pending.append((name, {"select_dropdown": {"index": field.index, "text": value}}))
        else:
            pending.append((name, {"input": {"index": field.index, "text": value, "clear": True}}))
    box = fields.get(CHECKBOX)
    if box is not None and not box.checked and CHECKBOX not in filled:
        pending.append((CHECKBOX, {"click": {"index": box.index}}))
    if submit is not None:
        pending.append(("submit", {"click": {"index": submit}}))
    batch = pending[:BROWSER_USE_MAX_ACTIONS]
    filled.update(name for name, _ in batch)
    return {**step, "action": [action for _, action in batch]}


def expected_submission_ok(form: dict[str, str]) -> bool:
    """Whether a POST to the sign-up route carried every value the task gave."""
    return all(form.get(key) == value for key, value in EXPECTED_FORM.items())


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
