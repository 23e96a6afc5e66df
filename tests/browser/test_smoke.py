from fixtures_sites.server import FixtureServer


async def test_fixture_server_serves_static_and_records_posts(page, server: FixtureServer):
    await page.goto(server.url("/"))
    assert "Fixture sites" in await page.content()
    await page.evaluate(
        "fetch('/anything', {method: 'POST', headers: {'content-type': "
        "'application/x-www-form-urlencoded'}, body: 'a=1&b=two'})"
    )
    sub = server.wait_for_submission("/anything")
    assert sub.form == {"a": "1", "b": "two"}
