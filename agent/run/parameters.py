"""The one declared parameter list of ``run_task``, shared by its four forms.

``agent.run_task``, ``agent.run_task_async``, ``Agent.run_task`` and
``Agent.run_task_async`` take the same keywords. They are written once, in
:func:`run_task_parameters`, and each form is decorated with ``@parameters_of(run_task_parameters)`` (or
``@method_parameters_of``), which does two things:

- for type checkers and IDEs, the decorated function's type carries the declared
  parameters (a ``ParamSpec`` copied from the declaration), so completion and checking
  show every name with its type;
- at run time it sets ``__signature__``, so ``inspect.signature`` and ``help()`` show
  every name with its default.

The body of each form reads its arguments with :func:`run_task_arguments`, which binds
them to the declaration exactly as a plain call would (an unknown keyword is a TypeError).

>>> import inspect
>>> from agent import run_task
>>> list(inspect.signature(run_task).parameters)[:4]
['prompt', 'url', 'data_extraction_schema', 'title']
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from agent.integrations.secrets import SecretValue

P = ParamSpec("P")
R = TypeVar("R")


def run_task_parameters(
    prompt: str,
    url: str | None = None,
    data_extraction_schema: Any = None,
    *,
    title: str | None = None,
    engine: str = "skyvern-2.0",
    proxy_location: str | dict[str, Any] | None = "RESIDENTIAL",
    error_code_mapping: dict[str, str] | None = None,
    max_steps: int | None = None,
    webhook_url: str | None = None,
    totp_identifier: str | None = None,
    totp_url: str | None = None,
    browser_session_id: str | None = None,
    publish_workflow: bool = False,
    secrets: Mapping[str, SecretValue] | None = None,
    allowed_domains: Sequence[str] | None = None,
    blocked_domains: Sequence[str] | None = None,
    browser_profile_id: str | None = None,
    start_fresh_browser: bool = False,
    model: dict[str, Any] | None = None,
    extra_http_headers: dict[str, str] | None = None,
    cdp_connect_headers: dict[str, str] | None = None,
    include_action_history_in_verification: bool | None = False,
    max_screenshot_scrolls: int | None = None,
    browser_address: str | None = None,
    run_with: str | None = None,
    file_ids: list[str] | None = None,
    user_agent: str | None = None,
    timeout_seconds: float | None = None,
    max_cost: float | None = None,
    max_total_tokens: int | None = None,
    wait: bool = True,
) -> None:
    """The declaration: every field of :class:`~agent.records.runs.RunRequest`, plus ``wait``.

    Each field has the hosted ``TaskRunRequest``'s name and default (``docs/run-object.md``;
    :class:`~agent.records.runs.RunRequest` describes each one). ``secrets`` takes values
    (``{"NAME": "value"}``); the request keeps their names only. ``wait=False`` returns the
    run at once, to be polled with ``get_run``.
    """


RUN_TASK_SIGNATURE = inspect.signature(run_task_parameters)


def run_task_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """``(request fields, wait)`` from a call's arguments, defaults filled in."""
    bound = RUN_TASK_SIGNATURE.bind(*args, **kwargs)
    bound.apply_defaults()
    fields = dict(bound.arguments)
    return fields, bool(fields.pop("wait"))


def _shown(
    declaration: Callable[..., None], impl: Callable[..., Any], first: list[inspect.Parameter]
) -> inspect.Signature:
    declared = inspect.signature(declaration)
    return declared.replace(
        parameters=[*first, *declared.parameters.values()],
        return_annotation=inspect.signature(impl).return_annotation,
    )


def parameters_of(
    declaration: Callable[P, None],
) -> Callable[[Callable[..., R]], Callable[P, R]]:
    """Give a function written as ``def f(*args, **kwargs)`` the parameters of ``declaration``."""

    def apply(impl: Callable[..., R]) -> Callable[P, R]:
        impl.__signature__ = _shown(declaration, impl, [])  # type: ignore[attr-defined]
        return impl

    return apply


def method_parameters_of(
    declaration: Callable[P, None],
) -> Callable[[Callable[..., R]], Callable[Concatenate[Any, P], R]]:
    """Give a method written as ``def m(self, *args, **kwargs)`` ``self`` and ``declaration``'s
    parameters."""

    def apply(impl: Callable[..., R]) -> Callable[Concatenate[Any, P], R]:
        self_parameter = next(iter(inspect.signature(impl).parameters.values()))
        impl.__signature__ = _shown(declaration, impl, [self_parameter])  # type: ignore[attr-defined]
        return impl

    return apply
