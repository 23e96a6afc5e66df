"""``make demo``: the Tasks API's example request, run locally against a fixture site.

Serves ``fixtures_sites/`` on 127.0.0.1, then runs "Apply for a job on behalf of this
person: name: Chris P Bacon. email: chris@pbacon.com" with the seed's
``data_extraction_schema``, a line per step, and ends with the run's summary (status,
output, steps, tokens, cost, where its files and report are). Uses the model in
``AGENT_LLM`` when set; otherwise the offline policy from ``agent.testing.stand_ins``. The run is
kept in the data dir's SQLite store, so ``agent runs`` and ``agent report --all`` see it.
"""

from __future__ import annotations

import os
import sys

from agent.records.config import quiet_litellm_env

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
SCHEMA = {"application_success": {"type": "boolean"}}


def main() -> int:
    quiet_litellm_env()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # in step with stderr
    from agent import Agent
    from agent.cli import exit_code
    from agent.cli.text import run_summary
    from agent.testing.stand_ins import offline_llm
    from fixtures_sites.server import FixtureServer

    model = os.environ.get("AGENT_LLM")
    if model:
        print(f"Model: {model} (from AGENT_LLM)")
        llm: object = model
    else:
        print(
            "Model: the offline policy from agent.testing.stand_ins (AGENT_LLM is not set; no key needed)"
        )
        llm = offline_llm()
    engine = sys.argv[1] if len(sys.argv) > 1 else "skyvern-2.0"
    store = os.environ.get("AGENT_STORE") or "sqlite"
    with (
        FixtureServer(max_lifetime=600) as server,
        Agent(llm=llm, store=store, progress=True) as agent,
    ):
        url = server.url("/lever/apply")
        print(f"Task:  {PROMPT}\nStart: {url} ({engine})")
        run = agent.run_task(
            PROMPT, url, SCHEMA, title="Job Application Task", engine=engine, max_steps=10
        )
        received = server.submissions_to("/lever/apply")
        if received:
            print(f"The site received: {received[-1].form}")
        report = agent.report(run.run_id)
        print("More: agent runs · agent steps RUN_ID · agent report --all  (in .venv/bin/)\n")
        print(run_summary(run, run_dir=agent.data_dir / "runs" / run.run_id, report=report))
    return exit_code(run)


if __name__ == "__main__":
    raise SystemExit(main())
