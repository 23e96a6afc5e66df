"""``make demo``: the Tasks API's example request, run locally against a fixture site.

Serves ``fixtures_sites/`` on 127.0.0.1, then runs "Apply for a job on behalf of this
person: name: Chris P Bacon. email: chris@pbacon.com" with the seed's
``data_extraction_schema``, and prints the run object and where its files are. Uses the
model in ``AGENT_LLM`` when set; otherwise the offline policy from ``agent.testing``.
"""

from __future__ import annotations

import json
import os
import sys

from agent.config import quiet_litellm_env

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
SCHEMA = {"application_success": {"type": "boolean"}}


def main() -> int:
    quiet_litellm_env()
    from agent import Agent
    from agent.testing import offline_llm
    from fixtures_sites.server import FixtureServer

    model = os.environ.get("AGENT_LLM")
    if model:
        print(f"Using the model {model} from AGENT_LLM.")
        llm: object = model
    else:
        print("AGENT_LLM is not set: driving the run with the offline policy from agent.testing.")
        llm = offline_llm()
    engine = sys.argv[1] if len(sys.argv) > 1 else "skyvern-2.0"
    with FixtureServer(max_lifetime=600) as server, Agent(llm=llm, progress=True) as agent:
        url = server.url("/lever/apply")
        print(f"Task: {PROMPT}\nStart page: {url}\nEngine: {engine}\n")
        run = agent.run_task(
            PROMPT, url, SCHEMA, title="Job Application Task", engine=engine, max_steps=10
        )
        print(json.dumps(run.model_dump(mode="json"), indent=2))
        received = server.submissions_to("/lever/apply")
        if received:
            print(f"\nThe site received: {received[-1].form}")
        print(f"\nRun files: {agent.data_dir / 'runs' / run.run_id}")
    return 0 if run.status.value == "completed" else 1


if __name__ == "__main__":
    raise SystemExit(main())
