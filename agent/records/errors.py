"""Errors raised by the library.

Two families, kept apart on purpose:

    AgentError
    ├── UsageError                 you called it wrong; raised at once, the message says the fix
    │   ├── InvalidRequestError    a request field is bad (also a ValueError)
    │   ├── LLMNotConfiguredError  no model: set AGENT_LLM or pass llm=
    │   ├── ConfigError            a setting (Agent argument or AGENT_* variable) is invalid
    │   ├── BrowserNotInstalledError  no Chromium found: the message says what to install
    │   ├── RunNotFoundError       unknown run id (also a KeyError)
    │   ├── SessionBusyError       a browser session already used by another run
    │   ├── DataDirError           the data dir cannot be written: the message says where
    │   └── InvalidTransitionError a run or step status change that is not allowed
    └── RunError                   something went wrong inside a run
        ├── LLMError               the model could not be called or answered unusably
        │   └── AnswerMisfitError  valid JSON, twice, that does not fit what was asked
        ├── RealLLMBlockedError    a real model call while real calls are switched off (tests)
        └── BrowserError           the page or the browser failed
            (agent.browser.lifecycle.watchdog: PageUnresponsiveError, PageCrashedError, BrowserGoneError)

Run failures never escape ``run_task``: they end the run with a status and a
``failure_reason``. ``RunError`` subclasses are what the engines catch to do that.
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of every error this library raises."""


class UsageError(AgentError):
    """The library was called in a way that cannot work; the message says the fix."""


class InvalidRequestError(UsageError, ValueError):
    """A request field is invalid. ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class LLMNotConfiguredError(UsageError):
    """No model configured."""


class ConfigError(UsageError, ValueError):
    """A setting is invalid: an ``Agent(...)`` argument or an ``AGENT_*`` environment variable."""


class BrowserNotInstalledError(UsageError):
    """No Chromium could be found."""


class RunNotFoundError(UsageError, KeyError):
    """No run, step, session or workflow with this id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SessionBusyError(UsageError):
    """A browser session is already in use by another run."""


class DataDirError(UsageError):
    """The data dir (run folders: screenshots, video, downloads) cannot be written."""


class InvalidTransitionError(UsageError):
    """A status change that the run or step lifecycle does not allow."""


class RunError(AgentError):
    """Something failed inside a run; the engine turns it into a failure_reason."""


class LLMError(RunError):
    """The model could not be reached, or its answer could not be used."""


class AnswerMisfitError(LLMError):
    """The model answered JSON that does not fit the purpose's answer, even after a re-ask.

    ``problems`` lists what was wrong with the last answer.
    """

    def __init__(self, message: str, problems: list[str], result: object = None) -> None:
        self.problems = problems
        self.result = result
        """The :class:`~agent.llm.call.LLMResult` so far: the calls made still cost tokens."""
        super().__init__(message)


class RealLLMBlockedError(LLMError):
    """A real model was called while real calls are blocked (see ``agent.llm.call.block_real_calls``)."""


class BrowserError(RunError):
    """The browser or page failed in a way the run cannot go on from."""
