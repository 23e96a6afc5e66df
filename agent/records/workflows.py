"""A published workflow as a record: its goal, parameters, actions and history.

:func:`agent.workflows.recipes.publish` builds a :class:`Workflow` from a completed run, the
stores keep it as its JSON (the readable shape :mod:`agent.workflows.recipes` shows), and the
replay engine reads it back. Workflows stored by an earlier version, as plain JSON,
validate into the same record; keys this version does not know are kept.

    >>> workflow = Workflow.model_validate({"workflow_id": "wpid_1", "goal": "Say {{name}}",
    ...     "parameters": [{"key": "name", "default": "Ada", "description": "typed"}],
    ...     "actions": [{"index": 0, "step": 0, "action_type": "INPUT_TEXT", "text": "{{name}}",
    ...                  "url": None, "intent": "type it", "locators": []}]})
    >>> workflow.actions[0].action_fields(), workflow.parameters[0].default
    ({'action_type': 'INPUT_TEXT', 'text': '{{name}}'}, 'Ada')
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from agent.records.actions import ActionFields, Record, SparseRecord


class WorkflowParameter(SparseRecord):
    """A value the goal and the actions take from the caller at replay (``{{key}}``)."""

    key: str
    """The slot's name: ``{{key}}`` in the goal and the actions."""
    default: str | None = None
    """The value the published run used; None for a secret (never stored) or a required one."""
    description: str | None = None
    """Where the value goes ("typed into Full name")."""
    secret: bool | None = None
    """True for a value that was typed into a password field (given at each replay)."""


class WorkflowAction(ActionFields):
    """One recorded action of a workflow, with what finds its element again.

    The action's own fields (``action_type``, ``text`` with ``{{slots}}``, ``option``,
    ``url`` for GOTO_URL, ``keys``, ...) sit at the top level beside the workflow's keys.
    """

    record_keys: ClassVar[frozenset[str]] = frozenset(
        {"index", "step", "url", "intent", "locators"}
    )

    index: int = 0
    """Position in the workflow's actions, from 0."""
    step: int = 0
    """The recorded step it ran in (a replay runs one step per recorded step)."""
    url: str | None = None
    """The page it happened on (for GOTO_URL and NEW_TAB: where it goes)."""
    intent: str = ""
    """The action in words: ``type {{name}} into the field "Full name"``."""
    locators: list[dict[str, Any]] = Field(default_factory=list)
    """Ways to find the element again, best first (:mod:`agent.browser.seeing.locators`)."""


class WorkflowEnd(Record):
    """Where the recorded run ended: a replay ending elsewhere costs a ``verify`` call."""

    url: str | None = None
    """The last step's URL."""
    title: str | None = None
    """The final page's title, when known."""


class WorkflowEvent(SparseRecord):
    """One line of a workflow's history: published, or repaired by a replay."""

    run_id: str
    """The run that published or repaired it."""
    at: str
    """When, ISO 8601 UTC."""
    event: str
    """``published`` or ``repaired``."""
    actions: list[int] | None = None
    """For a repair: the indexes of the actions that changed."""


class Workflow(Record):
    """A completed run saved as a replayable recipe (see :mod:`agent.workflows.recipes`)."""

    workflow_id: str
    """``wpid_...``."""
    title: str | None = None
    """The source run's title."""
    goal: str = ""
    """The run's prompt with its values as ``{{slots}}``."""
    url: str | None = None
    """Where a replay starts."""
    engine: str = "skyvern-1.0"
    """The source run's engine (a replay falls back to its model calls)."""
    data_extraction_schema: Any = None
    """The output schema: a replay extracts again from the final page."""
    error_code_mapping: dict[str, str] | None = None
    """As in the source run's request."""
    max_steps: int | None = None
    """As in the source run's request."""
    proxy_location: str | dict[str, Any] | None = None
    """As in the source run's request."""
    totp_identifier: str | None = None
    """As in the source run's request."""
    totp_url: str | None = None
    """As in the source run's request."""
    allowed_domains: list[str] | None = None
    """As in the source run's request."""
    blocked_domains: list[str] | None = None
    """As in the source run's request."""
    parameters: list[WorkflowParameter] = Field(default_factory=list)
    """The values a replay takes."""
    secrets: list[str] = Field(default_factory=list)
    """Names of the secrets the run typed; a replay gets their values from its own."""
    actions: list[WorkflowAction] = Field(default_factory=list)
    """The recorded actions that succeeded, in order."""
    end: WorkflowEnd = Field(default_factory=WorkflowEnd)
    """Where the recorded run ended."""
    extract: bool = False
    """The run extracted data: a replay extracts again."""
    version: int = 1
    """Raised by each replay that repaired it."""
    source_run_id: str | None = None
    """The run it was published from."""
    created_at: str | None = None
    """When it was published, ISO 8601 UTC."""
    modified_at: str | None = None
    """Its last change, ISO 8601 UTC."""
    history: list[WorkflowEvent] = Field(default_factory=list)
    """Published, then each repair."""

    def as_json(self) -> dict[str, Any]:
        """The workflow's JSON, with the keys it was given (what the stores write)."""
        return self.model_dump(mode="json", exclude_unset=True)

    def request_field(self, name: str) -> tuple[bool, Any]:
        """Whether the stored workflow gives request field ``name``, and its value."""
        return name in self.model_fields_set, getattr(self, name)
