"""This library against browser-use on the same form task, with instant stand-in models.

Run by hand (not collected by pytest, not part of ``make test``):

    .venv/bin/python tests/bench/vs_browser_use.py [--repeats 3] [--engines skyvern-1.0,skyvern-2.0] [--video]

Our runs are not recorded on video unless ``--video`` is given (recording is this
library's default; browser-use records nothing by default).

The first run installs browser-use (pinned, ``BROWSER_USE_VERSION``) into its own
virtualenv under ``tests/bench/.cache/`` (git-ignored); this project's environment never
sees it. Both libraries fill the 7-field volunteer sign-up form (``fixtures_sites/volunteer``)
served from 127.0.0.1, with a stand-in model that answers at once from the text of the
prompts it is sent (``form_task.py``), each through an OpenAI-compatible server on
127.0.0.1 (``openai_standin.py``) that it reaches over HTTP with its own client (ours:
litellm's OpenAI provider; browser-use: its ChatOpenAI). Both run headless on the same
Chromium.

Ours runs twice per engine: a script calling the Python API (``ours_side.py``) and the
command line, ``agent run ... --no-video`` (a one-shot process with the default SQLite store,
which also writes its report). Per library it prints the model calls of one task, their input tokens (the messages each
sent, counted by one function: litellm's gpt-4o counter; browser-use's response schema
is not counted), the wall time of a cold process (spawn to exit, one task), the CPU
time of its whole process tree (steadier than wall time on a loaded machine) and the time
from its spawn to its first model request reaching the stand-in, the wall time
of a warm task (the second task in one process), medians over ``--repeats``, and the
ratios ours / browser-use. Every task must really submit the form with the right values,
or the script says so and exits 1.

Both sides start from bytecode caches, as installed packages do (pip compiles what it
installs): this checkout's are written first, since ``PYTHONDONTWRITEBYTECODE`` (set on some
machines, this one included) would otherwise have every cold process of ours compile the
library from source.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from form_task import GOAL, PATH, SCHEMA, browser_use_answer, expected_submission_ok, ours_answer  # noqa: E402
from openai_standin import StandInServer  # noqa: E402

from fixtures_sites.server import FixtureServer  # noqa: E402

BROWSER_USE_VERSION = "0.13.14"
CACHE = HERE / ".cache"
BU_VENV = CACHE / "browser-use-venv"
CHROMIUM = "/usr/bin/chromium"


def browser_use_python() -> Path:
    """The browser-use virtualenv's python, creating and filling it on first use."""
    python = BU_VENV / "bin" / "python"
    if python.is_file():
        probe = subprocess.run(
            [str(python), "-c", "import importlib.metadata as m; print(m.version('browser-use'))"],
            capture_output=True,
            text=True,
        )
        if probe.stdout.strip() == BROWSER_USE_VERSION:
            return python
    print(f"installing browser-use=={BROWSER_USE_VERSION} into {BU_VENV} ...", flush=True)
    venv.create(BU_VENV, with_pip=True, clear=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"browser-use=={BROWSER_USE_VERSION}"],
        check=True,
    )
    return python


def count_tokens(messages: list[dict[str, Any]]) -> int:
    """Input tokens of one call, the same way for both libraries."""
    import litellm

    return int(litellm.token_counter(model="gpt-4o", messages=messages))


@dataclass
class Side:
    """One library (and engine) under test, and what it measured."""

    name: str
    command: list[str]
    model: StandInServer
    """The stand-in its model calls go to (one per library: each answers its own prompts)."""
    env: dict[str, str] = field(default_factory=dict)
    cli: bool = False
    """A one-shot ``agent run`` (its JSON run on stdout; one task per process, so no warm figure)."""
    cold: list[float] = field(default_factory=list)
    cold_cpu: list[float] = field(default_factory=list)
    first_request: list[float] = field(default_factory=list)
    """Seconds from spawning a cold process to its first model request reaching the stand-in."""
    warm: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    purposes: str = ""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(side: Side, tasks: int) -> tuple[float, float, float, list[dict[str, Any]]]:
    """Run one fresh process of ``side`` doing ``tasks`` tasks.

    Returns when it was spawned (``time.perf_counter()``), its wall seconds, the CPU
    seconds of its process tree (what its descendants were reaped with) and its reports.
    """
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        side.command if side.cli else [*side.command, str(tasks)],
        capture_output=True,
        text=True,
        env={**os.environ, **side.env},
        timeout=600,
    )
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu
    if side.cli and proc.stdout.startswith("{"):
        run = json.loads(proc.stdout)
        reports = [
            {
                "success": run["status"] == "completed",
                "result": run["output"],
                "failure_reason": run["failure_reason"],
            }
        ]
    else:
        reports = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or len(reports) != tasks:
        raise SystemExit(
            f"{side.name} exited {proc.returncode} after {len(reports)}/{tasks} tasks:\n"
            f"{proc.stderr[-3000:]}"
        )
    return started, seconds, cpu, reports


def check(side: Side, reports: list[dict[str, Any]], fixtures: FixtureServer) -> None:
    posts = [r for r in fixtures.submissions if r.path.startswith("/volunteer/signup")]
    bad = [r.form for r in posts if not expected_submission_ok(r.form)]
    unsuccessful = [r for r in reports if not r["success"]]
    if len(posts) != len(reports) or bad or unsuccessful:
        raise SystemExit(
            f"{side.name}: {len(posts)} sign-ups for {len(reports)} tasks; wrong forms {bad}; "
            f"unsuccessful {[(r.get('result'), r.get('failure_reason')) for r in unsuccessful]}"
        )


def measure(side: Side, fixtures: FixtureServer) -> None:
    model = side.model
    for tasks in (1,) if side.cli else (1, 2):
        fixtures.submissions.clear()
        model.reset()
        spawned, seconds, cpu, reports = run_process(side, tasks)
        check(side, reports, fixtures)
        if tasks == 1:
            side.cold.append(seconds)
            side.cold_cpu.append(cpu)
            served = [s for s in model.served if s.task in ("", "1")]
            side.first_request.append(min(s.received for s in served) - spawned)
            messages = [s.body["messages"] for s in served]
            side.purposes = ",".join(_purpose(s.body["messages"], s.answer) for s in served)
            side.calls.append(len(messages))
            side.tokens.append(sum(count_tokens(m) for m in messages))
        else:
            side.warm.append(reports[1]["seconds"])


def _purpose(messages: list[dict[str, Any]], answer: dict[str, Any]) -> str:
    """What a call was for: ours from its prompt's opening words, browser-use's step or judge."""
    from agent.prompt_reading import purpose_of

    first = messages[0].get("content") if messages else ""
    ours = purpose_of(first if isinstance(first, str) else json.dumps(first))
    if ours != "unknown":
        return ours
    return "judge" if "verdict" in json.dumps(answer) else "step"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", default="skyvern-1.0,skyvern-2.0")
    parser.add_argument(
        "--video",
        action="store_true",
        help="record our runs on video (our default; browser-use records nothing)",
    )
    args = parser.parse_args()
    os.environ["BENCH_VIDEO"] = "1" if args.video else "0"
    bu_python = browser_use_python()
    for package in ("agent", "engines"):  # browser-use's were compiled by pip
        compileall.compile_dir(ROOT / package, quiet=1)
    load_before = os.getloadavg()
    with (
        FixtureServer() as fixtures,
        StandInServer(ours_answer) as our_model,
        StandInServer(browser_use_answer) as their_model,
        tempfile.TemporaryDirectory() as data_dir,
    ):
        url = fixtures.url(PATH)
        ours = [
            Side(
                f"ours {engine}",
                [sys.executable, str(HERE / "ours_side.py"), url, engine, our_model.base_url],
                our_model,
            )
            for engine in args.engines.split(",")
        ]
        ours += [
            Side(
                f"ours {engine} agent run",
                [
                    *(sys.executable, "-m", "agent", "--data-dir", data_dir, "--llm"),
                    *("openai/stand-in", "run", GOAL, "--url", url, "--engine", engine),
                    *("--schema", json.dumps(SCHEMA), "--quiet", "--json"),
                    *(() if args.video else ("--no-video",)),
                ],
                our_model,
                env={
                    "AGENT_LLM_BASE_URL": our_model.base_url,
                    "AGENT_LLM_OPTIONS": json.dumps({"api_key": "stand-in"}),
                },
                cli=True,
            )
            for engine in args.engines.split(",")
        ]
        theirs = Side(
            f"browser-use {BROWSER_USE_VERSION}",
            [str(bu_python), str(HERE / "browser_use_side.py"), url, their_model.base_url],
            their_model,
            env={"BENCH_CHROMIUM": CHROMIUM},
        )
        sides = [*ours, theirs]
        for repeat in range(args.repeats):
            for side in sides:  # interleaved, so load changes hit every side alike
                measure(side, fixtures)
                warm_text = f"{side.warm[-1]:.2f}s" if side.warm else "-"
                print(
                    f"  repeat {repeat + 1}: {side.name}: cold {side.cold[-1]:.2f}s "
                    f"(CPU {side.cold_cpu[-1]:.2f}s, first request {side.first_request[-1]:.2f}s) warm {warm_text}, "
                    f"{side.calls[-1]} calls, {side.tokens[-1]:,} input tokens",
                    flush=True,
                )
    load_after = os.getloadavg()
    print()
    print(
        f"{'library':<30} {'calls':>5} {'input tokens':>12} {'cold s':>7} {'cold CPU s':>10} "
        f"{'1st req s':>9} {'warm s':>7} {'cold ratio':>10} {'CPU ratio':>9} {'1st ratio':>9} "
        f"{'warm ratio':>10}  calls made"
    )
    bu_cold, bu_warm = statistics.median(theirs.cold), statistics.median(theirs.warm)
    bu_cpu = statistics.median(theirs.cold_cpu)
    bu_first = statistics.median(theirs.first_request)
    for side in sides:
        cold = statistics.median(side.cold)
        cpu, first = statistics.median(side.cold_cpu), statistics.median(side.first_request)
        warm = statistics.median(side.warm) if side.warm else None
        warm_s = f"{warm:>7.2f}" if warm is not None else f"{'-':>7}"
        warm_ratio = f"{warm / bu_warm:>10.2f}" if warm is not None else f"{'-':>10}"
        print(
            f"{side.name:<30} {statistics.median(side.calls):>5.0f} "
            f"{statistics.median(side.tokens):>12,.0f} {cold:>7.2f} {cpu:>10.2f} {first:>9.2f} "
            f"{warm_s} {cold / bu_cold:>10.2f} {cpu / bu_cpu:>9.2f} {first / bu_first:>9.2f} "
            f"{warm_ratio}  {side.purposes}"
        )
    print(
        f"\nmedians of {args.repeats}; cold = a fresh process doing one task, spawn to exit; "
        f"cold CPU = user+sys seconds of that process tree (Python, driver, Chromium); "
        f"1st req = spawn to the cold process's first model request reaching its stand-in; "
        f"warm = the second task in one process ('agent run' rows: the command line, one task "
        f"per process, default SQLite store, a report written). Ratios are ours / browser-use "
        f"(goals: cold <= 0.5, warm <= 0.4). Load average before {load_before[0]:.1f}, "
        f"after {load_after[0]:.1f} on {os.cpu_count()} cores."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
