"""The run request: every field of the Tasks API's request body, validated on creation.

``build_request`` turns a validation failure into an :class:`~agent.records.errors.InvalidRequestError`
naming the field; ``check_schema`` and ``effective_schema`` read ``data_extraction_schema``.
"""

from __future__ import annotations

import re
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
    # -- secrets and the browsing policy (agent.integrations.secrets, agent.records.policy) --
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
        from agent.records.policy import check_patterns

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
        from agent.records.validation import is_stored

        return value if is_stored(info.context) else check_schema(value)

    # -- pathological input (agent/records/validation.py); skipped for runs read back from a store --
    @field_validator("*", mode="before")
    @classmethod
    def _text_encodable(cls, value: Any, info: ValidationInfo) -> Any:
        from agent.records.validation import check_strings, is_stored

        return value if is_stored(info.context) else check_strings(value)

    @field_validator("max_steps", mode="before")
    @classmethod
    def _max_steps_a_count(cls, value: Any) -> Any:
        from agent.records.validation import check_max_steps

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
        from agent.records.engines import engine_names

        if value not in engine_names():
            raise ValueError(f"unknown engine {value!r}; use one of {', '.join(engine_names())}")
        return value

    @property
    def run_type(self) -> str:
        """The run object's ``run_type`` for this request's engine (``task_v1``, ``task_v2``)."""
        from agent.records.engines import engine_spec

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

        from agent.records.validation import check_schema_shape

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


def build_request(**fields: Any) -> RunRequest:
    """Build a :class:`RunRequest`, turning a validation failure into a clear usage error.

    >>> build_request(prompt="", url="https://example.com")
    Traceback (most recent call last):
    agent.records.errors.InvalidRequestError: prompt: prompt is empty; say what the agent should do
    """
    from pydantic import ValidationError

    from agent.records.errors import InvalidRequestError

    try:
        return RunRequest(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "request"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = f"unknown request field {field!r}"
        raise InvalidRequestError(field, message) from None
