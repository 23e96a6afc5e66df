"""proxy_location -> Playwright proxy: the rules, the errors, and a real browser through a proxy."""

from __future__ import annotations

import doctest
import enum
import hashlib
from pathlib import Path

import pytest

from agent.browser.lifecycle.launch import launch_chromium
from agent.integrations import proxy as proxy_module
from agent.integrations.proxy import redact_proxy, resolve_proxy
from agent.records.config import Settings
from agent.records.errors import InvalidRequestError
from fixtures_sites.server import FixtureServer
from tests.proxy_server import RecordingProxy

JP = "http://jp-user:s%40cret@10.1.2.3:8080"


class Location(str, enum.Enum):
    NONE = "NONE"
    RESIDENTIAL_JP = "RESIDENTIAL_JP"


@pytest.mark.parametrize("location", [None, "RESIDENTIAL", "residential", "NONE"])
def test_default_and_none_run_direct_without_configuration(location: str | None) -> None:
    assert resolve_proxy(location, {}) is None


def test_none_stays_direct_even_when_proxies_are_configured() -> None:
    assert resolve_proxy("NONE", {"RESIDENTIAL": "http://p:1"}) is None
    assert resolve_proxy(Location.NONE, {"RESIDENTIAL": "http://p:1"}) is None


def test_the_default_uses_its_proxy_when_one_is_configured() -> None:
    assert resolve_proxy(None, {"RESIDENTIAL": "proxy.local:3128"}) == {
        "server": "http://proxy.local:3128"
    }


def test_named_locations_use_the_configured_proxy_with_credentials() -> None:
    expected = {"server": "http://10.1.2.3:8080", "username": "jp-user", "password": "s@cret"}
    assert resolve_proxy("RESIDENTIAL_JP", {"RESIDENTIAL_JP": JP}) == expected
    assert resolve_proxy(Location.RESIDENTIAL_JP, {"residential_jp": JP}) == expected
    assert resolve_proxy({"country": "jp", "city": "Tokyo"}, {"RESIDENTIAL_JP": JP}) == expected
    assert resolve_proxy("US-CA", {"US_CA": "socks5://127.0.0.1:1080"}) == {
        "server": "socks5://127.0.0.1:1080"
    }
    assert resolve_proxy("office", {"OFFICE": "https://[::1]:8443"}) == {
        "server": "https://[::1]:8443"
    }


def test_environment_configuration_reaches_resolution() -> None:
    settings = Settings.from_env({"AGENT_PROXY_US_CA": "http://u:p@ca.proxy:3128", "HOME": "/"})
    assert resolve_proxy("US-CA", settings.proxies) == {
        "server": "http://ca.proxy:3128",
        "username": "u",
        "password": "p",
    }


def test_custom_proxies_in_the_request() -> None:
    assert resolve_proxy({"url": "http://bob:pw@127.0.0.1:9000"}, {}) == {
        "server": "http://127.0.0.1:9000",
        "username": "bob",
        "password": "pw",
    }
    assert resolve_proxy({"server": "http://127.0.0.1:9000", "bypass": "*.internal"}, {}) == {
        "server": "http://127.0.0.1:9000",
        "bypass": "*.internal",
    }


@pytest.mark.parametrize(
    "location", ["RESIDENTIAL_JP", "RESIDENTIAL_ISP", "US-CA", {"country": "DE"}, "OFFICE"]
)
def test_explicit_locations_without_a_proxy_fail_before_the_run(location: object) -> None:
    with pytest.raises(InvalidRequestError) as info:
        resolve_proxy(location, {"RESIDENTIAL": "http://p:1"})  # never a silent fallback
    message = str(info.value)
    assert info.value.field == "proxy_location"
    assert "AGENT_PROXY_" in message and "proxies={" in message and "NONE" in message


def test_the_error_names_the_environment_variable_to_set() -> None:
    with pytest.raises(InvalidRequestError, match="AGENT_PROXY_US_CA"):
        resolve_proxy("US-CA", {})


@pytest.mark.parametrize(
    "location",
    [
        {"url": "ftp://user:hunter2@host:21"},
        {"url": "http://user:hunter2@host"},  # no port
        {"url": "http://user:hunter2@host:port"},
        {"city": "Paris"},
        {},
        42,
        "not a name",
    ],
)
def test_malformed_locations_are_refused_without_echoing_passwords(location: object) -> None:
    with pytest.raises(InvalidRequestError) as info:
        resolve_proxy(location, {})
    assert "hunter2" not in str(info.value)


def test_a_bad_configured_url_names_its_variable() -> None:
    with pytest.raises(InvalidRequestError) as info:
        resolve_proxy("RESIDENTIAL", {"RESIDENTIAL": "http://u:hunter2@host"})
    assert info.value.field == "AGENT_PROXY_RESIDENTIAL" and "hunter2" not in str(info.value)


def test_docstring_examples() -> None:
    assert doctest.testmod(proxy_module).failed == 0


def test_redact_proxy() -> None:
    proxy = resolve_proxy({"url": "http://bob:pw@127.0.0.1:9000"}, {})
    assert redact_proxy(proxy) == "http://bob:***@127.0.0.1:9000"
    assert redact_proxy(None) == "direct"


async def test_the_browser_goes_through_the_configured_proxy(
    server: FixtureServer, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    with RecordingProxy(auth=("agent", "p@ss word")) as proxy:
        configured = {"RESIDENTIAL": proxy.url_with_auth().replace("p@ss word", "p%40ss%20word")}
        settings = resolve_proxy("RESIDENTIAL", configured)
        assert settings is not None and settings["password"] == "p@ss word"
        async with async_playwright() as playwright:
            browser = await launch_chromium(playwright, proxy=settings)
            try:
                context = await browser.new_context(accept_downloads=True)
                page = await context.new_page()
                await page.goto(server.url("/invoices/"))
                assert await page.inner_text("h1") == "Your invoices"
                async with page.expect_download() as info:
                    await page.click("tr[data-invoice=INV-1002] >> text=Download")
                download = await info.value
                saved = tmp_path / download.suggested_filename
                await download.save_as(saved)
            finally:
                await browser.close()

    page_line = f"GET {server.url('/invoices/')} HTTP/1.1"
    download_line = f"GET {server.url('/invoices/download?id=INV-1002')} HTTP/1.1"
    assert page_line in proxy.request_lines and download_line in proxy.request_lines
    # the browser answered the proxy's 407 with the credentials from resolve_proxy
    served = [
        ok
        for line, ok in zip(proxy.request_lines, proxy.authorized, strict=True)
        if line == page_line
    ]
    assert served[-1] is True
    expected = server.state["invoices"]["sha256"]["INV-1002.pdf"]
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == expected
