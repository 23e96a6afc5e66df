"""The replay engine: a workflow's recorded actions, run again without the model.

:func:`run_replay` opens the start URL and, for each recorded action, observes the page
and finds the element again with the recorded locators (:func:`agent.browser.seeing.locators.find`).
Exactly one match on the page the action was recorded on: the action runs with ``act``,
parameters filled in, and no model call. No match, several, a different page, or an
action that fails: that one action falls back to the model. A single ``plan`` call with
a mini-goal ("type the name into the field "Full name", and do nothing else"), at most
:data:`MAX_REPAIR_CALLS` times; the action the model points at runs with the recorded
values, and its element becomes the workflow's newest locator, so the next replay of the
changed page is clean. When the model cannot find it either, the run fails and says
which action, what was looked for and why nothing fit.

Steps follow the recording's steps (one replay step per recorded step). The end of the
run is checked without the model against where the recording ended (URL and page
title); only a mismatch costs a ``verify`` call. Data is extracted again from the
current page when the workflow has a schema: a replay never returns recorded data.
"""

from __future__ import annotations

import asyncio
import re
import time
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

from agent.browser.acting.action_types import KINDS, Action, parse_action
from agent.browser.acting.actions import act
from agent.browser.seeing.locators import describe, find, live_details, locator_from_snapshot
from agent.integrations.secrets import fill_action
from agent.integrations.totp import TOTPTimeoutError
from agent.llm.answers import VerifyAnswer
from agent.records.actions import ActionOutcome, ActionRecord, ErrorEntry, ReplayMark
from agent.records.errors import LLMError
from agent.records.observation import Observation
from agent.records.runs import RunStatus, Step, StepStatus
from agent.records.workflows import Workflow, WorkflowAction
from agent.run.run_context import Outcome, RunContext
from agent.workflows.params import REDACTED, fill
from agent.workflows.recipes import record_replay
from engines.extraction import extract
from engines.plan_prompt import TOTP_PLACEHOLDER, plan_messages
from engines.prompts import messages, render
from engines.start import open_start_page
from engines.step_records import finish_step, record_action
from engines.v1 import fetch_totp

MAX_REPAIR_CALLS = 2
"""Model calls one changed action may cost before the replay gives up."""
RETRY_DELAYS = (0.2, 0.6)
"""Seconds to wait before looking again when the element is not there (yet)."""
_SLOT = re.compile(r"^\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}$")


async def run_replay(
    ctx: RunContext, workflow: Workflow | dict[str, Any], parameters: dict[str, str]
) -> Outcome:
    """Replay ``workflow`` with the (resolved) ``parameters``; see the module docstring."""
    failure = await open_start_page(ctx, step=None)
    if failure is not None:
        return failure
    replay = _Replay(ctx, Workflow.model_validate(workflow), parameters)
    try:
        return await replay.run()
    except LLMError as exc:
        return Outcome(
            RunStatus.failed, failure_reason=f"Model error while repairing a replay step: {exc}"
        )
    except TOTPTimeoutError as exc:
        errors = [ErrorEntry(error_code=exc.error_code, reasoning=str(exc))]
        return Outcome(RunStatus.terminated, failure_reason=str(exc), errors=errors)


class _Replay:
    """One replay run's state: values, URL mapping, and what it learned for the workflow."""

    def __init__(self, ctx: RunContext, workflow: Workflow, values: dict[str, str]) -> None:
        self.ctx = ctx
        self.workflow = workflow
        self.values = values
        self.actions: list[WorkflowAction] = list(workflow.actions)
        self.secrets = {
            values[p.key] for p in workflow.parameters if p.secret and values.get(p.key)
        }
        self.workflow_start = str(workflow.url or "")
        self.run_start = ctx.request.url or ctx.page.url
        self.repaired: dict[int, dict[str, Any]] = {}
        self.learned: dict[int, dict[str, Any]] = {}
        self.moved: dict[int, str] = {}
        self.observation: Observation | None = None

    # -- the run ---------------------------------------------------------------------------------
    async def run(self) -> Outcome:
        groups = [list(g) for _, g in groupby(self.actions, key=lambda a: a.step)] or [[]]
        for number, group in enumerate(groups):
            if self.ctx.is_canceled():
                return Outcome(RunStatus.canceled)
            step = self.ctx.new_step(self.ctx.next_order)
            started = time.monotonic()
            self.observation = await self.ctx.observe(screenshot=False)
            step.url = self.observation.url
            for recorded in group:
                if self.ctx.is_canceled():
                    return Outcome(RunStatus.canceled, last_step=step)
                failure = await self._action(step, recorded)
                if failure is not None:
                    await self.ctx.screenshot(step)
                    finish_step(self.ctx, step, started, StepStatus.failed, failure)
                    return Outcome(RunStatus.failed, failure_reason=failure, last_step=step)
            await self.ctx.screenshot(step)  # after the actions: the last one shows the end page
            self.ctx.next_order += 1
            if number < len(groups) - 1:
                finish_step(self.ctx, step, started, StepStatus.completed)
        return await self._finish(step, started)

    async def _action(self, step: Step, recorded: WorkflowAction) -> str | None:
        """Run one recorded action (repairing it if needed); returns a failure reason or None."""
        action: dict[str, Any] = fill(recorded.action_fields(), self.values)
        if action.get("action_type") in ("GOTO_URL", "NEW_TAB") and action.get("url"):
            action["url"] = self._to_run(str(action["url"]))
        expected = self._to_run(recorded.url)
        locators = recorded.locators
        problem = ""
        for attempt in range(len(RETRY_DELAYS) + 1):
            if attempt:
                await asyncio.sleep(RETRY_DELAYS[attempt - 1])
            observation = await self._observe(fresh=attempt > 0)
            if expected and not same_page(observation.url, expected):
                problem = f"the page is {observation.url}, not {expected} as recorded"
                continue
            target: dict[str, Any] = {}
            if locators:
                match = await find(self.ctx.page, observation, locators)
                if match.element is None:
                    problem = match.problem
                    continue
                target = {"id": match.element.id}
                variant = locators[match.variant]
                if not variant.get("css"):  # first replay of a published run: learn more
                    live = await live_details(observation.locate(self.ctx.page, match.element.id))
                    self.learned[recorded.index] = {**live, "variant": match.variant}
                meta = {"matched_by": match.matched_by, "variant": match.variant}
            else:
                meta = {"matched_by": []}
            result = await self._act(
                step, {**action, **target}, observation, recorded, {**meta, "fallback": False}
            )
            if result is None:
                return None
            problem = (
                f"{describe(locators[0]) if locators else 'the action'} was found but "
                f"the action failed: {result}"
            )
        return await self._repair(step, recorded, action, problem)

    async def _act(
        self,
        step: Step,
        action: dict[str, Any],
        observation: Observation,
        recorded: WorkflowAction,
        meta: dict[str, Any],
    ) -> str | None:
        """Execute and record one action; returns the failure message or None."""
        real: Action | dict[str, Any] = action
        text = action.get("text")
        code = None
        if isinstance(text, str) and TOTP_PLACEHOLDER in text:
            code = await fetch_totp(self.ctx)
            real = {**action, "text": text.replace(TOTP_PLACEHOLDER, code)}
        if self.ctx.secrets:  # {{NAME}} recorded: the value from this run's secrets
            real = await fill_action(
                parse_action(real), self.ctx.secrets, self.ctx.page, observation
            )
        result = await act(
            self.ctx.page, real, observation, tabs=self.ctx.tabs, upload_files=self.ctx.upload_files
        )
        for hidden, shown in [(code, TOTP_PLACEHOLDER), *((s, REDACTED) for s in self.secrets)]:
            if hidden:
                result.message = result.message.replace(hidden, shown)
        result.message = self.ctx.secrets.redact(result.message)
        shown_action = dict(action)
        if shown_action.get("text") in self.secrets:
            shown_action["text"] = REDACTED
        record = record_action(parse_action(shown_action), result, None, observation)
        record.replay = ReplayMark(workflow_action=recorded.index, **meta)
        step.actions.append(record)
        return None if result.success else result.message

    async def _observe(self, *, fresh: bool) -> Observation:
        if fresh or self.observation is None:
            self.observation = await self.ctx.observe(screenshot=False)
        observation = self.observation
        self.observation = None  # the next action looks again: the page may have moved on
        return observation

    # -- falling back to the model ---------------------------------------------------------------
    async def _repair(
        self, step: Step, recorded: WorkflowAction, action: dict[str, Any], problem: str
    ) -> str | None:
        kind = str(action.get("action_type"))
        locators = recorded.locators
        index = recorded.index
        goal = self._mini_goal(recorded, kind, locators)
        notes = [f"The recorded element could not be used: {problem}"]
        for _ in range(MAX_REPAIR_CALLS):
            observation = await self.ctx.observe()
            sent = plan_messages(
                self.ctx,
                observation,
                goal=goal,
                context_goal=self.ctx.request.prompt,
                history=notes,
                warnings=[],
            )
            answer = await self.ctx.llm(
                "plan",
                sent,
                step=step,
                goal=goal,
                observation=observation,
                context={"order": step.order, "replay_action": index},
            )
            proposed = answer.answer.actions
            chosen = next((a for a in proposed if a.action_type == kind), None)
            if chosen is None:
                verdict = next(
                    (a for a in proposed if a.action_type in ("COMPLETE", "TERMINATE")), None
                )
                if verdict is not None and verdict.action_type == "TERMINATE":
                    reason = getattr(verdict, "reason", "") or verdict.reasoning
                    return self._beyond_repair(recorded, problem, f"the model gave up: {reason}")
                if verdict is not None:  # nothing to do on this page: the step is not needed
                    step.actions.append(
                        ActionRecord(
                            action_type=kind,
                            result=ActionOutcome(
                                success=True, message="skipped: the model found it not needed"
                            ),
                            replay=ReplayMark(workflow_action=index, fallback=True, skipped=True),
                        )
                    )
                    return None
                notes.append(f"the answer proposed no {kind} action")
                continue
            if locators or (kind in KINDS and KINDS[kind].targeted):
                real = {**action, "id": chosen.id}
            else:
                real = chosen.model_dump(mode="json", exclude_none=True)
            element = observation.element(chosen.id) if chosen.id else None
            live = (
                await live_details(observation.locate(self.ctx.page, element.id))
                if element is not None
                else {}
            )
            failure = await self._act(
                step, real, observation, recorded, {"matched_by": [], "fallback": True}
            )
            if failure is None:
                if element is not None:
                    snapshot = element.model_dump(mode="json", exclude={"box"}, exclude_none=True)
                    self.repaired[index] = locator_from_snapshot(snapshot, live)
                if not same_page(observation.url, self._to_run(recorded.url) or ""):
                    self.moved[index] = self._to_workflow(observation.url)
                return None
            notes.append(f"{kind} on [{chosen.id}] failed: {failure}")
        return self._beyond_repair(recorded, problem, notes[-1])

    def _mini_goal(self, recorded: WorkflowAction, kind: str, locators: list[Any]) -> str:
        text = recorded.detail("text")
        slot = _SLOT.match(str(text or ""))
        parameter = slot.group(1) if slot else None
        secret = any(p.secret for p in self.workflow.parameters if p.key == parameter)
        value = None
        if kind == "INPUT_TEXT" and not secret:
            value = self.values.get(parameter, "") if parameter else text
        option = recorded.detail("option") or {}
        return render(
            "replay_step",
            kind=kind,
            target=describe(locators[0]) if locators else "the page",
            parameter=parameter,
            value=value,
            choice=fill(option.get("label") or option.get("value") or "", self.values),
            intent=fill(recorded.intent or kind, self.values),
        )

    def _beyond_repair(self, recorded: WorkflowAction, problem: str, tried: str) -> str:
        return (
            f"Replay failed at action {recorded.index + 1} of "
            f"{len(self.actions)} ({fill(recorded.intent, self.values)}): "
            f"{problem}; the model could not repair it ({tried}). The page changed beyond "
            "repair: run the task again with publish_workflow=True to record a new workflow."
        )

    # -- the end ---------------------------------------------------------------------------------
    async def _finish(self, step: Step, started: float) -> Outcome:
        observation = await self.ctx.observe(screenshot=False)
        mismatch = self._end_mismatch(observation)
        if mismatch:
            achieved, thoughts = await self._verify(step)
            if not achieved:
                reason = (
                    f"The replay ran all {len(self.actions)} recorded actions, but {mismatch}"
                    f"; the model judged the goal not achieved: {thoughts}"
                )
                finish_step(self.ctx, step, started, StepStatus.failed, reason)
                return Outcome(RunStatus.failed, failure_reason=reason, last_step=step)
        output = None
        schema = self.ctx.request.schema_for_output
        if schema is not None or self.workflow.extract:
            output, errors = await extract(
                self.ctx, step, goal=self.ctx.request.prompt, schema=schema
            )
            if errors:
                self.ctx.add_error(
                    "OUTPUT_SCHEMA_MISMATCH",
                    "Extracted data does not match the schema: " + "; ".join(errors),
                )
        finish_step(self.ctx, step, started, StepStatus.completed, is_last=True)
        record_replay(
            self.ctx.store,
            self.workflow.workflow_id,
            self.ctx.run_id,
            self.repaired,
            self.learned,
            self.moved,
        )
        fixed = f", {len(self.repaired)} repaired by the model" if self.repaired else ""
        return Outcome(
            RunStatus.completed,
            output=output,
            last_step=step,
            summary=f"replayed {len(self.actions)} recorded actions{fixed}",
        )

    def _end_mismatch(self, observation: Observation) -> str:
        end = self.workflow.end
        expected = self._to_run(end.url)
        if expected and not same_page(observation.url, expected):
            return f"it ended on {observation.url}, not {expected} as recorded"
        title = end.title
        if title and _squash(observation.title) != _squash(title):
            return f'the final page is titled "{observation.title}", not "{title}" as recorded'
        return ""

    async def _verify(self, step: Step) -> tuple[bool, str]:
        observation = await self.ctx.observe()
        sent = messages(
            "verify",
            rules={},
            task={
                "goal": self.ctx.request.prompt,
                "schema": "",
                "elements": observation.render(),
                "history": [a.intent for a in self.actions],
                "omitted": 0,
            },
            screenshot=observation.screenshot,
        )
        answer = await self.ctx.llm(
            "verify",
            sent,
            step=step,
            observation=observation,
        )
        verdict: VerifyAnswer = answer.answer
        return verdict.user_goal_achieved, verdict.thoughts

    # -- URLs: the recording's start URL maps to this run's -------------------------------------
    def _to_run(self, url: str | None) -> str | None:
        return _rebase(url, self.workflow_start, self.run_start)

    def _to_workflow(self, url: str) -> str:
        return _rebase(url, self.run_start, self.workflow_start) or url


def same_page(a: str, b: str) -> bool:
    """Same scheme, host and path (query and fragment ignored)."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc, pa.path.rstrip("/")) == (
        pb.scheme,
        pb.netloc,
        pb.path.rstrip("/"),
    )


def _rebase(url: str | None, source_start: str, target_start: str) -> str | None:
    """``url`` seen from a run that started at ``target_start`` instead of ``source_start``."""
    if not url or not source_start or source_start == target_start:
        return url
    if same_page(url, source_start):
        return target_start
    source, target = urlsplit(source_start), urlsplit(target_start)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) == (source.scheme, source.netloc):
        return parts._replace(scheme=target.scheme, netloc=target.netloc).geturl()
    return url


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()
