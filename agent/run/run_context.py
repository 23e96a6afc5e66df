"""What an engine gets to work with during one run, and what it hands back.

The engines (``engines/v1.py``, ``engines/v2.py``) see a run only through
:class:`RunContext`: the request, the browser tabs, model calls that are counted and
written to the run's folder, steps that are stored as they change, and a cancel
flag. They return an :class:`Outcome`; the Agent applies it to the stored run, so
the ending (status, failure reason, output, files, webhook) is decided in one place.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.browser.lifecycle.watchdog import (
    PAGE_TIMEOUT,
    BrowserGoneError,
    close_quietly,
    freezes_by_itself,
    guard,
    settled_failure,
)
from agent.integrations.secrets import Secrets
from agent.llm.call import LLMResult, call_options, complete_json
from agent.llm.messages import messages_text
from agent.llm.request import LLMRequest
from agent.records.actions import ErrorEntry
from agent.records.config import LLMOptions
from agent.records.errors import AnswerMisfitError, RunError
from agent.records.runs import RunRequest, RunStatus, Step, StepStatus, TaskRun
from agent.records.validation import MODEL_TEXT_CHARS, cut_text
from agent.run.run_folder import keep_run, keep_step, step_folder
from agent.stores.base import RunStore

if TYPE_CHECKING:
    from playwright.async_api import Page

    from agent.browser.acting.actions import ActionResult
    from agent.browser.lifecycle.tabs import Tabs
    from agent.records.observation import Observation
    from agent.run.tools import ToolBox

logger = logging.getLogger("agent.run")

MAX_PAGE_RECOVERIES = 2
"""Fresh pages a run may get after pages that stopped responding, before it fails."""
ACTION_NAVIGATION_ALLOWANCE = 45.0
"""Seconds an action may take beyond the page timeout (it may load a page, 30 s at most)."""


class StepLimitError(RunError):
    """The run reached its step limit, retries included."""


@dataclass
class Outcome:
    """How a run (or a skyvern-2.0 block) ended."""

    status: RunStatus
    output: Any = None
    failure_reason: str | None = None
    errors: list[ErrorEntry] = field(default_factory=list)
    summary: str = ""
    """What was achieved, in words (used by the v2 planner and budget messages)."""
    last_step: Step | None = None

    def __post_init__(self) -> None:
        self.bound()

    def bound(self) -> Outcome:
        """Cut the text the model may have written here (a TERMINATE reason, a summary,
        an error's reasoning) to :data:`~agent.records.validation.MODEL_TEXT_CHARS`, marked."""
        if self.failure_reason is not None:
            self.failure_reason = cut_text(self.failure_reason)
        self.summary = cut_text(self.summary)
        self.errors = [bounded_error(entry) for entry in self.errors]
        return self


def bounded_error(entry: ErrorEntry) -> ErrorEntry:
    """``entry`` with its reasoning cut to :data:`~agent.records.validation.MODEL_TEXT_CHARS`."""
    reasoning = cut_text(entry.reasoning)
    if reasoning == entry.reasoning:
        return entry
    return entry.model_copy(update={"reasoning": reasoning})


@dataclass
class RunContext:
    """One run's working state, shared by the engine and the Agent."""

    run_id: str
    request: RunRequest
    store: RunStore
    model: str
    run_dir: Path
    tabs: Tabs
    started_at: datetime
    vision: bool = False
    vision_pending: asyncio.Future[bool] | None = None
    """Whether the model sees screenshots, while litellm (which knows) still imports on a
    cold start; :meth:`observe` reads the page meanwhile and waits for it only to decide
    on the screenshot (:meth:`known_vision`)."""
    llm_options: LLMOptions = field(default_factory=LLMOptions)
    """Where model calls go, their timeout and retries, extra litellm arguments."""
    upload_files: list[Path] = field(default_factory=list)
    get_totp_code: Callable[[], Awaitable[str]] | None = None
    """Async callable returning a 2FA code for this run, or None when no source is set."""
    on_step: Callable[[Step, TaskRun], None] | None = None
    """Called with each step as it is saved, and the run as it stands (live progress)."""
    next_order: int = 0
    """Next step order in the run (skyvern-2.0 blocks share one sequence)."""
    secrets: Secrets = field(default_factory=Secrets)
    """The run's secret values: typed for ``{{NAME}}``, redacted from all that is kept."""
    tools: ToolBox | None = None
    """The Agent's tools (None or empty: no tools)."""
    ask_person: Callable[[str], Awaitable[str]] | None = None
    """Async ``ask(question) -> answer`` that pauses the run (``agent.run.pause``); None: nobody."""
    page_timeout: float = PAGE_TIMEOUT
    """Seconds a page operation may take before the watchdog checks the page is alive."""
    step_limit: int | None = None
    """Most steps the run may take, retries included (set by the engine); None: no cap."""
    steps_taken: int = 0
    """Steps started so far, retries included."""
    page_recoveries: int = 0
    """Pages replaced after they stopped responding (at most ``MAX_PAGE_RECOVERIES``)."""

    @property
    def page(self) -> Page:
        """The active tab; raises :class:`BrowserGoneError` when the browser died with it."""
        try:
            return self.tabs.page
        except RuntimeError as exc:  # no open tab left
            browser = self.tabs.context.browser
            if browser is not None and not browser.is_connected():
                raise BrowserGoneError(
                    "The browser closed unexpectedly: its process exited or was killed, "
                    "and every tab went with it"
                ) from exc
            raise

    def today(self) -> str:
        """The run's date for prompts ("Wednesday 2 December 2026"): relative dates need it."""
        day = self.started_at.astimezone()
        return f"{day:%A} {day.day} {day:%B %Y}"

    # -- cancel --------------------------------------------------------------------------------
    def is_canceled(self) -> bool:
        return self.store.get_run(self.run_id).status == RunStatus.canceled

    def add_error(
        self, code: str, reasoning: str, error_type: str = "SYSTEM_DEFINED_ERROR"
    ) -> None:
        """Note an error code on the run without ending it (e.g. output that misfits)."""
        run = self.store.get_run(self.run_id)
        entry = ErrorEntry(error_code=code, reasoning=cut_text(reasoning), error_type=error_type)
        self.store.update_run(self.run_id, errors=[*run.errors, entry])

    # -- steps -------------------------------------------------------------------------------
    def steps_left(self) -> int | None:
        """Steps the run may still start, retries included (None when uncapped)."""
        return None if self.step_limit is None else max(0, self.step_limit - self.steps_taken)

    def new_step(self, order: int, retry_index: int = 0, block: int | None = None) -> Step:
        """Start a step; raises :class:`StepLimitError` past :attr:`step_limit`."""
        if self.step_limit is not None and self.steps_taken >= self.step_limit:
            raise StepLimitError(
                f"Max steps exceeded: the run took its limit of {self.step_limit} steps, "
                "retries included"
            )
        self.steps_taken += 1
        step = Step(
            task_id=self.run_id,
            order=order,
            retry_index=retry_index,
            block=block,
            status=StepStatus.running,
        )
        self.save_step(step)
        return step

    def save_step(self, step: Step) -> None:
        step = self.secrets.redact_model(_bounded_step(step))
        self.store.save_step(step)
        run = self.store.get_run(self.run_id)
        keep_step(self.run_dir, step)  # the run folder keeps the records (agent.run.run_folder)
        keep_run(self.run_dir, run)
        if self.on_step is not None:
            try:
                self.on_step(step, run)
            except Exception:  # progress display must never break a run
                logger.exception("progress callback failed")

    def step_dir(self, step: Step) -> Path:
        return step_folder(self.run_dir, step)

    def write_artifact(self, step: Step, name: str, content: str | bytes) -> str:
        """Save a file for ``step`` and record its file:// URL in ``step.artifacts``."""
        path = self.step_dir(step) / name
        if isinstance(content, str):
            content = self.secrets.redact(content)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        url = path.resolve().as_uri()
        step.artifacts[name.rsplit(".", 1)[0]] = url
        return url

    async def screenshot(self, step: Step, observation: Observation | None = None) -> None:
        """Keep a picture of the page for ``step`` (the observation's own, when it has one)."""
        image = observation.screenshot if observation is not None else None
        name = "screenshot.png"
        scrolls = self.request.max_screenshot_scrolls
        if image is None or scrolls:
            if self.tabs.dialogs_state.open_on(self.page) is not None:
                return  # a page waiting for a dialog's answer cannot be pictured
            try:  # JPEG: a third of PNG's encoding time and size, plenty for a record
                if scrolls:
                    from agent.browser.seeing.fullpage import scrolled_screenshot

                    image = await scrolled_screenshot(self.page, scrolls)
                else:
                    image = await self.page.screenshot(
                        type="jpeg", quality=70, timeout=5000, mask=[secret_fields(self.page)]
                    )
            except Exception as exc:  # a screenshot is evidence, not a reason to fail the step
                logger.debug("screenshot failed: %s", exc)
                return
            name = "screenshot.jpg"
        url = self.write_artifact(step, name, image)
        run = self.store.get_run(self.run_id)
        self.store.update_run(self.run_id, screenshot_urls=[url, *run.screenshot_urls][:3])

    # -- model calls -----------------------------------------------------------------------------
    async def llm(
        self,
        purpose: str,
        messages: list[dict[str, Any]],
        *,
        step: Step | None,
        goal: str | None = None,
        observation: Observation | None = None,
        context: dict[str, Any] | None = None,
    ) -> LLMResult:
        """Call the model; count tokens and cost on the step and the run; keep the exchange."""
        messages = self.secrets.redact_data(messages)  # page text may echo a typed value
        request = LLMRequest(
            purpose,
            messages,
            goal or self.request.prompt,
            observation,
            context or {},
            frozenset(e.id for e in observation.elements) if observation is not None else None,
        )
        result: LLMResult | None = None
        from agent.run.limits import check_run_budget, let_finish

        check_run_budget(self, messages)  # a call that would pass max_cost is never made
        try:
            options = call_options.set(self.request.model_options or None)
            try:
                result = await let_finish(
                    complete_json(self.model, request, options=self.llm_options)
                )
            finally:
                call_options.reset(options)
        except AnswerMisfitError as exc:
            result = exc.result if isinstance(exc.result, LLMResult) else None
            raise
        finally:
            self._keep_call(purpose, messages, step, result)
        return result

    def _keep_call(
        self, purpose: str, messages: list[dict[str, Any]], step: Step | None, result: Any
    ) -> None:
        """Write the exchange beside the step (or the run), and count what it cost."""
        if step is not None:
            self.write_artifact(step, f"{purpose}-prompt.txt", messages_text(messages))
        else:
            prefix = self._run_call_prefix(purpose)
            (prefix.parent / f"{prefix.name}-prompt.txt").write_text(
                messages_text(messages), encoding="utf-8"
            )
        if result is None:
            return
        if step is None:  # planner, validator, summary: kept beside the steps, in order
            (prefix.parent / f"{prefix.name}-answer.json").write_text(
                self.secrets.redact(result.text), encoding="utf-8"
            )
        else:
            step.input_token_count += result.input_tokens
            step.output_token_count += result.output_tokens
            step.cached_token_count += result.cached_tokens
            step.step_cost += result.cost
            step.llm_calls += result.calls
            self.write_artifact(step, f"{purpose}-answer.json", result.text)
        run = self.store.get_run(self.run_id)
        self.store.update_run(
            self.run_id,
            input_token_count=run.input_token_count + result.input_tokens,
            output_token_count=run.output_token_count + result.output_tokens,
            cached_token_count=run.cached_token_count + result.cached_tokens,
            llm_calls=run.llm_calls + result.calls,
            total_cost=run.total_cost + result.cost,
        )

    def _run_call_prefix(self, purpose: str) -> Path:
        folder = self.run_dir / "calls"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{len(list(folder.glob('*-prompt.txt'))):03d}-{purpose}"

    # -- the page, under the watchdog (agent/browser/lifecycle/watchdog.py) --------------------------------
    async def observe(self, *, screenshot: bool | None = None) -> Observation:
        """Observe the active tab; raises a ``BrowserError`` when the page hangs or is gone.

        A tab that closes while it is being read (a popup closed by the tab limit, a page
        calling ``window.close()``) is not an error: the tab that is active then is read.
        """
        from playwright.async_api import Error as PlaywrightError

        for attempt in range(3):
            page = self.page
            waiting = self.tabs.dialogs_state.open_on(page)
            if waiting is not None:  # the page is frozen: all there is to see is the question
                return paused_observation(page.url, waiting.describe())
            try:
                return await guard(
                    self._observe(page, screenshot),
                    page,
                    what="reading the page",
                    timeout=self.page_timeout,
                )
            except PlaywrightError:
                if attempt == 2 or not page.is_closed() or not self.tabs.pages:
                    raise
        raise AssertionError("unreachable")

    async def _observe(self, page: Page, screenshot: bool | None) -> Observation:
        from agent.browser.seeing.id_labels import labelled_screenshot
        from agent.browser.seeing.observe import observe

        if screenshot is None and self.vision_pending is None:
            screenshot = self.vision
        # after a navigation or an action batch: read it settled
        observation = await observe(page, screenshot=bool(screenshot), settled=True)
        if screenshot is None and await self.known_vision():  # taken as observe() takes it
            observation.screenshot = await labelled_screenshot(page, observation.elements)
        return observation

    async def known_vision(self) -> bool:
        """:attr:`vision`, once :attr:`vision_pending` (if any) has answered."""
        if self.vision_pending is not None:
            self.vision = await self.vision_pending
            self.vision_pending = None
        return self.vision

    async def act(
        self, action: Any, observation: Observation, *, followed: bool = False
    ) -> ActionResult:
        """Run one action on the active tab under the watchdog (see :meth:`observe`).

        ``followed``: another action of the same plan runs next (see :func:`act`).
        """
        from agent.browser.acting.actions import act

        page = self.page
        result = await guard(
            act(
                page,
                action,
                observation,
                tabs=self.tabs,
                upload_files=self.upload_files,
                followed=followed,
            ),
            page,
            what=f"the {getattr(action, 'action_type', 'page')} action",
            timeout=self.page_timeout,
            hard_timeout=self.page_timeout + ACTION_NAVIGATION_ALLOWANCE,
        )
        if not result.success:  # an action reports errors; a dead page must end the step
            failure = await settled_failure(page, result.message)
            if failure is not None:
                raise failure
        return result

    async def recover_page(self) -> bool:
        """Replace a tab that stopped responding by a fresh one on the same URL.

        Returns False when it cannot (done :data:`MAX_PAGE_RECOVERIES` times already, no
        fresh tab opens, or the fresh tab stops responding by itself once loaded): the run
        should end then, and the stuck tab is closed so that the run's ending (which reads
        every tab's storage) is not held up by it.
        """
        if self.page_recoveries >= MAX_PAGE_RECOVERIES:
            await self._close_active("the page that stopped responding")
            return False
        self.page_recoveries += 1
        url = self.page.url
        for attempt in range(2):  # the stuck renderer may take a moment to go away
            await self._close_active("the page that stopped responding")
            if attempt:
                await asyncio.sleep(1.0)
            try:
                fresh = await asyncio.wait_for(self.tabs.new_tab(None), self.page_timeout)
                if url.startswith(("http:", "https:", "file:")):
                    await guard(
                        fresh.goto(url, wait_until="domcontentloaded"),
                        fresh,
                        what="opening the page again",
                        timeout=self.page_timeout,
                        hard_timeout=self.page_timeout + ACTION_NAVIGATION_ALLOWANCE,
                    )
            except Exception as exc:  # it hangs again, the server is gone, or the browser is
                logger.warning("run %s: no fresh page after a hang: %r", self.run_id, exc)
                continue
            if await freezes_by_itself(fresh, load_timeout=self.page_timeout):
                logger.warning("run %s: the page stops responding by itself", self.run_id)
                await close_quietly(fresh, "the page that stopped responding again")
                return False
            return True
        await self._close_active("the page that stopped responding")
        return False

    async def _close_active(self, what: str) -> None:
        try:
            stuck = self.tabs.page
        except RuntimeError:  # no tab left open
            return
        await close_quietly(stuck, what)


def _bounded_step(step: Step) -> Step:
    """``step`` with the model's reasoning and the failure reason cut to size, marked."""
    for action in step.actions:  # the plan answer's own words, kept with each action
        for key in ("reasoning", "reason"):
            value = action.get(key)
            if isinstance(value, str) and len(value) > MODEL_TEXT_CHARS:
                action[key] = cut_text(value)
    changes = {
        name: cut_text(value)
        for name, value in (("reasoning", step.reasoning), ("failure_reason", step.failure_reason))
        if value is not None and len(value) > MODEL_TEXT_CHARS
    }
    return step.model_copy(update=changes) if changes else step


def paused_observation(url: str, question: str) -> Observation:
    """What a tab frozen by a dialog shows: its URL and the dialog's question."""
    from agent.records.observation import Observation, TextLine, Viewport

    return Observation(
        url=url,
        title="(waiting for a dialog)",
        texts=[
            TextLine(
                text=f"The page is paused: {question}. Answer it with ANSWER_DIALOG.",
                in_viewport=True,
            )
        ],
        viewport=Viewport(width=0, height=0),
    )


def secret_fields(page: Page) -> Any:
    """The fields that received a secret (masked in step screenshots)."""
    from agent.integrations.secrets import SECRET_FIELD_SELECTOR

    return page.locator(SECRET_FIELD_SELECTOR)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
