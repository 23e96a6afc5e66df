"""Runs through the queue: 24 fixture runs with 1, 2 and 4 worker processes.

Starts its own PostgreSQL and Redis (tests/services.py) and the fixture sites, then for
each worker count starts that many ``python -m agent worker --concurrency 1`` processes
(the model is the instant double of tests/queue/policy.py, so the figures are the
framework's and the browser's, not a model's), submits 24 product-extraction runs with
``Agent.run_tasks`` and reports:

- throughput: runs per minute, first submit to last ending;
- median run time: ``started_at`` to ``finished_at`` of each run, and median latency
  from submit to ending;
- RSS per worker: the peak resident memory of one worker's pool process (Python, with
  its browser driver) and of its Chromium processes, sampled during the batch (RSS
  counts shared pages in each process, so the browser figure is an upper bound).

    .venv/bin/python tests/bench/queue_workers.py [runs] [worker counts...]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

# This file's folder would shadow the standard library's ``queue``: the repo instead.
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

from agent import Agent, RunStatus
from fixtures_sites.server import FixtureServer
from tests.queue.workers import Worker, start_worker, stop_all, wait_ready
from tests.services import redis_server_url, start_postgres, start_redis


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                todo.append(child)
    return found


def _sample(workers: list[Worker], peaks: dict[int, list[int]], stop: threading.Event) -> None:
    """Peak RSS per pool process: [python + driver, browser processes]."""
    while not stop.wait(0.5):
        for worker in workers:
            for pool in worker.pool_pids():
                tree = _descendants(pool)
                names = {p: _name(p) for p in tree}
                browser = sum(_rss_kb(p) for p in tree if "chrom" in names[p])
                own = _rss_kb(pool) + sum(_rss_kb(p) for p in tree if "chrom" not in names[p])
                peak = peaks.setdefault(pool, [0, 0])
                peak[0], peak[1] = max(peak[0], own), max(peak[1], browser)


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def bench(count: int, runs: int, store: str, broker: str, site: FixtureServer) -> dict:
    data = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    workers = [start_worker(store, broker, data, data / f"w{i}.log") for i in range(count)]
    try:
        wait_ready(workers)
        peaks: dict[int, list[int]] = {}
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(workers, peaks, stop), daemon=True)
        sampler.start()
        requests = [
            {"prompt": "List the products with prices", "url": site.url("/products/")}
            | {"engine": "skyvern-1.0", "title": f"bench {i}"}
            for i in range(runs)
        ]
        with Agent(store=store, broker=broker, data_dir=data) as agent:
            started = time.monotonic()
            done = list(agent.run_tasks(requests))
            wall = time.monotonic() - started
        stop.set()
        sampler.join()
        bad = [r for r in done if r.status != RunStatus.completed]
        if bad:
            raise SystemExit(f"{len(bad)} runs did not complete: {bad[0].failure_reason}")
        durations = [(r.finished_at - r.started_at).total_seconds() for r in done]
        latency = [(r.finished_at - r.created_at).total_seconds() for r in done]
        return {
            "workers": count,
            "wall": wall,
            "per_min": runs / wall * 60,
            "median_run": statistics.median(durations),
            "median_latency": statistics.median(latency),
            "rss_own": max(p[0] for p in peaks.values()) / 1024,
            "rss_browser": max(p[1] for p in peaks.values()) / 1024,
        }
    finally:
        stop_all(workers)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    counts = [int(c) for c in sys.argv[2:]] or [1, 2, 4]
    pg, redis = start_postgres(), start_redis()
    try:
        with FixtureServer() as site:
            rows = [
                bench(c, runs, pg.new_database(), redis_server_url(redis), site) for c in counts
            ]
    finally:
        pg.stop()
        redis.stop()
    load = os.getloadavg()[0]  # other work on the machine skews every figure: say how much
    print(
        f"{runs} product-extraction runs (skyvern-1.0, instant model double), "
        f"{os.cpu_count()} cores, load average {load:.1f} at the end"
    )
    print(
        "| workers | wall s | runs/min | median run s | median submit-to-end s "
        "| peak RSS/worker: python MB | its Chromium MB |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['workers']} | {r['wall']:.1f} | {r['per_min']:.1f} | {r['median_run']:.2f} "
            f"| {r['median_latency']:.1f} | {r['rss_own']:.0f} | {r['rss_browser']:.0f} |"
        )


if __name__ == "__main__":
    main()
