"""Downloads are bounded while they stream: a 200 MB body costs about the limit, not 200 MB."""

from __future__ import annotations

from agent.browser.tabs import Tabs
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
