"""Fixture tasks a messages-only stand-in finishes on both engines, and what each must leave.

A :class:`FixtureTask` is a goal on one fixture site, a fresh stand-in for each run (from
:mod:`tests.engines.policies` and :mod:`tests.engines.jobboard_policy`; step policies are
wrapped by :func:`~tests.engines.policies.planner_too` to play the 2.0 planner too), the
run options it needs, and :attr:`~FixtureTask.check`: what the site must have received
and the run must show. ``tests/engines/test_v2_calls.py`` counts their model calls;
``tests/bench/task_costs.py`` prices them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent import Agent, TaskRun
from agent.testing import Prompt
from fixtures_sites.server import FixtureServer, Request
from tests.engines.jobboard_policy import PAGE_ONE_TITLES, TITLES_SCHEMA, jobboard_policy
from tests.engines.policies import (
    REGISTER_GOAL,
    REGISTER_SCHEMA,
    Policy,
    confirmations,
    login_policy,
    planner_too,
    registration_policy,
    totp_policy,
)

TOTP_SECRET = "AUQVWE5R4QBTKMGWSFBWQKGCJVTFPRDP"  # fixtures_sites/totp_login/routes.py
TOTP_IDENTIFIER = "ada@example.com"

Check = Callable[[FixtureServer, TaskRun, list[Request]], None]
"""``check(server, run, requests)`` raises AssertionError unless the run did its task;
``requests`` are those the site received while the run ran."""


@dataclass(frozen=True)
class FixtureTask:
    """One task on a fixture site, its stand-in, and the check of its effect."""

    name: str
    goal: str
    path: str
    policy: Callable[[], Policy]
    """Makes a fresh stand-in (some remember what they answered within a run)."""
    check: Check
    schema: dict[str, Any] | None = None
    run_options: Mapping[str, Any] = field(default_factory=dict)
    """More ``run_task`` arguments (``totp_identifier``...)."""
    prepare: Callable[[Agent], None] | None = None
    """What the Agent needs first (a TOTP secret...)."""

    def run(self, agent: Agent, server: FixtureServer, engine: str, max_steps: int = 6) -> TaskRun:
        """Run the task on ``engine`` to its end, then check its effect (AssertionError if not)."""
        if self.prepare is not None:
            self.prepare(agent)
        first = len(server.requests)
        run = agent.run_task(
            self.goal,
            server.url(self.path),
            self.schema,
            engine=engine,
            max_steps=max_steps,
            **self.run_options,
        )
        assert run.status.value == "completed", f"{run.status.value}: {run.failure_reason}"
        self.check(server, run, server.requests[first:])
        return run


def _page_says(text: str) -> Callable[[Prompt], bool]:
    return lambda prompt: text in prompt.page.lower()


def _registered(server: FixtureServer, run: TaskRun, requests: list[Request]) -> None:
    sent = [r for r in requests if r.method == "POST" and r.path == "/register/"]
    assert sent and sent[-1].form["name"] == "Ada Lovelace", sent
    assert run.output == {"confirmation_number": confirmations()[-1]}, run.output


def _logged_in(server: FixtureServer, run: TaskRun, requests: list[Request]) -> None:
    assert any(r.path == "/login/members" for r in requests), "the members page was not reached"


def _downloaded(server: FixtureServer, run: TaskRun, requests: list[Request]) -> None:
    [info] = run.downloaded_files or []
    assert info.checksum == server.state["invoices"]["sha256"][info.filename], info


def _verified(server: FixtureServer, run: TaskRun, requests: list[Request]) -> None:
    accepted = server.state["totp_login"]["verified"]
    codes = [r.form.get("code") for r in requests if r.path == "/totp_login/verify" and r.form]
    assert any(code in accepted for code in codes), f"no accepted code among {codes}"


def _listed_titles(server: FixtureServer, run: TaskRun, requests: list[Request]) -> None:
    assert run.output == {"titles": PAGE_ONE_TITLES}, run.output


def _download_actor(prompt: Prompt) -> Any:
    """Click the first Download link; once something was done, call it complete."""
    if prompt.purpose == "plan":
        if prompt.section("What you did before (oldest first)"):
            return {"actions": [{"action_type": "COMPLETE", "reason": "downloaded"}]}
        link = prompt.find(text="Download")
        assert link, f"no download control in the prompt:\n{prompt.page}"
        return {"actions": [{"action_type": "CLICK", "id": link.id}]}
    if prompt.purpose == "verify":
        return {"user_goal_achieved": True, "thoughts": "the click downloaded it"}
    raise AssertionError(f"unexpected purpose {prompt.purpose}")


def _a_block_completed(prompt: Prompt) -> bool:
    return any(b.status == "completed" for b in prompt.blocks)


def _register_secret(agent: Agent) -> None:
    agent.add_totp_secret(TOTP_IDENTIFIER, TOTP_SECRET)


TASKS = {
    task.name: task
    for task in (
        FixtureTask(
            "form",
            REGISTER_GOAL,
            "/register/",
            lambda: planner_too(registration_policy(), _page_says("confirmation number")),
            _registered,
            schema=REGISTER_SCHEMA,
        ),
        FixtureTask(
            "login",
            "Log in as demo with the password correct-horse-battery",
            "/login/",
            lambda: planner_too(
                login_policy("demo", "correct-horse-battery"), _page_says("welcome back")
            ),
            _logged_in,
        ),
        FixtureTask(
            "login-2fa",
            "Sign in as ada with password correct-horse-battery",
            "/totp_login/",
            lambda: planner_too(totp_policy, _page_says("2fa verified")),
            _verified,
            run_options={"totp_identifier": TOTP_IDENTIFIER},
            prepare=_register_secret,
        ),
        FixtureTask(
            "download",
            "Download the first invoice",
            "/invoices/",
            lambda: planner_too(_download_actor, _a_block_completed),
            _downloaded,
        ),
        FixtureTask(
            "extract",
            "Search the job board for 'engineer' and list the job titles on the first results page",
            "/jobboard/",
            lambda: jobboard_policy("engineer", "titles"),
            _listed_titles,
            schema=TITLES_SCHEMA,
        ),
    )
}
"""The tasks by name: the registration form, a login, a login with 2FA, the invoice
download, and a search then an extraction into a JSON schema."""
