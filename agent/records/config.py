"""Configuration: the one place environment variables are read.

| variable              | meaning                                                    | default        |
|-----------------------|------------------------------------------------------------|----------------|
| ``AGENT_LLM``         | litellm model name, e.g. ``gpt-4o-mini``                   | none (required)|
| ``AGENT_STORE``       | ``memory``, ``sqlite`` (in the data dir), ``sqlite:///x.db``, a ``.db`` path, ``postgresql://...`` | ``memory`` |
| ``AGENT_BROKER``      | ``redis://host:6379/0``: runs go to Celery workers         | none (local)   |
| ``AGENT_BROWSER_CDP_URL`` | a running Chromium to drive over CDP instead of launching one | none   |
| ``AGENT_DATA_DIR``    | where run folders (screenshots, video, downloads) go      | ``./agent-data``|
| ``AGENT_HEADLESS``    | ``0`` to watch the browser                                 | ``1``          |
| ``AGENT_BROWSER_PATH``| a Chromium executable                                      | searched       |
| ``AGENT_WEBHOOK_KEY`` | key for webhook and totp_url signatures                    | none           |
| ``AGENT_PROXY_<NAME>``| proxy URL for ``proxy_location=<NAME>``                    | none           |
| ``AGENT_UPLOAD_DIR``  | folder whose files UPLOAD_FILE may send                    | none           |
| ``AGENT_SECRET_<NAME>``| a secret the model types as ``{{NAME}}``                 | none           |
| ``AGENT_BLOCK_PRIVATE_NETWORKS`` | ``1``: refuse requests to private/link-local IPs | ``0``         |
| ``AGENT_MAX_DOWNLOAD_MB``| largest download per file, MB                          | ``50``         |
| ``AGENT_MAX_DOWNLOADS``| most downloads per run                                   | ``20``         |
| ``AGENT_LLM_BASE_URL``| the model server's URL (litellm's ``api_base``)            | the provider's |
| ``AGENT_LLM_TIMEOUT`` | seconds one model call may take before it is retried       | ``120``        |
| ``AGENT_LLM_RETRIES`` | retries of a call that hit a rate limit, 5xx, drop, timeout| ``3``          |
| ``AGENT_LLM_DEADLINE``| seconds one call may take in all, its retries included     | ``180``        |
| ``AGENT_LLM_OPTIONS`` | JSON object of extra litellm arguments (``api_key``, ...)  | ``{}``         |

litellm's own variables (``OPENAI_API_KEY``, ``OPENAI_API_BASE``, ``OLLAMA_API_BASE``, ...)
keep working; the ``AGENT_LLM_*`` ones win where both are set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.records.errors import ConfigError

DEFAULT_MAX_ITERATIONS_V2 = 50
"""Planner iterations for skyvern-2.0."""
MAX_RETRIES_PER_STEP = 3
"""Retries of one step whose actions failed, before the run fails."""


DEFAULT_LLM_TIMEOUT = 120.0
"""Seconds one model call may take (a local model on a CPU is slow; a hung server is not)."""
DEFAULT_LLM_RETRIES = 3
"""Retries of a model call that failed on the way (rate limit, 5xx, dropped, timed out)."""
DEFAULT_LLM_DEADLINE = 180.0
"""Seconds one model call may take in all, its retries and their waits included: a dead
server ends the run's call within this, not after ``(retries + 1) × timeout``."""
_MANAGED_LITELLM_ARGS = {
    "model": "llm=",
    "messages": "the prompts",
    "timeout": "llm_timeout= (AGENT_LLM_TIMEOUT)",
    "num_retries": "llm_retries= (AGENT_LLM_RETRIES)",
    "deadline": "llm_deadline= (AGENT_LLM_DEADLINE)",
    "max_retries": "llm_retries= (AGENT_LLM_RETRIES)",
    "stream": "nothing: answers are read whole",
}


@dataclass(frozen=True)
class LLMOptions:
    """How model calls are made: where to, how long each may take, how often to retry.

    >>> LLMOptions(base_url="http://127.0.0.1:11434", timeout=30).litellm_kwargs()
    {'api_base': 'http://127.0.0.1:11434'}
    >>> LLMOptions(extra={"api_base": "http://127.0.0.1:8000/v1"}).base_url
    'http://127.0.0.1:8000/v1'
    """

    base_url: str | None = None
    """The model server's URL, passed to litellm as ``api_base`` (None: the provider's own)."""
    timeout: float = DEFAULT_LLM_TIMEOUT
    """Seconds one call may take; a call past it is abandoned and retried."""
    retries: int = DEFAULT_LLM_RETRIES
    """Retries after a rate limit (its ``Retry-After`` honoured, bounded), 5xx, drop or timeout."""
    deadline: float = DEFAULT_LLM_DEADLINE
    """Seconds a call may take in all, retries and their waits included; then it fails."""
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)  # may hold a key
    """Further ``litellm.acompletion`` arguments: ``api_key``, ``extra_headers``,
    ``temperature``, ``response_format`` (``None`` stops the JSON mode the library asks for)."""

    def __post_init__(self) -> None:
        extra = dict(self.extra)
        for key, instead in _MANAGED_LITELLM_ARGS.items():
            if key in extra:
                raise ConfigError(f"llm_options[{key!r}]: set it with {instead} instead")
        for key in ("api_base", "base_url"):
            value = extra.pop(key, None)
            if value is None:
                continue
            if self.base_url is not None and value != self.base_url:
                raise ConfigError(
                    f"llm_options[{key!r}]={value!r} contradicts llm_base_url={self.base_url!r}; "
                    "give the server's URL once"
                )
            object.__setattr__(self, "base_url", value)
        if not isinstance(self.timeout, (int, float)) or self.timeout <= 0:
            raise ConfigError(
                f"llm_timeout must be a number of seconds above 0, not {self.timeout!r}"
            )
        if (
            not isinstance(self.deadline, (int, float))
            or isinstance(self.deadline, bool)
            or self.deadline <= 0
        ):
            raise ConfigError(
                f"llm_deadline must be a number of seconds above 0, not {self.deadline!r}"
            )
        if not isinstance(self.retries, int) or self.retries < 0:
            raise ConfigError(f"llm_retries must be a whole number from 0, not {self.retries!r}")
        object.__setattr__(self, "extra", extra)

    def litellm_kwargs(self) -> dict[str, Any]:
        """The arguments these options add to each ``litellm.acompletion`` call."""
        kwargs = dict(self.extra)
        if self.base_url:
            kwargs["api_base"] = self.base_url
        return kwargs


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    """Settings read from the environment, for the module-level functions' default Agent."""

    llm: str | None = None
    store: str = "memory"
    data_dir: Path = Path("agent-data")
    headless: bool = True
    browser_path: str | None = None
    webhook_key: str | None = None
    proxies: Mapping[str, str] = field(default_factory=dict)
    upload_dir: Path | None = None
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    block_private_networks: bool = False
    max_download_bytes: int | None = None
    max_downloads: int | None = None
    llm_base_url: str | None = None
    llm_timeout: float | None = None
    llm_retries: int | None = None
    llm_deadline: float | None = None
    llm_options: Mapping[str, Any] = field(default_factory=dict, repr=False)  # may hold a key
    broker: str | None = None
    browser_cdp_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        proxies = {
            key.removeprefix("AGENT_PROXY_"): value
            for key, value in env.items()
            if key.startswith("AGENT_PROXY_") and value
        }
        upload = env.get("AGENT_UPLOAD_DIR")
        secrets = {
            key.removeprefix("AGENT_SECRET_"): value
            for key, value in env.items()
            if key.startswith("AGENT_SECRET_") and value
        }
        max_mb = env.get("AGENT_MAX_DOWNLOAD_MB")
        max_count = env.get("AGENT_MAX_DOWNLOADS")
        return cls(
            llm=env.get("AGENT_LLM") or None,
            store=env.get("AGENT_STORE") or "memory",
            data_dir=Path(env.get("AGENT_DATA_DIR") or "agent-data"),
            headless=_flag(env.get("AGENT_HEADLESS"), True),
            browser_path=env.get("AGENT_BROWSER_PATH") or None,
            webhook_key=env.get("AGENT_WEBHOOK_KEY") or None,
            proxies=proxies,
            upload_dir=Path(upload) if upload else None,
            secrets=secrets,
            block_private_networks=_flag(env.get("AGENT_BLOCK_PRIVATE_NETWORKS"), False),
            max_download_bytes=int(float(max_mb) * 1_000_000) if max_mb else None,
            max_downloads=int(max_count) if max_count else None,
            llm_base_url=env.get("AGENT_LLM_BASE_URL") or None,
            llm_timeout=_number(env, "AGENT_LLM_TIMEOUT", float),
            llm_retries=_number(env, "AGENT_LLM_RETRIES", int),
            llm_deadline=_number(env, "AGENT_LLM_DEADLINE", float),
            llm_options=_json_object(env, "AGENT_LLM_OPTIONS"),
            broker=env.get("AGENT_BROKER") or None,
            browser_cdp_url=env.get("AGENT_BROWSER_CDP_URL") or None,
        )

    def llm_options_with(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        options: Mapping[str, Any] | None = None,
        deadline: float | None = None,
    ) -> LLMOptions:
        """The model-call options: the given arguments over these settings over defaults."""
        return LLMOptions(
            base_url=base_url if base_url is not None else self.llm_base_url,
            timeout=timeout if timeout is not None else (self.llm_timeout or DEFAULT_LLM_TIMEOUT),
            retries=retries
            if retries is not None
            else (DEFAULT_LLM_RETRIES if self.llm_retries is None else self.llm_retries),
            extra={**self.llm_options, **(options or {})},
            deadline=deadline
            if deadline is not None
            else (self.llm_deadline or DEFAULT_LLM_DEADLINE),
        )


def _number(env: Mapping[str, str], name: str, kind: type[Any]) -> Any:
    raw = env.get(name)
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name}={raw!r} is not {what}") from None


def _json_object(env: Mapping[str, str], name: str) -> dict[str, Any]:
    raw = env.get(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(
            f'{name} must be a JSON object, e.g. \'{{"api_key": "..."}}\': {exc}'
        ) from None
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object, not {type(value).__name__}")
    return value


def redact_url(url: str) -> str:
    """``url`` with its password hidden, for messages and logs.

    >>> redact_url("postgresql://agent:s3cret@db:5432/agent")
    'postgresql://agent:***@db:5432/agent'
    >>> redact_url("redis://:s3cret@queue:6379/0")
    'redis://:***@queue:6379/0'
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def quiet_litellm_env() -> None:
    """Keep litellm off the network: local cost map, offline mode (set before importing it)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
