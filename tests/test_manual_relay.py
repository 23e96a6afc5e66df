"""The relay model (``AGENT_LLM=manual/<name>``): a run driven by a reader of prompt files.

The reader here is the library's messages-only policy, fed nothing but the prompt file
the relay wrote (and its screenshots): what a person or another model would be given.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import Agent, RunStatus
from agent.llm.manual import ManualRelay, read_prompt_file, relay_model
from agent.llm.request import LLMRequest
from agent.records.errors import ConfigError
from agent.testing import Prompt
from agent.testing.offline_policy import offline_policy
from fixtures_sites.server import FixtureServer

GOAL = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
SCHEMA = {"application_success": {"type": "boolean"}}


class Reader:
    """Answers every ``NNN-<purpose>.prompt.md`` in a folder, from that file alone."""

    def __init__(self, folder: Path, policy: Callable[[Prompt], Any]) -> None:
        self.folder = folder
        self.policy = policy
        self.read: list[Prompt] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._answer, daemon=True)

    def __enter__(self) -> Reader:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)

    def _answer(self) -> None:
        done: set[str] = set()
        while not self.stop.is_set():
            for path in sorted(self.folder.glob("*.prompt.md")):
                if path.name in done:
                    continue
                done.add(path.name)
                prompt = read_prompt_file(path)
                self.read.append(prompt)
                stem = path.name.removesuffix(".prompt.md")
                answer = self.policy(prompt)
                partial = self.folder / f"{stem}.part"
                partial.write_text(json.dumps(answer), encoding="utf-8")
                partial.replace(self.folder / f"{stem}.answer.json")
            time.sleep(0.02)


@pytest.fixture
def relay_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "desk"
    monkeypatch.setenv("AGENT_MANUAL_DIR", str(folder))
    folder.mkdir()
    yield folder


@pytest.mark.parametrize(
    ("engine", "purposes"),
    [
        ("skyvern-1.0", ["plan", "plan", "verify"]),
        ("skyvern-2.0", ["plan_v2", "plan", "plan", "validate_v2"]),
    ],
)
def test_a_run_is_driven_through_prompt_files(
    relay_dir: Path,
    server: FixtureServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    purposes: list[str],
):
    monkeypatch.setenv("AGENT_LLM", "manual/tester")
    with Reader(relay_dir, offline_policy) as reader:
        with Agent(data_dir=tmp_path / "data", record_video=False) as agent:
            run = agent.run_task(GOAL, server.url("/lever/apply"), SCHEMA, engine=engine)
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"application_success": True}
    sent = server.wait_for_submission("/lever/apply")
    assert sent.form["name"] == "Chris P Bacon" and sent.form["email"] == "chris@pbacon.com"
    assert [p.purpose for p in reader.read] == purposes
    names = sorted(p.name for p in relay_dir.iterdir())
    first = f"001-{purposes[0]}"
    assert names[:3] == ["001-1.png", f"{first}.answer.json", f"{first}.prompt.md"]
    assert f"{len(purposes):03d}-{purposes[-1]}.prompt.md" in names
    shown = reader.read[0]
    assert shown.images and shown.images[0].startswith(b"\x89PNG")  # the screenshot, read back
    assert shown.find(name="email") is not None and "Chris P Bacon" in shown.goal
    assert run.llm_calls == len(purposes)
    assert run.input_token_count > 500  # estimated like a real model's


def test_a_misfit_answer_is_reasked_as_its_own_call(
    relay_dir: Path, server: FixtureServer, tmp_path
):
    answers = iter(['{"thoughts": "I will apply"}'])

    def first_wrong(prompt: Prompt) -> Any:
        return next(answers, None) or offline_policy(prompt)

    def raw(prompt: Prompt) -> Any:
        reply = first_wrong(prompt)
        return json.loads(reply) if isinstance(reply, str) else reply

    with Reader(relay_dir, raw) as reader:
        with Agent(llm="manual/tester", data_dir=tmp_path / "data", record_video=False) as agent:
            run = agent.run_task(
                GOAL, server.url("/lever/apply"), SCHEMA, engine="skyvern-1.0", max_steps=5
            )
    assert run.status == RunStatus.completed, run.failure_reason
    assert [p.purpose for p in reader.read][:2] == ["plan", "plan"]
    assert reader.read[1].is_reask and "actions" in reader.read[1].last_text


def test_an_unanswered_call_ends_with_the_model_timeout(
    relay_dir: Path, server: FixtureServer, tmp_path
):
    options = {"data_dir": tmp_path / "data", "record_video": False, "llm_timeout": 1.5}
    with Agent(llm="manual/silent", llm_retries=0, **options) as agent:
        run = agent.run_task("Press the button", server.url("/lever/apply"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert "time" in (run.failure_reason or "").lower(), run.failure_reason
    assert (relay_dir / "001-plan.prompt.md").is_file()


def test_a_canceled_run_stops_waiting(relay_dir: Path, server: FixtureServer, tmp_path):
    with Agent(llm="manual/slow", data_dir=tmp_path / "data", record_video=False) as agent:
        run = agent.run_task("Press the button", server.url("/lever/apply"), wait=False)
        for _ in range(1200):  # up to 60 s: the browser starts on a shared machine
            if list(relay_dir.glob("*.prompt.md")):
                break
            time.sleep(0.05)
        assert list(relay_dir.glob("*.prompt.md")), "the relay never wrote its prompt"
        run = agent.cancel_run(run.run_id)
    assert run.status == RunStatus.canceled


def test_the_terminal_desk_reads_until_a_dot_line() -> None:
    typed = io.StringIO('{"user_goal_achieved": true,\n "thoughts": "shown"}\n.\nignored\n')
    shown = io.StringIO()
    relay = ManualRelay("term", stdin=typed, stderr=shown)
    request = LLMRequest("verify", [{"role": "user", "content": "Is it done?"}], "goal")
    answer = relay.serve_request(request)
    assert json.loads(answer) == {"user_goal_achieved": True, "thoughts": "shown"}
    assert "Is it done?" in shown.getvalue() and "001-verify" in shown.getvalue()
    eof = ManualRelay("term", stdin=io.StringIO("{}"), stderr=io.StringIO())
    assert eof.serve_request(request) == "{}"  # the end of input ends the answer too


def test_a_relay_name_is_checked() -> None:
    assert relay_model("gpt-4o-mini") == "gpt-4o-mini"
    with pytest.raises(ConfigError, match="manual/<name>"):
        relay_model("manual/")
    with pytest.raises(ConfigError, match="such as manual/me"):
        Agent(llm="manual/a/b")
