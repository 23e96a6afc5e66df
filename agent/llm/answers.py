"""What each model call must answer, as pydantic models, and how a misfit is told back.

Every purpose has an answer model here. :func:`fit_answer` validates a parsed JSON
answer against it and returns either the typed answer or the list of what was wrong,
in words the model can act on ("missing key 'user_goal_achieved'", "action 2: unknown
action_type 'FLY'", "action 1 (CLICK) names id 99, which is not on the page").
:func:`agent.llm.call.complete_json` re-asks once with that list; a second misfit raises
:class:`~agent.records.errors.AnswerMisfitError`. Nothing is silently turned into a default:
a key the model left out is either optional here (and its default is harmless) or it
is asked for again.

Answers are taken as models commonly write them: extra keys are ignored (models like to
think aloud), ``null`` in an optional field means the field is absent (its default
applies), in the answer, in its actions and in its error entries alike; a number where
a text is expected (an id, a code) is read as that text.

``extract`` answers are the caller's data; they are checked against the caller's JSON
Schema by :mod:`engines.extraction`, not here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.browser.acting.action_types import Action, parse_action


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _as_models_write(cls, data: Any) -> Any:
        """``null`` in an optional field is the field left out; a number for a text is text."""
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        taken: dict[str, Any] = {}
        for key, value in data.items():
            field = fields.get(key)
            if field is not None and value is None and not field.is_required():
                continue  # its default applies
            if field is not None and _is_text(field.annotation) and _is_number(value):
                value = str(value)
            taken[key] = value
        return taken


def _is_text(annotation: Any) -> bool:
    return annotation is str or annotation == (str | None)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _without_nulls(entry: Any) -> Any:
    """An action as written, its ``null`` fields left out (each then takes its default)."""
    if not isinstance(entry, dict):
        return entry
    return {key: value for key, value in entry.items() if value is not None}


class PlanAnswer(_Answer):
    """``plan``: the next actions on the current page (skyvern-1.0 step)."""

    actions: list[Action]
    """The actions to run, in order (empty: the model sees nothing to do; the engine decides)."""
    page_summary: str = ""
    """What the page is and where the task stands."""
    user_goal_achieved: bool = False
    """The page already shows the goal achieved."""

    @field_validator("actions", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _action_list(value)


def _action_list(value: Any) -> list[Action]:
    """A list of actions from a model's answer, or a ValueError naming each bad one."""
    if isinstance(value, dict):
        value = [value]  # one action given without its list: unambiguous
    if not isinstance(value, list):
        raise ValueError(f"must be a list of actions, got {type(value).__name__}")
    actions, problems = [], []
    for number, entry in enumerate(value, start=1):
        try:
            actions.append(parse_action(_without_nulls(entry)))
        except ValueError as exc:
            problems.append(f"action {number}: {exc}")
    if problems:
        raise ValueError("; ".join(problems))
    return actions


class VerifyAnswer(_Answer):
    """``verify``: is the goal achieved, judging by the page?"""

    user_goal_achieved: bool
    thoughts: str = ""


class ErrorCodeEntry(_Answer):
    """One of the caller's codes the model matched (also what a TERMINATE may carry)."""

    error_code: str
    """The code, as in the caller's ``error_code_mapping``."""
    reasoning: str = ""
    """Why it applies."""
    confidence_float: float = 1.0
    """How sure the model is (kept within [0, 1] on the run's ``errors``)."""

    @field_validator("confidence_float", mode="before")
    @classmethod
    def _any_confidence(cls, value: Any) -> Any:
        try:  # a hint, not a reason to ask again
            return float(value)
        except (TypeError, ValueError):
            return 1.0


class ErrorCodesAnswer(_Answer):
    """``error_codes``: which of the caller's codes describe why the run stopped."""

    errors: list[ErrorCodeEntry]


class PlanV2Answer(_Answer):
    """``plan_v2``: the next block of a skyvern-2.0 run, or the end."""

    user_goal_achieved: bool
    should_terminate: bool = False
    termination_reason: str = ""
    task_type: Literal["navigate", "extract", "loop"] = "navigate"
    plan: str = ""
    """The next block's goal; required unless the run ends here."""
    data_extraction_schema: dict[str, Any] | None = None
    loop_goal: str | None = None
    thoughts: str = ""
    actions: list[Action] = Field(default_factory=list)
    """A navigate block's first actions on the page the planner saw (its first step runs
    them instead of asking the navigator again); empty: the navigator decides."""

    @field_validator("actions", mode="before")
    @classmethod
    def _parse_actions(cls, value: Any) -> Any:
        return [] if value is None else _action_list(value)

    @field_validator("task_type", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class ValidateV2Answer(_Answer):
    """``validate_v2``: is the whole goal achieved after the latest block?"""

    user_goal_achieved: bool
    should_terminate: bool = False
    termination_reason: str = ""
    thoughts: str = ""


class SummarizeV2Answer(_Answer):
    """``summarize_v2``: what the run achieved, and its final output."""

    output: Any = Field(...)
    """The final data (``null`` allowed, but the key must be there)."""
    description: str = ""


class GenerateUrlAnswer(_Answer):
    """``generate_url``: where a task with no URL starts."""

    url: str
    title: str = ""


ANSWER_MODELS: dict[str, type[_Answer]] = {
    "plan": PlanAnswer,
    "verify": VerifyAnswer,
    "error_codes": ErrorCodesAnswer,
    "plan_v2": PlanV2Answer,
    "validate_v2": ValidateV2Answer,
    "summarize_v2": SummarizeV2Answer,
    "generate_url": GenerateUrlAnswer,
}
"""The answer model of each purpose (``extract`` answers follow the caller's schema)."""


def _problems(error: ValidationError) -> list[str]:
    found = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            found.append(f"missing key '{where}'")
        elif item["type"] == "literal_error":
            found.append(f"'{where}' is {item['input']!r}: {message}")
        else:
            found.append(f"'{where}': {message}" if where else message)
    return found


def fit_answer(
    purpose: str, data: Any, *, element_ids: Collection[str] | None = None
) -> tuple[Any, list[str]]:
    """The typed answer for ``purpose`` and what was wrong with ``data`` (empty when it fits).

    ``element_ids`` are the ids on the page the prompt showed; an action naming another
    id is a misfit. A purpose with no answer model passes ``data`` through unchanged.

    >>> answer, problems = fit_answer("verify", {"thoughts": "looks done"})
    >>> problems
    ["missing key 'user_goal_achieved'"]
    >>> fit_answer("plan", {"actions": [{"action_type": "CLICK", "id": "9"}]}, element_ids={"3"})[1]
    ["action 1 (CLICK) names id '9', which is not on the page: use an id shown in [brackets]"]
    """
    model = ANSWER_MODELS.get(purpose)
    if model is None:
        return data, []
    if isinstance(data, list) and purpose == "plan":
        data = {"actions": data}
    if not isinstance(data, dict):
        return None, [f"the answer must be one JSON object, not a {type(data).__name__}"]
    try:
        answer = model.model_validate(data)
    except ValidationError as exc:
        return None, _problems(exc)
    problems: list[str] = []
    if isinstance(answer, PlanAnswer | PlanV2Answer) and element_ids is not None:
        for number, action in enumerate(answer.actions, start=1):
            if action.id is not None and action.id not in element_ids:
                problems.append(
                    f"action {number} ({action.action_type}) names id '{action.id}', "
                    "which is not on the page: use an id shown in [brackets]"
                )
    if isinstance(answer, PlanV2Answer):
        ends = answer.user_goal_achieved or answer.should_terminate
        if not ends and not answer.plan.strip():
            problems.append("'plan' is empty: say what the next block must do")
    return (None if problems else answer), problems
