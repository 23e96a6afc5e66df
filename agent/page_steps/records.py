"""What the page steps return and keep: candidates, verdicts and one record per call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import Field

from agent.llm.answers import ANSWER_MODELS, _Answer
from agent.records.actions import ActionOutcome, ActionRecord, ElementSnapshot


class ObserveAnswer(_Answer):
    """``page_observe``: the elements the description points to, best first."""

    elements: list[dict[str, Any]] = Field(default_factory=list)


class CheckAnswer(_Answer):
    """``page_check``: whether the statement holds, and what on the page shows it."""

    holds: bool
    evidence: str = ""


if TYPE_CHECKING:
    from agent.browser.acting.actions import ActionResult
    from agent.records.observation import Element

ANSWER_MODELS.setdefault("page_observe", ObserveAnswer)
ANSWER_MODELS.setdefault("page_check", CheckAnswer)


@dataclass
class Candidate:
    """An element ``ai.observe`` found: its id on the observed page and a stable locator."""

    id: str
    """The element's id in that observation (``data-agent-id``)."""
    description: str
    """What the model said it is."""
    selector: str | None
    """A Playwright selector for it: ``page.locator(candidate.selector)``."""
    locator: dict[str, Any] = field(default_factory=dict)
    """The recorded features (:mod:`agent.browser.seeing.locators`), for the act cache and replays."""
    tag: str = ""
    text: str = ""


@dataclass
class Verdict:
    """What ``ai.check`` judged: ``holds`` and the evidence the model gave."""

    statement: str
    holds: bool
    evidence: str

    def __bool__(self) -> bool:
        return self.holds


@dataclass
class PageCall:
    """One call of a page step, as ``ai.history`` lists it."""

    kind: str
    """``act``, ``extract``, ``observe`` or ``check``."""
    instruction: str
    prompts: list[str] = field(default_factory=list)
    """The prompt text of each model call (empty when the cache answered)."""
    answers: list[str] = field(default_factory=list)
    """Each model answer, as the model wrote it."""
    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    """Of ``input_tokens``, those the provider read from its prompt cache."""
    cost: float = 0.0
    effect: str = ""
    """What came of it: the actions' results, the data, the verdict."""
    actions: list[ActionRecord] = field(default_factory=list)
    """For ``act``: the action records, with their proven effect."""
    cached: bool = False
    """For ``act``: the cached locators did it, with no model call."""
    seconds: float = 0.0
    step_id: str | None = None
    """The step recording this call in the session's run."""
    ok: bool = True


def action_record(
    action: Any, result: ActionResult, element: Element | None, duration_ms: int
) -> ActionRecord:
    """The step record of one action a page step ran (a password's value is never kept)."""
    snapshot = None
    if element is not None:
        snapshot = ElementSnapshot.model_validate(element.model_dump(exclude_none=True))
        if element.attributes.get("type") == "password":
            snapshot.attributes.pop("value", None)
    outcome = ActionOutcome(
        success=result.success, message=result.message, page_changed=result.page_changed
    )
    return ActionRecord.model_validate(
        {
            **action.model_dump(mode="json", exclude_none=True),
            "result": outcome,
            "element": snapshot,
            "duration_ms": duration_ms,
        }
    )
