"""Where the browser may go: schemes the model may open, domain globs, private networks.

A :class:`BrowsingPolicy` is checked in three places:

- **Model-driven navigation** (GOTO_URL, NEW_TAB, skyvern-2.0 loop items):
  :meth:`BrowsingPolicy.refusal` before the browser is asked to go anywhere. Only
  ``http:``, ``https:`` and ``about:blank`` are allowed; ``file:``, ``javascript:``,
  ``data:``, ``chrome:``, ``view-source:`` and every other scheme are refused, and so are
  hosts outside ``allowed_domains`` or inside ``blocked_domains``.
- **Every document the page loads** (links, forms, popups, frames): when the policy has
  domain globs or blocks private networks, a route on the browser context
  (:meth:`BrowsingPolicy.install`) aborts the request before it leaves the browser.
- **Redirects**: Playwright does not route redirect hops, so a document that commits on a
  refused host is caught when it commits (:meth:`BrowsingPolicy.committed_refusal`) and
  the tab is taken to ``about:blank`` at once; the action fails.

``block_private_networks`` (off by default, so local test servers work) also aborts
every sub-request (images, scripts, fetch/XHR) to loopback, private, link-local
(``169.254.169.254``), carrier-grade NAT and other reserved addresses.

Globs match the host (``fnmatch``, case-insensitive); ``*.example.com`` also matches
``example.com``; a glob with a port (``127.0.0.1:8000``) matches that port only.

    >>> policy = BrowsingPolicy(allowed_domains=("*.example.com",))
    >>> policy.refusal("https://shop.example.com/cart") is None
    True
    >>> policy.refusal("https://evil.test/?q=1")
    "evil.test is not in this run's allowed_domains (*.example.com); the browser may not open https://evil.test/?q=1"
    >>> BrowsingPolicy().refusal("file:///etc/passwd")
    'file: addresses may not be opened by the agent (only http, https and about:blank); file:///etc/passwd was refused'
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Request, Route

logger = logging.getLogger("agent.browser")

MODEL_SCHEMES = frozenset({"http", "https"})
"""Schemes a model-driven navigation may use (plus the exact URL ``about:blank``)."""
_PATTERN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._*?[]:")


def check_patterns(patterns: Sequence[str]) -> list[str]:
    """Normalize domain globs (lower case, no scheme or path); ValueError on a bad one.

    >>> check_patterns(["https://Example.com/", "*.shop.test"])
    ['example.com', '*.shop.test']
    """
    if isinstance(patterns, str):
        raise ValueError(f"give a list of domain globs, not one string ({patterns!r})")
    out: list[str] = []
    for raw in patterns:
        if not isinstance(raw, str):
            raise ValueError(f"a domain glob must be a string, not {type(raw).__name__}")
        text = raw.strip().lower()
        if "://" in text:
            text = text.split("://", 1)[1]
        text = text.split("/", 1)[0].rstrip(".")
        if not text or not set(text) <= _PATTERN_CHARS:
            raise ValueError(
                f"{raw!r} is not a domain glob: write a host such as example.com, "
                "*.example.com or 127.0.0.1:8000"
            )
        out.append(text)
    return out


def _host_port(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), host, str(port or default or "")


def matches(pattern: str, host: str, port: str) -> bool:
    """Whether the glob ``pattern`` covers ``host`` (on ``port``)."""
    name, _, want_port = pattern.partition(":")
    if pattern.startswith("[") or pattern.count(":") > 1:  # an IPv6 literal, no port
        name, want_port = pattern.strip("[]"), ""
    if want_port and want_port != port:
        return False
    if fnmatchcase(host, name):
        return True
    return name.startswith("*.") and host == name[2:]


def is_private_address(address: str) -> bool:
    """Loopback, private, link-local, shared (CGNAT), reserved, multicast or unspecified."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or ip in ipaddress.ip_network("100.64.0.0/10")
    )


@dataclass(frozen=True)
class BrowsingPolicy:
    """One run's rules for where the browser may go (see the module docstring)."""

    allowed_domains: tuple[str, ...] = ()
    """Host globs; when not empty, every other host is refused."""
    blocked_domains: tuple[str, ...] = ()
    """Host globs that are refused (checked before ``allowed_domains``)."""
    block_private_networks: bool = False
    """Refuse every request to private, loopback and link-local addresses."""
    _resolved: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        allowed: Sequence[str] | None,
        blocked: Sequence[str] | None,
        *,
        block_private_networks: bool = False,
    ) -> BrowsingPolicy:
        return cls(
            tuple(check_patterns(allowed or ())),
            tuple(check_patterns(blocked or ())),
            block_private_networks,
        )

    @property
    def routes(self) -> bool:
        """Whether requests must be intercepted (domain globs or private blocking)."""
        return bool(self.allowed_domains or self.blocked_domains or self.block_private_networks)

    # -- checks --------------------------------------------------------------------------
    def refusal(self, url: str) -> str | None:
        """Why a model-driven navigation to ``url`` is refused, or None when it may go."""
        scheme = urlsplit(url).scheme.lower()
        if url.strip().lower() == "about:blank":
            return None
        if scheme not in MODEL_SCHEMES:
            return (
                f"{scheme or 'that'}: addresses may not be opened by the agent "
                f"(only http, https and about:blank); {url} was refused"
            )
        return self.host_refusal(url)

    def host_refusal(self, url: str) -> str | None:
        """Why ``url``'s host is refused by the domain globs, or None."""
        scheme, host, port = _host_port(url)
        if scheme not in ("http", "https", "ws", "wss") or not host:
            return None
        for pattern in self.blocked_domains:
            if matches(pattern, host, port):
                return (
                    f"{host} is in this run's blocked_domains ({pattern}); "
                    f"the browser may not open {url}"
                )
        if self.allowed_domains and not any(matches(p, host, port) for p in self.allowed_domains):
            return (
                f"{host} is not in this run's allowed_domains "
                f"({', '.join(self.allowed_domains)}); the browser may not open {url}"
            )
        if self.block_private_networks and is_private_address(host):
            return f"{host} is a private or link-local address; the browser may not open {url}"
        return None

    committed_refusal = host_refusal
    """Checked when a document commits (redirects end here)."""

    async def private_refusal(self, url: str) -> str | None:
        """Why a request to ``url`` is refused as a private-network address, or None."""
        if not self.block_private_networks:
            return None
        scheme, host, _port = _host_port(url)
        if scheme not in ("http", "https", "ws", "wss") or not host:
            return None
        if host == "localhost" or host.endswith(".localhost") or is_private_address(host):
            return f"{host} is a private or link-local address; the request to {url} was refused"
        if host not in self._resolved:
            self._resolved[host] = await _resolves_private(host)
        if self._resolved[host]:
            return f"{host} resolves to a private address; the request to {url} was refused"
        return None

    # -- enforcement in the browser ----------------------------------------------------------
    async def install(
        self, context: BrowserContext, on_block: Callable[[Request, str], None]
    ) -> Callable[[], Awaitable[None]] | None:
        """Route the context's requests through the policy; returns an async uninstaller.

        ``on_block(request, reason)`` is told about each refused request. Nothing is
        installed (None) when the policy needs no routing.
        """
        if not self.routes:
            return None

        async def handle(route: Route) -> None:
            request = route.request
            reason = None
            try:
                if request.is_navigation_request():
                    reason = self.host_refusal(request.url)
                if reason is None:
                    reason = await self.private_refusal(request.url)
            except Exception as exc:  # a check that breaks refuses, it never lets through
                reason = f"the browsing policy could not check {request.url}: {exc}"
            if reason is None:
                await route.fallback()
                return
            logger.info("blocked %s: %s", request.url, reason)
            await route.abort("blockedbyclient")  # first: a failing listener must not let it by
            try:
                on_block(request, reason)
            except Exception:  # the request is refused all the same
                logger.exception("the browsing policy's listener failed")

        await context.route("**/*", handle)

        async def uninstall() -> None:
            try:
                await context.unroute("**/*", handle)
            except Exception as exc:  # the context may already be closed
                logger.debug("unroute failed: %s", exc)

        return uninstall


async def _resolves_private(host: str) -> bool:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:  # unresolvable here: the browser cannot reach it either
        return False
    return any(is_private_address(str(info[4][0])) for info in infos)
