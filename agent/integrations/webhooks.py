"""Signed webhook delivery: the run's result POSTed to ``webhook_url`` when it ends.

The wire format is the hosted service's, so receivers written for it work unchanged:

* the body is compact JSON (``separators=(",", ":")``, UTF-8, keys in the payload's own
  order, floats with integral values written as ints). Keys are *not* sorted: receivers
  must verify the raw bytes they received, never a re-serialisation, so order is free and
  the run's field order reads better;
* ``x-skyvern-signature`` is the hex HMAC-SHA256 of exactly those bytes, keyed with the
  signing key (``AGENT_WEBHOOK_KEY``);
* ``x-skyvern-timestamp`` is the send time in unix seconds. As in the hosted service it is
  *not* part of the signed material;
* ``content-type: application/json``.

With no signing key the request goes out unsigned (no signature header): handy for a local
receiver, and the receiver can tell.

Delivery is bounded: ``attempts`` tries, retrying network errors, timeouts, 5xx, 408, 425
and 429 with exponential backoff plus jitter (a ``Retry-After`` header wins, capped).
Other 4xx answers are final (unlike the hosted service we do not retry 403: a wrong key
does not fix itself in a few seconds). :func:`deliver_webhook` never raises; the outcome
is a :class:`WebhookDelivery` whose ``error`` is the text to store as the run's
``webhook_failure_reason``.

    delivery = await deliver_webhook(
        "http://127.0.0.1:9000/hooks", {"run_id": "tsk_1", "status": "completed"},
        signing_key="s3cret",
    )
    assert delivery.delivered, delivery.error
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from pydantic import BaseModel, Field

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookDelivery",
    "deliver_webhook",
    "encode_payload",
    "run_webhook_payload",
    "sign",
    "signed_headers",
    "verify",
]

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-skyvern-signature"
TIMESTAMP_HEADER = "x-skyvern-timestamp"

DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 1.0
DEFAULT_TIMEOUT = 30.0
MAX_BACKOFF = 30.0
_RETRY_STATUSES = frozenset({408, 425, 429})
_BODY_EXCERPT = 500


class WebhookDelivery(BaseModel):
    """The outcome of one :func:`deliver_webhook` call (all attempts together)."""

    delivered: bool = Field(description="True when the receiver answered 2xx.")
    attempts: int = Field(description="How many requests were sent (0 if none could be).")
    status_code: int | None = Field(
        default=None, description="Status of the last answer; None if none came back."
    )
    error: str | None = Field(
        default=None,
        description="Why delivery failed, in words fit for the run's webhook_failure_reason.",
    )


def _integral_floats_to_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _integral_floats_to_ints(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_integral_floats_to_ints(v) for v in value]
    return value


def encode_payload(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for ``payload``.

    >>> encode_payload({"b": 1.0, "a": "é"})
    b'{"b":1,"a":"\\xc3\\xa9"}'
    """
    text = json.dumps(_integral_floats_to_ints(payload), separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sign(body: bytes, key: str) -> str:
    """Hex HMAC-SHA256 of ``body`` keyed with ``key``.

    >>> sign(b"{}", "k")[:12]
    'add853b103fb'
    """
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str, key: str) -> bool:
    """True when ``signature`` is ``sign(body, key)``; constant-time, for receivers.

    >>> verify(b"{}", sign(b"{}", "k"), "k")
    True
    """
    return hmac.compare_digest(sign(body, key), signature.strip().lower())


def signed_headers(body: bytes, key: str | None, *, now: float | None = None) -> dict[str, str]:
    """Headers for a signed JSON POST of ``body`` (also used by TOTP polling).

    >>> sorted(signed_headers(b"{}", "k", now=0))
    ['content-type', 'x-skyvern-signature', 'x-skyvern-timestamp']
    """
    headers = {
        "content-type": "application/json",
        TIMESTAMP_HEADER: str(int(time.time() if now is None else now)),
    }
    if key:
        headers[SIGNATURE_HEADER] = sign(body, key)
    return headers


def run_webhook_payload(run: Mapping[str, Any]) -> dict[str, Any]:
    """The webhook body for a run, from ``run.model_dump(mode="json")``.

    The whole run object (what ``get_run`` returns), plus the legacy names hosted
    receivers read (``task_id``, ``extracted_information``), so both old and new
    receivers find what they expect.

    >>> run_webhook_payload({"run_id": "tsk_1", "output": {"a": 1}})
    {'run_id': 'tsk_1', 'output': {'a': 1}, 'task_id': 'tsk_1', 'extracted_information': {'a': 1}}
    """
    payload = dict(run)
    payload.setdefault("task_id", run.get("run_id"))
    payload.setdefault("extracted_information", run.get("output"))
    return payload


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _delay(attempt: int, backoff: float, response: httpx.Response | None) -> float:
    hinted = _retry_after(response) if response is not None else None
    if hinted is not None:
        return min(hinted, MAX_BACKOFF)
    return min(backoff * 2.0 ** (attempt - 1) + random.uniform(0, backoff), MAX_BACKOFF)


def _retryable_status(status: int) -> bool:
    return status >= 500 or status in _RETRY_STATUSES


async def deliver_webhook(
    url: str,
    payload: Mapping[str, Any],
    *,
    signing_key: str | None,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
    timeout: float = DEFAULT_TIMEOUT,
    client: httpx.AsyncClient | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> WebhookDelivery:
    """POST ``payload`` to ``url``, signed, retrying transient failures; never raises.

    ``backoff`` is the first retry's base delay in seconds (doubled each retry, plus up
    to ``backoff`` of jitter). ``client`` lets the caller share a connection pool; when
    omitted one is made for this call. ``sleep`` waits between attempts (tests pass one
    that records the delays instead of waiting them).

        delivery = await deliver_webhook(url, {"run_id": "tsk_1"}, signing_key=key,
                                         attempts=3, backoff=0.5)
    """
    try:
        body = encode_payload(payload)
    except (TypeError, ValueError) as exc:
        return WebhookDelivery(
            delivered=False, attempts=0, error=f"Webhook payload is not JSON: {exc}"
        )
    owned = client is None
    http = client or httpx.AsyncClient(timeout=timeout)
    status: int | None = None
    error: str | None = None
    sent = 0
    try:
        for attempt in range(1, max(1, attempts) + 1):
            sent = attempt
            response: httpx.Response | None = None
            try:
                response = await http.post(
                    url, content=body, headers=signed_headers(body, signing_key), timeout=timeout
                )
            except (
                httpx.TimeoutException,
                httpx.NetworkError,
                httpx.RemoteProtocolError,
                httpx.ProxyError,
            ) as exc:
                status, retry = None, True
                error = f"Webhook delivery failed before receiving a response: {type(exc).__name__}: {exc}"
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                # a bad URL or scheme: no retry will help
                status, retry = None, False
                error = f"Webhook delivery failed before receiving a response: {type(exc).__name__}: {exc}"
            else:
                status = response.status_code
                if response.is_success:
                    logger.debug("webhook to %s delivered on attempt %d", url, attempt)
                    return WebhookDelivery(delivered=True, attempts=attempt, status_code=status)
                retry = _retryable_status(status)
                error = (
                    f"Webhook failed with status code {status}, error message: "
                    f"{response.text[:_BODY_EXCERPT]}"
                )
            logger.info("webhook to %s: attempt %d/%d failed: %s", url, attempt, attempts, error)
            if not retry or attempt >= attempts:
                break
            await sleep(_delay(attempt, backoff, response))
    finally:
        if owned:
            await http.aclose()
    return WebhookDelivery(delivered=False, attempts=sent, status_code=status, error=error)
