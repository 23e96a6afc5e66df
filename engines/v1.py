"""Engine ``skyvern-1.0``: observe, plan, act, check, in a loop of steps.

Each step observes the page, asks the model (purpose ``plan``) for a batch of
actions, and runs them until one fails or the page changes under the batch. A
COMPLETE is checked by a second call (``verify``) before the run completes; EXTRACT,
or a schema on a completed run, fills ``output``. A failed step is retried on a fresh
observation (same order, ``retry_index + 1``); retries do not count against
``max_steps``. The same action planned step after step on a page that shows the same
thing is pointed out to the model, and ends the run if it goes on (:mod:`engines.loops`).

:func:`run_steps` is also what each skyvern-2.0 ``navigate`` block runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from agent.browser.acting.action_types import DECISIONS, CompleteAction
from agent.browser.lifecycle.watchdog import PageUnresponsiveError
from agent.integrations.secrets import fill_action
from agent.integrations.totp import TOTPTimeoutError
from agent.llm.answers import PlanAnswer, VerifyAnswer
from agent.records.actions import ActionOutcome, ErrorEntry
from agent.records.config import MAX_RETRIES_PER_STEP
from agent.records.errors import AnswerMisfitError, BrowserError, LLMError
from agent.records.runs import RunStatus, Step, StepStatus
from agent.run.run_context import Outcome, RunContext
from engines import V1
from engines.error_codes import classify, with_error_code
from engines.extraction import EXTRACT_TOKEN_BUDGET, extract, schema_errors
from engines.loops import LoopGuard, target_key
from engines.plan_prompt import (
    HISTORY_LINES,
    TOTP_PLACEHOLDER,
    describe_action,
    history_line,
    plan_messages,
    recent,
)
from engines.prompts import messages
from engines.start import open_start_page
from engines.step_records import finish_step, record_action

logger = logging.getLogger("agent.engine")


async def run_v1(ctx: RunContext) -> Outcome:
    """The whole skyvern-1.0 run: open the start page, then the step loop."""
    failure = await open_start_page(ctx, step=None)
    if failure is not None:
        return failure
    max_steps = V1.step_budget(ctx.request.max_steps)
    ctx.step_limit = step_limit(max_steps)
    return await run_steps(
        ctx, goal=ctx.request.prompt, max_steps=max_steps, schema=ctx.request.schema_for_output
    )


def step_limit(max_steps: int) -> int:
    """Most steps, retries included, a skyvern-1.0 run with ``max_steps`` can take.

    skyvern-2.0 keeps to the same limit, so its failing blocks cannot multiply the budget.
    """
    return max_steps * (1 + MAX_RETRIES_PER_STEP)


@dataclass
class _Memory:
    """What the loop remembers between steps."""

    history: list[str] = field(default_factory=list)
    loops: LoopGuard = field(default_factory=LoopGuard)
    warnings: list[str] = field(default_factory=list)
    last_tried: str = "nothing yet"
    hung: dict[str, str] = field(default_factory=dict)
    """Actions that hung the page (by :func:`_target_key`), with why: never run twice."""
    last_action: tuple[str, str] | None = None
    """The action run last on the page since it was last read, by key and described."""


@dataclass
class _StepResult:
    failed: str | None = None
    decision: Any = None
    loop_error: str | None = None
    observation: Any = None
    """The step's observation, when it still shows the page (no action ran before the decision)."""


async def run_steps(
    ctx: RunContext,
    *,
    goal: str,
    max_steps: int,
    schema: Any,
    block: int | None = None,
    context_goal: str | None = None,
    verify_complete: bool = True,
    first_plan: PlanAnswer | None = None,
) -> Outcome:
    """Run steps toward ``goal`` until it is achieved, impossible, or a budget runs out.

    ``verify_complete=False`` takes a COMPLETE at its word: skyvern-2.0 does, because its
    validator checks the whole goal right after the block anyway. ``first_plan`` is the
    first step's answer when a caller already has it (skyvern-2.0's planner read the same
    page); a retry of that step asks the model.
    """
    memory = _Memory()
    done_steps = 0
    retry = 0
    last_step: Step | None = None
    while True:
        if ctx.is_canceled():
            return Outcome(RunStatus.canceled, last_step=last_step)
        if done_steps >= max_steps or ctx.steps_left() == 0:
            limit = (
                f"{max_steps} steps"
                if done_steps >= max_steps
                else f"{ctx.step_limit} steps, retries included"
            )
            reason = (
                f"Max steps exceeded: reached the limit of {limit} without "
                f"achieving the goal. Last tried: {memory.last_tried}."
            )
            return await _failure(
                ctx, last_step, goal, reason, RunStatus.failed, code="REACH_MAX_STEPS"
            )
        step = ctx.new_step(ctx.next_order, retry_index=retry, block=block)
        last_step = step
        started = time.monotonic()
        try:
            given = first_plan if done_steps == 0 and retry == 0 else None
            result = await _one_step(
                ctx, step, memory, goal=goal, context_goal=context_goal, schema=schema, given=given
            )
        except LLMError as exc:
            finish_step(ctx, step, started, StepStatus.failed, str(exc))
            return Outcome(RunStatus.failed, failure_reason=f"Model error: {exc}", last_step=step)
        except PageUnresponsiveError as exc:  # a stuck script: try once more on a fresh page
            finish_step(ctx, step, started, StepStatus.failed, str(exc))
            retry += 1
            culprit = None
            if memory.last_action is not None:  # it hung during or right after this action
                target, culprit = memory.last_action
                memory.hung[target] = str(exc)
                memory.last_action = None
            if retry <= MAX_RETRIES_PER_STEP and await ctx.recover_page():
                memory.history.append(
                    f"step {step.order}: {exc}; the page was opened again in a fresh tab"
                    + (f"; it hung after {culprit}, which will not be run again" if culprit else "")
                )
                continue
            return Outcome(RunStatus.failed, failure_reason=str(exc), last_step=step)
        except BrowserError as exc:  # the page crashed or the browser is gone
            finish_step(ctx, step, started, StepStatus.failed, str(exc))
            return Outcome(RunStatus.failed, failure_reason=str(exc), last_step=step)
        except TOTPTimeoutError as exc:
            finish_step(ctx, step, started, StepStatus.failed, str(exc))
            otp_errors = [ErrorEntry(error_code=exc.error_code, reasoning=str(exc))]
            return Outcome(
                RunStatus.terminated,
                output=with_error_code(None, otp_errors),
                failure_reason=str(exc),
                errors=otp_errors,
                last_step=step,
            )
        if result.loop_error:
            finish_step(ctx, step, started, StepStatus.failed, result.loop_error)
            return await _failure(ctx, step, goal, result.loop_error, RunStatus.failed)
        if result.failed:
            finish_step(ctx, step, started, StepStatus.failed, result.failed)
            retry += 1
            if retry > MAX_RETRIES_PER_STEP:
                reason = (
                    f"Max retries per step ({MAX_RETRIES_PER_STEP}) exceeded at step "
                    f"{step.order}: {result.failed}"
                )
                return await _failure(
                    ctx, step, goal, reason, RunStatus.failed, code="REACH_MAX_RETRIES"
                )
            continue
        retry = 0
        done_steps += 1
        ctx.next_order += 1
        decision = result.decision
        if decision is None:
            finish_step(ctx, step, started, StepStatus.completed)
            continue
        kind = decision.action_type
        if kind == "TERMINATE":
            finish_step(ctx, step, started, StepStatus.completed, is_last=True)
            reason = _reason(decision) or "The model judged the goal impossible."
            return await _failure(
                ctx, step, goal, reason, RunStatus.terminated, proposed=decision.errors
            )
        if kind in ("SOLVE_CAPTCHA", "ASK_USER"):  # only a person can go on from here
            from agent.run.pause import ask_or_stop

            answer, stop = await ask_or_stop(ctx, decision, step.url)
            if stop is not None:
                finish_step(ctx, step, started, StepStatus.completed, is_last=True)
                stop.last_step = step
                return stop
            memory.history.append(answer)
            finish_step(ctx, step, started, StepStatus.completed)
            continue
        try:
            verdict = None
            if kind == "COMPLETE" and verify_complete:
                verdict = await _verify(ctx, step, goal, memory, result.observation, schema)
                if not verdict.achieved:
                    memory.history.append(f"COMPLETE was checked and rejected: {verdict.thoughts}")
                    finish_step(ctx, step, started, StepStatus.completed)
                    continue
            output = None
            if verdict is not None and verdict.has_output:
                output = verdict.output
            elif schema is not None or kind == "EXTRACT":
                seen = verdict.observation if verdict is not None else result.observation
                output, mismatches = await extract(
                    ctx, step, goal=goal, schema=schema, observation=seen
                )
                if mismatches:
                    ctx.add_error(
                        "OUTPUT_SCHEMA_MISMATCH",
                        "Extracted data does not match the schema: " + "; ".join(mismatches),
                    )
        except LLMError as exc:
            finish_step(ctx, step, started, StepStatus.failed, str(exc))
            return Outcome(RunStatus.failed, failure_reason=f"Model error: {exc}", last_step=step)
        finish_step(ctx, step, started, StepStatus.completed, is_last=True)
        return Outcome(
            RunStatus.completed, output=output, last_step=step, summary=_reason(decision)
        )


def _reason(decision: Any) -> str:
    return str(getattr(decision, "reason", "") or decision.reasoning or "")


async def _one_step(
    ctx: RunContext,
    step: Step,
    memory: _Memory,
    *,
    goal: str,
    context_goal: str | None,
    schema: Any = None,
    given: PlanAnswer | None = None,
) -> _StepResult:
    observation = await ctx.observe()
    memory.last_action = None  # the page was read after it: it did not hang the page
    step.url = observation.url
    # The picture of what the model saw is taken while the model thinks.
    screenshot = asyncio.ensure_future(ctx.screenshot(step, observation))
    totp_code: str | None = None
    sent = plan_messages(
        ctx,
        observation,
        goal=goal,
        context_goal=context_goal,
        history=memory.history,
        warnings=memory.warnings,
        schema=schema,
    )
    memory.warnings = []
    try:
        if given is not None:  # already answered for this page: no second call for it
            plan = given
            ctx.write_artifact(step, "plan-answer.json", given.model_dump_json(exclude_none=True))
        else:
            answer = await ctx.llm(
                "plan",
                sent,
                step=step,
                goal=goal,
                observation=observation,
                context={"order": step.order, "retry_index": step.retry_index},
            )
            plan = answer.answer
    except AnswerMisfitError as exc:
        memory.history.append(f"(your last plan could not be used: {'; '.join(exc.problems)})")
        return _StepResult(failed=f"the model's plan could not be used: {'; '.join(exc.problems)}")
    finally:
        await screenshot
    first_reason = plan.actions[0].reasoning if plan.actions else ""
    step.reasoning = (plan.page_summary or first_reason)[:1000] or None
    actions = list(plan.actions)
    if not actions:
        if plan.user_goal_achieved:
            return _StepResult(
                decision=CompleteAction(reason="the model saw the goal achieved"),
                observation=observation,
            )
        memory.history.append("(your last plan had no actions)")
        return _StepResult(failed="the model proposed no action")
    memory.loops.start_step(observation)
    for index, action in enumerate(actions):
        if action.action_type == "CALL_TOOL":  # the user's function, run by the engine
            from agent.run.tools import call_tool_action

            outcome = await call_tool_action(ctx, action)
            step.actions.append(record_action(action, outcome, None))
            memory.last_tried = f"step {step.order}: {outcome.history_line(action)}"
            memory.history.append(memory.last_tried)
            if not outcome.success:
                return _StepResult(failed=outcome.history_line(action))
            continue
        if action.action_type in DECISIONS:
            step.actions.append(record_action(action, None, "decided by the engine"))
            # Nothing ran before it in this batch: the step's observation is still the page.
            return _StepResult(decision=action, observation=observation if index == 0 else None)
        described = describe_action(action, observation)
        target = target_key(action, observation)
        if target in memory.hung:  # it froze the page once: running it again would too
            return _StepResult(
                loop_error=f"{memory.hung[target]}; {described} was proposed again after it "
                "hung the page, and was not run a second time"
            )
        stuck = memory.loops.stuck(action, described)
        if stuck is not None:
            return _StepResult(loop_error=stuck)
        if totp_code is None and TOTP_PLACEHOLDER in str(getattr(action, "text", "") or ""):
            totp_code = await fetch_totp(ctx)
        real = await fill_action(_with_totp(action, totp_code), ctx.secrets, ctx.page, observation)
        started = time.monotonic()
        memory.last_action = (target, described)
        try:
            result = await ctx.act(real, observation, followed=_acted_on(actions[index + 1 :]))
        except PageUnresponsiveError as exc:
            hung = ActionOutcome(success=False, message=str(exc))
            ms = int((time.monotonic() - started) * 1000)
            step.actions.append(record_action(action, hung, None, observation, ms))
            raise
        action_ms = int((time.monotonic() - started) * 1000)
        if totp_code:  # typed, never written down: prompts and steps keep the placeholder
            said = f"the code {TOTP_PLACEHOLDER} stands for"  # not the placeholder's letters
            result.message = result.message.replace(repr(totp_code), said).replace(
                totp_code, TOTP_PLACEHOLDER
            )
        result.message = ctx.secrets.redact(result.message)
        if result.success:  # failed actions are the retry logic's business
            warning = memory.loops.done(action, described)
            if warning is not None:
                memory.warnings.append(warning)
        step.actions.append(record_action(action, result, None, observation, action_ms))
        memory.last_tried = history_line(step.order, described, result.success, result.message)
        memory.history.append(memory.last_tried)
        if not result.success:
            later_same_target = any(a.id == action.id for a in actions[index + 1 :] if action.id)
            if later_same_target:
                continue
            return _StepResult(failed=f"{described} failed: {result.message}")
        if index < len(actions) - 1 and (result.page_changed or result.list_opened):
            what = "a list opened to choose from" if result.list_opened else "the page changed"
            memory.history.append(
                f"{what}; {len(actions) - index - 1} remaining planned action(s) were not run"
            )
            break
    return _StepResult()


def _acted_on(rest: list[Any]) -> bool:
    """Whether the next planned action runs on the page (not a decision or a tool call)."""
    return (
        bool(rest) and rest[0].action_type not in DECISIONS and rest[0].action_type != "CALL_TOOL"
    )


async def fetch_totp(ctx: RunContext) -> str:
    """The code, fetched only when the model decided to type it (pushed codes may take a while)."""
    if ctx.get_totp_code is None:
        raise TOTPTimeoutError(
            "The model asked for a verification code, but this run has no "
            "TOTP source: pass totp_identifier or totp_url."
        )
    return str(await ctx.get_totp_code())


def _with_totp(action: Any, code: str | None) -> Any:
    text = getattr(action, "text", None)
    if code is None or not isinstance(text, str) or TOTP_PLACEHOLDER not in text:
        return action
    return action.model_copy(update={"text": text.replace(TOTP_PLACEHOLDER, code)})


@dataclass
class _Verdict:
    achieved: bool
    thoughts: str
    output: Any = None
    has_output: bool = False
    """The verifier gave an output that fits the schema (no separate extract call needed)."""
    observation: Any = None


async def _verify(
    ctx: RunContext,
    step: Step,
    goal: str,
    memory: _Memory,
    observation: Any = None,
    schema: Any = None,
) -> _Verdict:
    """Check the goal on the page; with a schema, the same call reads the output."""
    observation = observation or await ctx.observe()
    schema_text = json.dumps(schema, indent=1) if isinstance(schema, dict | list) else ""
    everything = ctx.request.include_action_history_in_verification
    omitted, shown = recent(memory.history, len(memory.history) if everything else HISTORY_LINES)
    sent = messages(
        "verify",
        rules={},
        task={
            "goal": goal,
            "elements": observation.render(
                token_budget=EXTRACT_TOKEN_BUDGET if schema_text else None
            ),
            "history": shown,
            "omitted": omitted,
            "schema": schema_text,
        },
        screenshot=observation.screenshot,
    )
    answer = await ctx.llm(
        "verify",
        sent,
        step=step,
        goal=goal,
        observation=observation,
        context={"schema": schema},
    )
    verdict: VerifyAnswer = answer.answer
    extras = verdict.model_extra or {}
    fits = bool(schema_text) and "output" in extras and not schema_errors(extras["output"], schema)
    return _Verdict(
        verdict.user_goal_achieved,
        verdict.thoughts,
        extras.get("output") if fits else None,
        fits,
        observation,
    )


async def _failure(
    ctx: RunContext,
    step: Step | None,
    goal: str,
    reason: str,
    status: RunStatus,
    *,
    proposed: Any = None,
    code: str | None = None,
) -> Outcome:
    """End with ``status``; match the caller's error codes; add the system code if any."""
    try:
        errors = await classify(ctx, step, goal=goal, reason=reason, proposed=proposed)
    except LLMError as exc:
        logger.warning("error-code classification failed: %s", exc)
        errors = []
    system = [ErrorEntry(error_code=code, reasoning=reason)] if code else []
    return Outcome(
        status,
        output=with_error_code(None, errors),
        failure_reason=reason,
        errors=errors + system,
        last_step=step,
    )
