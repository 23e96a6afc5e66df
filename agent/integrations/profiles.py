"""Browser profiles: cookies and local storage saved from one run, loaded by later ones.

A profile (``bp_...``) is a folder under ``data_dir/profiles/`` holding ``profile.json``
(its name and dates) and ``storage_state.json`` (Playwright's storage state: cookies and
each origin's local storage). Files, not the run store, because a profile is browser
state, like the run's screenshots; any process with the same ``data_dir`` sees it.

A run with ``browser_profile_id`` starts from the profile's state and writes its own
state back when it ends, so a sign-in done once stays signed in. Every run that is not
``start_fresh_browser`` also leaves its final state in its run folder, so a profile can
be made from a run after the fact::

    run = agent.run_task("Sign in as demo ...", url)
    profile = agent.create_browser_profile("demo account", run_id=run.run_id)
    agent.run_task("Read my plan", members_url, browser_profile_id=profile.browser_profile_id)
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from agent.records.errors import InvalidRequestError, RunNotFoundError
from agent.records.runs import new_id, utcnow

if TYPE_CHECKING:
    from playwright.async_api import StorageState

STATE_FILE = "storage_state.json"
"""The name of a storage-state file, in a profile folder and in a run folder alike."""


class BrowserProfile(BaseModel):
    """A saved browser profile."""

    browser_profile_id: str = Field(description="bp_...")
    name: str = Field(description="What the profile is for.")
    created_at: datetime = Field(default_factory=utcnow, description="Creation time, UTC.")
    modified_at: datetime = Field(default_factory=utcnow, description="Last save, UTC.")
    source_run_id: str | None = Field(None, description="The run it was first saved from.")


class BrowserProfiles:
    """The profiles kept under one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "profiles"

    def _folder(self, profile_id: str) -> Path:
        folder = self.root / profile_id
        if not profile_id.startswith("bp_") or not (folder / "profile.json").is_file():
            raise RunNotFoundError(
                f"No browser profile {profile_id!r}; create one with "
                "Agent.create_browser_profile() (list them with list_browser_profiles())."
            )
        return folder

    def create(self, name: str, *, source_state: Path | None = None) -> BrowserProfile:
        """A new profile, empty or holding a copy of ``source_state``."""
        profile = BrowserProfile(browser_profile_id=new_id("bp"), name=name)
        folder = self.root / profile.browser_profile_id
        folder.mkdir(parents=True)
        if source_state is not None:
            shutil.copyfile(source_state, folder / STATE_FILE)
        self._write(profile)
        return profile

    def get(self, profile_id: str) -> BrowserProfile:
        data = (self._folder(profile_id) / "profile.json").read_text(encoding="utf-8")
        return BrowserProfile.model_validate_json(data)

    def list(self) -> list[BrowserProfile]:
        """Every profile, newest first."""
        if not self.root.is_dir():
            return []
        found = [
            BrowserProfile.model_validate_json(path.read_text(encoding="utf-8"))
            for path in self.root.glob("bp_*/profile.json")
        ]
        return sorted(found, key=lambda p: p.created_at, reverse=True)

    def delete(self, profile_id: str) -> None:
        shutil.rmtree(self._folder(profile_id))

    def state(self, profile_id: str) -> dict[str, Any] | None:
        """The storage state to start a context with (None while the profile is empty)."""
        path = self._folder(profile_id) / STATE_FILE
        if not path.is_file():
            return None
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return state

    def save_state(self, profile_id: str, state: StorageState) -> None:
        """Write a run's final storage state into the profile."""
        folder = self._folder(profile_id)
        (folder / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        profile = self.get(profile_id)
        self._write(profile.model_copy(update={"modified_at": utcnow()}))

    def check(self, profile_id: str | None) -> None:
        """Raise the usage error for an unknown profile before a run starts."""
        if profile_id is not None:
            try:
                self._folder(profile_id)
            except RunNotFoundError as exc:
                raise InvalidRequestError("browser_profile_id", str(exc)) from None

    def _write(self, profile: BrowserProfile) -> None:
        path = self.root / profile.browser_profile_id / "profile.json"
        path.write_text(profile.model_dump_json(indent=1), encoding="utf-8")


def run_state_path(run_dir: Path) -> Path:
    """Where a run keeps its final storage state."""
    return run_dir / STATE_FILE
