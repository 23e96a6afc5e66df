"""The run a page-steps session keeps: one step per call, stored like a task run's.

The run (``tsk_...``, engine skyvern-1.0) is created by the first call, marked completed
at once (each call is complete when it returns), and grows by one step per call with
the call's prompts and answers as files in ``<data_dir>/runs/<run_id>/steps/NNN-0/``,
so the HTML report (``agent.report(run_id)``) and the script export read it as they
read any run. Runs on the Agent's loop thread, where its store lives.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agent.records.runs import RunStatus, Step, StepStatus, TaskRun, build_request, new_id, utcnow
from agent.run.run_folder import keep_run, keep_step, step_folder

if TYPE_CHECKING:
    from agent.page_steps.core import PageSteps
    from agent.page_steps.records import PageCall


def _start_run(steps: PageSteps, url: str) -> str:
    store = steps.agent.store
    web = url if url.startswith(("http://", "https://")) else None
    request = build_request(
        prompt=f"AI steps on a page the program holds ({url})",
        url=web,
        title="page steps",
        engine="skyvern-1.0",
    )
    run_id = new_id("tsk")
    store.create_run(TaskRun.created_from(request, run_id))
    store.update_run(run_id, RunStatus.running, started_at=utcnow())
    store.update_run(run_id, RunStatus.completed, finished_at=utcnow())
    return run_id


async def record_call(steps: PageSteps, call: PageCall, url: str) -> str:
    """Store ``call`` as the next step of the session's run (created on the first call)."""
    store = steps.agent.store
    run_id = steps.run_id or _start_run(steps, url)
    run = store.get_run(run_id)
    order = len(steps.history) - 1
    step = Step(task_id=run_id, order=order, url=url)
    step = step.transition(StepStatus.running)
    run_dir = Path(steps.agent.data_dir) / "runs" / run_id
    folder = step_folder(run_dir, step)
    artifacts: dict[str, str] = {}
    for index, (prompt, answer) in enumerate(zip(call.prompts, call.answers, strict=False)):
        suffix = "" if index == 0 else f"-{index + 1}"
        for name, text in (
            (f"{call.kind}-prompt{suffix}", prompt),
            (f"{call.kind}-answer{suffix}", answer),
        ):
            path = folder / f"{name}.txt"
            path.write_text(steps._secrets.redact(text), encoding="utf-8")
            artifacts[name] = path.as_uri()
    step = step.transition(
        StepStatus.completed if call.ok else StepStatus.failed,
        actions=call.actions,
        input_token_count=call.input_tokens,
        output_token_count=call.output_tokens,
        cached_token_count=call.cached_tokens,
        step_cost=call.cost,
        llm_calls=call.llm_calls,
        reasoning=f"{call.kind}: {call.instruction}"[:1000],
        failure_reason=None if call.ok else call.effect[:1000],
        duration_ms=int(call.seconds * 1000),
        artifacts=artifacts,
        is_last=True,
    )
    call.step_id = step.step_id
    store.save_step(step)
    keep_step(run_dir, step)
    updated = store.update_run(
        run_id,
        step_count=run.step_count + 1,
        input_token_count=run.input_token_count + call.input_tokens,
        output_token_count=run.output_token_count + call.output_tokens,
        cached_token_count=run.cached_token_count + call.cached_tokens,
        llm_calls=run.llm_calls + call.llm_calls,
        total_cost=run.total_cost + call.cost,
    )
    keep_run(run_dir, updated)
    return run_id
