"""act() across tabs, downloads and navigation; Tabs bookkeeping (dialogs: test_dialogs)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from pathlib import Path

from agent.browser.acting.action_types import ClickAction
from agent.browser.acting.actions import act
from agent.browser.lifecycle.tabs import Tabs, safe_filename
from agent.browser.seeing.observe import observe
from tests.browser.action_support import by_text, css_id, do, open_page, tabs_fixture  # noqa: F401 - a fixture

CSV = b"month,orders,revenue\n2025-03,1289,48211.50\n"


async def test_link_to_a_new_tab_switch_and_close(page, server, tabs):
    obs = await open_page(tabs.page, server, "/widgets/tabs.html")
    opened = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Read the terms"))
    assert opened.success and opened.page_changed, opened.message
    assert "a new tab opened: tab 1" in opened.message and "now the active tab" in opened.message
    assert tabs.page is not page and opened.url.endswith("/widgets/opened.html?via=link")
    assert await tabs.page.inner_text("#via") == "Opened via link"
    assert [(t["index"], t["active"], t["title"]) for t in tabs.describe()] == [
        (0, False, "Links and tabs | Widgets"),
        (1, True, "Terms of service | Widgets"),
    ]
    back = await do(tabs.page, None, tabs, action_type="SWITCH_TAB", tab_index=0)
    assert back.success and back.page_changed and tabs.page is page
    assert [t["active"] for t in back.data] == [True, False]
    wrong = await do(tabs.page, None, tabs, action_type="SWITCH_TAB", tab_index=5)
    assert not wrong.success and "there is no tab 5; open tabs are 0 to 1" in wrong.message
    closed = await do(tabs.page, None, tabs, action_type="CLOSE_PAGE", tab_index=1)
    assert closed.success and len(tabs.pages) == 1 and tabs.page is page
    only = await do(tabs.page, None, tabs, action_type="CLOSE_PAGE")
    assert not only.success and "only open tab" in only.message


async def test_window_open_new_tab_action_and_a_tab_that_closes_itself(page, server, tabs):
    obs = await open_page(tabs.page, server, "/widgets/tabs.html")
    result = await do(
        tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Open the help window")
    )
    assert result.success
    # A script-opened tab may be announced a moment after the click on a loaded machine;
    # Tabs follows it whenever it comes.
    for _ in range(50):
        if len(tabs.pages) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(tabs.pages) == 2 and tabs.page is tabs.pages[1]
    assert await tabs.page.inner_text("#via") == "Opened via script"
    fresh = await do(
        tabs.page,
        None,
        tabs,
        action_type="NEW_TAB",
        url=server.url("/widgets/opened.html?via=new-tab"),
    )
    assert fresh.success and len(tabs.pages) == 3 and tabs.pages.index(tabs.page) == 2
    assert await tabs.page.inner_text("#via") == "Opened via new-tab"
    obs = await observe(tabs.page)
    await do(tabs.page, None, tabs, action_type="SWITCH_TAB", tab_index=1)  # the script-opened one
    obs = await observe(tabs.page)
    gone = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Close this tab"))
    assert gone.success and gone.page_changed and "the tab closed" in gone.message, gone.message
    assert len(tabs.pages) == 2 and tabs.page is tabs.pages[0]


async def test_a_tab_that_closes_before_the_click_ends_is_the_clicks_effect(page, server, tabs):
    # window.close() on mousedown: the tab is gone before Playwright's click returns.
    obs = await open_page(tabs.page, server, "/widgets/tabs.html")
    await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Open the help window"))
    for _ in range(50):
        if len(tabs.pages) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(tabs.pages) == 2 and tabs.page is tabs.pages[1]
    obs = await observe(tabs.page)
    closer = by_text(obs, "Close before the click ends")
    gone = await do(tabs.page, obs, tabs, action_type="CLICK", id=closer)
    assert gone.success and gone.page_changed and "the tab closed" in gone.message, gone.message
    assert len(tabs.pages) == 1 and tabs.page is tabs.pages[0]


async def test_tab_actions_without_tabs_say_what_is_missing(page, server):
    result = await do(page, None, action_type="NEW_TAB", url=server.url("/"))
    assert not result.success and "pass tabs=" in result.message
    assert len(page.context.pages) == 1


async def test_downloads_are_saved_with_checksums_and_unique_safe_names(
    page, server, tabs, tmp_path
):
    obs = await open_page(tabs.page, server, "/downloads/")
    link = by_text(obs, "March 2025 report")
    first = await do(tabs.page, obs, tabs, action_type="CLICK", id=link)
    assert first.success and not first.page_changed, first.message
    [csv] = first.downloaded
    assert (csv.filename, csv.file_size) == ("report-2025-03.csv", len(CSV))
    assert csv.checksum == hashlib.sha256(CSV).hexdigest()
    assert csv.source_url == server.url("/downloads/file/report-2025-03.csv")
    saved = Path(csv.url.removeprefix("file://"))
    assert saved == tmp_path / "downloads" / "report-2025-03.csv" and saved.read_bytes() == CSV
    second = await do(tabs.page, obs, tabs, action_type="CLICK", id=link)
    assert [d.filename for d in second.downloaded] == ["report-2025-03 (1).csv"]
    pdf = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Download invoice"))
    assert [d.filename for d in pdf.downloaded] == ["invoice.pdf"], pdf.message
    nasty = await do(
        tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Archive with an odd name")
    )
    [odd] = nasty.downloaded
    assert "/" not in odd.filename and "<" not in odd.filename and not odd.filename.startswith(".")
    assert Path(odd.url.removeprefix("file://")).parent == tmp_path / "downloads"
    direct = await do(
        tabs.page, None, tabs, action_type="GOTO_URL", url="/downloads/file/invoice.pdf"
    )
    assert direct.success and "started a download" in direct.message, direct.message
    assert [d.filename for d in direct.downloaded] == ["invoice (1).pdf"]
    assert len(tabs.downloads) == 5 and tabs.download_errors == []


async def test_download_limits_fail_with_a_reason(page, server, tmp_path):
    small = Tabs(page.context, downloads_dir=tmp_path, max_download_bytes=100_000, max_downloads=1)
    await small.start()
    obs = await open_page(page, server, "/downloads/")
    big = await do(page, obs, small, action_type="CLICK", id=by_text(obs, "Full data dump"))
    assert not big.success and "over the 0.1 MB limit per file" in big.message, big.message
    ok = await do(page, obs, small, action_type="CLICK", id=by_text(obs, "March 2025 report"))
    assert ok.success and len(ok.downloaded) == 1
    over = await do(page, obs, small, action_type="CLICK", id=by_text(obs, "Download invoice"))
    assert not over.success and "the limit of 1 downloads per run is reached" in over.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-2025-03.csv"]
    small.detach()


async def test_a_download_without_tabs_is_still_saved_and_reported(page, server):
    obs = await open_page(page, server, "/downloads/")
    result = await act(page, ClickAction(id=by_text(obs, "March 2025 report")), obs)
    assert result.success, result.message
    [csv] = result.downloaded
    saved = Path(csv.url.removeprefix("file://"))
    assert saved.read_bytes() == CSV and csv.checksum == hashlib.sha256(CSV).hexdigest()
    shutil.rmtree(saved.parent)


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("..\\..\\x.exe") == "x.exe"
    assert safe_filename(".bashrc") == "bashrc"
    assert safe_filename("   ") == "download"
    assert len(safe_filename("a" * 500 + ".pdf")) <= 150


async def test_goto_restores_a_shortened_url_back_and_reload(page, server, tabs):
    await tabs.page.goto(server.url("/products/"))
    await tabs.page.evaluate("scrollTo(0, document.body.scrollHeight)")
    obs = await observe(tabs.page)
    deals = obs.element(by_text(obs, "Spring deals"))
    assert deals is not None
    short = next(line for line in obs.render(4000).splitlines() if "Spring deals" in line)
    shown = short.split("href=")[1].split(">")[0]  # with its quotes, as a model might copy it
    assert "…~" in shown  # the prompt carries a shortened href
    went = await do(tabs.page, obs, tabs, action_type="GOTO_URL", url=shown)
    assert went.success and went.page_changed and went.url == deals.attributes["href"], went.message
    assert await tabs.page.inner_text("#page-info") == "Page 3 of 3 (25 products)"
    back = await do(tabs.page, None, tabs, action_type="GO_BACK")
    assert back.success and back.url == server.url("/products/")
    await tabs.page.check("#filters input")
    reloaded = await do(tabs.page, None, tabs, action_type="RELOAD_PAGE")
    assert reloaded.success and reloaded.page_changed
    assert not await tabs.page.is_checked("#filters input")
    missing = await do(tabs.page, None, tabs, action_type="GOTO_URL", url=server.url("/nowhere"))
    assert missing.success and "HTTP 404" in missing.message
    bad = await do(tabs.page, None, tabs, action_type="GOTO_URL", url="javascript:alert(1)")
    assert not bad.success and "javascript" in bad.message


async def test_go_back_with_no_history_fails(page, server, tabs):
    result = await do(tabs.page, None, tabs, action_type="GO_BACK")
    assert not result.success and "no previous page" in result.message


async def test_engine_decisions_are_acknowledged_not_executed(page, server):
    for kind in ("COMPLETE", "TERMINATE", "EXTRACT", "SOLVE_CAPTCHA"):
        result = await do(page, None, action_type=kind)
        assert result.success and "decided by the engine" in result.message
