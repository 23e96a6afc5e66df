"""Engine ``skyvern-2.0``: a planner that runs the goal as blocks, and a validator.

Each iteration observes the page and asks the planner (``plan_v2``) for the next
block: ``navigate`` (a skyvern-1.0 step loop on a mini-goal), ``extract`` (read data
from the page) or ``loop`` (collect a list of items, then one 1.0 loop per item,
going on past a failed item). After each successful block the validator
(``validate_v2``) decides whether the whole goal is achieved; the run never completes
without it. Its "yes" carries the ``output`` read from the same page; ``summarize_v2``
writes it only when that does not fit the schema (or, without one, when the validator
gave none while a block read data), and as a best-effort partial result when a budget
runs out. The planner may give a navigate block's first actions with its answer, so a
single-block task costs what it costs on skyvern-1.0 (three calls for a form).

All blocks share one step budget (``max_steps``, default 25) and one step sequence, so
``list_steps`` reads as one timeline; each step says which block it ran in. The blocks
(their goals, results and data) are stored on the run as ``blocks``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Error as PlaywrightError

from agent.llm.answers import PlanAnswer, PlanV2Answer, SummarizeV2Answer, ValidateV2Answer
from agent.llm.call import LLMResult
from agent.records.actions import ActionOutcome, ActionRecord, Block, ErrorEntry
from agent.records.config import DEFAULT_MAX_ITERATIONS_V2
from agent.records.errors import LLMError
from agent.records.observation import Observation
from agent.records.runs import RunStatus, StepStatus
from agent.run.run_context import Outcome, RunContext
from engines import V2
from engines.error_codes import classify, with_error_code
from engines.extraction import EXTRACT_TOKEN_BUDGET, ask_fitting, extract, schema_errors
from engines.loop_block import ITEMS_SCHEMA, MAX_LOOP_ITEMS, item_schema, run_items
from engines.prompts import messages
from engines.start import open_start_page
from engines.v1 import run_steps, step_limit

logger = logging.getLogger("agent.engine")

MAX_DISAGREEMENTS = 3
"""Times the planner may call the goal achieved against the validator before the run ends."""


@dataclass
class _Plan:
    achieved: bool
    terminate: bool
    termination_reason: str
    task_type: str
    goal: str
    schema: Any
    loop_goal: str | None
    first_step: PlanAnswer | None = None
    """A navigate block's first actions, given by the planner on the page it read."""


async def run_v2(ctx: RunContext) -> Outcome:
    """The whole skyvern-2.0 run."""
    outcome = await _run_blocks(ctx)
    _mark_last_step(ctx, outcome)
    return outcome


def _mark_last_step(ctx: RunContext, outcome: Outcome) -> None:
    """Keep one ``is_last`` step per run (none when it failed or was canceled).

    Each block's inner step loop flags its own final step; for the run's timeline only
    the very last step is the last one.
    """
    steps = ctx.store.list_steps(ctx.run_id)
    ended = outcome.status in (RunStatus.completed, RunStatus.terminated)
    final = steps[-1] if steps and ended else None
    for step in steps:
        if step.is_last != (step is final):
            # the store directly: this corrects a flag, it is not progress to report again
            ctx.store.save_step(step.model_copy(update={"is_last": step is final}))


async def _run_blocks(ctx: RunContext) -> Outcome:
    failure = await open_start_page(ctx, step=None)
    if failure is not None:
        return failure
    budget = V2.step_budget(ctx.request.max_steps)
    ctx.step_limit = step_limit(budget)  # retries included: failing blocks cannot multiply it
    blocks: list[Block] = []
    disagreements = 0
    for _ in range(DEFAULT_MAX_ITERATIONS_V2):
        if ctx.is_canceled():
            return Outcome(RunStatus.canceled)
        if ctx.next_order >= budget or ctx.steps_left() == 0:
            spent = (
                f"{budget} steps across blocks"
                if ctx.next_order >= budget
                else f"{ctx.step_limit} steps across blocks, retries included"
            )
            return await _out_of_budget(
                ctx,
                blocks,
                f"Max steps exceeded: the budget of {spent} ran out after {len(blocks)} block(s)",
            )
        try:
            plan = await _plan(ctx, blocks)
        except LLMError as exc:
            return Outcome(RunStatus.failed, failure_reason=f"Model error while planning: {exc}")
        if plan.terminate:
            return await _terminate(
                ctx, plan.termination_reason or "The planner judged the goal impossible."
            )
        if plan.achieved:
            verdict = await _validate(ctx, blocks)
            if verdict is not None:
                return verdict
            disagreements += 1
            if disagreements >= MAX_DISAGREEMENTS:
                return await _out_of_budget(
                    ctx,
                    blocks,
                    f"The planner and the validator disagree: the planner said the goal is "
                    f"achieved {disagreements} times and the validator found it not achieved "
                    "each time, so the run ends instead of going round in circles",
                    code="PLANNER_VALIDATOR_DISAGREE",
                )
            blocks.append(
                Block(
                    index=len(blocks),
                    task_type="check",
                    goal="planner said the goal is achieved",
                    status="rejected",
                    result="the validator found more work to do",
                )
            )
            _save_blocks(ctx, blocks)
            continue
        block = Block(index=len(blocks), task_type=plan.task_type, goal=plan.goal, status="running")
        blocks.append(block)
        _save_blocks(ctx, blocks)
        outcome = await _run_block(ctx, block, plan, budget)
        _save_blocks(ctx, blocks)
        if outcome.status == RunStatus.canceled:
            return outcome
        if outcome.status == RunStatus.terminated and _decisive_errors(outcome):
            return outcome  # a caller's error code (LOGIN_FAILED) or no 2FA code: no re-planning
        if outcome.status == RunStatus.completed:
            verdict = await _validate(ctx, blocks)
            if verdict is not None:
                return verdict
    return await _out_of_budget(
        ctx,
        blocks,
        f"Max iterations exceeded: the planner ran {DEFAULT_MAX_ITERATIONS_V2} "
        "iterations without achieving the goal",
    )


def _decisive_errors(outcome: Outcome) -> list[ErrorEntry]:
    """Error codes that end the whole run: the caller's own, and a 2FA code that never came."""
    return [e for e in outcome.errors if e.user_defined or e.error_code.startswith("OTP_")]


def _save_blocks(ctx: RunContext, blocks: list[Block]) -> None:
    ctx.store.update_run(ctx.run_id, blocks=[b.model_copy(deep=True) for b in blocks])


def _for_context(blocks: list[Block]) -> list[dict[str, Any]]:
    """The blocks as the test doubles' request context carries them (JSON-like)."""
    return [b.model_dump() for b in blocks]


def _for_prompt(blocks: list[Block]) -> list[dict[str, Any]]:
    return [
        {
            **b.model_dump(),
            "output_json": _cut(json.dumps(b.output, ensure_ascii=False, default=str)),
        }
        for b in blocks
    ]


def _cut(text: str, limit: int = 4000) -> str:
    """A block's data for a prompt: whole when it fits, else cut with the cut said."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … ({len(text) - limit} more characters not shown)"


def _schema_text(schema: Any) -> str:
    return json.dumps(schema, indent=1) if schema else ""


async def _plan(ctx: RunContext, blocks: list[Block]) -> _Plan:
    observation = await ctx.observe()
    sent = messages(
        "plan_v2",
        rules={},
        task={
            "today": ctx.today(),
            "goal": ctx.request.prompt,
            "blocks": _for_prompt(blocks),
            "schema": _schema_text(ctx.request.schema_for_output),
            "elements": observation.render(),
        },
        screenshot=observation.screenshot,
    )
    answer = await ctx.llm(
        "plan_v2",
        sent,
        step=None,
        observation=observation,
        context={"blocks": _for_context(blocks)},
    )
    plan: PlanV2Answer = answer.answer
    navigate = plan.task_type == "navigate" and not (
        plan.user_goal_achieved or plan.should_terminate
    )
    return _Plan(
        achieved=plan.user_goal_achieved,
        terminate=plan.should_terminate,
        termination_reason=plan.termination_reason,
        task_type=plan.task_type,
        goal=plan.plan or ctx.request.prompt,
        schema=plan.data_extraction_schema,
        loop_goal=plan.loop_goal or None,
        first_step=(
            PlanAnswer(actions=plan.actions, page_summary=plan.thoughts)
            if navigate and plan.actions
            else None
        ),
    )


async def _run_block(ctx: RunContext, block: Block, plan: _Plan, budget: int) -> Outcome:
    index = block.index
    if plan.task_type == "extract":
        outcome = await _extract_block(ctx, index, plan.goal, plan.schema)
    elif plan.task_type == "loop":
        outcome = await _loop_block(ctx, index, plan, budget)
    else:
        outcome = await run_steps(
            ctx,
            goal=plan.goal,
            verify_complete=False,
            max_steps=budget - ctx.next_order,
            schema=None,
            block=index,
            context_goal=ctx.request.prompt,
            first_plan=plan.first_step,
        )
    block.status = outcome.status.value
    block.result = (outcome.failure_reason or outcome.summary or "")[:500]
    block.output = outcome.output
    return outcome


async def _extract_block(ctx: RunContext, index: int, goal: str, schema: Any) -> Outcome:
    step = ctx.new_step(ctx.next_order, block=index)
    ctx.next_order += 1
    schema = schema if isinstance(schema, dict) else ctx.request.schema_for_output
    try:
        data, errors = await extract(ctx, step, goal=goal, schema=schema)
    except LLMError as exc:
        ctx.save_step(step.transition(StepStatus.failed, failure_reason=str(exc)))
        return Outcome(RunStatus.failed, failure_reason=f"Extraction failed: {exc}")
    step.actions.append(
        ActionRecord(
            action_type="EXTRACT",
            reasoning=goal,
            result=ActionOutcome(success=True, message="; ".join(errors) or "extracted"),
        )
    )
    ctx.save_step(step.transition(StepStatus.completed))
    return Outcome(RunStatus.completed, output=data, summary="extracted data")


async def _loop_block(ctx: RunContext, index: int, plan: _Plan, budget: int) -> Outcome:
    listing = await _extract_block(ctx, index, plan.goal, ITEMS_SCHEMA)
    if listing.status != RunStatus.completed:
        return listing
    raw = listing.output.get("items") if isinstance(listing.output, dict) else None
    items = [i for i in raw or [] if isinstance(i, dict)][:MAX_LOOP_ITEMS]
    if not items:
        return Outcome(RunStatus.failed, failure_reason="the loop found no items to go through")
    return await run_items(
        ctx,
        items,
        item_goal=plan.loop_goal or plan.goal,
        item_schema=item_schema(ctx, plan.schema),
        block=index,
        budget=budget,
    )


async def _validate(ctx: RunContext, blocks: list[Block]) -> Outcome | None:
    """Completed or terminated when the validator says so; None to keep going.

    The validator sees the final page and the output schema, so a "yes" carries the
    output read from that page in the same call; only an output that does not fit the
    schema costs a separate summary call.
    """
    observation = await ctx.observe()
    schema = ctx.request.schema_for_output
    sent = messages(
        "validate_v2",
        rules={},
        task={
            "goal": ctx.request.prompt,
            "blocks": _for_prompt(blocks),
            "schema": _schema_text(schema),
            "elements": observation.render(token_budget=EXTRACT_TOKEN_BUDGET if schema else None),
        },
        screenshot=observation.screenshot,
    )
    try:
        answer = await ctx.llm(
            "validate_v2",
            sent,
            step=None,
            observation=observation,
            context={"blocks": _for_context(blocks)},
        )
    except LLMError as exc:
        return Outcome(RunStatus.failed, failure_reason=f"Model error while validating: {exc}")
    verdict: ValidateV2Answer = answer.answer
    if verdict.should_terminate:
        return await _terminate(
            ctx, verdict.termination_reason or "The validator judged the goal impossible."
        )
    if not verdict.user_goal_achieved:
        return None
    if _verdict_output_stands(verdict, schema, blocks):
        output = (verdict.model_extra or {}).get("output")
        return Outcome(RunStatus.completed, output=output, summary=verdict.thoughts)
    try:
        output, description = await _summarize(ctx, blocks, partial=None, observation=observation)
    except LLMError as exc:
        return Outcome(RunStatus.failed, failure_reason=f"Model error while summarizing: {exc}")
    return Outcome(RunStatus.completed, output=output, summary=description)


def _verdict_output_stands(verdict: ValidateV2Answer, schema: Any, blocks: list[Block]) -> bool:
    """Whether the validator's "yes" also gave the run's output, so no summary call is needed.

    With a schema: its ``output`` fits it. Without one: it gave an ``output`` (null for an
    action-only goal), or left it out when no block read any data that could be lost.
    """
    extras = verdict.model_extra or {}
    if schema is not None:
        return "output" in extras and not schema_errors(extras["output"], schema)
    return "output" in extras or all(b.output is None for b in blocks)


async def _summarize(
    ctx: RunContext,
    blocks: list[Block],
    partial: str | None,
    observation: Observation | None = None,
) -> tuple[Any, str]:
    """The run's output, read from the final page and the blocks' data."""
    schema = ctx.request.schema_for_output
    if observation is None:
        observation = await ctx.observe(screenshot=False)
    sent = messages(
        "summarize_v2",
        rules={},
        task={
            "goal": ctx.request.prompt,
            "blocks": _for_prompt(blocks),
            "partial": partial,
            "schema": _schema_text(schema),
            "elements": observation.render(token_budget=EXTRACT_TOKEN_BUDGET),
        },
    )
    output, result, _ = await ask_fitting(
        ctx,
        "summarize_v2",
        sent,
        schema=schema if partial is None else None,
        step=None,
        observation=observation,
        context={"blocks": _for_context(blocks), "schema": schema},
        pick=lambda result: _summary(result).output,
    )
    return output, _summary(result).description


def _summary(result: LLMResult) -> SummarizeV2Answer:
    """The typed ``summarize_v2`` answer (``complete_json`` checked it fits)."""
    answer: SummarizeV2Answer = result.answer
    return answer


async def _out_of_budget(
    ctx: RunContext, blocks: list[Block], why: str, *, code: str = "REACH_MAX_STEPS"
) -> Outcome:
    achieved = "; ".join(f"{b.task_type} '{b.goal[:60]}' {b.status}" for b in blocks)
    reason = f"{why}. Achieved: {achieved or 'nothing'}."
    output = None
    try:
        output, _ = await _summarize(ctx, blocks, partial=why)
    except (LLMError, PlaywrightError) as exc:  # a courtesy: the failure stands without it
        logger.warning("partial summary failed: %s", exc)
    return Outcome(
        RunStatus.failed,
        output=output,
        failure_reason=reason,
        errors=[ErrorEntry(error_code=code, reasoning=why)],
    )


async def _terminate(ctx: RunContext, reason: str) -> Outcome:
    try:
        errors = await classify(ctx, None, goal=ctx.request.prompt, reason=reason)
    except LLMError:
        errors = []
    return Outcome(
        RunStatus.terminated,
        output=with_error_code(None, errors),
        failure_reason=reason,
        errors=errors,
    )
