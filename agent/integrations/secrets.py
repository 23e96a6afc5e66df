"""Secrets: values the agent types but the model, the store and the logs never see.

A run gets secrets as ``secrets={"NAME": value}`` (``run_task``) and from its Agent
(``Agent(secrets=...)``, ``AGENT_SECRET_<NAME>`` environment variables). A value is a
string, or a callable returning one (read when the run starts, so it need not sit in
code): :func:`from_env` makes one that reads an environment variable.

The model only ever sees the placeholder ``{{NAME}}``. When the run starts, every
value found in the prompt (or title) is replaced by its placeholder before anything is
stored or sent; the plan prompt lists the placeholders and says to type them with
INPUT_TEXT. The engine puts the value in only for the keystrokes (:meth:`Secrets.fill`)
and writes the placeholder back into everything it keeps (:meth:`Secrets.redact`):
prompts, answers, step records, artifacts, the run, progress lines and log records.

    >>> secrets = Secrets({"PASSWORD": "p@ssw0rd!"})
    >>> secrets.redact("log in with password p@ssw0rd! (p%40ssw0rd%21 in a URL)")
    'log in with password {{PASSWORD}} ({{PASSWORD}} in a URL)'
    >>> secrets.fill("{{PASSWORD}}")
    ('p@ssw0rd!', True)
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, quote_plus

from pydantic import BaseModel

from agent.records.errors import InvalidRequestError

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

    from agent.records.observation import Observation
    from agent.records.runs import RunStatus, Step, TaskRun
    from agent.stores.base import RunStore

_ModelT = TypeVar("_ModelT", bound=BaseModel)

SecretValue = str | Callable[[], str]
"""A secret's value: the text itself or a function returning it (called at run start)."""
SecretsArg = Mapping[str, SecretValue] | None

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MIN_LENGTH = 3
"""Shorter values would be replaced all over ordinary text; they are refused."""


def placeholder(name: str) -> str:
    """``{{NAME}}``: what the model sees and types in place of the secret ``name``."""
    return "{{" + name + "}}"


def from_env(variable: str) -> Callable[[], str]:
    """A secret value read from the environment variable ``variable`` when the run starts.

    >>> import os; os.environ["DOC_PW"] = "s3cret-value"
    >>> from_env("DOC_PW")()
    's3cret-value'
    """

    def read() -> str:
        value = os.environ.get(variable)
        if not value:
            raise InvalidRequestError(
                "secrets", f"the environment variable {variable} is not set (or empty)"
            )
        return value

    read.__name__ = f"from_env({variable})"
    return read


def _variants(value: str) -> list[str]:
    """The forms a value takes in text we keep: as is, URL-, HTML- and JSON-escaped."""
    forms = {
        value,
        quote(value, safe=""),
        quote_plus(value, safe=""),
        quote(value),
        html.escape(value),
        html.escape(value, quote=False),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }
    return sorted(forms, key=len, reverse=True)  # longest first: no partial replacement


class Secrets:
    """The resolved secret values of one run (in memory only), and their redaction."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values: dict[str, str] = dict(values or {})
        pairs = [(form, placeholder(n)) for n, v in self._values.items() for form in _variants(v)]
        pairs.sort(key=lambda p: len(p[0]), reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(form) for form, _ in pairs)) if pairs else None
        )
        self._by_form = dict(pairs)
        self._slots = re.compile(
            "|".join(re.escape(placeholder(n)) for n in self._values) or r"(?!x)x"
        )

    def __bool__(self) -> bool:
        return bool(self._values)

    def __repr__(self) -> str:  # never the values
        return f"Secrets({sorted(self._values)})"

    @property
    def names(self) -> list[str]:
        """The secret names, sorted."""
        return sorted(self._values)

    @property
    def placeholders(self) -> list[str]:
        """``{{NAME}}`` for each secret, sorted."""
        return [placeholder(n) for n in self.names]

    def value(self, name: str) -> str:
        return self._values[name]

    def redact(self, text: str) -> str:
        """``text`` with every value (and its escaped forms) replaced by its placeholder."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda m: self._by_form[m.group(0)], text)

    def redact_data(self, value: Any) -> Any:
        """Redact every string inside ``value`` (dicts, lists, tuples; keys too)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact_data(k): self.redact_data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.redact_data(v) for v in value)
        if isinstance(value, BaseModel):
            return self.redact_model(value)
        return value

    def redact_model(self, model: _ModelT) -> _ModelT:
        """A pydantic model with every string redacted (a copy; the same one when clean)."""
        if self._pattern is None:
            return model
        data = model.model_dump(mode="python")
        clean = self.redact_data(data)
        return model if clean == data else type(model).model_validate(clean)

    def contains(self, text: str) -> bool:
        """Whether ``text`` holds a value in any of its forms."""
        return bool(self._pattern and text and self._pattern.search(text))

    def fill(self, text: str) -> tuple[str, bool]:
        """``text`` with each ``{{NAME}}`` replaced by the value; and whether any was."""
        if not self._values or "{{" not in text:
            return text, False
        filled, count = self._slots.subn(lambda m: self._values[m.group(0)[2:-2]], text)
        return filled, count > 0


def resolve_secrets(*sources: SecretsArg) -> Secrets:
    """Merge secret sources (later ones win) and read callables; bad input raises now.

    >>> resolve_secrets({"A": "one-value"}, {"B": lambda: "two-value"}).names
    ['A', 'B']
    """
    merged: dict[str, SecretValue] = {}
    for source in sources:
        if source is None:
            continue
        if not isinstance(source, Mapping):
            raise InvalidRequestError(
                "secrets", f"secrets takes a dict of NAME -> value, not {type(source).__name__}"
            )
        merged.update(source)
    values: dict[str, str] = {}
    for name, raw in merged.items():
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise InvalidRequestError(
                "secrets",
                f"secret name {name!r} is not usable as a placeholder: use letters, digits "
                "and _ (such as PASSWORD or api_key)",
            )
        value = raw() if callable(raw) else raw
        if not isinstance(value, str):
            raise InvalidRequestError(
                "secrets", f"secret {name}: the value must be a string, not {type(value).__name__}"
            )
        if len(value) < MIN_LENGTH:
            raise InvalidRequestError(
                "secrets",
                f"secret {name} is shorter than {MIN_LENGTH} characters: too short to keep "
                "out of the text that is stored and sent",
            )
        values[name] = value
    return Secrets(values)


class RedactingStore:
    """A run store seen through one run's secrets: whatever is written is redacted first.

    Reads go straight through; the wrapped store never holds a value.
    """

    def __init__(self, store: RunStore, secrets: Secrets) -> None:
        self._store = store
        self._secrets = secrets

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def create_run(self, run: TaskRun) -> None:
        self._store.create_run(self._secrets.redact_model(run))

    def update_run(self, run_id: str, status: RunStatus | None = None, **changes: Any) -> TaskRun:
        return self._store.update_run(run_id, status, **self._secrets.redact_data(changes))

    def save_step(self, step: Step) -> None:
        self._store.save_step(self._secrets.redact_model(step))

    def save_workflow(self, workflow_id: str, data: Any) -> None:
        self._store.save_workflow(workflow_id, self._secrets.redact_data(data))


# -- the page -------------------------------------------------------------------------------
SECRET_FIELD_SELECTOR = "[data-agent-secret]"
"""Fields that received a secret: masked in screenshots, shown as discs, never observed."""
_MARK_JS = """el => {
  el.setAttribute("data-agent-secret", "");
  el.style.setProperty("-webkit-text-security", "disc", "important");
}"""


async def mark_secret_field(target: Locator) -> None:
    """Mark the field about to receive a secret: it shows discs (screenshots, video) and
    the observation treats it as a password field (its value is never rendered)."""
    try:
        await target.evaluate(_MARK_JS)
    except Exception as exc:  # typing goes on; the text is redacted all the same
        logging.getLogger("agent.integrations.secrets").debug(
            "could not mark a secret field: %s", exc
        )


async def fill_action(
    action: _ModelT, secrets: Secrets, page: Page, observation: Observation | None
) -> _ModelT:
    """The action as it is typed: ``{{NAME}}`` in its text filled in, the field marked.

    The action passed in (with placeholders) is what gets recorded; the one returned
    goes to :func:`agent.browser.act` only.
    """
    text = getattr(action, "text", None)
    if not secrets or not isinstance(text, str):
        return action
    filled, used = secrets.fill(text)
    if not used:
        return action
    target_id = getattr(action, "id", None)
    if target_id and observation is not None:
        try:
            await mark_secret_field(observation.locate(page, target_id))
        except Exception as exc:  # a stale id fails in act() with its own message
            logging.getLogger("agent.integrations.secrets").debug("no field to mark: %s", exc)
    return action.model_copy(update={"text": filled})


# -- log records ---------------------------------------------------------------------------
_active: dict[int, Secrets] = {}
_active_lock = threading.Lock()
_factory_installed = False


@contextmanager
def redacting_logs(secrets: Secrets) -> Iterator[None]:
    """While inside, every log record of the process has these values replaced.

    A record factory is used (installed once, the first time secrets are used) because
    it sees every record of every logger, before any handler formats it.
    """
    if not secrets:
        yield
        return
    _install_factory()
    with _active_lock:
        _active[id(secrets)] = secrets
    try:
        yield
    finally:
        with _active_lock:
            _active.pop(id(secrets), None)


def _install_factory() -> None:
    global _factory_installed
    with _active_lock:
        if _factory_installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _active:
                _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True


def _redact_record(record: logging.LogRecord) -> None:
    with _active_lock:
        active = list(_active.values())
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: let logging report it as usual
        return
    exc_text = None
    if record.exc_info:
        exc_text = logging.Formatter().formatException(record.exc_info)
    for secrets in active:
        message = secrets.redact(message)
        if exc_text:
            exc_text = secrets.redact(exc_text)
    record.msg, record.args = message, None
    if exc_text is not None:
        record.exc_text = exc_text
        record.exc_info = None
