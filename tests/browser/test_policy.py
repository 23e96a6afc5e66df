"""The browsing policy's rules, and its route on a real browser context."""

from __future__ import annotations

import pytest

from agent.browser.lifecycle.tabs import Tabs
from agent.records.policy import BrowsingPolicy, check_patterns, is_private_address
from tests.browser.action_support import do


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://shop.example.com/a", True),
        ("https://example.com/", True),
        ("https://EXAMPLE.com./", True),
        ("https://ads.example.com/", False),
        ("https://example.com.evil.test/", False),
        ("https://notexample.com/", False),
        ("http://127.0.0.1:8000/x", True),
        ("http://127.0.0.1:9000/x", False),
    ],
)
def test_domain_globs(url, allowed):
    policy = BrowsingPolicy.of(["*.example.com", "127.0.0.1:8000"], ["ads.example.com"])
    assert (policy.refusal(url) is None) is allowed, policy.refusal(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<h1>hi</h1>",
        "chrome://settings",
        "view-source:https://example.com/",
        "ftp://example.com/",
        "about:config",
    ],
)
def test_local_schemes_are_refused_to_the_model_by_default(url):
    reason = BrowsingPolicy().refusal(url)
    assert reason and "may not be opened by the agent" in reason


def test_patterns_are_checked_and_addresses_classified():
    assert check_patterns(["HTTPS://Shop.Test/path"]) == ["shop.test"]
    for bad in (["exa mple.com"], [""], "example.com"):
        with pytest.raises(ValueError):
            check_patterns(bad)
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "100.64.0.1"):
        assert is_private_address(address), address
    assert not is_private_address("93.184.216.34") and not is_private_address("example.com")


async def test_private_networks_blocked_for_every_request_of_the_page(page, server, tmp_path):
    pixel = server.url("/steer/pixel.gif")
    html = (
        f"<h1>Public page</h1><img src='{pixel}'>"
        "<script>fetch('http://169.254.169.254/latest/meta-data/').catch(() => {})</script>"
    )

    async def public(route):  # a page from a public host, served without a network
        await route.fulfill(status=200, content_type="text/html", body=html)

    tabs = Tabs(
        page.context, downloads_dir=tmp_path, policy=BrowsingPolicy(block_private_networks=True)
    )
    unroute = await tabs.policy.install(page.context, tabs.note_blocked)
    await tabs.start()
    await page.route("http://public.test/**", public)
    await page.goto("http://public.test/")
    await page.wait_for_load_state("load")
    assert [r.path for r in server.requests if r.path == "/steer/pixel.gif"] == []
    assert any("127.0.0.1 is a private or link-local address" in b for b in tabs.blocked)
    for _ in range(50):
        if any("169.254.169.254" in b for b in tabs.blocked):
            break
        await page.wait_for_timeout(50)
    assert any("169.254.169.254" in b for b in tabs.blocked), tabs.blocked
    await unroute()
    tabs.detach()


async def test_goto_outside_allowed_domains_fails_with_the_reason(page, server, tmp_path):
    tabs = Tabs(
        page.context,
        downloads_dir=tmp_path,
        policy=BrowsingPolicy.of([f"127.0.0.1:{server.port}"], None),
    )
    await tabs.start(server.url("/widgets/keys.html"))
    result = await do(
        page, None, tabs, action_type="GOTO_URL", url=server.alt_url("/widgets/keys.html")
    )
    assert not result.success and "is not in this run's allowed_domains" in result.message
    relative = await do(page, None, tabs, action_type="GOTO_URL", url="/widgets/dialogs.html")
    assert relative.success, relative.message
    tabs.detach()
