"""Many runs at once on one Agent: total wall time and memory per extra run.

Run by hand (not collected by pytest):

    .venv/bin/python tests/bench/concurrent_runs.py [--runs 8] [--video] [--repeats 1]

One Agent, one instant stand-in model reading only the prompts (``form_task.ours_policy``),
the 7-field volunteer sign-up form from 127.0.0.1. First one run alone (after a warm-up
run, so imports and the browser launch are not counted), then ``--runs`` runs started
together with ``wait=False``. A sampler reads the whole process tree (this process, the
Playwright driver, Chromium and its renderers, any ffmpeg) with psutil every 0.2 s.

It prints, for one run and for N at once: wall time, peak RSS summed over the tree, peak
PSS (shared pages split between the processes that map them, so nothing counts twice),
the most processes seen, and the cost of each run beyond the first: (peak with N - peak
with one) / (N - 1). Every run must complete and every sign-up must reach the server with
the right values, or it exits 1. ``--video`` records each run's video (the Agent's
default); without it runs are not recorded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

try:
    import psutil
except ImportError:  # a benchmark-only need, not a dependency of the library
    raise SystemExit("concurrent_runs.py needs psutil: pip install -e '.[bench]'") from None
from form_task import GOAL, PATH, SCHEMA, expected_submission_ok, ours_policy  # noqa: E402

from agent import Agent  # noqa: E402
from agent.testing import PromptLLM  # noqa: E402
from fixtures_sites.server import FixtureServer  # noqa: E402

MB = 1024 * 1024


@dataclass
class Peak:
    rss: int = 0
    pss: int = 0
    processes: int = 0
    breakdown: dict[str, tuple[int, int, int]] | None = None
    """At the peak PSS: process kind -> (count, RSS, PSS)."""


def _kind(proc: psutil.Process) -> str:
    try:
        cmd = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "gone"
    if not cmd:
        return proc.name()
    kind = next((a.split("=", 1)[1] for a in cmd if a.startswith("--type=")), None)
    if kind is not None:
        sub = next((a.split("=", 1)[1] for a in cmd if a.startswith("--utility-sub-type=")), "")
        return f"chromium {kind} {sub.split('.')[-1]}".strip()
    return Path(cmd[0]).name


class TreeSampler:
    """Samples the memory of this process and all its descendants until stopped."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = Peak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        root = psutil.Process()
        rss = pss = 0
        procs = [root, *root.children(recursive=True)]
        kinds: dict[str, tuple[int, int, int]] = {}
        for proc in procs:
            try:
                info = proc.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
            count, k_rss, k_pss = kinds.get(_kind(proc), (0, 0, 0))
            kinds[_kind(proc)] = (count + 1, k_rss + info.rss, k_pss + getattr(info, "pss", 0))
        self.peak.rss = max(self.peak.rss, rss)
        if pss > self.peak.pss:
            self.peak.pss = pss
            self.peak.breakdown = kinds
        self.peak.processes = max(self.peak.processes, len(procs))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def run_batch(agent: Agent, server: FixtureServer, count: int, engine: str) -> tuple[float, Peak]:
    """Start ``count`` runs together, wait for all; wall seconds and the tree's peak memory."""
    server.submissions.clear()
    url = server.url(PATH)
    with TreeSampler() as sampler:
        started = time.perf_counter()
        runs = [agent.run_task(GOAL, url, SCHEMA, engine=engine, wait=False) for _ in range(count)]
        finished = [agent.wait(run.run_id, timeout=600) for run in runs]
        seconds = time.perf_counter() - started
    failed = [
        (r.run_id, r.status.value, r.failure_reason)
        for r in finished
        if r.status.value != "completed"
    ]
    posts = [r for r in server.submissions if r.path.startswith("/volunteer/signup")]
    wrong = [r.form for r in posts if not expected_submission_ok(r.form)]
    if failed or wrong or len(posts) != count:
        raise SystemExit(f"{count} runs: failed {failed}; {len(posts)} sign-ups; wrong {wrong}")
    return seconds, sampler.peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--engine", default="skyvern-1.0")
    parser.add_argument("--video", action="store_true", help="record each run (Agent default)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--detail", action="store_true", help="memory by process kind")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    singles: list[tuple[float, Peak]] = []
    batches: list[tuple[float, Peak]] = []
    with FixtureServer() as server:
        agent = Agent(llm=PromptLLM(ours_policy), record_video=args.video, progress=False)
        with agent:
            run_batch(agent, server, 1, args.engine)  # imports, browser launch: not counted
            for _ in range(args.repeats):
                singles.append(run_batch(agent, server, 1, args.engine))
                batches.append(run_batch(agent, server, args.runs, args.engine))
    one_s = statistics.median(s for s, _ in singles)
    many_s = statistics.median(s for s, _ in batches)
    one_rss = statistics.median(p.rss for _, p in singles)
    many_rss = statistics.median(p.rss for _, p in batches)
    one_pss = statistics.median(p.pss for _, p in singles)
    many_pss = statistics.median(p.pss for _, p in batches)
    extra = max(args.runs - 1, 1)
    print(f"{args.engine}, video {'on' if args.video else 'off'}, medians of {args.repeats}")
    print(
        f"{'runs at once':<14} {'wall s':>7} {'peak RSS MB':>12} {'peak PSS MB':>12} {'procs':>6}"
    )
    print(
        f"{1:<14} {one_s:>7.2f} {one_rss / MB:>12.0f} {one_pss / MB:>12.0f} "
        f"{max(p.processes for _, p in singles):>6}"
    )
    print(
        f"{args.runs:<14} {many_s:>7.2f} {many_rss / MB:>12.0f} {many_pss / MB:>12.0f} "
        f"{max(p.processes for _, p in batches):>6}"
    )
    print(
        f"per run beyond the first: RSS {(many_rss - one_rss) / extra / MB:.0f} MB, "
        f"PSS {(many_pss - one_pss) / extra / MB:.0f} MB (goal <= 80 MB); "
        f"{args.runs} runs took {many_s / one_s:.1f}x one run. "
        f"Load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores."
    )
    if args.detail:
        for label, peak in (("1 run", singles[-1][1]), (f"{args.runs} runs", batches[-1][1])):
            print(f"at the peak PSS of {label}:")
            for kind, (count, rss, pss) in sorted((peak.breakdown or {}).items()):
                print(f"  {kind:<40} x{count:<3} RSS {rss / MB:6.0f} MB  PSS {pss / MB:6.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
