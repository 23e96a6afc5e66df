"""The invoices fixture site: every kind of Download control yields the same deterministic file."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from fixtures_sites.server import FixtureServer


@pytest.mark.parametrize(
    "invoice",
    ["INV-1001", "INV-1003", "INV-1004"],  # a link, a form button, a JavaScript button
)
async def test_download_controls_give_the_invoice_pdf(
    server: FixtureServer, page, invoice: str
) -> None:
    await page.goto(server.url("/invoices/"))
    async with page.expect_download() as info:
        await page.click(f"tr[data-invoice={invoice}] >> text=Download")
    download = await info.value
    assert download.suggested_filename == f"{invoice}.pdf"
    content = (await download.path()).read_bytes()
    assert content.startswith(b"%PDF-1.4") and f"Invoice {invoice}".encode() in content
    expected = server.state["invoices"]["sha256"][f"{invoice}.pdf"]
    assert hashlib.sha256(content).hexdigest() == expected


async def test_download_headers_and_unknown_ids(server: FixtureServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        first = await client.get("/invoices/download", params={"id": "INV-1002"})
        again = await client.get("/invoices/download", params={"id": "INV-1002"})
        missing = await client.get("/invoices/download", params={"id": "INV-9999"})
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == 'attachment; filename="INV-1002.pdf"'
    assert first.content == again.content
    assert missing.status_code == 404
