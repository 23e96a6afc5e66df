"""Configuration: the one place environment variables are read.

| variable              | meaning                                                    | default        |
|-----------------------|------------------------------------------------------------|----------------|
| ``AGENT_LLM``         | litellm model name, e.g. ``gpt-4o-mini``                   | none (required)|
| ``AGENT_STORE``       | ``memory``, ``sqlite`` (in the data dir) or a ``.db`` path | ``memory``     |
| ``AGENT_DATA_DIR``    | where run folders (screenshots, video, downloads) go      | ``./agent-data``|
| ``AGENT_HEADLESS``    | ``0`` to watch the browser                                 | ``1``          |
| ``AGENT_BROWSER_PATH``| a Chromium executable                                      | searched       |
| ``AGENT_WEBHOOK_KEY`` | key for webhook and totp_url signatures                    | none           |
| ``AGENT_PROXY_<NAME>``| proxy URL for ``proxy_location=<NAME>``                    | none           |
| ``AGENT_UPLOAD_DIR``  | folder whose files UPLOAD_FILE may send                    | none           |
| ``AGENT_SECRET_<NAME>``| a secret the model types as ``{{NAME}}``                 | none           |
| ``AGENT_BLOCK_PRIVATE_NETWORKS`` | ``1``: refuse requests to private/link-local IPs | ``0``         |
| ``AGENT_MAX_DOWNLOAD_MB``| largest download per file, MB                          | ``50``         |
| ``AGENT_MAX_DOWNLOADS``| most downloads per run                                   | ``20``         |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_STEPS_V1 = 10
"""Step budget for skyvern-1.0 when the request gives none (the hosted default)."""
DEFAULT_MAX_STEPS_V2 = 25
"""Step budget across all blocks for skyvern-2.0 when the request gives none."""
DEFAULT_MAX_ITERATIONS_V2 = 50
"""Planner iterations for skyvern-2.0."""
MAX_RETRIES_PER_STEP = 3
"""Retries of one step whose actions failed, before the run fails."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    """Settings read from the environment, for the module-level functions' default Agent."""

    llm: str | None = None
    store: str = "memory"
    data_dir: Path = Path("agent-data")
    headless: bool = True
    browser_path: str | None = None
    webhook_key: str | None = None
    proxies: Mapping[str, str] = field(default_factory=dict)
    upload_dir: Path | None = None
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    block_private_networks: bool = False
    max_download_bytes: int | None = None
    max_downloads: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        proxies = {
            key.removeprefix("AGENT_PROXY_"): value
            for key, value in env.items()
            if key.startswith("AGENT_PROXY_") and value
        }
        upload = env.get("AGENT_UPLOAD_DIR")
        secrets = {
            key.removeprefix("AGENT_SECRET_"): value
            for key, value in env.items()
            if key.startswith("AGENT_SECRET_") and value
        }
        max_mb = env.get("AGENT_MAX_DOWNLOAD_MB")
        max_count = env.get("AGENT_MAX_DOWNLOADS")
        return cls(
            llm=env.get("AGENT_LLM") or None,
            store=env.get("AGENT_STORE") or "memory",
            data_dir=Path(env.get("AGENT_DATA_DIR") or "agent-data"),
            headless=_flag(env.get("AGENT_HEADLESS"), True),
            browser_path=env.get("AGENT_BROWSER_PATH") or None,
            webhook_key=env.get("AGENT_WEBHOOK_KEY") or None,
            proxies=proxies,
            upload_dir=Path(upload) if upload else None,
            secrets=secrets,
            block_private_networks=_flag(env.get("AGENT_BLOCK_PRIVATE_NETWORKS"), False),
            max_download_bytes=int(float(max_mb) * 1_000_000) if max_mb else None,
            max_downloads=int(max_count) if max_count else None,
        )


def quiet_litellm_env() -> None:
    """Keep litellm off the network: local cost map, offline mode (set before importing it)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
