"""How one model call reaches its provider: arguments, endpoint, and when to retry.

:func:`agent.llm.call._litellm_call` runs the retry loop; this module holds the decisions it
makes, so each can be read and tested alone:

- :func:`call_arguments`: what goes to ``litellm.acompletion`` besides the messages (the
  server's URL and extra arguments from :class:`~agent.records.config.LLMOptions`, JSON mode where
  the provider has one, no retries inside litellm or the OpenAI client, since ours count).
- :func:`api_base_of` and :func:`is_loopback_url`: where a call would go, so that tests,
  which block real models, still reach a model server on this machine.
- :func:`is_retryable` and :func:`retry_wait`: which failures are worth another attempt, and
  how long to wait first (a ``Retry-After`` is honoured, up to :data:`MAX_RETRY_WAIT`).
"""

from __future__ import annotations

import ipaddress
import os
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from agent.records.config import LLMOptions

MAX_RETRY_WAIT = 30.0
"""The longest a ``Retry-After`` is waited for before one retry; longer ones are cut to it."""


def outer_deadline(timeout: float) -> float:
    """When a call is abandoned even if litellm has not given up (a server trickling bytes
    defeats an HTTP read timeout); later than ``timeout`` so litellm's own error, which says
    more, normally comes first."""
    return timeout * 1.5 + 5.0


RETRYABLE = frozenset(
    {
        "RateLimitError",
        "Timeout",
        "APIConnectionError",
        "ServiceUnavailableError",
        "InternalServerError",
    }
)
"""litellm exception classes that mean "the way failed", not "the request is wrong"."""

# Where litellm sends a provider's calls when no api_base is given (its own env vars first).
_DEFAULT_BASES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "openai": (("OPENAI_API_BASE", "OPENAI_BASE_URL"), None),
    "ollama": (("OLLAMA_API_BASE",), "http://localhost:11434"),
    "ollama_chat": (("OLLAMA_API_BASE",), "http://localhost:11434"),
    "hosted_vllm": (("HOSTED_VLLM_API_BASE",), None),
    "lm_studio": (("LM_STUDIO_API_BASE",), None),
    "litellm_proxy": (("LITELLM_PROXY_API_BASE",), None),
}


def api_base_of(model: str, options: LLMOptions) -> str | None:
    """The server URL a call to ``model`` goes to, when it can be known without litellm.

    >>> api_base_of("ollama_chat/llama3.1", LLMOptions())
    'http://localhost:11434'
    >>> api_base_of("openai/x", LLMOptions(base_url="http://127.0.0.1:9/v1"))
    'http://127.0.0.1:9/v1'
    """
    if options.base_url:
        return options.base_url
    provider = model.split("/", 1)[0] if "/" in model else "openai"
    variables, default = _DEFAULT_BASES.get(provider, ((), None))
    for name in variables:
        if os.environ.get(name):
            return os.environ[name]
    return default


def is_loopback_url(url: str | None) -> bool:
    """Whether ``url`` names this machine (``localhost``, ``127.0.0.0/8``, ``::1``).

    >>> is_loopback_url("http://127.0.0.1:8080/v1"), is_loopback_url("https://api.openai.com")
    (True, False)
    """
    if not url:
        return False
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def call_arguments(litellm: Any, model: str, options: LLMOptions) -> dict[str, Any]:
    """The ``litellm.acompletion`` arguments for ``model`` other than ``model`` and ``messages``."""
    kwargs: dict[str, Any] = {"timeout": options.timeout, "max_retries": 0}
    if "response_format" not in options.extra and _has_json_mode(litellm, model):
        kwargs["response_format"] = {"type": "json_object"}
    kwargs.update(options.litellm_kwargs())
    if kwargs.get("response_format", ...) is None:  # the user switched JSON mode off
        del kwargs["response_format"]
    return kwargs


def _has_json_mode(litellm: Any, model: str) -> bool:
    try:
        params = litellm.get_supported_openai_params(model=model) or []
    except Exception:  # a provider litellm cannot place: send nothing it may reject
        return False
    return "response_format" in params


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed call may succeed if tried again (rate limit, 5xx, drop, timeout)."""
    return type(exc).__name__ in RETRYABLE or isinstance(exc, TimeoutError)


def retry_wait(exc: BaseException, backoff: float) -> float:
    """Seconds to wait before the next attempt: the server's ``Retry-After`` if it sent one.

    >>> class Limited(Exception):
    ...     litellm_response_headers = {"retry-after": "2"}
    >>> retry_wait(Limited(), backoff=1.0), retry_wait(ValueError(), backoff=4.0)
    (2.0, 4.0)
    """
    headers = _headers_of(exc)
    wait = _seconds(headers.get("retry-after-ms"), scale=0.001)
    if wait is None:
        wait = _seconds(headers.get("retry-after"))
    return min(MAX_RETRY_WAIT, backoff if wait is None else wait)


def _headers_of(exc: BaseException) -> dict[str, str]:
    for source in (
        getattr(exc, "litellm_response_headers", None),
        getattr(getattr(exc, "response", None), "headers", None),
    ):
        if source:
            try:
                return {str(k).lower(): str(v) for k, v in dict(source).items()}
            except (TypeError, ValueError):
                continue
    return {}


def _seconds(value: str | None, scale: float = 1.0) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value) * scale)
    except ValueError:
        pass
    try:  # an HTTP date
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def describe_failure(
    model: str,
    exc: BaseException,
    attempts: int,
    options: LLMOptions,
    *,
    past_deadline: bool = False,
) -> str:
    """The sentence a run's ``failure_reason`` carries when a call could not be made.

    ``past_deadline``: the call's attempts ran out of ``options.deadline``, which is said.
    """
    name = "Timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
    lines = str(exc).strip().splitlines()  # litellm may append a whole traceback
    detail = lines[0] if lines else "no answer"
    if isinstance(exc, TimeoutError):
        detail = f"no answer within {min(options.timeout, options.deadline):g}s"
    elif "Expecting value" in detail or "invalid response" in detail.lower():
        detail += (
            " (the server did not answer JSON: is the base URL the model API, e.g. ending in "
            "/v1 for an OpenAI-compatible server?)"
        )
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    text = f"model {model} failed ({name}){tries}: {detail}"
    if past_deadline:
        return text + (
            f"; gave up at the {options.deadline:g}s deadline for one call and its retries "
            "(raise llm_deadline / AGENT_LLM_DEADLINE if the server is only slow)"
        )
    if name == "Timeout":
        text += " (raise llm_timeout / AGENT_LLM_TIMEOUT if the model is only slow)"
    return text
