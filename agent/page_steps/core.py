"""The async core of the page steps: act, extract, observe and check on a page the user holds.

:class:`PageSteps` drives an async Playwright page (for a sync page, the async view of
it that :mod:`agent.page_steps.bridge` makes) with the library's own page layer
(:func:`agent.browser.seeing.observe`, :func:`agent.browser.act`). Model calls go through
:func:`agent.llm.call.complete_json` on the Agent's loop thread, and so do the store writes:
the page stays on its own loop, the Agent's parts on theirs.

Each call becomes one step of a run the session keeps (``ai.run_id``), with its prompts,
answers, tokens, cost and actions, so ``agent.report(ai.run_id)`` draws the same report
as for a task run and ``agent.export_script(ai.run_id)`` turns the session into a script.
"""

from __future__ import annotations

import json
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from agent.browser.acting.action_types import DECISIONS, parse_action
from agent.browser.seeing.locators import find, live_details, locator_from_snapshot
from agent.llm.answers import ANSWER_MODELS, PlanAnswer
from agent.llm.prompts import render
from agent.page_steps.cache import ActCache, CachedAction, CacheEntry
from agent.page_steps.records import (
    Candidate,
    CheckAnswer,
    ObserveAnswer,
    PageCall,
    Verdict,
    action_record,
)
from agent.page_steps.selectors import selector_for
from agent.records.actions import ActionRecord
from agent.records.errors import RunError
from agent.records.policy import BrowsingPolicy

if TYPE_CHECKING:
    from playwright.async_api import Page

    from agent.client import Agent
    from agent.integrations.secrets import Secrets
    from agent.llm.call import LLMResult
    from agent.records.observation import Observation

ANSWER_MODELS.setdefault("page_act", PlanAnswer)

T = TypeVar("T")
MAX_ACTIONS = 6
"""At most this many actions run for one ``act``."""
EXTRACT_TOKEN_BUDGET = 6000
"""How much of the page ``extract`` and ``check`` may see, in tokens of rendered text."""
_NAVIGATIONS = frozenset({"GOTO_URL", "NEW_TAB"})


class PageStepError(RunError):
    """A page step could not do what it was asked (the message says what the page showed)."""


class PageSteps:
    """The four page steps on one async page, for one Agent (see the module docstring)."""

    def __init__(
        self, agent: Agent, page: Page, *, cache: ActCache | None, max_cost: float | None = None
    ) -> None:
        if agent.model is None:
            from agent.records.errors import LLMNotConfiguredError

            raise LLMNotConfiguredError(
                "agent.on(page) needs a model: create the Agent with llm=... (a litellm model "
                "name or a double from agent.testing.stand_ins) or set AGENT_LLM"
            )
        self.agent = agent
        self.page = page
        self.cache = cache
        self.history: list[PageCall] = []
        self.run_id: str | None = None
        self._secrets: Secrets = agent.secrets_for(None)
        self._policy = BrowsingPolicy.of(
            agent.allowed_domains,
            agent.blocked_domains,
            block_private_networks=agent.block_private_networks,
        )
        self._vision: bool | None = None
        self.max_cost = max_cost
        """USD the session's model calls may cost; a call past it raises PageStepError."""

    # -- plumbing ---------------------------------------------------------------------------
    async def _on_agent(self, coro: Coroutine[Any, Any, T]) -> T:
        return await self.agent._loop.run_async(coro)

    async def _observe(self) -> Observation:
        from agent.browser.seeing.observe import observe

        if self._vision is None:
            from agent.llm.call import supports_vision

            self._vision = supports_vision(str(self.agent.model))
        return await observe(self.page, screenshot=self._vision)

    async def _ask(
        self,
        call: PageCall,
        purpose: str,
        prompt: str,
        observation: Observation,
        *,
        extra: list[dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
    ) -> LLMResult:
        from agent.llm.call import complete_json
        from agent.llm.messages import user_message
        from agent.llm.request import LLMRequest

        prompt = self._secrets.redact(prompt)  # page text may echo a typed secret
        messages = self._secrets.redact_data(
            [user_message(prompt, observation.screenshot), *(extra or [])]
        )
        request = LLMRequest(
            purpose,
            messages,
            call.instruction,
            observation,
            dict(context or {}),
            frozenset(e.id for e in observation.elements),
        )
        model = str(self.agent.model)
        spent = sum(c.cost for c in self.history) + call.cost
        if self.max_cost is not None and spent >= self.max_cost:
            raise PageStepError(
                f"the page steps' budget is spent: ${spent:.4f} of max_cost=${self.max_cost:.4f}; "
                "create a new agent.on(page, max_cost=...) to go on"
            )
        try:
            result = await self._on_agent(
                complete_json(model, request, options=self.agent.llm_options)
            )
        except Exception:
            call.prompts.append(prompt)
            raise
        call.prompts.append(prompt if not extra else str(extra[-1].get("content")))
        call.answers.append(result.text)
        call.llm_calls += result.calls
        call.input_tokens += result.input_tokens
        call.output_tokens += result.output_tokens
        call.cached_tokens += result.cached_tokens
        call.cost += result.cost
        return result

    async def _finish(self, call: PageCall, started: float, url: str) -> None:
        from agent.page_steps.session_run import record_call

        call.seconds = time.monotonic() - started
        self.history.append(call)
        self.run_id = await self._on_agent(record_call(self, call, url))

    # -- act --------------------------------------------------------------------------------
    async def act(self, instruction: str) -> list[ActionRecord]:
        """Do ``instruction`` on the page; returns the action records (effects proven).

        A cached resolution on the same page runs with no model call; when its locators no
        longer fit, the model resolves the instruction again and the cache is updated.
        Raises :class:`PageStepError` when the instruction cannot be done.
        """
        _check_text(instruction, "instruction")
        call = PageCall("act", instruction)
        started = time.monotonic()
        observation = await self._observe()
        problem = ""
        try:
            entry = self.cache.get(instruction, observation.url) if self.cache else None
            if entry is not None:
                problem = await self._replay(call, entry, observation)
                if not problem:
                    call.cached = True
                    assert self.cache is not None
                    self.cache.hit(entry, observation.url)
                    return call.actions
                observation = await self._observe()
            cached = await self._act_with_model(call, observation, problem)
            if self.cache is not None and cached:
                self.cache.put(instruction, observation.url, cached)
            return call.actions
        except Exception as exc:
            _failed(call, exc)
            raise
        finally:
            if not call.effect:
                call.effect = "; ".join(
                    a.result.message for a in call.actions if a.result is not None
                )
            await self._finish(call, started, self.page.url)

    async def _replay(self, call: PageCall, entry: CacheEntry, observation: Observation) -> str:
        """Run the cached actions; returns why they no longer fit ("" when they did it all)."""
        for index, cached in enumerate(entry.actions):
            fields = dict(cached.action)
            if cached.locator is not None:
                match = await find(self.page, observation, [cached.locator])
                if match.element is None:
                    return f"the remembered way to do it no longer fits: {match.problem}"
                fields["id"] = match.element.id
            result = await self._run(call, fields, observation)
            if not result.success:
                return f"the remembered action failed: {result.message}"
            if index < len(entry.actions) - 1:
                observation = await self._observe()
        return ""

    async def _act_with_model(
        self, call: PageCall, observation: Observation, problem: str
    ) -> list[CachedAction]:
        prompt = render(
            "page_act",
            instruction=call.instruction,
            secret_placeholders=self._secrets.placeholders,
            elements=observation.render(),
            problem=problem,
        )
        result = await self._ask(call, "page_act", prompt, observation)
        plan: PlanAnswer = result.answer
        cached: list[CachedAction] = []
        for index, action in enumerate(plan.actions[:MAX_ACTIONS]):
            if action.action_type in DECISIONS:
                if action.action_type == "COMPLETE" and call.actions:
                    break
                reason = getattr(action, "reason", None) or "the model found no way to do it"
                raise PageStepError(f"could not {call.instruction!r}: {reason}")
            fields = action.model_dump(mode="json", exclude_none=True)
            locator = None
            if action.id and observation.element(action.id) is not None:
                element = observation.element(action.id)
                assert element is not None
                live = await live_details(observation.locate(self.page, action.id))
                locator = locator_from_snapshot(element.model_dump(exclude_none=True), live)
            outcome = await self._run(call, fields, observation)
            if not outcome.success:
                raise PageStepError(
                    f"could not {call.instruction!r}: {action.action_type} failed: "
                    f"{outcome.message}"
                )
            kept = {k: v for k, v in fields.items() if k not in ("id", "reasoning")}
            cached.append(
                CachedAction(
                    action=kept,
                    locator=locator,
                    selector=selector_for(locator) if locator else None,
                )
            )
            if outcome.page_changed and index < len(plan.actions) - 1:
                break  # the rest was planned for the page that is gone
        if not call.actions:
            raise PageStepError(f"could not {call.instruction!r}: the model proposed no action")
        return cached

    async def _run(self, call: PageCall, fields: dict[str, Any], observation: Observation) -> Any:
        """Run one action (secrets filled in as it is typed) and record it on ``call``."""
        from agent.browser.acting.actions import act
        from agent.integrations.secrets import fill_action

        action = parse_action(fields)
        if action.action_type in _NAVIGATIONS:
            refusal = self._policy.refusal(str(getattr(action, "url", "") or ""))
            if refusal:
                raise PageStepError(f"could not {call.instruction!r}: {refusal}")
        real = await fill_action(action, self._secrets, self.page, observation)
        started = time.monotonic()
        result = await act(self.page, real, observation, upload_files=self.agent.upload_files)
        result.message = self._secrets.redact(result.message)
        element = observation.element(action.id) if action.id else None
        duration_ms = int((time.monotonic() - started) * 1000)
        record = action_record(action, result, element, duration_ms)
        call.actions.append(record)
        return result

    # -- extract ----------------------------------------------------------------------------
    async def extract(self, instruction: str, schema: Any = None) -> Any:
        """Data from the page as ``instruction`` says, validated against ``schema``.

        ``schema`` is a pydantic model class (an instance of it is returned) or a JSON
        Schema (the data is returned); none means any JSON. An answer that does not fit is
        sent back once with what was wrong; a second misfit raises :class:`PageStepError`.
        """
        from agent.page_steps.schemas import as_schema, fitted

        _check_text(instruction, "instruction")
        json_schema = as_schema(schema)
        call = PageCall("extract", instruction)
        started = time.monotonic()
        observation = await self._observe()
        try:
            prompt = render(
                "page_extract",
                instruction=instruction,
                schema=json.dumps(json_schema, indent=1),
                elements=observation.render(token_budget=EXTRACT_TOKEN_BUDGET),
            )
            result = await self._ask(call, "page_extract", prompt, observation)
            value, errors = fitted(result.data, schema, json_schema)
            if errors:
                from agent.llm.messages import user_message

                fix = [
                    {"role": "assistant", "content": result.text},
                    user_message(render("page_extract_fix", errors=errors)),
                ]
                result = await self._ask(call, "page_extract", prompt, observation, extra=fix)
                value, errors = fitted(result.data, schema, json_schema)
            if errors:
                call.ok = False
                call.effect = "the data did not fit the schema: " + "; ".join(errors)
                raise PageStepError(
                    f"extract {instruction!r}: the model's data did not fit the schema, even "
                    f"when asked again: {'; '.join(errors)}"
                )
            call.effect = json.dumps(result.data, default=str)[:500]
            return value
        except Exception as exc:
            _failed(call, exc)
            raise
        finally:
            await self._finish(call, started, observation.url)

    # -- observe ----------------------------------------------------------------------------
    async def observe(self, instruction: str) -> list[Candidate]:
        """The elements ``instruction`` describes, each with a stable selector; nothing is done."""
        _check_text(instruction, "instruction")
        call = PageCall("observe", instruction)
        started = time.monotonic()
        observation = await self._observe()
        candidates: list[Candidate] = []
        try:
            prompt = render("page_observe", instruction=instruction, elements=observation.render())
            result = await self._ask(call, "page_observe", prompt, observation)
            answer: ObserveAnswer = result.answer
            for entry in answer.elements:
                element = observation.element(str(entry.get("id", "")))
                if element is None:
                    continue
                live = await live_details(observation.locate(self.page, element.id))
                locator = locator_from_snapshot(element.model_dump(exclude_none=True), live)
                candidates.append(
                    Candidate(
                        id=element.id,
                        description=str(entry.get("description") or element.text),
                        selector=selector_for(locator),
                        locator=locator,
                        tag=element.tag,
                        text=element.text,
                    )
                )
            call.effect = ", ".join(c.selector or c.id for c in candidates) or "nothing found"
            return candidates
        except Exception as exc:
            _failed(call, exc)
            raise
        finally:
            await self._finish(call, started, observation.url)

    # -- check ------------------------------------------------------------------------------
    async def check(self, statement: str) -> Verdict:
        """Judge ``statement`` on the page; raises ``AssertionError`` (with what the page
        showed) when it does not hold, else returns the :class:`Verdict`."""
        _check_text(statement, "statement")
        call = PageCall("check", statement)
        started = time.monotonic()
        observation = await self._observe()
        try:
            prompt = render(
                "page_check",
                statement=statement,
                elements=observation.render(token_budget=EXTRACT_TOKEN_BUDGET),
            )
            result = await self._ask(call, "page_check", prompt, observation)
            answer: CheckAnswer = result.answer
            verdict = Verdict(statement, answer.holds, answer.evidence)
            call.ok = verdict.holds
            call.effect = f"{'holds' if verdict.holds else 'does not hold'}: {verdict.evidence}"
        except Exception as exc:
            _failed(call, exc)
            raise
        finally:
            await self._finish(call, started, observation.url)
        if not verdict.holds:
            raise AssertionError(
                f"check failed: {statement!r} does not hold on {observation.url}; "
                f"the page showed: {verdict.evidence or '(the model gave no evidence)'}"
            )
        return verdict


def _failed(call: PageCall, exc: BaseException) -> None:
    """Mark ``call`` as failed, keeping the first reason given."""
    call.ok = False
    if not call.effect:
        call.effect = str(exc) if isinstance(exc, PageStepError) else f"{type(exc).__name__}: {exc}"


def _check_text(value: Any, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string saying what to do on the page")
