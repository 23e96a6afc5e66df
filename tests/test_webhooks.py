"""Webhook signing and delivery, against the webhook_receiver fixture site (no mocks)."""

from __future__ import annotations

import doctest
import socket
import time
import uuid

import pytest

from agent.integrations import webhooks
from agent.integrations.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    deliver_webhook,
    encode_payload,
    run_webhook_payload,
    sign,
    signed_headers,
    verify,
)
from fixtures_sites.server import FixtureServer

KEY = "fixture-webhook-signing-key-3b9d"  # fixtures_sites/webhook_receiver/routes.py
FAST = {"backoff": 0.01, "timeout": 5.0}


class Delays:
    """A ``sleep`` for ``deliver_webhook`` that records each delay instead of waiting it."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def _receiver(server: FixtureServer) -> dict:
    return server.state["webhook_receiver"]


def _hook(server: FixtureServer, path: str) -> tuple[str, str]:
    hook_id = uuid.uuid4().hex
    return server.url(f"{path}?id={hook_id}"), hook_id


def test_sign_is_hex_hmac_sha256() -> None:
    # RFC 4231, test case 2
    assert (
        sign(b"what do ya want for nothing?", "Jefe")
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert verify(b"{}", sign(b"{}", "k"), "k")
    assert not verify(b"{} ", sign(b"{}", "k"), "k")
    assert not verify(b"{}", sign(b"{}", "k"), "other")


def test_encode_payload_is_compact_utf8_in_payload_order() -> None:
    body = encode_payload({"status": "completed", "cost": 2.0, "ratio": 0.5, "name": "Zoë"})
    assert body == '{"status":"completed","cost":2,"ratio":0.5,"name":"Zoë"}'.encode()


def test_signed_headers_omit_the_signature_without_a_key() -> None:
    headers = signed_headers(b"{}", None, now=1_700_000_000.7)
    assert headers == {"content-type": "application/json", TIMESTAMP_HEADER: "1700000000"}
    assert signed_headers(b"{}", "k")[SIGNATURE_HEADER] == sign(b"{}", "k")


def test_run_webhook_payload_is_the_run_plus_legacy_keys() -> None:
    run = {"run_id": "tsk_1", "status": "completed", "output": {"ok": True}, "run_request": {}}
    payload = run_webhook_payload(run)
    assert payload["task_id"] == "tsk_1"
    assert payload["extracted_information"] == {"ok": True}
    assert payload["run_request"] == {} and payload["status"] == "completed"


async def test_signed_webhook_is_verified_by_the_receiver(server: FixtureServer) -> None:
    url, hook_id = _hook(server, "/hooks/ok")
    payload = {"run_id": "tsk_42", "status": "completed", "output": {"total": 12.0}}
    before = int(time.time())

    delivery = await deliver_webhook(url, payload, signing_key=KEY, **FAST)

    assert delivery.model_dump() == {
        "delivered": True,
        "attempts": 1,
        "status_code": 200,
        "error": None,
    }
    received = [r for r in _receiver(server)["received"] if r["id"] == hook_id]
    assert len(received) == 1
    assert received[0]["body"] == encode_payload(payload)
    assert received[0]["payload"] == {
        "run_id": "tsk_42",
        "status": "completed",
        "output": {"total": 12},
    }
    assert received[0]["content_type"] == "application/json"
    assert before <= int(received[0]["timestamp"]) <= int(time.time())


async def test_wrong_key_is_rejected_and_not_retried(server: FixtureServer) -> None:
    url, hook_id = _hook(server, "/hooks/ok")
    delivery = await deliver_webhook(url, {"run_id": "tsk_1"}, signing_key="wrong", **FAST)
    assert not delivery.delivered
    assert delivery.attempts == 1 and delivery.status_code == 401
    assert delivery.error is not None and delivery.error.startswith(
        "Webhook failed with status code 401"
    )
    assert [r["id"] for r in _receiver(server)["rejected"]].count(hook_id) == 1


async def test_flaky_receiver_gets_it_on_the_third_attempt(server: FixtureServer) -> None:
    url, hook_id = _hook(server, "/hooks/flaky")
    delivery = await deliver_webhook(url, {"run_id": "tsk_2"}, signing_key=KEY, attempts=3, **FAST)
    assert delivery.delivered and delivery.attempts == 3 and delivery.status_code == 200
    assert _receiver(server)["calls"][("/hooks/flaky", hook_id)] == 3
    assert [r["id"] for r in _receiver(server)["received"]].count(hook_id) == 1


async def test_receiver_that_always_fails_gets_a_bounded_number_of_attempts(
    server: FixtureServer,
) -> None:
    url, hook_id = _hook(server, "/hooks/broken")
    delays = Delays()
    delivery = await deliver_webhook(
        url, {"run_id": "tsk_3"}, signing_key=KEY, attempts=4, sleep=delays, backoff=0.5
    )
    assert not delivery.delivered
    assert delivery.attempts == 4 and delivery.status_code == 500
    assert delivery.error is not None and "status code 500" in delivery.error
    assert _receiver(server)["calls"][("/hooks/broken", hook_id)] == 4
    # three waits, doubling from the backoff, each with at most one backoff of jitter
    assert len(delays.asked) == 3
    for attempt, delay in enumerate(delays.asked, start=1):
        assert 0.5 * 2 ** (attempt - 1) <= delay <= 0.5 * 2 ** (attempt - 1) + 0.5


async def test_429_is_retried_after_the_receivers_retry_after(server: FixtureServer) -> None:
    url, hook_id = _hook(server, "/hooks/busy")
    delays = Delays()
    # the receiver answers 429 with Retry-After: 0, which wins over the 10 s backoff
    delivery = await deliver_webhook(
        url, {"run_id": "tsk_7"}, signing_key=KEY, backoff=10.0, sleep=delays
    )
    assert delivery.delivered and delivery.attempts == 2
    assert delays.asked == [0.0]
    assert _receiver(server)["calls"][("/hooks/busy", hook_id)] == 2


async def test_client_errors_other_than_429_are_final(server: FixtureServer) -> None:
    url, hook_id = _hook(server, "/hooks/reject")
    delivery = await deliver_webhook(url, {"run_id": "tsk_4"}, signing_key=KEY, **FAST)
    assert (delivery.delivered, delivery.attempts, delivery.status_code) == (False, 1, 400)
    assert _receiver(server)["calls"][("/hooks/reject", hook_id)] == 1


async def test_network_errors_are_retried_then_reported() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    delivery = await deliver_webhook(
        f"http://127.0.0.1:{port}/hook", {"run_id": "tsk_5"}, signing_key=KEY, **FAST
    )
    assert not delivery.delivered and delivery.attempts == 3 and delivery.status_code is None
    assert delivery.error is not None
    assert delivery.error.startswith("Webhook delivery failed before receiving a response: ")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/hook", "not a url"])
async def test_unusable_urls_fail_at_once_without_raising(url: str) -> None:
    delivery = await deliver_webhook(url, {"run_id": "tsk_6"}, signing_key=KEY, **FAST)
    assert not delivery.delivered and delivery.attempts == 1 and delivery.error


async def test_a_payload_that_is_not_json_is_reported_not_raised() -> None:
    delivery = await deliver_webhook(
        "http://127.0.0.1:9/hook", {"when": object()}, signing_key=KEY, **FAST
    )
    assert delivery.model_dump() == {
        "delivered": False,
        "attempts": 0,
        "status_code": None,
        "error": delivery.error,
    }
    assert delivery.error is not None and "not JSON" in delivery.error


def test_docstring_examples() -> None:
    assert doctest.testmod(webhooks).failed == 0
