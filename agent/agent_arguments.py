"""Checks on ``Agent(...)``'s arguments, made before the Agent starts anything.

Each wrong argument raises a :class:`~agent.records.errors.ConfigError` that names the argument,
what it got and the fix, instead of a raw ``TypeError`` or ``sqlite3.OperationalError``
from deep inside (or, worse, a run that fails later, or a file created by accident):

>>> check_agent_arguments({"headless": "no"})
Traceback (most recent call last):
...
agent.records.errors.ConfigError: Agent(headless='no'): takes True or False (or None for \
AGENT_HEADLESS), not str

The store is checked by :func:`check_store_argument`: a store object, ``memory``,
``sqlite``, a URL, or a path to a SQLite file; a bare word such as ``Memory`` is a typo,
not a file name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from agent.records.errors import ConfigError

STORE_FORMS = (
    "use 'memory', 'sqlite', 'sqlite:///path.db', a file path such as 'runs.db' or "
    "'./runs', 'postgresql://user@host/db', or a store object"
)
"""The documented forms of ``store=`` (docs/api.md, :mod:`agent.stores.open`)."""
_SHOWN = 60


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _bad(name: str, value: Any, fix: str) -> ConfigError:
    return ConfigError(f"Agent({name}={_shown(value)}): {fix}, not {type(value).__name__}")


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))


def _is_text_mapping(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _is_paths(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(_is_path(item) for item in value)


def _is_texts(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset)) and all(
        isinstance(item, str) for item in value
    )


def _is_keyed_by_text(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) for k in value)


def _is_seconds(value: Any) -> bool:
    return _is_number(value) and value > 0


def _is_positive_count(value: Any) -> bool:
    return _is_count(value) and value > 0


def _is_functions(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(callable(item) for item in value)


_Rule = tuple[Callable[[Any], bool], str]
_RULES: dict[str, _Rule] = {
    "llm_base_url": (_is_text, "takes the model server's URL as text"),
    "llm_options": (
        _is_keyed_by_text,
        "takes a dict of litellm arguments, e.g. {'api_key': ...}",
    ),
    "broker": (_is_text, "takes a Redis URL such as 'redis://127.0.0.1:6379/0'"),
    "data_dir": (_is_path, "takes a folder path (str or pathlib.Path)"),
    "headless": (_is_bool, "takes True or False (or None for AGENT_HEADLESS)"),
    "browser_path": (_is_text, "takes the path of a Chromium executable as text"),
    "webhook_key": (_is_text, "takes the webhook signing key as text"),
    "proxies": (
        _is_text_mapping,
        "takes a dict of names to proxy URLs, e.g. {'RESIDENTIAL': 'http://host:3128'}",
    ),
    "upload_files": (_is_paths, "takes a list of file paths, e.g. ['cv.pdf']"),
    "progress": (_is_bool, "takes True or False (or None: on in a terminal)"),
    "record_video": (_is_bool, "takes True or False"),
    "totp_timeout": (_is_seconds, "takes seconds above 0"),
    "totp_poll_interval": (_is_seconds, "takes seconds above 0"),
    "secrets": (
        _is_keyed_by_text,
        "takes a dict of names to values, e.g. {'password': '...'}",
    ),
    "allowed_domains": (_is_texts, "takes a list of domain patterns, e.g. ['*.example.com']"),
    "blocked_domains": (_is_texts, "takes a list of domain patterns, e.g. ['ads.example.com']"),
    "block_private_networks": (_is_bool, "takes True or False"),
    "max_download_bytes": (_is_positive_count, "takes a whole number of bytes"),
    "max_downloads": (_is_positive_count, "takes a whole number above 0"),
    "tools": (_is_functions, "takes a list of functions"),
    "on_pause": (callable, "takes a function of the paused run"),
    "run_timeout_seconds": (_is_seconds, "takes seconds above 0"),
    "page_timeout": (_is_seconds, "takes seconds above 0"),
    "llm_deadline": (_is_seconds, "takes seconds above 0"),
}
"""For each argument (None always allowed: the setting's default): its test and the fix."""


def check_agent_arguments(arguments: Mapping[str, Any]) -> None:
    """Raise a :class:`ConfigError` for the first argument of the wrong kind (None passes)."""
    for name, value in arguments.items():
        rule = _RULES.get(name)
        if value is None or rule is None:
            continue
        accepts, fix = rule
        if not accepts(value):
            raise _bad(name, value, fix)
        if name == "upload_files":
            for item in value:
                if not Path(item).is_file():
                    raise ConfigError(
                        f"Agent(upload_files=[..., {_shown(str(item))}, ...]): no such file; "
                        "give paths of files that exist"
                    )


def check_store_argument(store: Any, name: str = "Agent(store=...)") -> None:
    """Refuse a ``store=`` that is none of the documented forms (see :data:`STORE_FORMS`).

    ``name`` says where the value came from (``AGENT_STORE`` for the environment's).
    """
    from agent.stores.base import RunStore

    if store is None or isinstance(store, (RunStore, os.PathLike)):
        return
    if not isinstance(store, str):
        raise _bad("store", store, STORE_FORMS)
    if store in ("memory", "sqlite") or "://" in store:
        return
    path = Path(store)
    if os.sep in store or "/" in store or path.suffix:
        return  # a file path
    hint = ""
    if store.lower() in ("memory", "sqlite"):
        hint = f" (did you mean {store.lower()!r}?)"
    where = name.replace("...", _shown(store)) if "..." in name else f"{name}={_shown(store)}"
    raise ConfigError(f"{where}: a bare word is not a store{hint}; {STORE_FORMS}")
