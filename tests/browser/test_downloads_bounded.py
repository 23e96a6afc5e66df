"""Downloads are bounded while they stream: the bytes on disk never pass the limit + a chunk."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from agent.browser.lifecycle.download_stream import CHUNK_BYTES
from agent.browser.lifecycle.tabs import Tabs
from tests.browser.action_support import by_text, do, open_page

LIMIT = 5_000_000
TOTAL = 200_000_000


async def test_a_stream_past_the_size_limit_is_stopped_during_the_transfer(page, server, tmp_path):
    tabs = Tabs(page.context, downloads_dir=tmp_path, max_download_bytes=LIMIT)
    await tabs.start()
    obs = await open_page(page, server, "/downloads/")
    sent = server.state["downloads"]["sent"]
    stream = await do(page, obs, tabs, action_type="CLICK", id=by_text(obs, "Archive stream"))
    assert not stream.success, stream.message
    assert "download of dump.bin stopped at" in stream.message, stream.message
    assert "over the 5.0 MB limit per file" in stream.message
    # Stopped while streaming: the server got to write only a fraction of the body.
    assert 0 < sent["chunked"] < TOTAL / 4, sent
    sized = await do(page, obs, tabs, action_type="CLICK", id=by_text(obs, "Archive file"))
    assert not sized.success and "it is 200.0 MB, over the 5.0 MB limit" in sized.message
    assert sent["sized"] < TOTAL / 4, sent
    assert list(tmp_path.iterdir()) == [] and tabs.downloads == []
    # Small files still download after a refused one.
    csv = await do(page, obs, tabs, action_type="CLICK", id=by_text(obs, "March 2025 report"))
    assert csv.success and [d.filename for d in csv.downloaded] == ["report-2025-03.csv"]
    tabs.detach()


async def test_a_file_already_in_the_folder_is_never_overwritten(page, server, tmp_path):
    mine = tmp_path / "report-2025-03.csv"
    mine.write_bytes(b"the user's own file\n")
    tabs = Tabs(page.context, downloads_dir=tmp_path)
    await tabs.start()
    obs = await open_page(page, server, "/downloads/")
    result = await do(page, obs, tabs, action_type="CLICK", id=by_text(obs, "March 2025 report"))
    assert [d.filename for d in result.downloaded] == ["report-2025-03 (1).csv"]
    assert mine.read_bytes() == b"the user's own file\n"
    nasty = await do(page, obs, tabs, action_type="CLICK", id=by_text(obs, "Archive with an odd"))
    [odd] = nasty.downloaded
    assert "/" not in odd.filename and not odd.filename.startswith(".")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["report-2025-03 (1).csv", "report-2025-03.csv", odd.filename]
    )
    tabs.detach()


def _bytes_on_disk(folders: list[Path]) -> int:
    total = 0
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                try:
                    total += os.stat(os.path.join(root, name)).st_size
                except FileNotFoundError:  # renamed or deleted between listing and stat
                    pass
    return total


@pytest.mark.timeout(120)
@pytest.mark.parametrize("link", ["Live log (endless)", "Live log, saved by the browser"])
async def test_an_endless_download_never_has_more_than_the_limit_and_a_chunk_on_disk(
    server, tmp_path, monkeypatch, link
):
    """Sampled while it streams: the downloads folder and Playwright's temporary files."""
    from playwright.async_api import async_playwright

    from agent.browser.lifecycle.launch import launch_chromium

    # This driver's temporary folder (short: Chromium's socket path there has a length limit)
    playwright_tmp = Path(tempfile.mkdtemp(prefix="pw-"))
    monkeypatch.setenv("TMPDIR", str(playwright_tmp))
    downloads = tmp_path / "downloads"
    samples: list[int] = []

    def on_disk() -> int:  # the saved files and Playwright's artifacts (not the profile)
        return _bytes_on_disk([downloads, *playwright_tmp.glob("playwright-artifacts-*")])

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        assert list(playwright_tmp.glob("playwright-artifacts-*")), "the artifacts are sampled"
        context = await browser.new_context(accept_downloads=True)
        page = await context.new_page()
        tabs = Tabs(context, downloads_dir=downloads, max_download_bytes=LIMIT)
        await tabs.start()
        obs = await open_page(page, server, "/downloads/")
        streaming = True

        async def sample() -> None:
            while streaming:
                samples.append(on_disk())
                await asyncio.sleep(0.005)

        sampler = asyncio.ensure_future(sample())
        try:
            result = await do(page, obs, tabs, action_type="CLICK", id=by_text(obs, link))
        finally:
            streaming = False
            await sampler
        left = on_disk()
        tabs.detach()
        await browser.close()
    shutil.rmtree(playwright_tmp, ignore_errors=True)
    sent = max(server.state["downloads"]["sent"].get(k, 0) for k in ("endless", "endless-attr"))
    assert not result.success and "download of dump.bin stopped at" in result.message
    assert sent > LIMIT, "the server streamed past the limit"
    assert max(samples) > 0 and len(samples) > 10, "the samples saw the download stream"
    assert max(samples) <= LIMIT + CHUNK_BYTES, (max(samples), LIMIT + CHUNK_BYTES)
    assert left == 0, "nothing left behind"
