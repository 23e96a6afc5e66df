"""Driving the library's async page code on a Page the user holds, sync or async.

The library's page layer (:func:`agent.browser.seeing.observe`, :func:`agent.browser.act`) takes
Playwright's *async* ``Page``. A user's async page is used as it is. A sync page
(``playwright.sync_api``, pytest-playwright's ``page`` fixture) wraps the same
implementation object (``page._impl_obj``) that an async page wraps; its calls run on
Playwright's own event loop, in a greenlet ("dispatcher fiber") of the user's thread.

:func:`run_on_sync_page` runs a coroutine there, the way Playwright's sync methods run
theirs (``page._sync``): the user's thread waits while Playwright's loop runs our
coroutine, which drives an async view of the same page (:func:`async_view`). Nothing
touches the page from another thread. The model call, which belongs to the Agent's own
loop thread, is awaited across loops (:meth:`agent.run.loop_thread.LoopThread.run_async`): the
Playwright loop keeps serving the page meanwhile.

Playwright caches one API wrapper per implementation object. A sync and an async
wrapper of the same object would overwrite each other's cache entry, so
:func:`_keep_families_apart` makes each family keep its own entry when the cached one
belongs to the other family; a program that uses one family only sees no change.
"""

from __future__ import annotations

import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_TWIN_ATTR = {"async": "_agent_async_api_twin_", "sync": "_agent_sync_api_twin_"}
_patched = False
_patch_lock = threading.Lock()


def is_sync_page(page: Any) -> bool:
    """Whether ``page`` is a ``playwright.sync_api.Page``."""
    from playwright.sync_api import Page as SyncPage

    return isinstance(page, SyncPage)


def is_async_page(page: Any) -> bool:
    """Whether ``page`` is a ``playwright.async_api.Page``."""
    from playwright.async_api import Page as AsyncPage

    return isinstance(page, AsyncPage)


def _family_mapping(mapping: Any, family: str) -> None:
    from playwright._impl import _impl_to_api_mapping as m

    original = mapping.from_maybe_impl
    twin_attr = _TWIN_ATTR[family]

    def from_maybe_impl(obj: Any, visited: Any = None) -> Any:
        api_class = (
            mapping._mapping.get(getattr(obj, "_api_impl_class", type(obj)))
            if obj and not isinstance(obj, (dict, list))
            else None
        )
        if api_class is None:
            return original(obj, visited)
        cached = getattr(obj, m.API_ATTR, None)
        if cached is None or isinstance(cached, api_class):
            return original(obj, visited)
        twin = getattr(obj, twin_attr, None)  # the other family owns the usual entry
        if twin is None:
            twin = api_class(obj)
            setattr(obj, twin_attr, twin)
        return twin

    mapping.from_maybe_impl = from_maybe_impl


def _keep_families_apart() -> None:
    global _patched
    with _patch_lock:
        if _patched:
            return
        from playwright._impl import _async_base, _sync_base

        _family_mapping(_async_base.mapping, "async")
        _family_mapping(_sync_base.mapping, "sync")
        _patched = True


def async_view(sync_page: Any) -> Any:
    """The async ``Page`` over the same implementation as ``sync_page`` (use it only
    inside :func:`run_on_sync_page`)."""
    _keep_families_apart()
    import playwright.async_api  # noqa: F401  (registers the async classes with the mapping)
    from playwright._impl._async_base import mapping

    return mapping.from_impl(sync_page._impl_obj)


def run_on_sync_page(sync_page: Any, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on Playwright's loop behind ``sync_page`` and wait for its result.

    Call it from the thread that created the page (Playwright's sync objects belong to it).
    """
    result: T = sync_page._sync(coro)
    return result
