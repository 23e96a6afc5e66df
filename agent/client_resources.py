"""The Agent's other resources: uploaded files, browser profiles, 2FA, sessions, workflows.

A mixin of :class:`agent.client.Agent`, apart from the Tasks-API run methods
(:mod:`agent.client_runs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.client_runs import the_agent
from agent.integrations.secrets import SecretValue
from agent.records.runs import TaskRun
from agent.stores.base import RunStore

if TYPE_CHECKING:
    from playwright.async_api import Browser

    from agent.browser.lifecycle.manager import BrowserManager
    from agent.integrations.files import FileRegistry
    from agent.integrations.profiles import BrowserProfiles
    from agent.integrations.totp import TOTPSecrets
    from agent.run.loop_thread import LoopThread


class ResourceMethods:
    """Files, profiles, 2FA, sessions and workflows of :class:`~agent.client.Agent`."""

    store: RunStore
    data_dir: Path
    proxies: dict[str, str]
    totp_secrets: TOTPSecrets
    profiles: BrowserProfiles
    files: FileRegistry
    _loop: LoopThread
    _browsers: BrowserManager

    # -- files and browser profiles --------------------------------------------------------------
    def upload_file(self, path: str | Path) -> str:
        """Register a file that runs may upload; returns its ``file_...`` id for ``file_ids``."""
        return self.files.add(path)

    def create_browser_profile(self, name: str, *, run_id: str | None = None) -> Any:
        """A new browser profile (``bp_...``), empty or saved from finished run ``run_id``.

        Returns an :class:`agent.integrations.profiles.BrowserProfile`. Runs given its id start from its
        cookies and storage and save theirs back into it.
        """
        from agent.integrations.profiles import run_state_path
        from agent.records.errors import InvalidRequestError
        from agent.run.runner import run_dir

        source = None
        if run_id is not None:
            run = self.store.get_run(run_id)
            source = run_state_path(run_dir(self.data_dir, run_id))
            if not run.status.is_final or not source.is_file():
                raise InvalidRequestError(
                    "run_id",
                    f"run {run_id} has no saved browser state (it is {run.status}, or it ran "
                    "with start_fresh_browser, with secrets, or in a browser session): pass "
                    "browser_profile_id= to the run to keep its state",
                )
        return self.profiles.create(name, source_state=source)

    def list_browser_profiles(self) -> list[Any]:
        """Every browser profile, newest first."""
        return self.profiles.list()

    def get_browser_profile(self, browser_profile_id: str) -> Any:
        """One profile; raises :class:`~agent.records.errors.RunNotFoundError`."""
        return self.profiles.get(browser_profile_id)

    def delete_browser_profile(self, browser_profile_id: str) -> None:
        """Delete a profile and its saved state."""
        self.profiles.delete(browser_profile_id)

    # -- 2FA -------------------------------------------------------------------------------------
    def add_totp_secret(self, totp_identifier: str, secret: str) -> None:
        """Register a TOTP secret: runs with this ``totp_identifier`` generate their codes."""
        self.totp_secrets.add(totp_identifier, secret)

    def push_totp_code(self, totp_identifier: str, code: str) -> None:
        """Hand a code (from mail or SMS) to a run waiting for one; each code is used once."""
        from agent.integrations.totp import push_totp_code

        push_totp_code(self.store, totp_identifier, code)

    # -- browser sessions ------------------------------------------------------------------------
    def create_browser_session(
        self, timeout_minutes: float = 60, proxy_location: str | dict[str, Any] | None = None
    ) -> str:
        """Open a browser that stays alive between runs; returns its ``pbs_...`` id."""
        from agent.integrations.proxy import resolve_proxy

        proxy = resolve_proxy(proxy_location, self.proxies)

        async def _create() -> str:
            session = await self._browsers.create_session(
                timeout_minutes, proxy=proxy, downloads_dir=self.data_dir / "sessions"
            )
            return session.session_id

        return self._loop.run(_create())

    def close_browser_session(self, browser_session_id: str) -> None:
        """Close a browser session."""
        self._loop.run(self._browsers.close_session(browser_session_id))

    def list_browser_sessions(self) -> list[dict[str, Any]]:
        """The open browser sessions: ``browser_session_id``, ``status`` (available or
        busy), ``runnable_id`` (the run using it), ``timeout_minutes`` and ``url``."""

        async def _describe() -> list[dict[str, Any]]:
            return [session.describe() for session in self._browsers.sessions.values()]

        return self._loop.run(_describe())

    # -- the browser -----------------------------------------------------------------------------
    @property
    def headless(self) -> bool:
        """Whether the Chromium this Agent launches runs without a window."""
        return self._browsers.headless

    @property
    def browser_path(self) -> str | None:
        """The Chromium executable this Agent launches, or None to let the launcher find one."""
        return self._browsers.browser_path

    @property
    def launched_browser(self) -> Browser | None:
        """The Chromium this Agent launched (Playwright's ``Browser``), or None.

        None before the first run needs one, after :meth:`close`, and when runs use a
        browser elsewhere (``browser_address``, ``AGENT_BROWSER_CDP_URL``). Its contexts
        are the runs and sessions open now. Read it for inspection (tests, diagnostics);
        the browser belongs to the Agent's loop thread.
        """
        return self._browsers.launched

    # -- workflows -------------------------------------------------------------------------------
    def publish_workflow(self, run_id: str) -> dict[str, Any]:
        """Save a completed run as a workflow (``wpid_...``) that replays without the model.

        Returns its JSON; ``agent.records.workflows.Workflow.model_validate`` reads it as a record.
        """
        from agent.workflows.recipes import publish

        return publish(self.store, run_id).as_json()

    def run_workflow(
        self,
        workflow_id: str,
        parameters: dict[str, Any] | None = None,
        *,
        url: str | None = None,
        wait: bool = True,
        secrets: Mapping[str, SecretValue] | None = None,
    ) -> TaskRun:
        """Replay a workflow with ``parameters``; ``url`` overrides its start URL.

        A workflow published from a run with secrets stores their names only: the values
        come from ``secrets`` here or the Agent's.
        """
        from agent.workflows.recipes import start_replay

        return self._loop.run(
            start_replay(
                the_agent(self), workflow_id, parameters, url=url, wait=wait, secrets=secrets
            )
        )

    async def run_workflow_async(
        self,
        workflow_id: str,
        parameters: dict[str, Any] | None = None,
        *,
        url: str | None = None,
        wait: bool = True,
        secrets: Mapping[str, SecretValue] | None = None,
    ) -> TaskRun:
        """The awaitable form of :meth:`run_workflow`."""
        from agent.workflows.recipes import start_replay

        return await self._loop.run_async(
            start_replay(
                the_agent(self), workflow_id, parameters, url=url, wait=wait, secrets=secrets
            )
        )

    def list_workflows(self) -> list[dict[str, Any]]:
        """All workflows (their JSON), newest first."""
        return [workflow.as_json() for workflow in self.store.list_workflows()]

    def get_workflow(self, workflow_id: str) -> dict[str, Any]:
        """One workflow's JSON; raises :class:`~agent.records.errors.RunNotFoundError`."""
        return self.store.get_workflow(workflow_id).as_json()

    def delete_workflow(self, workflow_id: str) -> None:
        """Remove a workflow; raises :class:`~agent.records.errors.RunNotFoundError`."""
        self.store.delete_workflow(workflow_id)
