"""The run object, its request and its steps, in the hosted Tasks API's shape.

Field names follow ``seed/tasks-api.txt`` one for one; extra fields (token totals,
errors, screenshots, the v2 plan history) come after them. Everything that is stored
goes through these models, in memory and in SQLite alike.
"""

from __future__ import annotations

import enum
import itertools
import random
import re
import threading
import time
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from agent.errors import InvalidTransitionError

ORGANIZATION_ID = "o_local"
"""Every local run belongs to this one organization (the seed's Step has the field)."""


# -- ids and time ------------------------------------------------------------------------------

_EPOCH = 1655683200  # 2022-06-20, the hosted ids' epoch: ids sort by creation time
_sequence = itertools.count(random.randrange(1 << 12))
_id_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """A time-ordered id such as ``tsk_512345678901234567``: newer ids sort after older ones."""
    with _id_lock:
        millis = int((time.time() - _EPOCH) * 1000)
        seq = next(_sequence) & 0xFFF
    return f"{prefix}_{(millis << 22) | (seq << 10) | random.randrange(1 << 10)}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# -- statuses ----------------------------------------------------------------------------------


class FinalFlag:
    """Whether a status is final, usable both as a property and as the hosted SDK's method.

    The hosted SDK calls ``status.is_final()``; code written here reads ``status.is_final``.
    Both work: the flag is truthy or falsy and returns itself as a bool when called.

    >>> RunStatus.completed.is_final(), bool(RunStatus.running.is_final)
    (True, False)
    """

    __slots__ = ("_value",)

    def __init__(self, value: bool) -> None:
        self._value = value

    def __bool__(self) -> bool:
        return self._value

    def __call__(self) -> bool:
        return self._value

    def __eq__(self, other: object) -> bool:
        return bool(other) == self._value if isinstance(other, bool | FinalFlag) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return repr(self._value)


class RunStatus(enum.StrEnum):
    """Status of a run, as in the Tasks API.

    A plain string in every way that shows: it prints, formats and JSON-encodes as its
    value and compares equal to it.

    >>> f"{RunStatus.completed}", RunStatus.completed == "completed", str(RunStatus.paused)
    ('completed', True, 'paused')
    """

    created = "created"
    queued = "queued"
    running = "running"
    paused = "paused"
    timed_out = "timed_out"
    failed = "failed"
    terminated = "terminated"
    completed = "completed"
    canceled = "canceled"

    @property
    def is_final(self) -> FinalFlag:
        """True for completed, failed, terminated, canceled and timed_out (``is_final()`` too)."""
        return FinalFlag(self in FINAL_STATUSES)

    def can_become(self, new: RunStatus) -> bool:
        return new in _RUN_TRANSITIONS[self]


FINAL_STATUSES = frozenset(
    {
        RunStatus.completed,
        RunStatus.failed,
        RunStatus.terminated,
        RunStatus.canceled,
        RunStatus.timed_out,
    }
)
_RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.created: frozenset(
        {
            RunStatus.queued,
            RunStatus.running,
            RunStatus.timed_out,
            RunStatus.failed,
            RunStatus.canceled,
        }
    ),
    RunStatus.queued: frozenset(
        {RunStatus.running, RunStatus.timed_out, RunStatus.failed, RunStatus.canceled}
    ),
    RunStatus.running: frozenset(
        {
            RunStatus.paused,
            RunStatus.completed,
            RunStatus.failed,
            RunStatus.terminated,
            RunStatus.timed_out,
            RunStatus.canceled,
        }
    ),
    # A paused run waits for a person: an answer resumes it; it may also be canceled,
    # run out of time, or be ended by its process.
    RunStatus.paused: frozenset(
        {
            RunStatus.running,
            RunStatus.timed_out,
            RunStatus.failed,
            RunStatus.terminated,
            RunStatus.canceled,
        }
    ),
    # Unlike the hosted service, a canceled run stays canceled: cancel always wins.
    **{status: frozenset() for status in FINAL_STATUSES},
}


class StepStatus(enum.StrEnum):
    """Status of one step; like :class:`RunStatus`, a plain string where it shows."""

    created = "created"
    running = "running"
    completed = "completed"
    failed = "failed"
    canceled = "canceled"

    def can_become(self, new: StepStatus) -> bool:
        return new in _STEP_TRANSITIONS[self]


_STEP_TRANSITIONS: dict[StepStatus, frozenset[StepStatus]] = {
    StepStatus.created: frozenset(
        {StepStatus.running, StepStatus.failed, StepStatus.canceled, StepStatus.completed}
    ),
    StepStatus.running: frozenset({StepStatus.completed, StepStatus.failed, StepStatus.canceled}),
    StepStatus.completed: frozenset(),
    StepStatus.failed: frozenset(),
    StepStatus.canceled: frozenset(),
}


# -- the request -------------------------------------------------------------------------------


def normalize_url(value: str, field: str = "url") -> str:
    """Validate a URL; a bare host such as ``example.com`` gets ``https://``."""
    text = value.strip()
    if not text:
        raise ValueError(f"{field} is empty; give a full URL such as https://example.com")
    if "://" not in text and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)", text):
        text = "https://" + text  # a bare host, maybe with a port
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https", "file", "about", "data"):
        raise ValueError(
            f"{value!r} is not a web address: use http://, https:// or file:// "
            f"(scheme {parts.scheme!r} is not supported)"
        )
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        if (
            not host
            or " " in text
            or ("." not in host and host != "localhost" and ":" not in (parts.netloc or ""))
        ):
            raise ValueError(f"{value!r} is not a valid URL: it has no proper host name")
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid URL: {exc}") from None
    return text


class RunRequest(BaseModel):
    """Every field of the Tasks API's request body, with its default.

    Validated on creation: a bad field raises before any browser starts.
    """

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(description="The goal, in plain language, with the user's details.")
    url: str | None = Field(None, description="Where to start; chosen by the model when None.")
    title: str | None = Field(None, description="A title for the run.")
    engine: str = Field(
        "skyvern-2.0",
        description="`skyvern-1.0` (step loop), `skyvern-2.0` (planner), or a registered engine.",
    )
    proxy_location: str | dict[str, Any] | None = Field(
        "RESIDENTIAL",
        description="A named proxy location, NONE, or {'url': 'http://user:pw@host:port'}.",
    )
    data_extraction_schema: dict[str, Any] | list[Any] | str | None = Field(
        None, description="JSON Schema the output must follow (a pydantic model is converted)."
    )
    error_code_mapping: dict[str, str] | None = Field(
        None, description="Your error codes and when they apply; matched codes land in output."
    )
    max_steps: int | None = Field(None, description="Step budget; retries do not count.")
    webhook_url: str | None = Field(None, description="Where the run is POSTed when it ends.")
    totp_identifier: str | None = Field(None, description="Whose 2FA codes to use.")
    totp_url: str | None = Field(None, description="An endpoint polled for 2FA codes.")
    browser_session_id: str | None = Field(None, description="A live session (pbs_...) to reuse.")
    publish_workflow: bool = Field(False, description="Save the finished run as a workflow.")
    # -- secrets and the browsing policy (agent.secrets, agent.browser.policy) --
    secrets: list[str] | None = Field(
        None, description="Names of the secrets the run may type as {{NAME}}; never values."
    )
    allowed_domains: list[str] | None = Field(
        None, description="Host globs the browser may open (all others refused), or None."
    )
    blocked_domains: list[str] | None = Field(
        None, description="Host globs the browser must not open."
    )

    @field_validator("secrets", mode="before")
    @classmethod
    def _secret_names_only(cls, value: Any) -> Any:
        if isinstance(value, dict):  # a values dict that got here: keep the names only
            value = sorted(value)
        return value

    @field_validator("allowed_domains", "blocked_domains")
    @classmethod
    def _domain_globs_valid(cls, value: list[str] | None) -> list[str] | None:
        from agent.browser.policy import check_patterns

        return None if value is None else check_patterns(value)

    # -- the rest of the hosted service's current TaskRunRequest --
    browser_profile_id: str | None = Field(
        None, description="A saved browser profile (bp_...) to load, and save back at the end."
    )
    start_fresh_browser: bool = Field(
        False, description="Start from an empty browser: no profile is read or written."
    )
    model: dict[str, Any] | None = Field(
        None,
        description="This run's model: {'model_name': '<litellm model>', <litellm options>}.",
    )
    extra_http_headers: dict[str, str] | None = Field(
        None, description="Headers the browser adds to every request it makes."
    )
    cdp_connect_headers: dict[str, str] | None = Field(
        None,
        description="Headers for the CDP handshake with browser_address only; masked when shown.",
    )
    include_action_history_in_verification: bool | None = Field(
        False, description="Give the goal check every action of the run, not just the last step's."
    )
    max_screenshot_scrolls: int | None = Field(
        None, description="Step screenshots cover the page down to this many scrolls (0: viewport)."
    )
    browser_address: str | None = Field(
        None, description="CDP address of a running Chromium (http://host:port or ws://...)."
    )
    run_with: Literal["agent", "code"] | None = Field(
        None, description="'code': replay the published workflow of the same task when one exists."
    )
    file_ids: list[str] | None = Field(
        None, description="Files registered with Agent.upload_file that this run may upload."
    )
    # -- beyond the hosted request --
    user_agent: str | None = Field(None, description="The User-Agent the browser sends.")
    timeout_seconds: float | None = Field(
        None, description="Wall-clock limit; past it the run ends timed_out (paused time counts)."
    )
    max_cost: float | None = Field(
        None, description="Spending limit in USD (litellm prices); no call may pass it."
    )
    max_total_tokens: int | None = Field(
        None, description="Token limit over all model calls (for models without prices)."
    )

    @field_validator("prompt")
    @classmethod
    def _prompt_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("prompt is empty; say what the agent should do")
        return value

    @field_validator("url")
    @classmethod
    def _url_valid(cls, value: str | None) -> str | None:
        return None if value is None else normalize_url(value)

    @field_validator("webhook_url", "totp_url")
    @classmethod
    def _callback_url_valid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = normalize_url(value)
        if not text.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} must be an http:// or https:// URL")
        return text

    @field_validator("max_steps")
    @classmethod
    def _max_steps_positive(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError(f"max_steps must be at least 1 (got {value})")
        return value

    @field_validator("data_extraction_schema", mode="before")
    @classmethod
    def _schema_valid(cls, value: Any, info: ValidationInfo) -> Any:
        from agent.validation import is_stored

        return value if is_stored(info.context) else check_schema(value)

    # -- pathological input (agent/validation.py); skipped for runs read back from a store --
    @field_validator("*", mode="before")
    @classmethod
    def _text_encodable(cls, value: Any, info: ValidationInfo) -> Any:
        from agent.validation import check_strings, is_stored

        return value if is_stored(info.context) else check_strings(value)

    @field_validator("max_steps", mode="before")
    @classmethod
    def _max_steps_a_count(cls, value: Any) -> Any:
        from agent.validation import check_max_steps

        return check_max_steps(value)

    @field_validator("browser_session_id")
    @classmethod
    def _session_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("pbs_"):
            raise ValueError(f"{value!r} is not a browser session id (they start with 'pbs_')")
        return value

    @field_validator("browser_profile_id")
    @classmethod
    def _profile_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("bp_"):
            raise ValueError(f"{value!r} is not a browser profile id (they start with 'bp_')")
        return value

    @field_validator("browser_address")
    @classmethod
    def _browser_address_valid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not a CDP address; give http://127.0.0.1:9222 or "
                "ws://127.0.0.1:9222/devtools/browser/<id>"
            )
        return value.strip()

    @field_validator("run_with", mode="before")
    @classmethod
    def _run_with_known(cls, value: Any) -> Any:
        if value is not None and value not in ("agent", "code"):
            raise ValueError(f"run_with is 'agent' or 'code' (got {value!r})")
        return value

    @field_validator("max_screenshot_scrolls")
    @classmethod
    def _scrolls_non_negative(cls, value: int | None) -> int | None:
        if value is not None and value < 0:
            raise ValueError(f"max_screenshot_scrolls must be 0 or more (got {value})")
        return value

    @field_validator("file_ids")
    @classmethod
    def _file_ids_shape(cls, value: list[str] | None) -> list[str] | None:
        for file_id in value or []:
            if not file_id.startswith("file_"):
                raise ValueError(f"{file_id!r} is not a file id from Agent.upload_file")
        if value is not None and len(value) > 50:
            raise ValueError(f"at most 50 files per run (got {len(value)})")
        return value

    @field_validator("timeout_seconds", "max_cost", "max_total_tokens")
    @classmethod
    def _limit_positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError(f"a limit must be above 0 (got {value}); leave it None for none")
        return value

    @field_validator("model")
    @classmethod
    def _model_named(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and not isinstance(value.get("model_name") or value.get("model"), str):
            raise ValueError(
                "model needs a 'model_name' (a litellm model name such as 'gpt-4o-mini')"
            )
        return value

    @field_serializer("cdp_connect_headers")
    def _mask_cdp_headers(self, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else {name: "***" for name in value}

    @model_validator(mode="after")
    def _fresh_browser_alone(self) -> RunRequest:
        for name in ("browser_session_id", "browser_profile_id", "browser_address"):
            if self.start_fresh_browser and getattr(self, name):
                raise ValueError(
                    f"start_fresh_browser cannot be combined with {name}: "
                    "a fresh browser starts empty; drop one of the two"
                )
        if self.browser_address and self.browser_session_id:
            raise ValueError(
                "browser_address and browser_session_id both name the browser; give one"
            )
        return self

    @property
    def model_name(self) -> str | None:
        """The litellm model this run asks for, or None for the Agent's."""
        if not self.model:
            return None
        return str(self.model.get("model_name") or self.model.get("model"))

    @property
    def model_options(self) -> dict[str, Any]:
        """The rest of ``model``: litellm arguments for this run's calls (``temperature``, ...)."""
        return {k: v for k, v in (self.model or {}).items() if k not in ("model_name", "model")}

    @model_validator(mode="after")
    def _error_codes_named(self) -> RunRequest:
        for code in self.error_code_mapping or {}:
            if not code.strip():
                raise ValueError("error_code_mapping has an empty error code")
        return self

    @field_validator("engine")
    @classmethod
    def _engine_known(cls, value: str) -> str:
        from agent.engine_registry import engine_names

        if value not in engine_names():
            raise ValueError(f"unknown engine {value!r}; use one of {', '.join(engine_names())}")
        return value

    @property
    def run_type(self) -> str:
        """The run object's ``run_type`` for this request's engine (``task_v1``, ``task_v2``)."""
        from agent.engine_registry import engine_spec

        return str(engine_spec(self.engine).run_type)

    @property
    def schema_for_output(self) -> Any:
        """The JSON Schema the output must follow, or None."""
        return effective_schema(self.data_extraction_schema)


def check_schema(value: Any) -> Any:
    """Accept a JSON Schema dict, a pydantic model class, a list or a text description.

    Returns the value as it will be stored (a pydantic class becomes its JSON Schema);
    raises ValueError when a dict is not a valid JSON Schema.
    """
    if isinstance(value, type) and issubclass(value, BaseModel):
        return value.model_json_schema()
    if isinstance(value, dict):
        import jsonschema

        from agent.validation import check_schema_shape

        check_schema_shape(value)  # depth, size, local $ref only: before jsonschema recurses
        effective = effective_schema(value)
        try:
            jsonschema.validators.validator_for(effective).check_schema(effective)
        except jsonschema.SchemaError as exc:
            raise ValueError(f"not a valid JSON Schema: {exc.message}") from None
    return value


_SCHEMA_KEYS = {
    "type",
    "properties",
    "items",
    "$schema",
    "$ref",
    "anyOf",
    "oneOf",
    "allOf",
    "enum",
    "const",
    "$defs",
    "definitions",
    "required",
}


def effective_schema(value: Any) -> Any:
    """The JSON Schema a value stands for.

    The seed's own example gives a bare mapping of properties
    (``{"application_success": {"type": "boolean"}}``); it means an object with them.
    """
    if not isinstance(value, dict) or not value:
        return value
    bare = all(isinstance(v, dict) and ("type" in v or "properties" in v) for v in value.values())
    if bare and not (_SCHEMA_KEYS & value.keys() and isinstance(value.get("type"), str)):
        return {"type": "object", "properties": value}
    return value


# -- the run object ----------------------------------------------------------------------------


class FileInfo(BaseModel):
    """A file the run downloaded."""

    url: str = Field(description="file:// URL of the saved copy.")
    checksum: str = Field(description="sha256 of the content, hex.")
    filename: str = Field(description="Name of the saved file.")
    file_size: int | None = Field(None, description="Size in bytes.")
    modified_at: datetime | None = Field(None, description="When it was saved.")


class TaskRun(BaseModel):
    """A run, as ``run_task`` and ``get_run`` return it: the Tasks API's response."""

    run_id: str = Field(description="tsk_... for skyvern-1.0, tsk_v2_... for skyvern-2.0.")
    status: RunStatus = Field(description="Where the run is in its lifecycle.")
    output: dict[str, Any] | list[Any] | str | None = Field(None, description="Extracted data.")
    downloaded_files: list[FileInfo] | None = Field(None, description="Files the run downloaded.")
    recording_url: str | None = Field(None, description="file:// URL of the video.")
    failure_reason: str | None = Field(None, description="Why it failed or was terminated.")
    created_at: datetime = Field(default_factory=utcnow, description="Creation time, UTC.")
    modified_at: datetime = Field(default_factory=utcnow, description="Last change, UTC.")
    run_type: str = Field(description="task_v1 or task_v2.")
    run_request: RunRequest = Field(description="The request the run was started with.")
    # -- beyond the seed --
    title: str | None = Field(None, description="The request's title, or one chosen for it.")
    errors: list[dict[str, Any]] = Field(default_factory=list, description="Error codes raised.")
    step_count: int = Field(0, description="Steps taken, retries included.")
    screenshot_urls: list[str] = Field(
        default_factory=list, description="Latest screenshots, newest first (at most 3)."
    )
    queued_at: datetime | None = Field(None, description="When it was queued.")
    started_at: datetime | None = Field(None, description="When it started running.")
    finished_at: datetime | None = Field(None, description="When it reached a final status.")
    input_token_count: int = Field(0, description="Prompt tokens over all model calls.")
    output_token_count: int = Field(0, description="Completion tokens over all model calls.")
    llm_calls: int = Field(0, description="Number of model calls.")
    total_cost: float = Field(0.0, description="Model cost in USD, from litellm's tables.")
    browser_session_id: str | None = Field(None, description="The session it ran in, if any.")
    webhook_failure_reason: str | None = Field(None, description="Why the webhook failed.")
    blocks: list[dict[str, Any]] | None = Field(
        None, description="skyvern-2.0: the planner's blocks, their goals and results."
    )
    workflow_id: str | None = Field(None, description="Workflow published from or replayed.")
    owner_pid: int | None = Field(None, description="Process running it (to spot dead runs).")
    browser_profile_id: str | None = Field(None, description="The profile it loaded, if any.")
    max_screenshot_scrolls: int | None = Field(None, description="As requested.")
    question: str | None = Field(
        None, description="While paused: what the agent asks the person (see resume_run)."
    )
    answer: str | None = Field(
        None, description="The person's last answer, set by resume_run until the run reads it."
    )

    @field_validator("errors")
    @classmethod
    def _errors_hosted_shape(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [error_entry(entry) for entry in value]

    def transition(self, new: RunStatus, **changes: Any) -> TaskRun:
        """A copy moved to ``new`` with ``changes``; raises on an illegal transition."""
        if new != self.status and not self.status.can_become(new):
            raise InvalidTransitionError(
                f"run {self.run_id} cannot go from {self.status.value} to {new.value}"
            )
        reason = changes.get("failure_reason", self.failure_reason)
        if new in (RunStatus.failed, RunStatus.terminated) and not reason:
            raise InvalidTransitionError(f"a {new.value} run needs a failure_reason")
        if self.failure_reason and changes.get("failure_reason") not in (None, self.failure_reason):
            changes.pop("failure_reason")  # a failure reason, once set, is never overwritten
        now = utcnow()
        stamps: dict[str, Any] = {"modified_at": now}
        if new == RunStatus.queued and self.queued_at is None:
            stamps["queued_at"] = now
        if new == RunStatus.running and self.started_at is None:
            stamps["started_at"] = now
        if new.is_final and self.finished_at is None:
            stamps["finished_at"] = now
        return self.model_copy(update={"status": new, **stamps, **changes})

    def report(self, path: str | None = None) -> str:
        """Write a self-contained HTML report of this run; returns its path.

        Needs the run's files (screenshots) from the data dir it ran with.
        """
        from agent.report import write_report

        return str(write_report(self, path))

    def _repr_html_(self) -> str:
        """Rich display in Jupyter."""
        from agent.display import run_html

        return run_html(self)


def error_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An ``errors`` entry in the hosted shape: error_code, reasoning, confidence_float, type.

    >>> error_entry({"error_code": "login_failed", "reasoning": "rejected"})["confidence_float"]
    1.0
    """
    try:
        confidence = min(1.0, max(0.0, float(entry.get("confidence_float", 1.0))))
    except (TypeError, ValueError):
        confidence = 1.0
    return {
        **entry,
        "error_code": str(entry.get("error_code") or "UNKNOWN"),
        "reasoning": str(entry.get("reasoning") or ""),
        "confidence_float": confidence,
        "error_type": entry.get("error_type") or "SYSTEM_DEFINED_ERROR",
    }


class StepOutput(BaseModel):
    """What a finished step did, in the hosted ``AgentStepOutput`` shape.

    ``actions_and_results`` pairs each action with its results, so the hosted SDK's step
    helpers (``is_success``, ``is_goal_achieved``) read a completed step correctly.
    """

    actions_and_results: list[tuple[dict[str, Any], list[dict[str, Any]]]] = Field(
        default_factory=list, description="Each action and the list of its results."
    )
    errors: list[dict[str, Any]] = Field(default_factory=list, description="User error codes.")
    browser_metadata: dict[str, Any] | None = Field(None, description="{'website_url': ...}")
    step_exception: str | None = Field(None, description="Why the step failed, if it did.")

    @classmethod
    def of(cls, step: Step) -> StepOutput:
        """The output of ``step`` from its recorded actions."""
        pairs = []
        for action in step.actions:
            result = dict(action.get("result") or {"success": True})
            record = {k: v for k, v in action.items() if k not in ("result", "element")}
            pairs.append(
                (
                    record,
                    [
                        {
                            "success": bool(result.get("success")),
                            "exception_message": None
                            if result.get("success")
                            else result.get("message"),
                            "data": result.get("data"),
                        }
                    ],
                )
            )
        return cls(
            actions_and_results=pairs,
            browser_metadata={"website_url": step.url} if step.url else None,
            step_exception=step.failure_reason,
        )


class Step(BaseModel):
    """One step of a run: an observation, one model answer, its actions and their results."""

    organization_id: str = Field(ORGANIZATION_ID, description="Always o_local here.")
    task_id: str = Field(description="The run this step belongs to.")
    step_id: str = Field(default_factory=lambda: new_id("stp"), description="stp_...")
    status: StepStatus = Field(StepStatus.created, description="Where the step is.")
    order: int = Field(0, description="Zero-based step number; retries share it.")
    retry_index: int = Field(0, description="0 for a first attempt, +1 per retry.")
    input_token_count: int = Field(0, description="Prompt tokens of this step's model calls.")
    output_token_count: int = Field(0, description="Completion tokens of this step's calls.")
    # -- beyond the seed --
    created_at: datetime = Field(default_factory=utcnow, description="Creation time, UTC.")
    modified_at: datetime = Field(default_factory=utcnow, description="Last change, UTC.")
    is_last: bool = Field(False, description="True for the run's final step.")
    step_cost: float = Field(0.0, description="Model cost of this step, USD.")
    llm_calls: int = Field(0, description="Model calls made in this step.")
    url: str | None = Field(None, description="Page URL when the step observed it.")
    actions: list[dict[str, Any]] = Field(
        default_factory=list, description="Each action the model chose, with its result."
    )
    reasoning: str | None = Field(None, description="What the model said it was doing.")
    failure_reason: str | None = Field(None, description="Why the step failed.")
    duration_ms: int | None = Field(None, description="Wall time of the step.")
    artifacts: dict[str, str] = Field(
        default_factory=dict, description="file:// URLs: screenshot, prompt, answer."
    )
    block: int | None = Field(None, description="skyvern-2.0: index of the block it ran in.")
    output: StepOutput | None = Field(
        None, description="Set when the step ends: its actions and results, hosted shape."
    )

    def _repr_html_(self) -> str:
        """Rich display in Jupyter."""
        from agent.display import step_html

        return step_html(self)

    def transition(self, new: StepStatus, **changes: Any) -> Step:
        if new != self.status and not self.status.can_become(new):
            raise InvalidTransitionError(
                f"step {self.step_id} cannot go from {self.status.value} to {new.value}"
            )
        moved = self.model_copy(update={"status": new, "modified_at": utcnow(), **changes})
        if new in (StepStatus.completed, StepStatus.failed) and moved.output is None:
            moved.output = StepOutput.of(moved)
        return moved


def build_request(**fields: Any) -> RunRequest:
    """Build a :class:`RunRequest`, turning a validation failure into a clear usage error.

    >>> build_request(prompt="", url="https://example.com")
    Traceback (most recent call last):
    agent.errors.InvalidRequestError: prompt: prompt is empty; say what the agent should do
    """
    from pydantic import ValidationError

    from agent.errors import InvalidRequestError

    try:
        return RunRequest(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "request"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = f"unknown request field {field!r}"
        raise InvalidRequestError(field, message) from None
