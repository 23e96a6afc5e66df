"""The rest of the request, end to end through run_task: 2FA, webhooks, downloads,
recording, browser sessions and proxies."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pyotp
import pytest

from agent import Agent, RunStatus
from agent.records.errors import InvalidRequestError, SessionBusyError
from agent.testing import PromptLLM
from tests.engines.policies import totp_policy
from tests.proxy_server import RecordingProxy

TOTP_SECRET = "AUQVWE5R4QBTKMGWSFBWQKGCJVTFPRDP"  # fixtures_sites/totp_login/routes.py
HOOK_KEY = "fixture-webhook-signing-key-3b9d"  # fixtures_sites/webhook_receiver/routes.py


def _no_code_leaked(agent: Agent, run_id: str, run_dir: Path, codes: list[str]) -> None:
    stored = json.dumps([s.model_dump(mode="json") for s in agent.list_steps(run_id)])
    stored += agent.get_run(run_id).model_dump_json()
    files = " ".join(
        p.read_text(errors="ignore")
        for p in run_dir.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".json")
    )
    for secret in [TOTP_SECRET, *codes]:
        assert secret not in stored and secret not in files


def test_totp_from_a_registered_secret(agent_for, server, tmp_path):
    llm = PromptLLM(totp_policy)
    agent = agent_for(llm)
    agent.add_totp_secret("ada@example.com", TOTP_SECRET)
    run = agent.run_task(
        "Sign in as ada with password correct-horse-battery",
        server.url("/totp_login/"),
        engine="skyvern-1.0",
        totp_identifier="ada@example.com",
        max_steps=5,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    state = server.state["totp_login"]
    assert state["verified"], "the server accepted a real code"
    _no_code_leaked(
        agent,
        run.run_id,
        tmp_path / "runs" / run.run_id,
        [v.get("code", "") if isinstance(v, dict) else str(v) for v in state["verified"]],
    )


def test_totp_code_pushed_by_another_thread_while_the_run_waits(agent_for, server):
    agent = agent_for(PromptLLM(totp_policy))
    run = agent.run_task(
        "Sign in as ada with password correct-horse-battery",
        server.url("/totp_login/"),
        engine="skyvern-1.0",
        totp_identifier="ada-sms",
        max_steps=5,
        wait=False,
    )

    def push_when_asked() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(r.path == "/totp_login/verify" for r in server.requests):
                time.sleep(0.3)
                agent.push_totp_code("ada-sms", f"Your code is {pyotp.TOTP(TOTP_SECRET).now()}")
                return
            time.sleep(0.05)

    pusher = threading.Thread(target=push_when_asked)
    pusher.start()
    final = agent.wait(run.run_id, timeout=120)
    pusher.join()
    assert final.status == RunStatus.completed, final.failure_reason


def test_totp_url_is_polled_with_a_signed_request(agent_for, server):
    agent = agent_for(PromptLLM(totp_policy), webhook_key=HOOK_KEY, totp_poll_interval=0.2)
    run = agent.run_task(
        "Sign in as ada with password correct-horse-battery",
        server.url("/totp_login/"),
        engine="skyvern-1.0",
        totp_url=server.url("/totp/code?after=1"),
        max_steps=5,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    polls = [
        r
        for r in server.state["webhook_receiver"]["totp_requests"]
        if r["body"]["task_id"] == run.run_id
    ]
    assert len(polls) >= 2  # the first poll had no code yet


def test_no_code_in_time_ends_terminated_with_otp_timeout(agent_for, server):
    agent = agent_for(
        PromptLLM(totp_policy), webhook_key=HOOK_KEY, totp_poll_interval=0.2, totp_timeout=1.0
    )
    run = agent.run_task(
        "Sign in as ada with password correct-horse-battery",
        server.url("/totp_login/"),
        engine="skyvern-1.0",
        totp_url=server.url("/totp/empty"),
        max_steps=5,
    )
    assert run.status == RunStatus.terminated
    assert [e["error_code"] for e in run.errors] == ["OTP_TIMEOUT"]
    assert run.output == {"error": "OTP_TIMEOUT"} and run.failure_reason


def complete_at_once(prompt):
    if prompt.purpose == "plan":
        return {"actions": [{"action_type": "COMPLETE"}]}
    return {"user_goal_achieved": True}


def _deliveries(server, run_id: str) -> list[dict]:
    return [
        d
        for d in server.state["webhook_receiver"]["received"]
        if d["payload"] and d["payload"]["run_id"] == run_id
    ]


def test_webhook_is_signed_and_carries_the_final_run(agent_for, server):
    agent = agent_for(PromptLLM(complete_at_once), webhook_key=HOOK_KEY)
    run = agent.run_task(
        "Look", server.url("/products/"), engine="skyvern-1.0", webhook_url=server.url("/hooks/ok")
    )
    assert run.status == RunStatus.completed
    [delivery] = _deliveries(server, run.run_id)
    assert delivery["payload"]["status"] == "completed"
    assert delivery["payload"]["run_request"]["webhook_url"].endswith("/hooks/ok")
    assert delivery["timestamp"] and run.webhook_failure_reason is None


def test_webhook_retries_a_flaky_receiver(agent_for, server):
    agent = agent_for(PromptLLM(complete_at_once), webhook_key=HOOK_KEY)
    run = agent.run_task(
        "Look",
        server.url("/products/"),
        engine="skyvern-1.0",
        webhook_url=server.url("/hooks/flaky?id=e2e"),
    )
    assert len(_deliveries(server, run.run_id)) == 1
    assert server.state["webhook_receiver"]["calls"][("/hooks/flaky", "e2e")] == 3
    assert run.webhook_failure_reason is None


def test_failed_webhook_is_recorded_without_changing_the_run(agent_for, server):
    agent = agent_for(PromptLLM(complete_at_once), webhook_key=HOOK_KEY)
    run = agent.run_task(
        "Look",
        server.url("/products/"),
        engine="skyvern-1.0",
        webhook_url=server.url("/hooks/reject?id=e2e"),
    )
    final = agent.get_run(run.run_id)
    assert final.status == RunStatus.completed
    assert final.webhook_failure_reason and "400" in final.webhook_failure_reason


def test_canceled_run_sends_its_webhook(agent_for, server):
    gate = threading.Event()

    def waiting(prompt):
        gate.set()
        return {"actions": [{"action_type": "WAIT", "seconds": 0.2}]}

    agent = agent_for(PromptLLM(waiting), webhook_key=HOOK_KEY)
    run = agent.run_task(
        "Wait",
        server.url("/products/"),
        engine="skyvern-1.0",
        webhook_url=server.url("/hooks/ok"),
        max_steps=50,
        wait=False,
    )
    assert gate.wait(30)
    agent.cancel_run(run.run_id)
    agent.wait(run.run_id, timeout=30)
    [delivery] = _deliveries(server, run.run_id)
    assert delivery["payload"]["status"] == "canceled"


def test_downloaded_invoice_is_in_the_run(agent_for, server):
    def downloader(prompt):
        if prompt.purpose == "plan":
            if "INV-1001.pdf" in prompt.text or prompt.section(
                "What you did before (oldest first)"
            ):
                return {"actions": [{"action_type": "COMPLETE"}]}
            link = prompt.find(text="Download")
            return {"actions": [{"action_type": "CLICK", "id": link.id}]}
        return {"user_goal_achieved": True}

    agent = agent_for(PromptLLM(downloader))
    run = agent.run_task(
        "Download the first invoice", server.url("/invoices/"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    [info] = run.downloaded_files
    expected = server.state["invoices"]["sha256"][info.filename]
    assert info.checksum == expected and info.file_size > 0
    path = Path(info.url.removeprefix("file://"))
    assert path.is_file() and path.parent.parent.name == run.run_id


def test_recording_degrades_to_null_without_ffmpeg(agent_for, server, monkeypatch):
    import agent.browser.lifecycle.recording as recording

    monkeypatch.setattr(recording, "ensure_ffmpeg", lambda: False)
    agent = agent_for(PromptLLM(complete_at_once), record_video=True)
    run = agent.run_task("Look", server.url("/products/"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed and run.recording_url is None


def test_browser_session_is_reused_across_runs(agent_for, server):
    def session_policy(prompt):
        text = prompt.page.lower()
        if prompt.purpose == "extract":
            return {"greeting": "Welcome back, demo!" if "welcome back, demo" in text else None}
        if prompt.purpose == "verify":
            return {"user_goal_achieved": "welcome back" in text}
        if "welcome back" in text:
            return {"actions": [{"action_type": "COMPLETE"}]}
        return {
            "actions": [
                {
                    "action_type": "INPUT_TEXT",
                    "id": prompt.find(name="username").id,
                    "text": "demo",
                },
                {
                    "action_type": "INPUT_TEXT",
                    "id": prompt.find(type="password").id,
                    "text": "correct-horse-battery",
                },
                {"action_type": "CLICK", "id": prompt.find(tag="button").id},
            ]
        }

    agent = agent_for(PromptLLM(session_policy))
    session = agent.create_browser_session(timeout_minutes=5)
    assert session.startswith("pbs_")
    first = agent.run_task(
        "Log in as demo, password correct-horse-battery",
        server.url("/login/"),
        engine="skyvern-1.0",
        browser_session_id=session,
    )
    assert first.status == RunStatus.completed, first.failure_reason
    second = agent.run_task(
        "Read the greeting on the members page",
        server.url("/login/members"),
        {"type": "object", "properties": {"greeting": {"type": "string"}}},
        engine="skyvern-1.0",
        browser_session_id=session,
    )
    assert second.status == RunStatus.completed, second.failure_reason
    assert second.output == {"greeting": "Welcome back, demo!"}
    busy = agent.run_task(
        "wait",
        server.url("/products/"),
        engine="skyvern-1.0",
        browser_session_id=session,
        wait=False,
    )
    with pytest.raises(SessionBusyError, match="in use by run"):
        agent.run_task("also", server.url("/products/"), browser_session_id=session)
    agent.cancel_run(busy.run_id)
    agent.wait(busy.run_id, timeout=30)
    agent.close_browser_session(session)
    with pytest.raises(KeyError, match="No browser session"):
        agent.run_task("gone", server.url("/products/"), browser_session_id=session)


def test_run_goes_through_the_configured_proxy(agent_for, server):
    with RecordingProxy() as proxy:
        agent = agent_for(PromptLLM(complete_at_once), proxies={"OFFICE": proxy.url})
        run = agent.run_task(
            "Look", server.url("/products/"), engine="skyvern-1.0", proxy_location="OFFICE"
        )
        assert run.status == RunStatus.completed, run.failure_reason
        assert any("/products/" in line for line in proxy.request_lines)


def test_proxy_location_without_a_proxy_is_refused_before_the_run(agent_for, server):
    agent = agent_for(PromptLLM(complete_at_once))
    with pytest.raises(InvalidRequestError, match="AGENT_PROXY_RESIDENTIAL_JP"):
        agent.run_task("Look", server.url("/products/"), proxy_location="RESIDENTIAL_JP")
    assert agent.list_runs() == []


def test_idle_browser_session_expires_after_its_timeout(agent_for, server):
    agent = agent_for(PromptLLM(complete_at_once))
    session = agent.create_browser_session(timeout_minutes=0.01)  # 0.6 s

    def open_sessions() -> set[str]:
        return {s["browser_session_id"] for s in agent.list_browser_sessions()}

    described = agent.list_browser_sessions()
    assert [(s["browser_session_id"], s["status"], s["runnable_id"]) for s in described] == [
        (session, "available", None)
    ]
    deadline = time.monotonic() + 10
    while session in open_sessions() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session not in open_sessions(), "the idle session closed by itself"
    with pytest.raises(KeyError, match="No browser session"):
        agent.run_task("gone", server.url("/products/"), browser_session_id=session)
