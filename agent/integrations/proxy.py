"""From a run's ``proxy_location`` to Playwright's ``proxy=`` launch option.

``proxy_location`` takes the hosted API's values:

* a named location: ``RESIDENTIAL`` (the default), ``RESIDENTIAL_<CC>`` (``RESIDENTIAL_JP``,
  ...), ``RESIDENTIAL_ISP``, the old ``US-CA``/``US-NY``/``US-TX``/``US-FL``/``US-WA``, or
  any other name the user configured;
* ``NONE``: direct, no proxy;
* a custom proxy ``{"url": "http://user:pass@host:port"}`` (also ``socks5://``);
* a geo target ``{"country": "JP", ...}``, looked up as ``RESIDENTIAL_JP``.

A local library has no residential pool, so a *name* means "the proxy the user configured
under that name": ``AGENT_PROXY_<NAME>`` in the environment (read by :mod:`agent.records.config`; names match
case-insensitively and ``-`` as ``_``, so ``US-CA`` is ``AGENT_PROXY_US_CA``) or
``Agent(proxies={"RESIDENTIAL_JP": "http://..."})``.

The default, ``RESIDENTIAL``, runs **direct** when nothing is configured for it: every run
carries it unless the caller says otherwise, and refusing it would break every run on a
machine without proxies. Any *other* name with nothing configured raises
:class:`~agent.records.errors.InvalidRequestError` before the run starts, rather than silently
sending traffic from the wrong place. A ``RESIDENTIAL_JP`` run never falls back to the
``RESIDENTIAL`` proxy for the same reason.

    >>> resolve_proxy("RESIDENTIAL", {})  # default, nothing configured: direct
    >>> resolve_proxy({"url": "http://bob:pw@10.0.0.2:3128"}, {})
    {'server': 'http://10.0.0.2:3128', 'username': 'bob', 'password': 'pw'}
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from agent.records.errors import InvalidRequestError

if TYPE_CHECKING:
    from playwright.async_api import ProxySettings

__all__ = [
    "DEFAULT_PROXY_LOCATION",
    "ENV_PREFIX",
    "KNOWN_LOCATIONS",
    "parse_proxy_url",
    "redact_proxy",
    "resolve_proxy",
]

DEFAULT_PROXY_LOCATION = "RESIDENTIAL"
ENV_PREFIX = "AGENT_PROXY_"
_COUNTRIES = ["ES", "IE", "GB", "IN", "JP", "FR", "DE", "NZ", "PH", "KR"]
_COUNTRIES += ["SA", "ZA", "AR", "AU", "BR", "TR", "CA", "MX", "IT", "NL"]
KNOWN_LOCATIONS: frozenset[str] = frozenset(
    ["RESIDENTIAL", "RESIDENTIAL_ISP", "NONE"]
    + [f"RESIDENTIAL_{cc}" for cc in _COUNTRIES]
    + ["US-CA", "US-NY", "US-TX", "US-FL", "US-WA"]
)
_SCHEMES = ("http", "https", "socks5")
_NAME = re.compile(r"^[A-Z0-9_]+$")
_EXTRAS: tuple[Literal["username", "password", "bypass"], ...] = ("username", "password", "bypass")
"""Fields of a Playwright-shaped ``proxy_location`` taken over beside its ``server``."""


def _key(name: str) -> str:
    """The lookup key of a location name: upper case, ``-`` as ``_``."""
    return name.strip().upper().replace("-", "_")


def parse_proxy_url(url: str, *, field: str = "proxy_location") -> ProxySettings:
    """Playwright's proxy dict for ``scheme://user:pass@host:port`` (scheme defaults to http).

    >>> parse_proxy_url("proxy.local:3128")
    {'server': 'http://proxy.local:3128'}
    """
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        port = None
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname or not port:
        # never echo the URL: it may carry a password
        raise InvalidRequestError(
            field,
            "a proxy URL must look like http://user:pass@host:port (schemes: "
            f"{', '.join(_SCHEMES)}; the port is required)",
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    proxy: ProxySettings = {"server": f"{parts.scheme.lower()}://{host}:{port}"}
    if parts.username:
        proxy["username"] = unquote(parts.username)
        proxy["password"] = unquote(parts.password or "")
    return proxy


def redact_proxy(proxy: ProxySettings | None) -> str:
    """A loggable description of a proxy dict: the server and user, never the password.

    >>> redact_proxy({"server": "http://h:1", "username": "bob", "password": "pw"})
    'http://bob:***@h:1'
    """
    if not proxy:
        return "direct"
    scheme, _, rest = proxy.get("server", "").partition("://")
    user = proxy.get("username")
    return f"{scheme}://{user}:***@{rest}" if user else proxy.get("server", "")


def _location_name(location: Any) -> str | None:
    """The name of a named location, or None for a mapping."""
    if isinstance(location, enum.Enum):
        location = location.value
    if isinstance(location, str):
        return location
    return None


def resolve_proxy(proxy_location: Any, configured: Mapping[str, str]) -> ProxySettings | None:
    """Playwright's ``proxy`` dict for ``proxy_location``, or None to run direct.

    ``configured`` maps location names to proxy URLs (``Settings.proxies`` from the
    environment, merged with ``Agent(proxies=...)``). Raises :class:`~agent.records.errors.InvalidRequestError` for a
    malformed value or a non-default name with no proxy configured.

    >>> resolve_proxy("RESIDENTIAL_JP", {"RESIDENTIAL_JP": "http://jp.proxy:8080"})
    {'server': 'http://jp.proxy:8080'}
    >>> resolve_proxy("NONE", {"RESIDENTIAL": "http://p:1"})
    """
    table = {_key(name): url for name, url in configured.items()}
    if proxy_location is None:
        proxy_location = DEFAULT_PROXY_LOCATION

    name = _location_name(proxy_location)
    if name is None:
        if not isinstance(proxy_location, Mapping):
            raise InvalidRequestError(
                "proxy_location",
                f"expected a location name, {{'url': ...}} or {{'country': ...}}, "
                f"not {type(proxy_location).__name__}",
            )
        if proxy_location.get("url"):
            return parse_proxy_url(str(proxy_location["url"]))
        if proxy_location.get("server"):  # already Playwright's shape
            proxy = parse_proxy_url(str(proxy_location["server"]))
            for extra in _EXTRAS:
                if proxy_location.get(extra):
                    proxy[extra] = str(proxy_location[extra])
            return proxy
        country = str(proxy_location.get("country") or "").strip().upper()
        if not country:
            raise InvalidRequestError(
                "proxy_location", "a custom proxy needs 'url' (http://user:pass@host:port)"
            )
        name = f"RESIDENTIAL_{country}"

    key = _key(name)
    if not key or not _NAME.match(key):
        raise InvalidRequestError(
            "proxy_location", f"{name!r} is not a location name (letters, digits, _ or -)"
        )
    if key == "NONE":
        return None
    url = table.get(key)
    if url:
        return parse_proxy_url(url, field=f"{ENV_PREFIX}{key}")
    if key == DEFAULT_PROXY_LOCATION:
        return None  # a local library has no residential pool: the default runs direct
    hint = "" if name.strip().upper() in KNOWN_LOCATIONS else " (not one of the hosted names)"
    raise InvalidRequestError(
        "proxy_location",
        f"no proxy is configured for {name.strip().upper()!r}{hint}: set {ENV_PREFIX}{key}="
        f"http://user:pass@host:port or pass proxies={{{key!r}: 'http://user:pass@host:port'}} "
        "to Agent, or use proxy_location='NONE' to run direct",
    )
