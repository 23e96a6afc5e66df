"""A run that is killed mid-step: run by ``test_recovery.py`` in a subprocess.

Usage: ``python -m tests.faults.killed_run DB DATA_DIR URL MARKER``. The model stand-in
writes MARKER while the step is running, then waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from agent import Agent
from agent.testing import Prompt, PromptLLM


def main(db: str, data_dir: str, url: str, marker: str) -> None:
    def policy(prompt: Prompt) -> dict[str, object]:
        Path(marker).write_text("in the step", encoding="utf-8")
        time.sleep(600)  # killed long before this ends
        return {"actions": [{"action_type": "COMPLETE", "reason": "never reached"}]}

    with Agent(llm=PromptLLM(policy), store=db, data_dir=data_dir, progress=False) as agent:
        agent.run_task("Look at the page", url, engine="skyvern-1.0", max_steps=2)


if __name__ == "__main__":
    main(*sys.argv[1:5])
