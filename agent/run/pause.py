"""A person in the loop: a run that needs someone goes ``paused`` and waits for an answer.

The model asks with ``ASK_USER`` (a detail the goal does not give, a confirmation it
should not give alone) or ``SOLVE_CAPTCHA`` (a CAPTCHA the person solves in the
browser). The run goes ``paused`` with ``question`` set, and waits:

- ``Agent(on_pause=fn)``: ``fn(run)`` is called on a daemon thread (so ``input()`` works);
  a string it returns is the answer, ``None`` leaves the run waiting for ``resume_run``.
- ``Agent.resume_run(run_id, answer)`` answers from any thread, or from another process
  sharing the SQLite store: the answer is written to the store, where the waiting run
  finds it (it checks every :data:`POLL_SECONDS`). The browser stays open meanwhile.
- ``cancel_run`` ends a paused run ``canceled``; its wall-clock limit still runs, so a
  run paused past ``timeout_seconds`` ends ``timed_out``.

When nobody can answer (a blocking ``run_task`` with no ``on_pause``), the run does not
wait forever: it ends ``terminated`` with the question in its ``failure_reason``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from agent.records.errors import InvalidRequestError
from agent.records.runs import RunStatus, TaskRun
from agent.stores.base import RunStepStore

if TYPE_CHECKING:
    from agent.run.run_context import Outcome, RunContext

logger = logging.getLogger("agent.run")

POLL_SECONDS = 0.25
"""How often a paused run looks in the store for an answer given by another process."""

OnPause = Callable[[TaskRun], "str | None"]


def nobody_to_ask(question: str) -> str:
    """The ``failure_reason`` of a run that needed a person when none could answer."""
    return (
        f"Needs a person: {question} Nobody could be asked, so the run stopped. Pass "
        "Agent(on_pause=...) to answer as it happens, or start the run with wait=False and "
        "answer with agent.resume_run(run_id, answer)."
    )


class PauseBoard:
    """The paused runs of one Agent and the way answers reach them."""

    def __init__(self, store: RunStepStore, on_pause: OnPause | None = None) -> None:
        self.store = store
        self.on_pause = on_pause
        self._waiting: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}

    async def ask(self, run_id: str, question: str) -> str:
        """Pause ``run_id`` with ``question`` until it is answered; returns the answer.

        Raises ``asyncio.CancelledError`` when the run is canceled while it waits.
        """
        run = self.store.update_run(run_id, RunStatus.paused, question=question, answer=None)
        event = asyncio.Event()
        self._waiting[run_id] = (asyncio.get_running_loop(), event)
        if self.on_pause is not None:
            self._call_on_pause(run)
        try:
            while True:
                try:
                    await asyncio.wait_for(event.wait(), POLL_SECONDS)
                except TimeoutError:
                    pass
                event.clear()
                current = self.store.get_run(run_id)
                if current.status == RunStatus.canceled:
                    raise asyncio.CancelledError(f"run {run_id} was canceled while paused")
                if current.status == RunStatus.running and current.answer is not None:
                    self.store.update_run(run_id, answer=None)
                    return current.answer
                if current.status.is_final:  # ended by its process meanwhile
                    raise asyncio.CancelledError(f"run {run_id} ended while paused")
        finally:
            self._waiting.pop(run_id, None)

    def _call_on_pause(self, run: TaskRun) -> None:
        """Ask ``on_pause`` on a daemon thread (it may block on ``input()`` as long as it likes:
        a run that times out or is canceled meanwhile must not keep the process alive)."""
        assert self.on_pause is not None
        on_pause = self.on_pause

        def work() -> None:
            try:
                answer = on_pause(run)
            except Exception:  # the callback failing must not kill the run: it waits on
                logger.exception("on_pause failed for %s; waiting for resume_run", run.run_id)
                return
            if isinstance(answer, str):
                try:
                    self.resume(run.run_id, answer)
                except InvalidRequestError as exc:  # answered, canceled or timed out meanwhile
                    logger.info("on_pause answer for %s not used: %s", run.run_id, exc)

        threading.Thread(target=work, name=f"on-pause-{run.run_id}", daemon=True).start()

    def resume(self, run_id: str, answer: str) -> TaskRun:
        """Give a paused run its answer (from any thread); raises for a run not paused."""
        run = self.store.get_run(run_id)
        if run.status != RunStatus.paused:
            raise InvalidRequestError(
                "run_id", f"run {run_id} is {run.status}, not paused; only a paused run resumes"
            )
        if not isinstance(answer, str):
            raise InvalidRequestError("answer", "the answer must be text")
        updated = self.store.update_run(run_id, RunStatus.running, answer=answer, question=None)
        waiting = self._waiting.get(run_id)
        if waiting is not None:  # same process: wake it now rather than at the next poll
            loop, event = waiting
            loop.call_soon_threadsafe(event.set)
        return updated


def asker(
    board: PauseBoard | None, run_id: str, can_ask: bool
) -> Callable[[str], Awaitable[str]] | None:
    """The run's ``ask_person`` callable, or None when nobody can answer."""
    if board is None or not can_ask:
        return None

    async def ask(question: str) -> str:
        return await board.ask(run_id, question)

    return ask


def question_for(decision: Any, url: str | None) -> str:
    """What to ask the person for an ASK_USER or SOLVE_CAPTCHA decision."""
    if decision.action_type == "SOLVE_CAPTCHA":
        where = f" on {url}" if url else ""
        return (
            f"A CAPTCHA blocks the page{where}. Solve it in the browser, then answer "
            "'done' (or say what went wrong)."
        )
    asked = str(getattr(decision, "question", "") or decision.reasoning or "").strip()
    return asked or "The agent cannot decide the next step alone; what should it do?"


async def ask_or_stop(
    ctx: RunContext, decision: Any, url: str | None
) -> tuple[str, Outcome | None]:
    """Ask the person (pausing the run): ``(history line, None)``, or ``("", Outcome)`` to stop."""
    from agent.run.run_context import Outcome

    question = question_for(decision, url)
    if ctx.ask_person is None:
        return "", Outcome(RunStatus.terminated, failure_reason=nobody_to_ask(question))
    answer = await ctx.ask_person(question)
    return f"You asked the user: {question} The user answered: {answer}", None
