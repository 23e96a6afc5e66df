"""What a model can only know from the page: a confirmation number, and pages that only look done.

The stand-ins here read nothing but the prompts (``PromptLLM``). The registration site
hands out a new confirmation number on every submission, so a run's output can only be
right if the number reached a prompt; and two answer pages look finished ("Thank you",
"Registration complete") while the form failed or confirms someone else.
"""

from __future__ import annotations

import pytest

from agent import RunStatus
from agent.testing import PromptLLM
from fixtures_sites.server import FixtureServer
from tests.engines.policies import (
    REGISTER_GOAL,
    REGISTER_SCHEMA,
    confirmations,
    registration_policy,
)


@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_the_output_is_what_only_the_final_page_showed(agent_for, server: FixtureServer, engine):
    llm = PromptLLM(registration_policy())
    run = agent_for(llm).run_task(
        REGISTER_GOAL, server.url("/register/"), REGISTER_SCHEMA, engine=engine, max_steps=4
    )
    assert run.status == RunStatus.completed, run.failure_reason
    handed_out = confirmations()[-1]
    assert run.output == {"confirmation_number": handed_out}
    # the number reached the model only through the page, in the call that ended the run
    last = llm.prompts[-1]
    assert last.purpose == ("verify" if engine == "skyvern-1.0" else "validate_v2")
    assert handed_out in last.page
    assert run.llm_calls == (3 if engine == "skyvern-1.0" else 4)


@pytest.mark.parametrize("variant", ["banner", "someone-else"])
@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_pages_that_only_look_finished_do_not_complete(
    agent_for, server: FixtureServer, engine, variant
):
    llm = PromptLLM(registration_policy(naive_planner=True))
    run = agent_for(llm).run_task(
        REGISTER_GOAL,
        server.url(f"/register/?variant={variant}"),
        REGISTER_SCHEMA,
        engine=engine,
        max_steps=3,
    )
    assert run.status == RunStatus.failed, run.output
    assert run.failure_reason.startswith("Max steps exceeded"), run.failure_reason
    assert len(server.submissions_to("/register/")) >= 1
    checks = llm.prompts_for("verify" if engine == "skyvern-1.0" else "validate_v2")
    assert checks, "the hasty COMPLETE was never checked"
    shown = "already registered" if variant == "banner" else "Jordan Smith"
    assert all(shown in check.page for check in checks)
