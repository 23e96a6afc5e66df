"""What each fixture task costs on each engine, with the provider's prompt cache and without it.

Run by hand (not collected by pytest, not part of ``make test``):

    .venv/bin/python tests/bench/task_costs.py [--vision both|on|off] [--repeats 1]
        [--tasks volunteer,form,login,login-2fa,download,extract] [--engines skyvern-1.0,skyvern-2.0]

The model is the fake OpenAI server (``agent.fake_providers.FakeOpenAI``), reached over
HTTP through litellm's OpenAI provider as ``openai/gpt-4o-mini``, so litellm prices every
call from its table (cached input at gpt-4o-mini's cache-read price). Like OpenAI it
reports ``usage.prompt_tokens_details.cached_tokens`` for the part of a prompt that
repeats the start of an earlier one, from 1,024 tokens in steps of 128. Its answers come
from the messages-only stand-ins of the engine tests (``tests/engines/fixture_tasks.py``)
and the volunteer form's (``form_task.py``): they read nothing but the prompts.

Each task runs on each engine twice: with the cache, and with ``caching=False`` (the same
prompts, nothing read from the cache). Every run has its own Agent and its own fake server,
so nothing is cached before it starts (a provider's cache outlives a run; a second run of
the same task soon after would find more cached). Every run must complete and leave its
effect on the site (the form received, the session opened, the file downloaded, the titles
output), or the script says which did not and exits 1.

``--vision``: ``on`` sends screenshots (litellm's table says gpt-4o-mini has vision, so
this is what a user gets), ``off`` runs text-only (the bench tells litellm the model has
no vision, with ``litellm.register_model``, as a user would for a text-only model; prices
unchanged), ``both`` (default) prints both. The figures are read from the run's own records:
calls, input tokens, cached tokens and cost from the run; the calls the fake
server received are counted only to cross-check them. Medians over ``--repeats``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from form_task import GOAL, PATH, SCHEMA, expected_submission_ok, ours_policy  # noqa: E402

from agent import Agent, TaskRun  # noqa: E402
from agent.fake_providers import FakeOpenAI  # noqa: E402
from agent.llm.call import load_litellm  # noqa: E402
from agent.llm.prompt_reading import Prompt  # noqa: E402
from fixtures_sites.server import FixtureServer, Request  # noqa: E402
from tests.engines.fixture_tasks import TASKS, FixtureTask  # noqa: E402

MODEL = "gpt-4o-mini"
ENGINES = ("skyvern-1.0", "skyvern-2.0")


def _signed_up(server: FixtureServer, run: TaskRun, requests: list[Request]) -> None:
    posts = [r for r in requests if r.path == "/volunteer/signup"]
    assert posts and expected_submission_ok(posts[-1].form), [r.form for r in posts]
    assert run.output == {"signup_confirmed": True}, run.output


ALL_TASKS = {
    "volunteer": FixtureTask("volunteer", GOAL, PATH, lambda: ours_policy, _signed_up, SCHEMA),
    **TASKS,
}


@dataclass(frozen=True)
class Figures:
    """One run's cost, from its records (and what the fake server saw, to cross-check)."""

    calls: int
    input_tokens: int
    cached_tokens: int
    cost: float
    served_calls: int
    served_input_tokens: int
    served_cached_tokens: int
    images: int
    """Screenshots sent, over all calls."""


@dataclass
class Row:
    """One task on one engine, with or without screenshots: its runs with and without cache."""

    task: str
    engine: str
    vision: bool
    cached: list[Figures] = field(default_factory=list)
    uncached: list[Figures] = field(default_factory=list)

    def median(self, pick: Callable[[Figures], float], uncached: bool = False) -> float:
        return statistics.median(pick(f) for f in (self.uncached if uncached else self.cached))


def set_vision(vision: bool) -> None:
    """Tell litellm whether gpt-4o-mini sees images (the engines ask litellm per run)."""
    load_litellm().register_model(
        {MODEL: {"supports_vision": vision}}, persist_across_reloads=False
    )


def prices() -> tuple[float, float]:
    """USD per input token and per cached input token, from litellm's table."""
    entry = load_litellm().model_cost[MODEL]
    return float(entry["input_cost_per_token"]), float(entry["cache_read_input_token_cost"])


def run_once(task: FixtureTask, engine: str, server: FixtureServer, *, caching: bool) -> Figures:
    """One run on a fresh Agent and fake server; AssertionError unless it did its task."""
    with (
        FakeOpenAI(task.policy(), caching=caching) as fake,
        tempfile.TemporaryDirectory() as data_dir,
        Agent(
            **fake.agent_kwargs(MODEL), data_dir=data_dir, record_video=False, progress=False
        ) as agent,
    ):
        run = task.run(agent, server, engine)
        served = fake.model_calls()
        return Figures(
            calls=run.llm_calls,
            input_tokens=run.input_token_count,
            cached_tokens=run.cached_token_count,
            cost=run.total_cost,
            served_calls=len(served),
            served_input_tokens=sum(c.prompt_tokens for c in served),
            served_cached_tokens=sum(c.cached_tokens for c in served),
            images=sum(len(Prompt(c.purpose, c.messages).images) for c in served),
        )


def measure(
    tasks: Iterable[str], engines: Iterable[str], views: Iterable[bool], repeats: int
) -> tuple[list[Row], list[str]]:
    """Every row's runs; and what went wrong (a run that did not do its task)."""
    rows: list[Row] = []
    failures: list[str] = []
    with FixtureServer() as server:
        for vision in views:
            set_vision(vision)
            for name in tasks:
                for engine in engines:
                    row = Row(name, engine, vision)
                    for _ in range(repeats):
                        for caching in (True, False):
                            try:
                                figures = run_once(ALL_TASKS[name], engine, server, caching=caching)
                            except AssertionError as exc:
                                failures.append(f"{_label(row)} caching={caching}: {exc}")
                                continue
                            (row.cached if caching else row.uncached).append(figures)
                    if row.cached and row.uncached:
                        rows.append(row)
    return rows, failures


def _label(row: Row) -> str:
    return f"{row.task} {row.engine} {'vision' if row.vision else 'text'}"


def cross_check(row: Row) -> list[str]:
    """Where the records and the fake server disagree, or the two runs' prompts differ."""
    notes: list[str] = []
    for figures in row.cached + row.uncached:
        if (figures.calls, figures.input_tokens) != (
            figures.served_calls,
            figures.served_input_tokens,
        ):
            notes.append(
                f"records {figures.calls} calls / {figures.input_tokens} tokens, server "
                f"{figures.served_calls} / {figures.served_input_tokens}"
            )
        if figures.cached_tokens != figures.served_cached_tokens:
            notes.append(
                f"the run records {figures.cached_tokens} cached tokens, the server reported "
                f"{figures.served_cached_tokens}"
            )
        if bool(figures.images) != row.vision:
            notes.append(f"{figures.images} screenshots sent")
    with_cache = row.median(lambda f: f.input_tokens)
    without = row.median(lambda f: f.input_tokens, uncached=True)
    if with_cache != without:
        notes.append(f"input tokens {with_cache:.0f} with the cache, {without:.0f} without")
    else:  # the same prompts: the cache saves its tokens' price difference, no more, no less
        full, cached = prices()
        saved = row.median(lambda f: f.cost, uncached=True) - row.median(lambda f: f.cost)
        expected = row.median(lambda f: f.cached_tokens) * (full - cached)
        if abs(saved - expected) > 1e-9:
            notes.append(
                f"the cache saved ${saved:.7f}, its tokens' price difference ${expected:.7f}"
            )
    return [f"{_label(row)}: {note}" for note in dict.fromkeys(notes)]


HEADER = (
    f"{'task':<10} {'engine':<12} {'view':<7} {'calls':>5} {'input':>6} {'cached':>6} "
    f"{'cost $':>10} {'no cache $':>10} {'saved':>6}"
)


def line(label: tuple[str, str, str], cached: list[Figures], uncached: list[Figures]) -> str:
    def med(figures: list[Figures], pick: Callable[[Figures], float]) -> float:
        return statistics.median(pick(f) for f in figures)

    cost = med(cached, lambda f: f.cost)
    plain = med(uncached, lambda f: f.cost)
    saved = f"{1 - cost / plain:.0%}" if plain else "-"
    return (
        f"{label[0]:<10} {label[1]:<12} {label[2]:<7} {med(cached, lambda f: f.calls):>5.0f} "
        f"{med(cached, lambda f: f.input_tokens):>6.0f} "
        f"{med(cached, lambda f: f.cached_tokens):>6.0f} {cost:>10.6f} {plain:>10.6f} {saved:>6}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default=",".join(ALL_TASKS))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--vision", choices=("both", "on", "off"), default="both")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    tasks = args.tasks.split(",")
    unknown = [t for t in tasks if t not in ALL_TASKS]
    if unknown:
        parser.error(f"unknown task(s) {unknown}; known: {', '.join(ALL_TASKS)}")
    views = {"both": (False, True), "on": (True,), "off": (False,)}[args.vision]
    started = time.perf_counter()
    rows, failures = measure(tasks, args.engines.split(","), views, args.repeats)
    seconds = time.perf_counter() - started

    print(f"openai/{MODEL} on the fake OpenAI server, medians of {args.repeats}")
    print(HEADER)
    for row in rows:
        print(
            line(
                (row.task, row.engine, "vision" if row.vision else "text"), row.cached, row.uncached
            )
        )
    for vision in views:
        for engine in args.engines.split(","):
            mine = [r for r in rows if r.engine == engine and r.vision == vision]
            if mine:
                total = _summed(mine)
                print(line(("all tasks", engine, "vision" if vision else "text"), *total))
    notes = [note for row in rows for note in cross_check(row)]
    if notes:
        print("cross-checks against the fake server:")
        print("\n".join(f"  {note}" for note in notes))
    full, cached = prices()
    print(
        "calls, input tokens, cached tokens and cost: the run's records. "
        "cost $ with the provider's cache, no cache $ for the same task with caching off "
        f"(litellm's {MODEL} prices per million input tokens: ${full * 1e6:.3f}, cached "
        f"${cached * 1e6:.3f}); the 'all tasks' lines add up the medians. OpenAI caches a "
        "repeated prefix from 1,024 tokens, so a run whose calls share less saves nothing. "
        f"{len(rows) * 2 * args.repeats} runs in {seconds:.0f} s."
    )
    if failures:
        print("runs that did not do their task:", *failures, sep="\n  ")
        return 1
    return 0


def _summed(rows: list[Row]) -> tuple[list[Figures], list[Figures]]:
    """One figure per side: each row's medians added up."""

    def total(uncached: bool) -> list[Figures]:
        def add(pick: Callable[[Figures], float]) -> float:
            return sum(r.median(pick, uncached) for r in rows)

        return [
            Figures(
                calls=int(add(lambda f: f.calls)),
                input_tokens=int(add(lambda f: f.input_tokens)),
                cached_tokens=int(add(lambda f: f.cached_tokens)),
                cost=add(lambda f: f.cost),
                served_calls=0,
                served_input_tokens=0,
                served_cached_tokens=0,
                images=0,
            )
        ]

    return total(False), total(True)


if __name__ == "__main__":
    raise SystemExit(main())
