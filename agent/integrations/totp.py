"""Two-factor codes for a run, produced or received locally.

:func:`get_totp_code` tries three sources, in this order:

1. **A registered secret** (:class:`TOTPSecrets`, filled by ``Agent.add_totp_secret``):
   the code is computed with pyotp at once. When the current code has less than
   ``min_remaining`` seconds (20 by default) left, the *next* window's code is returned
   instead of sleeping until the window turns: typing and submitting take a few seconds,
   and a server checking with the usual one-window tolerance accepts the next code now
   and the current one after the turn. (A server with zero tolerance would reject it;
   pass ``min_remaining=0`` for those.) The clock is injectable, so tests never sleep.
2. **Pushed codes** in the run store (``Agent.push_totp_code`` from another thread, or
   another process sharing the SQLite store): ``store.take_totp_code(identifier, since)``
   hands over the oldest unused code created after the run started and marks it used, so a
   stale code is never typed and no code is typed twice. The store is checked every second.
3. **Polling ``totp_url``**: a POST of ``{"task_id": run_id, "workflow_run_id": null}``,
   signed like webhooks (:mod:`agent.integrations.webhooks`), every ``poll_interval`` seconds (10 by
   default). The endpoint answers 200 with ``{"verification_code": "123456"}``, or an empty
   code while it has none. Longer texts (a pasted SMS or email) are searched for the code.

Nothing within ``timeout`` (15 minutes by default) raises :class:`TOTPTimeoutError`
(``error_code`` ``OTP_TIMEOUT``), or :class:`TOTPEndpointError` (``OTP_ERROR``) when
``totp_url`` never once answered in the documented shape. Secrets and codes are never
logged and never appear in a repr or an error message.

    secrets = TOTPSecrets({"me@example.com": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
    code = await get_totp_code(identifier="me@example.com", totp_url=None, run_id="tsk_1",
                               run_started_at=run.created_at, secrets=secrets, store=None)
"""

from __future__ import annotations

import asyncio
import binascii
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyotp

from agent.integrations.webhooks import encode_payload, signed_headers
from agent.records.errors import InvalidRequestError, RunError
from agent.stores.base import TOTPCodeStore  # the two store methods this module needs

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_TIMEOUT",
    "TOTPCodeStore",
    "TOTPEndpointError",
    "TOTPSecrets",
    "TOTPTimeoutError",
    "extract_code",
    "get_totp_code",
    "looks_like_code_request",
    "normalize_identifier",
    "push_totp_code",
]

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 10.0
DEFAULT_TIMEOUT = 15 * 60.0
STORE_POLL_INTERVAL = 1.0
MIN_REMAINING = 20.0
_REQUEST_TIMEOUT = 30.0
_MAX_BARE_CODE = 10


class TOTPTimeoutError(RunError):
    """No verification code arrived in time; the run ends ``terminated`` with ``OTP_TIMEOUT``."""

    error_code: str = "OTP_TIMEOUT"

    def __init__(self, message: str, *, diagnostics: Sequence[str] = ()) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(message)


class TOTPEndpointError(TOTPTimeoutError):
    """``totp_url`` never answered in the documented shape before the deadline (``OTP_ERROR``)."""

    error_code = "OTP_ERROR"


def normalize_identifier(identifier: str) -> str:
    """Trim, and lower-case e-mail addresses, so pushes and runs agree on the key.

    >>> normalize_identifier("  Me@Example.COM ")
    'me@example.com'
    """
    identifier = identifier.strip()
    return identifier.lower() if "@" in identifier else identifier


_CODE_NEAR_KEYWORD = re.compile(
    r"(?:code|otp|passcode|pin|password)\D{0,30}?\b(\d{4,8})\b", re.IGNORECASE
)
_DIGITS = re.compile(r"(?<![\d-])(\d{4,8})(?![\d-])")


def extract_code(text: str) -> str | None:
    """The code in ``text``: the text itself when it is short, else a number near "code".

    >>> extract_code(" 123456 "), extract_code("Your login code is 481 516. Expires in 10 min")
    ('123456', None)
    >>> extract_code("Acme: 2024 promo. Your verification code is 481516.")
    '481516'
    """
    text = text.strip()
    if not text:
        return None
    if len(text) <= _MAX_BARE_CODE and not any(ch.isspace() for ch in text):
        return text
    near = _CODE_NEAR_KEYWORD.search(text)
    if near:
        return near.group(1)
    numbers: list[str] = _DIGITS.findall(text)
    six = [n for n in numbers if len(n) == 6]
    candidates = six or numbers
    return candidates[0] if candidates else None


def push_totp_code(store: TOTPCodeStore, identifier: str, content: str) -> str:
    """Store a code (or an SMS/e-mail text holding one) for a waiting run; returns the code.

    Raises :class:`~agent.records.errors.InvalidRequestError` when no code can be found.

        push_totp_code(agent.store, "me@example.com", "Your code is 123456")
    """
    if not identifier or not identifier.strip():
        raise InvalidRequestError("totp_identifier", "must be a non-empty string")
    code = extract_code(content)
    if code is None:
        raise InvalidRequestError(
            "content", "no verification code found: push the bare code or the message holding it"
        )
    store.add_totp_code(normalize_identifier(identifier), code)
    return code


def _parse_secret(secret: str) -> pyotp.TOTP:
    cleaned = secret.strip()
    try:
        if cleaned.lower().startswith("otpauth://"):
            parsed = pyotp.parse_uri(cleaned)
            if not isinstance(parsed, pyotp.TOTP):
                raise ValueError("not a TOTP uri")
            parsed.byte_secret()
            return parsed
        return pyotp.TOTP(re.sub(r"[\s-]", "", cleaned).upper())
    except (ValueError, binascii.Error, TypeError):
        # the original exception could quote the secret, so it is not chained
        raise InvalidRequestError(
            "totp_secret",
            "expected a Base32 TOTP secret of at least 112 bits (the text an authenticator app "
            "accepts) or an otpauth://totp/... URI",
        ) from None


class TOTPSecrets:
    """Identifier -> TOTP secret, for codes computed locally. Thread-safe; never shows secrets.

    ``clock`` returns unix seconds (inject one in tests); ``min_remaining`` is the
    next-window threshold described in the module docstring.

    >>> secrets = TOTPSecrets({"me@example.com": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})
    >>> secrets
    TOTPSecrets(identifiers=['me@example.com'])
    >>> len(secrets.code("me@example.com"))
    6
    """

    def __init__(
        self,
        secrets: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        min_remaining: float = MIN_REMAINING,
    ) -> None:
        self._totps: dict[str, pyotp.TOTP] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self.min_remaining = min_remaining
        for identifier, secret in (secrets or {}).items():
            self.add(identifier, secret)

    def add(self, identifier: str, secret: str) -> None:
        """Register (or replace) the secret for ``identifier``; validates it first."""
        if not identifier or not identifier.strip():
            raise InvalidRequestError("totp_identifier", "must be a non-empty string")
        totp = _parse_secret(secret)
        with self._lock:
            self._totps[normalize_identifier(identifier)] = totp

    def remove(self, identifier: str) -> None:
        """Forget the secret for ``identifier`` (no error if there is none)."""
        with self._lock:
            self._totps.pop(normalize_identifier(identifier), None)

    def identifiers(self) -> list[str]:
        """The registered identifiers, sorted."""
        with self._lock:
            return sorted(self._totps)

    def code(self, identifier: str, *, at: float | None = None) -> str | None:
        """The code to type now for ``identifier`` (None if no secret is registered).

        ``at`` (unix seconds) overrides the clock.
        """
        with self._lock:
            totp = self._totps.get(normalize_identifier(identifier))
        if totp is None:
            return None
        now = self._clock() if at is None else at
        remaining = totp.interval - (now % totp.interval)
        offset = 1 if remaining < self.min_remaining else 0
        return totp.at(int(now), counter_offset=offset)

    def __contains__(self, identifier: object) -> bool:
        if not isinstance(identifier, str):
            return False
        with self._lock:
            return normalize_identifier(identifier) in self._totps

    def __len__(self) -> int:
        return len(self._totps)

    def __repr__(self) -> str:
        return f"TOTPSecrets(identifiers={self.identifiers()!r})"

    __str__ = __repr__


def _public_url(url: str) -> str:
    """``url`` without credentials, query or fragment: safe for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class _UrlPoller:
    """Polls ``totp_url`` on its own schedule and remembers what went wrong, for the error."""

    def __init__(
        self, client: httpx.AsyncClient, url: str, run_id: str, signing_key: str | None
    ) -> None:
        self.client, self.url, self.signing_key = client, url, signing_key
        self.body = encode_payload({"task_id": run_id, "workflow_run_id": None})
        self.next_at = 0.0
        self.answered = False  # at least one answer in the documented shape
        self.problem: str | None = None

    async def poll(self, now: float, deadline: float, interval: float) -> str | None:
        """One request when it is due: the code, or None."""
        if now < self.next_at:
            return None
        self.next_at = now + interval
        timeout = max(0.1, min(_REQUEST_TIMEOUT, deadline - now))
        code, self.problem = await self._request(timeout)
        self.answered = self.answered or self.problem is None
        if self.problem:
            logger.info("totp_url %s %s", _public_url(self.url), self.problem)
        return code

    async def _request(self, timeout: float) -> tuple[str | None, str | None]:
        headers = signed_headers(self.body, self.signing_key)
        try:
            response = await self.client.post(
                self.url, content=self.body, headers=headers, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            if timeout < _REQUEST_TIMEOUT and self.problem:
                return None, self.problem  # cut short by the deadline: what it said before
            return None, f"request failed: {type(exc).__name__}"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return None, f"request failed: {type(exc).__name__}"
        if response.status_code != 200:
            return None, f"answered HTTP {response.status_code}"
        if "json" not in response.headers.get("content-type", ""):
            return None, "answered 200 without a JSON content-type"
        try:
            data = response.json()
        except ValueError:
            return None, "answered 200 with a body that is not JSON"
        if not isinstance(data, dict) or "verification_code" not in data:
            return None, 'answered JSON without "verification_code"'
        raw = data["verification_code"]
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if raw is not None and not isinstance(raw, str):
            return None, 'answered a "verification_code" that is not a string'
        if not raw:
            return None, None  # the documented "no code yet"
        code = extract_code(raw)
        if code is None:
            return None, 'answered a "verification_code" holding no code'
        return code, None


def _as_utc(moment: datetime) -> datetime:
    # stores compare aware UTC timestamps (SQLite as ISO text), so hand them exactly that
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


async def get_totp_code(
    *,
    identifier: str | None,
    totp_url: str | None,
    run_id: str,
    run_started_at: datetime,
    secrets: TOTPSecrets | None = None,
    store: TOTPCodeStore | None = None,
    signing_key: str | None = None,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    timeout: float = DEFAULT_TIMEOUT,
    http_client: httpx.AsyncClient | None = None,
) -> str:
    """Return a verification code for this run, from the first source that has one.

    Raises :class:`TOTPTimeoutError` (or :class:`TOTPEndpointError`) when none arrives
    within ``timeout`` seconds, and :class:`~agent.records.errors.InvalidRequestError` when the
    run has no source at all. Cancelling the awaiting task stops the polling.

        code = await get_totp_code(identifier="me@example.com", totp_url=None,
                                   run_id=run.run_id, run_started_at=run.created_at,
                                   secrets=agent.totp_secrets, store=agent.store)
    """
    key = normalize_identifier(identifier) if identifier else None
    if key and secrets is not None:
        code = secrets.code(key)
        if code is not None:
            logger.debug("run %s: TOTP code computed from the secret for %s", run_id, key)
            return code
    pushed_store = store if key else None
    if pushed_store is None and not totp_url:
        raise InvalidRequestError(
            "totp_identifier",
            "this run has no TOTP source: register a secret (Agent.add_totp_secret), push "
            "codes (Agent.push_totp_code) to a store, or give totp_url",
        )
    since = _as_utc(run_started_at)
    client = http_client or (httpx.AsyncClient() if totp_url else None)
    poller = _UrlPoller(client, totp_url, run_id, signing_key) if client and totp_url else None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while True:
            if pushed_store is not None and key:
                pushed = pushed_store.take_totp_code(key, since)
                if pushed:
                    logger.debug("run %s: took a pushed TOTP code for %s", run_id, key)
                    return pushed
            if poller is not None:
                code = await poller.poll(loop.time(), deadline, poll_interval)
                if code:
                    logger.debug("run %s: TOTP code received from totp_url", run_id)
                    return code
            now = loop.time()
            if now >= deadline:
                break
            wake = deadline
            if pushed_store is not None:
                wake = min(wake, now + min(poll_interval, STORE_POLL_INTERVAL))
            if poller is not None:
                wake = min(wake, poller.next_at)
            await asyncio.sleep(max(0.0, wake - now))
    finally:
        if http_client is None and client is not None:
            await client.aclose()
    raise _timeout_error(poller, key if pushed_store is not None else None, timeout)


def _timeout_error(poller: _UrlPoller | None, key: str | None, timeout: float) -> TOTPTimeoutError:
    polled = [f"totp_verification_url={_public_url(poller.url)}"] if poller else []
    polled += [f"totp_identifier={key}"] if key else []
    message = (
        "No TOTP verification code found. Going to terminate. Polled source: "
        f"{'|'.join(polled)} for {timeout:g}s."
    )
    if poller is not None and not poller.answered:
        return TOTPEndpointError(
            f"{message} totp_url never answered as documented; last problem: it {poller.problem}.",
            diagnostics=[poller.problem or ""],
        )
    problems = [poller.problem] if poller is not None and poller.problem else []
    return TOTPTimeoutError(message, diagnostics=problems)


_CODE_REQUEST_PATTERNS = re.compile(
    r"verification\s+code|one[-\s]?time\s+(?:pass(?:word|code)|code|pin)|\b2fa\b|\bmfa\b"
    r"|two[-\s]?(?:factor|step)|authenticator|\botp\b|passcode|authentication\s+code"
    r"|enter\s+(?:the|your)\s+(?:\d+[-\s]?digit\s+)?(?:code|otp)|\b\d[-\s]?digit\s+code"
    r"|(?:we|we've|we\s+have)\s+sent\s+(?:you\s+)?a\s+code",
    re.IGNORECASE,
)


def looks_like_code_request(text: str) -> bool:
    """A cheap hint that the page asks for a 2FA code; pair it with the planner's judgement.

    >>> looks_like_code_request("Enter the 6-digit code from your authenticator app")
    True
    >>> looks_like_code_request("Card security code (CVV)")
    False
    """
    return bool(_CODE_REQUEST_PATTERNS.search(text))
