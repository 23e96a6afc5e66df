"""2FA codes from secrets, pushed codes and totp_url, checked against the fixture sites."""

from __future__ import annotations

import asyncio
import doctest
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pyotp
import pytest

from agent.integrations import totp
from agent.integrations.totp import (
    TOTPCodeStore,
    TOTPEndpointError,
    TOTPSecrets,
    TOTPTimeoutError,
    extract_code,
    get_totp_code,
    looks_like_code_request,
    push_totp_code,
)
from agent.records.errors import InvalidRequestError, RunError
from agent.stores import MemoryStore, SQLiteStore
from fixtures_sites.server import FixtureServer
from tests.clock import ManualClock

KEY = "fixture-webhook-signing-key-3b9d"  # fixtures_sites/webhook_receiver/routes.py
USER = "ada@example.com"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _secret(server: FixtureServer) -> str:
    return str(server.state["totp_login"]["secret"])


async def _log_in_with(server: FixtureServer, code: str) -> str:
    """Sign in to the totp_login site over HTTP with ``code``; the final page's HTML."""
    async with httpx.AsyncClient(base_url=server.base_url, follow_redirects=True) as client:
        first = await client.post(
            "/totp_login/login", data={"username": "ada", "password": "correct-horse-battery"}
        )
        assert looks_like_code_request(first.text)
        done = await client.post("/totp_login/verify", data={"code": code})
        return done.text


@pytest.fixture
def clock() -> ManualClock:
    """Stamps pushed codes: tests order them by moving it, never by sleeping."""
    return ManualClock()


@pytest.fixture(params=["memory", "sqlite"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock
) -> Iterator[TOTPCodeStore]:
    if request.param == "memory":
        backend: MemoryStore | SQLiteStore = MemoryStore(clock=clock)
    else:
        backend = SQLiteStore(tmp_path / "runs.db", clock=clock)
    yield backend
    backend.close()


# -- secrets ------------------------------------------------------------------------------------


def test_secrets_never_show_in_repr_or_errors() -> None:
    secret = pyotp.random_base32()
    secrets = TOTPSecrets({USER: secret})
    assert secret not in repr(secrets) and secret not in str(secrets)
    assert repr(secrets) == "TOTPSecrets(identifiers=['ada@example.com'])"
    short = "JBSWY3DPEHPK3PXP"  # 80 bits: pyotp refuses it, and so do we, without quoting it
    with pytest.raises(InvalidRequestError) as info:
        secrets.add("bob", short)
    assert info.value.field == "totp_secret" and short not in str(info.value)
    with pytest.raises(InvalidRequestError):
        secrets.add("bob", "not base32!!")


def test_secret_forms_and_identifier_normalisation() -> None:
    secret = pyotp.random_base32()
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)).lower()
    uri = pyotp.TOTP(secret).provisioning_uri(name="ada", issuer_name="Northwind")
    secrets = TOTPSecrets({"  ADA@Example.com": spaced, "uri-user": uri})
    at = 1_699_999_985.0  # 5 s into a window: the current code
    expected = pyotp.TOTP(secret).at(int(at))
    assert secrets.code(USER, at=at) == expected
    assert secrets.code("uri-user", at=at) == expected
    assert USER in secrets and "nobody" not in secrets and len(secrets) == 2
    assert secrets.code("nobody") is None
    secrets.remove("ADA@example.com")
    assert secrets.identifiers() == ["uri-user"]


def test_next_window_code_when_the_current_one_is_about_to_expire() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    window_start = 1_700_000_010  # a multiple of 30
    clock = [float(window_start + 5)]  # 25 s left: the current code
    secrets = TOTPSecrets({USER: secret}, clock=lambda: clock[0])
    assert secrets.code(USER) == totp.at(window_start)
    clock[0] = window_start + 15  # 15 s left (< 20): the next window's code
    assert secrets.code(USER) == totp.at(window_start + 30)
    assert totp.verify(secrets.code(USER) or "", for_time=clock[0], valid_window=1)
    strict = TOTPSecrets({USER: secret}, clock=lambda: clock[0], min_remaining=0)
    assert strict.code(USER) == totp.at(window_start)


async def test_code_from_a_secret_is_accepted_by_the_login_server(server: FixtureServer) -> None:
    secrets = TOTPSecrets({USER: _secret(server)})
    code = await get_totp_code(
        identifier=USER,
        totp_url=None,
        run_id="tsk_secret",
        run_started_at=_now(),
        secrets=secrets,
        store=None,
    )
    assert "Welcome, Ada Lovelace. 2FA verified." in await _log_in_with(server, code)


async def test_a_browser_signs_in_with_the_code(server: FixtureServer, page) -> None:
    await page.goto(server.url("/totp_login/"))
    await page.fill("#username", "ada")
    await page.fill("#password", "correct-horse-battery")
    await page.click("button[type=submit]")
    await page.wait_for_url("**/totp_login/verify")
    assert looks_like_code_request(await page.inner_text("body"))
    code = await get_totp_code(
        identifier=USER,
        totp_url=None,
        run_id="tsk_browser",
        run_started_at=_now(),
        secrets=TOTPSecrets({USER: _secret(server)}),
    )
    await page.fill("#code", code)
    await page.click("button[type=submit]")
    assert "2FA verified" in await page.inner_text("#status")


async def test_wrong_code_is_refused_by_the_login_server(server: FixtureServer) -> None:
    secrets = TOTPSecrets({USER: pyotp.random_base32()})  # not the server's secret
    page = await _log_in_with(server, secrets.code(USER) or "")
    assert "not valid" in page and "2FA verified" not in page


def test_docstring_examples() -> None:
    assert doctest.testmod(totp).failed == 0


# -- pushed codes -------------------------------------------------------------------------------


async def test_pushed_code_is_taken_once_and_only_if_newer_than_the_run(
    store: TOTPCodeStore, clock: ManualClock
) -> None:
    push_totp_code(store, USER, "111111")  # pushed before the run started: stale
    started = clock.advance()
    clock.advance()
    push_totp_code(store, "ADA@example.com", "Your Northwind code is 222222.")
    clock.advance()
    push_totp_code(store, USER, "333333")
    args = {"identifier": USER, "totp_url": None, "run_id": "tsk_push", "store": store}

    first = await get_totp_code(**args, run_started_at=started, poll_interval=0.05, timeout=1)
    second = await get_totp_code(**args, run_started_at=started, poll_interval=0.05, timeout=1)
    assert (first, second) == ("222222", "333333")  # oldest first, each once
    with pytest.raises(TOTPTimeoutError):
        await get_totp_code(**args, run_started_at=started, poll_interval=0.05, timeout=0.2)


async def test_code_pushed_from_another_thread_while_waiting(
    store: TOTPCodeStore, clock: ManualClock
) -> None:
    started = clock.now
    clock.advance()
    pusher = threading.Timer(0.2, push_totp_code, args=(store, USER, "424242"))
    pusher.start()
    code = await get_totp_code(  # the 2 s timeout bounds the wait: no window to measure
        identifier=USER,
        totp_url=None,
        run_id="tsk_thread",
        run_started_at=started,
        store=store,
        poll_interval=0.05,
        timeout=2,
    )
    pusher.join()
    assert code == "424242"


def test_push_refuses_text_without_a_code(store: TOTPCodeStore) -> None:
    with pytest.raises(InvalidRequestError):
        push_totp_code(store, USER, "Hello, your order has shipped and will arrive soon.")
    with pytest.raises(InvalidRequestError):
        push_totp_code(store, " ", "123456")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("123456", "123456"),
        (" A1B2C3 ", "A1B2C3"),
        ("Your verification code is 004321. Do not share it.", "004321"),
        ("Acme 2024: use 918273 to sign in", "918273"),
        ("Order 2024-05-01 shipped", None),
        ("", None),
    ],
)
def test_extract_code(text: str, code: str | None) -> None:
    assert extract_code(text) == code


# -- totp_url -----------------------------------------------------------------------------------


async def test_totp_url_is_polled_with_signed_requests_and_its_code_works(
    server: FixtureServer,
) -> None:
    run_id = f"tsk_{uuid.uuid4().hex[:8]}"
    code = await get_totp_code(
        identifier=None,
        totp_url=server.url("/totp/code?after=2"),  # no code for the first two polls
        run_id=run_id,
        run_started_at=_now(),
        signing_key=KEY,
        poll_interval=0.05,
        timeout=5,
    )
    requests = [
        r
        for r in server.state["webhook_receiver"]["totp_requests"]
        if r["body"]["task_id"] == run_id
    ]
    # the receiver records only requests whose signature it verified
    assert [r["body"] for r in requests] == [{"task_id": run_id, "workflow_run_id": None}] * 3
    assert "2FA verified" in await _log_in_with(server, code)


async def test_badly_signed_polls_end_in_otp_error(server: FixtureServer) -> None:
    with pytest.raises(TOTPEndpointError) as info:
        await get_totp_code(
            identifier=None,
            totp_url=server.url("/totp/code?token=hidden"),
            run_id="tsk_badkey",
            run_started_at=_now(),
            signing_key="not-the-key",
            poll_interval=0.05,
            timeout=0.3,
        )
    assert info.value.error_code == "OTP_ERROR"
    assert isinstance(info.value, TOTPTimeoutError)
    assert "HTTP 401" in str(info.value) and "hidden" not in str(info.value)


async def test_timeout_raises_otp_timeout_fast(server: FixtureServer) -> None:
    waiting = get_totp_code(
        identifier=USER,
        totp_url=server.url("/totp/empty"),
        run_id="tsk_timeout",
        run_started_at=_now(),
        store=MemoryStore(),
        signing_key=KEY,
        poll_interval=0.05,
        timeout=0.3,
    )
    with pytest.raises(
        TOTPTimeoutError
    ) as info:  # its own timeout, not the 2 s bound (TimeoutError)
        await asyncio.wait_for(waiting, 2)
    error = info.value
    assert type(error) is TOTPTimeoutError and isinstance(error, RunError)
    assert error.error_code == "OTP_TIMEOUT"
    assert str(error).startswith("No TOTP verification code found.")
    assert "/totp/empty" in str(error) and f"totp_identifier={USER}" in str(error)


async def test_a_broken_totp_url_is_otp_error(server: FixtureServer) -> None:
    with pytest.raises(TOTPEndpointError, match="HTTP 500"):
        await get_totp_code(
            identifier=None,
            totp_url=server.url("/totp/broken"),
            run_id="tsk_broken",
            run_started_at=_now(),
            signing_key=KEY,
            poll_interval=0.2,
            timeout=2.0,  # room for a loaded machine; the last poll, cut short, keeps "HTTP 500"
        )


async def test_a_poll_cut_short_by_the_deadline_keeps_what_the_url_said_before(
    server: FixtureServer,
) -> None:
    # The first poll gets HTTP 500; the second hangs past the deadline, which cuts it short.
    with pytest.raises(TOTPEndpointError, match="last problem: it answered HTTP 500"):
        await get_totp_code(
            identifier=None,
            totp_url=server.url("/totp/broken-then-slow?id=cut-short"),
            run_id="tsk_cut_short",
            run_started_at=_now(),
            signing_key=KEY,
            poll_interval=0.4,
            timeout=1.0,
        )


async def test_a_registered_secret_wins_without_polling(server: FixtureServer) -> None:
    before = len(server.state["webhook_receiver"]["totp_requests"])
    code = await get_totp_code(
        identifier=USER,
        totp_url=server.url("/totp/code"),
        run_id="tsk_order",
        run_started_at=_now(),
        secrets=TOTPSecrets({USER: _secret(server)}),
        signing_key=KEY,
    )
    assert len(code) == 6
    assert len(server.state["webhook_receiver"]["totp_requests"]) == before


async def test_no_source_is_a_usage_error() -> None:
    with pytest.raises(InvalidRequestError):
        await get_totp_code(
            identifier=USER, totp_url=None, run_id="tsk_none", run_started_at=_now()
        )


async def test_codes_and_secrets_stay_out_of_the_logs(
    server: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="agent")
    secret = _secret(server)
    clock = ManualClock()
    store = MemoryStore(clock=clock)
    started = clock.now
    clock.advance()
    pushed = push_totp_code(store, USER, "Your code: 765432")
    codes = [
        await get_totp_code(
            identifier=USER,
            totp_url=None,
            run_id="tsk_logs",
            run_started_at=started,
            secrets=TOTPSecrets({USER: secret}),
        ),
        await get_totp_code(
            identifier=USER, totp_url=None, run_id="tsk_logs", run_started_at=started, store=store
        ),
        await get_totp_code(
            identifier=None,
            totp_url=server.url("/totp/code"),
            run_id=f"tsk_{uuid.uuid4().hex[:8]}",
            run_started_at=started,
            signing_key=KEY,
        ),
    ]
    assert codes[1] == pushed and caplog.records
    for value in [secret, *codes]:
        assert value not in caplog.text


# -- page heuristics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Enter the 6-digit verification code from your authenticator app.",
        "Two-factor authentication",
        "We sent a code to your phone",
        "Enter your one-time password",
        "2FA required",
        "Please enter the code we emailed you",
    ],
)
def test_pages_that_ask_for_a_code(text: str) -> None:
    assert looks_like_code_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sign in to Northwind Portal. Username Password",
        "Card number, expiry date and security code (CVV)",
        "Enter a promo code at checkout",
        "Your invoices: INV-1001 Download",
    ],
)
def test_pages_that_do_not(text: str) -> None:
    assert not looks_like_code_request(text)
