"""act() on forms: typing, choosing, checking, uploading, submitting; the server sees the result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from agent.browser.seeing.observe import observe
from tests.browser.action_support import by_text, css_id, do, open_page, tabs_fixture  # noqa: F401 - a fixture


@pytest.fixture
def resume(tmp_path: Path) -> Path:
    path = tmp_path / "chris-bacon-resume.pdf"
    path.write_bytes(b"%PDF-1.4\n% Chris P Bacon, senior backend engineer\n" + bytes(range(256)))
    return path


async def test_job_application_through_observe_and_act_only(page, server, tabs, resume):
    await tabs.page.goto(server.url("/jobs/apply"))
    obs = await observe(tabs.page)
    plan = [
        {"action_type": "INPUT_TEXT", "id": by_text(obs, "Full name"), "text": "Chris P Bacon"},
        {"action_type": "INPUT_TEXT", "id": by_text(obs, "Email"), "text": "chris@pbacon.com"},
        {"action_type": "INPUT_TEXT", "id": by_text(obs, "Phone"), "text": "+49 30 5550101"},
        {
            "action_type": "SELECT_OPTION",
            "id": by_text(obs, "Position"),
            "option": {"label": "senior backend"},
        },
        {"action_type": "CLICK", "id": by_text(obs, "6 years or more")},
        {
            "action_type": "INPUT_TEXT",
            "id": by_text(obs, "Earliest start date"),
            "text": "June 1, 2026",
        },
        {"action_type": "UPLOAD_FILE", "id": by_text(obs, "Resume / CV"), "file_url": str(resume)},
        {
            "action_type": "INPUT_TEXT",
            "id": by_text(obs, "Cover letter"),
            "text": "I build robots.\nAnd APIs.",
        },
        {"action_type": "CLICK", "id": by_text(obs, "I agree"), "checked": True},
        {"action_type": "CLICK", "id": by_text(obs, "Send me news"), "checked": False},
        {"action_type": "CLICK", "id": by_text(obs, "Submit application")},
    ]
    results = [await do(tabs.page, obs, tabs, **step, _uploads=[resume]) for step in plan]
    assert all(r.success for r in results), [r.message for r in results if not r.success]
    assert results[-1].page_changed and results[-1].url.endswith("/jobs/apply")
    sub = server.wait_for_submission("/jobs/apply")
    assert sub.form == {
        "name": "Chris P Bacon",
        "email": "chris@pbacon.com",
        "phone": "+49 30 5550101",
        "location": "",
        "position": "backend-sr",
        "experience": "6+",
        "start_date": "2026-06-01",
        "cover_letter": "I build robots.\r\nAnd APIs.",
        "terms": "yes",
    }
    uploaded = sub.files["resume"]
    assert uploaded.filename == resume.name
    assert (
        hashlib.sha256(uploaded.content).hexdigest()
        == hashlib.sha256(resume.read_bytes()).hexdigest()
    )
    after = await observe(tabs.page)
    assert after.title == "Application received"
    assert "Thank you, Chris P Bacon!" in await tabs.page.inner_text("#thanks")


async def test_submit_with_missing_fields_shows_the_page_error(page, server):
    obs = await open_page(page, server, "/jobs/apply.html")
    result = await do(page, obs, action_type="CLICK", id=by_text(obs, "Submit application"))
    assert result.success and not result.page_changed
    assert server.submissions_to("/jobs/apply") == []
    assert "Please provide: full name" in await page.inner_text("#form-error")


async def test_login_wrong_then_right_password_with_enter(page, server, tabs):
    obs = await open_page(tabs.page, server, "/login/")
    user, password = by_text(obs, "Username"), by_text(obs, "Password")
    await do(tabs.page, obs, tabs, action_type="INPUT_TEXT", id=user, text="demo")
    typed = await do(
        tabs.page, obs, tabs, action_type="INPUT_TEXT", id=password, text="wrong-horse"
    )
    assert typed.success and "wrong-horse" not in typed.message and "11 characters" in typed.message
    wrong = await do(tabs.page, obs, tabs, action_type="KEYPRESS", keys=["enter"])
    assert wrong.success and wrong.page_changed
    assert "Invalid username or password" in await tabs.page.inner_text("#login-error")

    obs = await observe(tabs.page)
    await do(
        tabs.page, obs, tabs, action_type="INPUT_TEXT", id=by_text(obs, "Username"), text="demo"
    )
    await do(
        tabs.page,
        obs,
        tabs,
        action_type="INPUT_TEXT",
        id=by_text(obs, "Password"),
        text="correct-horse-battery",
    )
    right = await do(
        tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Sign in", tag="button")
    )
    assert right.success and right.page_changed and right.url.endswith("/login/members")
    assert await tabs.page.inner_text("#welcome") == "Welcome back, demo!"
    assert any(c["name"] == "acme_session" for c in await tabs.page.context.cookies())


async def test_typing_fires_key_events_for_keyup_only_listeners(page, server):
    obs = await open_page(page, server, "/widgets/keys.html")
    result = await do(
        page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Find a country"), text="Gree"
    )
    assert result.success, result.message
    assert await page.inner_text("#live-results") == "Greece"
    # Retyping clears first: the old text does not stay in front.
    await do(page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Find a country"), text="Sw")
    assert await page.input_value("#live") == "Sw"
    assert (await page.inner_text("#live-results")).split("\n") == ["Sweden", "Switzerland"]


async def test_date_time_contenteditable_and_readonly_picker(page, server):
    obs = await open_page(page, server, "/widgets/dates.html")
    date = await do(
        page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Check-in date"), text="14.03.2025"
    )
    assert date.success and "'2025-03-14'" in date.message
    time = await do(
        page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Arrival time"), text="2:30 PM"
    )
    assert time.success, time.message
    bad = await do(
        page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Check-in date"), text="soon"
    )
    assert not bad.success and "YYYY-MM-DD" in bad.message
    picker = await do(
        page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Airport pick-up"), text="2025-03-20"
    )
    assert not picker.success and "read-only" in picker.message and "picker" in picker.message
    notes = await do(
        page,
        obs,
        action_type="INPUT_TEXT",
        id=await css_id(page, "#notes"),
        text="Late arrival, quiet room please",
    )
    assert notes.success, notes.message
    # The read-only field is filled the way a person would: open the calendar, click a day.
    await do(page, obs, action_type="CLICK", id=by_text(obs, "Airport pick-up"))
    obs = await observe(page)
    day = await do(page, obs, action_type="CLICK", id=by_text(obs, "March 20, 2025"))
    assert day.success, day.message
    await do(page, obs, action_type="CLICK", id=by_text(obs, "Book"))
    form = server.wait_for_submission("/widgets/dates").form
    assert form == {
        "checkin": "2025-03-14",
        "arrival": "14:30",
        "pickup": "2025-03-20",
        "notes": "Late arrival, quiet room please",
    }


async def test_checkboxes_radios_and_switch_reach_the_asked_state(page, server):
    obs = await open_page(page, server, "/widgets/controls.html")
    agree = await do(
        page, obs, action_type="CLICK", id=by_text(obs, "I accept the terms"), checked=True
    )
    assert agree.success and "now checked" in agree.message, agree.message
    again = await do(
        page, obs, action_type="CLICK", id=by_text(obs, "I accept the terms"), checked=True
    )
    assert again.success and "already checked" in again.message
    updates = await do(
        page, obs, action_type="CLICK", id=by_text(obs, "Email me product updates"), checked=False
    )
    assert updates.success and "now unchecked" in updates.message
    beta = await do(page, obs, action_type="CLICK", id=by_text(obs, "Join the beta"), checked=True)
    assert not beta.success and "disabled" in beta.message
    plan = await do(page, obs, action_type="CLICK", id=by_text(obs, "Team €29"))
    assert plan.success and "now selected" in plan.message, plan.message
    dark = await do(page, obs, action_type="CLICK", id=by_text(obs, "Dark mode"), checked=True)
    assert dark.success and "now on" in dark.message
    await do(page, obs, action_type="CLICK", id=by_text(obs, "Continue"))
    form = server.wait_for_submission("/widgets/controls").form
    assert form == {"agree": "yes", "plan": "team", "dark": "on"}


async def test_select_option_on_a_radio_of_the_group(page, server):
    obs = await open_page(page, server, "/jobs/apply.html")
    radio = by_text(obs, "0–2 years")
    result = await do(
        page, obs, action_type="SELECT_OPTION", id=radio, option={"label": "3-5 years"}
    )
    assert result.success, result.message
    assert await page.is_checked("#exp-3")
    missing = await do(
        page, obs, action_type="SELECT_OPTION", id=radio, option={"label": "a decade"}
    )
    assert not missing.success and '"6 years or more"' in missing.message


async def test_select_option_on_a_radio_card_whose_input_is_hidden(page, server):
    obs = await open_page(page, server, "/widgets/controls.html")
    result = await do(
        page, obs, action_type="SELECT_OPTION", id=by_text(obs, "Basic €0"), option={"value": "pro"}
    )
    assert result.success and "'Pro €9'" in result.message, result.message
    assert await page.is_checked("#plan-pro")


async def test_upload_only_allowed_files_directly_and_through_a_chooser(
    page, server, resume, tmp_path
):
    obs = await open_page(page, server, "/widgets/upload.html")
    browse = by_text(obs, "Browse files")
    none_allowed = await do(page, obs, action_type="UPLOAD_FILE", id=browse, file_url=str(resume))
    assert not none_allowed.success and "no files may be uploaded" in none_allowed.message
    other = tmp_path / "secrets.txt"
    other.write_text("nope")
    refused = await do(
        page, obs, action_type="UPLOAD_FILE", id=browse, file_url=str(other), _uploads=[resume]
    )
    assert (
        not refused.success
        and "not one of the files" in refused.message
        and resume.name in refused.message
    )
    by_name = await do(
        page, obs, action_type="UPLOAD_FILE", id=browse, file_url=resume.name, _uploads=[resume]
    )
    assert by_name.success, by_name.message
    assert await page.inner_text("#chosen") == f"Chosen: {resume.name}"
    await do(page, obs, action_type="CLICK", id=by_text(obs, "Send document"))
    sub = server.wait_for_submission("/widgets/upload")
    assert sub.files["id_document"].content == resume.read_bytes()


async def test_click_with_file_url_uses_the_file_chooser(page, server, resume):
    obs = await open_page(page, server, "/widgets/upload.html")
    result = await do(
        page,
        obs,
        action_type="CLICK",
        id=by_text(obs, "Browse files"),
        file_url=resume.as_uri(),
        _uploads=[resume],
    )
    assert result.success, result.message
    assert await page.inner_text("#chosen") == f"Chosen: {resume.name}"


async def test_stale_and_unknown_ids_are_reported_not_retargeted(page, server):
    obs = await open_page(page, server, "/jobs/apply.html")
    name = by_text(obs, "Full name")
    await page.evaluate(
        "document.getElementById('name').replaceWith(document.getElementById('name').cloneNode())"
    )
    stale = await do(page, obs, action_type="INPUT_TEXT", id=name, text="Chris")
    assert (
        not stale.success and f"element {name} is no longer on the page (stale id)" in stale.message
    )
    assert await page.input_value("#name") == ""
    unknown = await do(page, obs, action_type="CLICK", id="999")
    assert not unknown.success and "999" in unknown.message and "stale" in unknown.message
    garbled = await do(page, obs, action_type="CLICK")
    assert not garbled.success and "id is missing" in garbled.message
