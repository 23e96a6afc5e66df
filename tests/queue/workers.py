"""Start and stop ``python -m agent worker`` processes for tests and the queue benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from fixtures_sites.webhook_receiver.routes import SIGNING_KEY
from tests.services import watch

ROOT = Path(__file__).parents[2]
POLICY = "tests.queue.policy:make_llm"


@dataclass
class Worker:
    """One worker (a Celery parent and its pool processes), in its own process group."""

    proc: subprocess.Popen[bytes]
    log: Path
    watchdog: subprocess.Popen[bytes]

    def pool_pids(self) -> list[int]:
        """The pool processes (children of the Celery parent) that run the runs."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        )
        return [int(p) for p in out.stdout.split()]

    def terminate(self) -> None:
        """Ask for a warm shutdown (running runs finish); :meth:`stop` waits for it."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        try:  # pool processes and browsers left behind by a hard stop
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.watchdog.kill()
        self.watchdog.wait(5)


def start_worker(
    store: str, broker: str, data_dir: Path, log: Path, *, concurrency: int = 1
) -> Worker:
    """A worker process with the queue tests' model double, logging to ``log``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AGENT_WEBHOOK_KEY": SIGNING_KEY,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_OFFLINE_MODE": "true",
    }
    command = [sys.executable, "-m", "agent", "worker", "--store", store, "--broker", broker]
    command += ["--concurrency", str(concurrency), "--data-dir", str(data_dir), "--no-video"]
    command += ["--llm-factory", POLICY, "--loglevel", "INFO"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(proc, log, watch(-proc.pid, signal.SIGKILL))


def stop_all(workers: list[Worker]) -> None:
    """Stop workers together (each shutdown closes browsers: slow, so in parallel)."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.stop()


def wait_ready(workers: list[Worker], timeout: float = 120) -> None:
    """Until every worker's log says it is ready to take tasks."""
    deadline = time.monotonic() + timeout
    for worker in workers:
        while "ready." not in worker.log.read_text(errors="replace"):
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{worker.log.read_text()[-3000:]}")
            time.sleep(0.2)
