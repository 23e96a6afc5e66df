"""How long ``cancel_run`` takes while the model is busy, and how long a run whose model
never answers is held: prints the times (no assertion on them).

- a double whose function sleeps (it runs on its own thread): cancel_run's return time;
- a local OpenAI-compatible server that hangs: cancel_run's return time;
- that server with ``llm_timeout=2, llm_retries=10, llm_deadline=5``: when the run ends.

    .venv/bin/python -m tests.bench.cancel_latency
"""

from __future__ import annotations

import os
import threading
import time

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

from agent import Agent
from agent.llm.request import LLMRequest
from agent.testing import FunctionLLM
from fixtures_sites.server import FixtureServer
from tests.faults.fake_openai import FakeOpenAI


def _cancel_while_called(agent: Agent, url: str, called: threading.Event) -> float:
    run = agent.run_task("Press Continue", url, engine="skyvern-1.0", wait=False)
    called.wait(120)
    started = time.monotonic()
    agent.cancel_run(run.run_id)
    return time.monotonic() - started


def main() -> None:
    release, entered = threading.Event(), threading.Event()

    def sleeping_model(request: LLMRequest) -> dict[str, object]:
        entered.set()
        release.wait(130)
        return {}

    with FixtureServer() as server:
        url = server.url("/faults/steady.html")
        with Agent(llm=FunctionLLM(sleeping_model), progress=False, record_video=False) as agent:
            print(
                f"cancel_run, sleeping double:     {_cancel_while_called(agent, url, entered):.2f}s"
            )
        release.set()

        endpoint = FakeOpenAI("hang")
        kwargs = {"llm": "openai/gpt-4o-mini", "llm_base_url": endpoint.base_url}
        os.environ.setdefault("OPENAI_API_KEY", "sk-local-bench")
        arrived = threading.Event()

        def watch() -> None:
            while endpoint.count() == 0:
                time.sleep(0.05)
            arrived.set()

        threading.Thread(target=watch, daemon=True).start()
        with Agent(**kwargs, progress=False, record_video=False) as agent:
            print(
                f"cancel_run, hanging server:      {_cancel_while_called(agent, url, arrived):.2f}s"
            )
        with Agent(
            **kwargs, llm_timeout=2, llm_retries=10, llm_deadline=5, progress=False,
            record_video=False,
        ) as agent:  # fmt: skip
            started = time.monotonic()
            run = agent.run_task("Press Continue", url, engine="skyvern-1.0")
            print(
                f"dead server, deadline 5s:        {time.monotonic() - started:.2f}s "
                f"({run.status}, {endpoint.count()} requests)"
            )
        endpoint.close()


if __name__ == "__main__":
    main()
